package solution

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// mergeWaitHarness is a Solution merging into an offer that is not live
// yet, over a fake API client and c.
type mergeWaitHarness struct {
	r     *testReconciler
	offer *v1alpha1.MarketplaceOffer
	sol   *v1alpha1.Solution
}

func newMergeWaitHarness(g Gomega, c pc.Client) *mergeWaitHarness {
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetLive // but not live yet
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-analytics", Generation: 1},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMerge,
			Merge: &v1alpha1.MergeSpec{OfferRef: &v1alpha1.OfferReference{Name: offer.Name}}},
	}
	return &mergeWaitHarness{r: newSolutionReconciler(g, c, offer, sol), offer: offer, sol: sol}
}

// editOffer changes the offer's status as its reconciler would.
func (h *mergeWaitHarness) editOffer(g Gomega, edit func(*v1alpha1.MarketplaceOffer)) {
	o := &v1alpha1.MarketplaceOffer{}
	g.Expect(h.r.Get(context.Background(), client.ObjectKeyFromObject(h.offer), o)).To(Succeed())
	edit(o)
	g.Expect(h.r.Status().Update(context.Background(), o)).To(Succeed())
}

// reconcile runs one reconcile of the Solution and returns it as stored.
func (h *mergeWaitHarness) reconcile(g Gomega) *v1alpha1.Solution {
	_, got := ctrltest.ReconcileOnce(g, h.r.c, client.ObjectKeyFromObject(h.sol))
	return got
}

// goLive makes the offer live on product p-1.
func (h *mergeWaitHarness) goLive(g Gomega) {
	h.editOffer(g, func(o *v1alpha1.MarketplaceOffer) {
		o.Status.Phase, o.Status.ProductID = v1alpha1.PhaseLive, "p-1"
		o.Status.Conditions = []metav1.Condition{{Type: v1alpha1.LiveCondition, Status: metav1.ConditionTrue,
			Reason: v1alpha1.ReasonSucceeded, LastTransitionTime: metav1.Now()}}
	})
}

// A Merge waiting for its offer to go live reads Partner Center once for
// the generation, then waits on the offer's events without asking again.
func TestMergeWaitingForItsOfferAsksPartnerCenterOnce(t *testing.T) {
	g := NewWithT(t)
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics", Name: "Contoso Analytics"})
	h := newMergeWaitHarness(g, f)

	// The offer advances through its stages meanwhile: the Solution's
	// status says nothing of them, so it is written once, not per stage.
	var rv string
	for _, phase := range []v1alpha1.OfferPhase{v1alpha1.PhaseDraft, v1alpha1.PhaseCertifying, v1alpha1.PhaseGoingLive} {
		h.editOffer(g, func(o *v1alpha1.MarketplaceOffer) { o.Status.Phase = phase })
		got := h.reconcile(g)
		if rv != "" {
			g.Expect(got.ResourceVersion).To(Equal(rv), "no status write at offer phase %s", phase)
		}
		rv = got.ResourceVersion
	}
	got := &v1alpha1.Solution{}
	g.Expect(h.r.Get(context.Background(), client.ObjectKeyFromObject(h.sol), got)).To(Succeed())
	g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonWaitingForOffer))
	g.Expect(f.Calls["GetSolution"]).To(Equal(1))
	g.Expect(f.Calls["RequestMerge"]).To(BeZero())
}

// refusesOutOfState answers an action on a legacy solution that is no
// longer pending migration with a 409, as the simulator's OCP GTM
// extension does (internal/simulator/migration.go).
type refusesOutOfState struct {
	*fake.Client
}

func (c refusesOutOfState) RequestMerge(ctx context.Context, req pc.MergeRequest) (*pc.LegacySolution, error) {
	s, err := c.GetSolution(ctx, req.PartnerID, req.SolutionID)
	c.Calls["GetSolution"]-- // Partner Center's own look, not the operator's read
	if err != nil {
		return nil, err
	}
	if s.State != pc.SolutionStatePendingMigration && s.ProductID != req.ProductID {
		c.Calls["RequestMerge"]++
		return nil, &pc.Error{Class: pc.ClassConflict, Op: "RequestMerge", StatusCode: 409, Code: pc.CodeInvalidState,
			Message: "solution " + req.SolutionID + " is " + string(s.State)}
	}
	return c.Client.RequestMerge(ctx, req)
}

func (c refusesOutOfState) DiscardSolution(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	s, err := c.GetSolution(ctx, partnerID, solutionID)
	c.Calls["GetSolution"]-- // Partner Center's own look, not the operator's read
	if err != nil {
		c.Calls["DiscardSolution"]++
		return nil, err
	}
	if s.State != pc.SolutionStatePendingMigration && s.State != pc.SolutionStateDiscarded {
		c.Calls["DiscardSolution"]++
		return nil, &pc.Error{Class: pc.ClassConflict, Op: "DiscardSolution", StatusCode: 409, Code: pc.CodeInvalidState,
			Message: "solution " + solutionID + " is " + string(s.State)}
	}
	return c.Client.DiscardSolution(ctx, partnerID, solutionID)
}

// A Solution whose action can be taken at once asks for it without
// reading the legacy solution first: the answer is Partner Center's state.
// A refusal (a decision taken elsewhere, a solution Partner Center does
// not hold) is read then, in the same reconcile, and reported as a
// reconcile that read first would: a conflicting decision or a mistyped
// ID stalls at once.
func TestSolutionActsWithoutReadingFirst(t *testing.T) {
	const partner = "4871234"
	for name, tt := range map[string]struct {
		solutionID    string
		before        func(context.Context, *fake.Client)
		reads, asked  int
		state         v1alpha1.SolutionState
		ready, reason string
	}{
		"pending migration": {solutionID: "ocp-contoso-legacy", before: func(context.Context, *fake.Client) {},
			asked: 1, state: v1alpha1.StateDiscarded, ready: string(metav1.ConditionTrue), reason: v1alpha1.ReasonSucceeded},
		"migrated elsewhere": {solutionID: "ocp-contoso-legacy", before: func(ctx context.Context, f *fake.Client) {
			_, _ = f.MigrateSolution(ctx, pc.MigrateRequest{PartnerID: partner, SolutionID: "ocp-contoso-legacy", OfferID: "elsewhere", OfferType: "SoftwareAsAService"})
		}, reads: 1, asked: 1, state: v1alpha1.StateMigrated, ready: string(metav1.ConditionFalse), reason: v1alpha1.ReasonActionConflict},
		"mistyped solution ID": {solutionID: "ocp-contoso-legcy", before: func(context.Context, *fake.Client) {},
			reads: 1, asked: 1, ready: string(metav1.ConditionFalse), reason: v1alpha1.ReasonSolutionNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			sol := &v1alpha1.Solution{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-legacy", Generation: 1},
				Spec:       v1alpha1.SolutionSpec{SolutionID: tt.solutionID, PartnerID: partner, Action: v1alpha1.ActionDiscard},
			}
			f := fake.New(pc.LegacySolution{PartnerID: partner, SolutionID: "ocp-contoso-legacy", Name: "Contoso Legacy"})
			tt.before(ctx, f)
			r := newSolutionReconciler(g, refusesOutOfState{f}, sol)

			_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(sol)})
			g.Expect(err).NotTo(HaveOccurred())
			got := &v1alpha1.Solution{}
			g.Expect(r.Get(ctx, client.ObjectKeyFromObject(sol), got)).To(Succeed())
			g.Expect(f.Calls["GetSolution"]).To(Equal(tt.reads), "legacy solution reads")
			g.Expect(f.Calls["DiscardSolution"]).To(Equal(tt.asked), "discards asked for")
			g.Expect(got.Status.State).To(Equal(tt.state))
			c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReadyCondition)
			g.Expect(c).NotTo(BeNil())
			g.Expect(string(c.Status)).To(Equal(tt.ready))
			g.Expect(c.Reason).To(Equal(tt.reason))
		})
	}
}

// Once its offer is live, a Merge that waited for it asks for the merge on
// the state it read when the wait began, without reading it again. A
// state changed in the portal during the wait makes Partner Center refuse
// the merge: the Solution reads the state then and acts on it.
func TestMergeThatWaitedActsOnTheStateItRead(t *testing.T) {
	const partner, id = "4871234", "ocp-contoso-analytics"
	for name, tt := range map[string]struct {
		portal func(context.Context, *fake.Client)
		// reads and merges asked for, undone discards; the state at the end
		reads, merges, undos int
		state                v1alpha1.SolutionState
		productID            string
	}{
		"unchanged": {portal: func(context.Context, *fake.Client) {}, reads: 1, merges: 1, state: v1alpha1.StateMerged, productID: "p-1"},
		"discarded in the portal": {portal: func(ctx context.Context, f *fake.Client) {
			_, _ = f.DiscardSolution(ctx, partner, id)
		}, reads: 2, merges: 2, undos: 1, state: v1alpha1.StateMerged, productID: "p-1"},
		"merged elsewhere in the portal": {portal: func(ctx context.Context, f *fake.Client) {
			_, _ = f.RequestMerge(ctx, pc.MergeRequest{PartnerID: partner, SolutionID: id, ProductID: "p-other"})
		}, reads: 2, merges: 1, state: v1alpha1.StateMerged, productID: "p-other"},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			f := fake.New(pc.LegacySolution{PartnerID: partner, SolutionID: id, Name: "Contoso Analytics"})
			h := newMergeWaitHarness(g, refusesOutOfState{f})
			g.Expect(reconcile.ReadyReason(h.reconcile(g).Status.Conditions)).To(Equal(v1alpha1.ReasonWaitingForOffer))
			tt.portal(ctx, f)
			f.Calls["RequestMerge"] = 0 // the portal's are not the Solution's
			h.goLive(g)

			got := h.reconcile(g)
			g.Expect(got.Status.State).To(Equal(tt.state))
			g.Expect(got.Status.ProductID).To(Equal(tt.productID))
			g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonSucceeded))
			g.Expect(f.Calls["GetSolution"]).To(Equal(tt.reads), "legacy solution reads")
			g.Expect(f.Calls["RequestMerge"]).To(Equal(tt.merges), "merges asked for")
			g.Expect(f.Calls["UndoDiscard"]).To(Equal(tt.undos), "discards undone")
		})
	}
}

// A Solution is woken by the offer changes it acts on (liveness, product,
// spec, a migration held, a first submission), not by each of the
// offer's stages.
func TestOfferProgressedPassesWhatASolutionActsOn(t *testing.T) {
	live := metav1.Condition{Type: v1alpha1.LiveCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded}
	for name, tt := range map[string]struct {
		edit func(*v1alpha1.MarketplaceOffer)
		want bool
	}{
		"phase only": {func(o *v1alpha1.MarketplaceOffer) { o.Status.Phase = v1alpha1.PhaseCertifying }, false},
		"conditions message": {func(o *v1alpha1.MarketplaceOffer) {
			o.Status.Operation = &v1alpha1.Operation{Purpose: v1alpha1.OperationDraft, ID: "1"}
		}, false},
		"goes live":        {func(o *v1alpha1.MarketplaceOffer) { o.Status.Conditions = []metav1.Condition{live} }, true},
		"product recorded": {func(o *v1alpha1.MarketplaceOffer) { o.Status.ProductID = "p-1" }, true},
		"spec edited":      {func(o *v1alpha1.MarketplaceOffer) { o.Generation++ }, true},
		"first submission": {func(o *v1alpha1.MarketplaceOffer) { o.Status.PreviewSubmission = &v1alpha1.SubmissionRef{ID: "1"} }, true},
		"migration held":   {func(o *v1alpha1.MarketplaceOffer) { o.Status.MigratedFrom = "ocp-1" }, true},
	} {
		old := ctrltest.DraftOffer()
		cur := old.DeepCopy()
		tt.edit(cur)
		if got := offerProgressed.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: cur}); got != tt.want {
			t.Errorf("%s: passed %v, want %v", name, got, tt.want)
		}
	}
}

// A Discard once completed for its generation is not read again: a
// restart of the operator, or any other wake-up, costs no Partner Center
// call. A new generation reads again.
func TestCompletedSolutionIsNotReadAgain(t *testing.T) {
	g := NewWithT(t)
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-legacy", Generation: 1},
		Spec:       v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-legacy", PartnerID: "4871234", Action: v1alpha1.ActionDiscard},
	}
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-legacy", Name: "Contoso Legacy"})
	r := newSolutionReconciler(g, f, sol)
	reconcileOnce := func() *v1alpha1.Solution {
		_, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(sol)})
		g.Expect(err).NotTo(HaveOccurred())
		got := &v1alpha1.Solution{}
		g.Expect(r.Get(context.Background(), client.ObjectKeyFromObject(sol), got)).To(Succeed())
		return got
	}

	got := reconcileOnce()
	g.Expect(got.Status.State).To(Equal(v1alpha1.StateDiscarded))
	g.Expect(f.Calls["DiscardSolution"]).To(Equal(1))
	reads := f.Calls["GetSolution"]
	for range 3 {
		got = reconcileOnce()
	}
	g.Expect(f.Calls["GetSolution"]).To(Equal(reads), "a completed Solution was read again")
	g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonSucceeded))

	// A new generation is read again.
	got.Generation = 2
	g.Expect(r.Update(context.Background(), got)).To(Succeed())
	reconcileOnce()
	g.Expect(f.Calls["GetSolution"]).To(Equal(reads + 1))
}

package controllers

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakeclient "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// A Merge waiting for its offer to go live reads Partner Center once for
// the generation, then waits on the offer's events without asking again.
func TestMergeWaitingForItsOfferAsksPartnerCenterOnce(t *testing.T) {
	g := NewWithT(t)
	scheme := runtime.NewScheme()
	g.Expect(v1alpha1.AddToScheme(scheme)).To(Succeed())
	offer := draftOffer()
	offer.Spec.Target = v1alpha1.TargetLive // but not live yet
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-analytics", Generation: 1},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMerge,
			Merge: &v1alpha1.MergeSpec{OfferRef: &v1alpha1.OfferReference{Name: offer.Name}}},
	}
	b := fakeclient.NewClientBuilder().WithScheme(scheme).
		WithStatusSubresource(&v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}).WithObjects(offer, sol)
	g.Expect(IndexFields(context.Background(), builderIndexer{b})).To(Succeed())
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics", Name: "Contoso Analytics"})
	r := &SolutionReconciler{Dependencies: Dependencies{Client: b.Build(), PartnerCenter: f, Recorder: events.NewFakeRecorder(100),
		Clock: clocktesting.NewFakePassiveClock(metav1.Now().Time)}}
	r.Options.defaults()

	// The offer advances through its stages meanwhile: the Solution's
	// status says nothing of them, so it is written once, not per stage.
	var rv string
	for _, phase := range []v1alpha1.OfferPhase{v1alpha1.PhaseDraft, v1alpha1.PhaseCertifying, v1alpha1.PhaseGoingLive} {
		o := &v1alpha1.MarketplaceOffer{}
		g.Expect(r.Get(context.Background(), client.ObjectKeyFromObject(offer), o)).To(Succeed())
		o.Status.Phase = phase
		g.Expect(r.Status().Update(context.Background(), o)).To(Succeed())
		_, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(sol)})
		g.Expect(err).NotTo(HaveOccurred())
		got := &v1alpha1.Solution{}
		g.Expect(r.Get(context.Background(), client.ObjectKeyFromObject(sol), got)).To(Succeed())
		if rv != "" {
			g.Expect(got.ResourceVersion).To(Equal(rv), "no status write at offer phase %s", phase)
		}
		rv = got.ResourceVersion
	}
	got := &v1alpha1.Solution{}
	g.Expect(r.Get(context.Background(), client.ObjectKeyFromObject(sol), got)).To(Succeed())
	g.Expect(readyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonWaitingForOffer))
	g.Expect(f.Calls["GetSolution"]).To(Equal(1))
	g.Expect(f.Calls["RequestMerge"]).To(BeZero())
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
		"phase only":         {func(o *v1alpha1.MarketplaceOffer) { o.Status.Phase = v1alpha1.PhaseCertifying }, false},
		"conditions message": {func(o *v1alpha1.MarketplaceOffer) { o.Status.ConfigureJob = &v1alpha1.JobRef{ID: "draft/1"} }, false},
		"goes live":          {func(o *v1alpha1.MarketplaceOffer) { o.Status.Conditions = []metav1.Condition{live} }, true},
		"product recorded":   {func(o *v1alpha1.MarketplaceOffer) { o.Status.ProductID = "p-1" }, true},
		"spec edited":        {func(o *v1alpha1.MarketplaceOffer) { o.Generation++ }, true},
		"first submission":   {func(o *v1alpha1.MarketplaceOffer) { o.Status.PreviewSubmission = &v1alpha1.SubmissionRef{ID: "1"} }, true},
		"migration held":     {func(o *v1alpha1.MarketplaceOffer) { o.Status.MigratedFrom = "ocp-1" }, true},
	} {
		old := draftOffer()
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
	scheme := runtime.NewScheme()
	g.Expect(v1alpha1.AddToScheme(scheme)).To(Succeed())
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-legacy", Generation: 1},
		Spec:       v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-legacy", PartnerID: "4871234", Action: v1alpha1.ActionDiscard},
	}
	b := fakeclient.NewClientBuilder().WithScheme(scheme).
		WithStatusSubresource(&v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}).WithObjects(sol)
	g.Expect(IndexFields(context.Background(), builderIndexer{b})).To(Succeed())
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-legacy", Name: "Contoso Legacy"})
	r := &SolutionReconciler{Dependencies: Dependencies{Client: b.Build(), PartnerCenter: f, Recorder: events.NewFakeRecorder(100),
		Clock: clocktesting.NewFakePassiveClock(metav1.Now().Time)}}
	r.Options.defaults()
	reconcile := func() *v1alpha1.Solution {
		_, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(sol)})
		g.Expect(err).NotTo(HaveOccurred())
		got := &v1alpha1.Solution{}
		g.Expect(r.Get(context.Background(), client.ObjectKeyFromObject(sol), got)).To(Succeed())
		return got
	}

	got := reconcile()
	g.Expect(got.Status.State).To(Equal(v1alpha1.StateDiscarded))
	g.Expect(f.Calls["DiscardSolution"]).To(Equal(1))
	reads := f.Calls["GetSolution"]
	for range 3 {
		got = reconcile()
	}
	g.Expect(f.Calls["GetSolution"]).To(Equal(reads), "a completed Solution was read again")
	g.Expect(readyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonSucceeded))

	// A new generation is read again.
	got.Generation = 2
	g.Expect(r.Update(context.Background(), got)).To(Succeed())
	reconcile()
	g.Expect(f.Calls["GetSolution"]).To(Equal(reads + 1))
}

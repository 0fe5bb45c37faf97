package offer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// Each object has its own slot in the period, from a hash of its UID:
// objects first seen or checked at the same moment (created together, or
// all after a restart) are due spread evenly over one period, no tenth of
// it taking more than one and a half times its share; a check moves the
// next resync to the first slot at least half an interval later, so that
// each object is due once per interval at its own moment, whatever checks
// came in between.
func TestResyncSlotsSpreadObjects(t *testing.T) {
	g := NewWithT(t)
	interval := time.Hour
	now := time.Date(2026, 12, 2, 11, 0, 7, 0, time.UTC)
	expectSpread(g, now, interval, func(uid types.UID) time.Time {
		slot := resyncSlot(now, interval, uid)
		g.Expect(resyncSlot(slot, interval, uid)).To(Equal(slot))
		for _, tc := range []struct{ checked, want time.Duration }{
			{0, interval}, {3 * time.Second, interval}, {20 * time.Minute, interval}, {40 * time.Minute, 2 * interval},
		} {
			g.Expect(resyncSlot(slot.Add(tc.checked+interval/2), interval, uid)).To(Equal(slot.Add(tc.want)),
				"checked %v after its slot", tc.checked)
		}
		return slot
	})
}

// A restarted operator reads nothing and writes nothing at once: a settled
// offer is first due at its slot, at most one interval later, and is read
// then (two reads) without a status write.
func TestRestartedOperatorReadsAndWritesNothingAtOnce(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	h := newOfferHarness(t, liveOfferWithPlan(), f)
	h.r.Options.ResyncInterval = time.Hour
	_, before := h.settle(g)

	// The restart: a new reconciler over the same API server and Partner
	// Center, with nothing in memory.
	h.r = newTestReconciler(h.r.Dependencies)
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)
	clock.SetTime(clock.Now().Add(5 * time.Hour)) // stopped for five intervals
	clear(f.Calls)
	res, got := h.reconcile(g)
	g.Expect(f.Calls).To(BeEmpty())
	g.Expect(got.ResourceVersion).To(Equal(before.ResourceVersion), "no status write")
	g.Expect(res.RequeueAfter).To(BeNumerically("<=", time.Hour))
	g.Expect(res.Priority).To(HaveValue(Equal(handler.LowPriority)))

	clock.SetTime(clock.Now().Add(res.RequeueAfter))
	res, got = h.reconcile(g)
	g.Expect(f.Calls).To(Equal(map[string]int{"ListSubmissions": 1, "GetDraft": 1}))
	g.Expect(got.ResourceVersion).To(Equal(before.ResourceVersion), "a resync that finds nothing writes nothing")
	g.Expect(res.RequeueAfter).To(Equal(time.Hour))
}

// expectSpread computes due for 2,000 objects and expects each in
// [lo, lo+interval), each tenth of that window holding between half and
// one and a half times its share.
func expectSpread(g Gomega, lo time.Time, interval time.Duration, due func(types.UID) time.Time) {
	const n, buckets = 2000, 10
	counts := make([]int, buckets)
	for i := range n {
		d := due(types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", i)))
		g.Expect(d).To(BeTemporally(">=", lo))
		g.Expect(d).To(BeTemporally("<", lo.Add(interval)))
		counts[int(d.Sub(lo)*buckets/interval)]++
	}
	for b, c := range counts {
		g.Expect(c).To(BeNumerically(">", n/buckets/2), "bucket %d of %v", b, counts)
		g.Expect(c).To(BeNumerically("<", n/buckets*3/2), "bucket %d of %v", b, counts)
	}
}

// spec.resyncInterval wins over the manager's --resync-interval, which wins
// over the default; a negative manager interval (--resync-interval=0)
// turns the resync off for objects without their own.
func TestResyncIntervalComesFromTheObjectThenTheManager(t *testing.T) {
	for _, tc := range []struct {
		name    string
		object  *metav1.Duration
		manager time.Duration
		want    time.Duration
	}{
		{"default", nil, 0, time.Hour},
		{"manager", nil, 20 * time.Minute, 20 * time.Minute},
		{"object over manager", &metav1.Duration{Duration: 5 * time.Minute}, 20 * time.Minute, 5 * time.Minute},
		{"manager off", nil, -1, 0},
		{"object while the manager's is off", &metav1.Duration{Duration: 3 * time.Hour}, -1, 3 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			offer := ctrltest.DraftOffer()
			offer.Spec.ResyncInterval = tc.object
			NewWithT(t).Expect(resyncInterval(offer, &reconcile.Options{ResyncInterval: tc.manager})).To(Equal(tc.want))
		})
	}
}

// liveOfferWithPlan is draftOffer taken live, with a plan.
func liveOfferWithPlan() *v1alpha1.MarketplaceOffer {
	o := ctrltest.DraftOffer()
	o.UID = "3f0f6a3c-0000-4000-8000-000000000001"
	o.Spec.Target = v1alpha1.TargetLive
	o.Spec.Plans = []v1alpha1.Plan{{ID: "standard", Name: "Standard", Description: "Up to 50 stores.", Pricing: "FlatRate", Price: "499.00"}}
	return o
}

// settle reconciles until the offer is Ready, at most 30 times.
func (h *offerHarness) settle(g Gomega) (ctrl.Result, *v1alpha1.MarketplaceOffer) {
	for range 30 {
		res, got := h.reconcile(g)
		if meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition) {
			return res, got
		}
	}
	_, got := h.reconcile(g)
	g.Expect(got.Status.Conditions).To(ContainElement(And(
		HaveField("Type", v1alpha1.ReadyCondition), HaveField("Status", metav1.ConditionTrue))), "never Ready")
	return ctrl.Result{}, got
}

func totalCalls(f *fake.Client) int {
	n := 0
	for _, c := range f.Calls {
		n += c
	}
	return n
}

// A settled offer is requeued for its resync, about its interval later:
// the manager's, or its own spec.resyncInterval.
func TestSettledOfferRequeuesForItsResync(t *testing.T) {
	for _, tc := range []struct {
		name   string
		object *metav1.Duration
		want   time.Duration
	}{
		{"manager's interval", nil, 20 * time.Minute},
		{"object's interval", &metav1.Duration{Duration: 5 * time.Minute}, 5 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := liveOfferWithPlan()
			offer.Spec.ResyncInterval = tc.object
			h := newOfferHarness(t, offer, fake.New())
			h.r.Options.ResyncInterval = 20 * time.Minute
			res, got := h.settle(g)
			g.Expect(got.Status.Resync).NotTo(BeNil())
			g.Expect(got.Status.Resync.ReadDigest).NotTo(BeEmpty())
			g.Expect(res.Priority).To(HaveValue(Equal(handler.LowPriority)))
			g.Expect(res.RequeueAfter).To(BeNumerically(">=", tc.want/2-time.Second))
			g.Expect(res.RequeueAfter).To(BeNumerically("<=", tc.want*3/2))
		})
	}
}

// The resync schedule forgets an offer once it is gone, so that churn does
// not grow it; an offer re-created under the same name gets its own slot.
func TestResyncScheduleForgetsDeletedOffers(t *testing.T) {
	g := NewWithT(t)
	offer := liveOfferWithPlan()
	offer.UID = "uid-1"
	offer.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan // no finalizer to run
	h := newOfferHarness(t, offer, fake.New())
	h.r.Options.ResyncInterval = 20 * time.Minute
	h.settle(g)
	entries := h.r.resyncs.due.Len
	g.Expect(entries()).To(Equal(1))
	first := h.r.resyncDueAt(offer, 20*time.Minute)

	again := offer.DeepCopy()
	again.UID = "uid-2"
	g.Expect(h.r.resyncDueAt(again, 20*time.Minute)).To(Equal(resyncSlot(h.r.Clock.Now(), 20*time.Minute, again.UID)),
		"a new object under the same name does not take the old one's slot")
	g.Expect(first).NotTo(BeZero())

	got := &v1alpha1.MarketplaceOffer{}
	g.Expect(h.r.Get(context.Background(), h.key, got)).To(Succeed())
	g.Expect(h.r.Delete(context.Background(), got)).To(Succeed())
	_, err := h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries()).To(BeZero())
}

// The steady-state cost of the resync: a settled offer reads nothing from
// Partner Center until its resync is due, then two reads (the product's
// submissions and its draft), and writes nothing when nothing drifted.
func TestResyncCostsTwoReadsPerObject(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	h := newOfferHarness(t, liveOfferWithPlan(), f)
	h.r.Options.ResyncInterval = time.Hour
	h.settle(g)
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)

	clear(f.Calls)
	res, settled := h.reconcile(g)
	g.Expect(totalCalls(f)).To(BeZero(), "not due: %v", f.Calls)
	clock.SetTime(clock.Now().Add(res.RequeueAfter - time.Second))
	h.reconcile(g)
	g.Expect(totalCalls(f)).To(BeZero(), "not due a second before its timer: %v", f.Calls)

	for i := range 3 {
		clear(f.Calls)
		clock.SetTime(clock.Now().Add(time.Second)) // the timer fires
		var got *v1alpha1.MarketplaceOffer
		res, got = h.reconcile(g)
		g.Expect(f.Calls).To(Equal(map[string]int{"ListSubmissions": 1, "GetDraft": 1}), "resync %d", i)
		ready(g, got)
		g.Expect(got.ResourceVersion).To(Equal(settled.ResourceVersion), "no status write")
		g.Expect(res.RequeueAfter).To(Equal(time.Hour), "the same moment of the next period")
		clock.SetTime(clock.Now().Add(res.RequeueAfter - time.Second))
	}
}

func ready(g Gomega, o *v1alpha1.MarketplaceOffer) {
	c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.ReadyCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Status).To(Equal(metav1.ConditionTrue), "%s: %s", c.Reason, c.Message)
}

// A draft changed behind the operator's back is found by the resync and
// written back; the offer stays Ready and is not published again.
func TestResyncWritesBackADraftChangedOutside(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	h := newOfferHarness(t, liveOfferWithPlan(), f)
	h.r.Options.ResyncInterval = time.Hour
	_, got := h.settle(g)
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)

	edited, err := f.GetDraft(ctx, got.Status.ProductID)
	g.Expect(err).NotTo(HaveOccurred())
	edited.Listing.Title = "Edited in the portal"
	job, err := f.ConfigureDraft(ctx, got.Status.ProductID, "SoftwareAsAService", *edited)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	submitted := f.Calls["SubmitPreview"] + f.Calls["GoLive"]

	res, _ := h.reconcile(g)
	clock.SetTime(clock.Now().Add(res.RequeueAfter))
	_, got = h.settle(g)
	draft, err := f.GetDraft(ctx, got.Status.ProductID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(draft.Listing.Title).To(Equal("Contoso Analytics"))
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.DraftSyncedCondition)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonDriftCorrected))
	g.Expect(f.Calls["SubmitPreview"]+f.Calls["GoLive"]).To(Equal(submitted), "nothing published again")
	g.Expect(drainEvents(h.r.Recorder.(*events.FakeRecorder))).To(ContainElement(ContainSubstring(v1alpha1.ReasonDriftDetected)))
}

func drainEvents(rec *events.FakeRecorder) []string {
	var out []string
	for {
		select {
		case e := <-rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

// What a stopped sale or a deleted product makes Partner Center answer
// later phases (not found, an invalid state) sends the offer to read the
// product; nothing else does.
func TestMayBeGone(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pc.Error{Class: pc.ClassNotFound, Code: pc.CodeResourceNotFound}, true},
		{&pc.Error{Class: pc.ClassConflict, Code: pc.CodeInvalidState}, true},
		{reconcile.Stalled(v1alpha1.ReasonCertificationFailed, "generation 2 failed certification: 1) submission/x: product is deprecated [invalidState]"), true},
		{reconcile.Stalled(v1alpha1.ReasonDraftRejected, "Partner Center refused the draft: 1) listing: no such product [resourceNotFound]"), true},
		{reconcile.Stalled(v1alpha1.ReasonCertificationFailed, "generation 2 failed certification: 1) listing: title too long [businessValidationError]"), false},
		{&pc.Error{Class: pc.ClassTransient}, false},
		{reconcile.Waiting(time.Second, v1alpha1.ReasonCertifying, "in certification"), false},
	} {
		NewWithT(t).Expect(mayBeGone(tc.err)).To(Equal(tc.want), "%v", tc.err)
	}
}

// DraftSynced tells a draft written back from an ordinary write: False
// DriftDetected while the write runs, True DriftCorrected once done, kept
// for the generation, and Succeeded again for a new generation's draft.
func TestSetDraftDriftCondition(t *testing.T) {
	detected := &metav1.Condition{Type: v1alpha1.DraftSyncedCondition, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonDriftDetected, ObservedGeneration: 2}
	corrected := &metav1.Condition{Type: v1alpha1.DraftSyncedCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonDriftCorrected, ObservedGeneration: 2}
	for _, tc := range []struct {
		name       string
		gen        int64
		prev       *metav1.Condition
		fact       draftFact
		found      bool
		wantReason string
		wantStatus metav1.ConditionStatus
	}{
		{"found, writing", 2, nil, draftWriting, true, v1alpha1.ReasonDriftDetected, metav1.ConditionFalse},
		{"found, written at once", 2, nil, draftWritten, true, v1alpha1.ReasonDriftCorrected, metav1.ConditionTrue},
		{"the write back completes", 2, detected, draftWritten, false, v1alpha1.ReasonDriftCorrected, metav1.ConditionTrue},
		{"still waiting for the write", 2, detected, draftUnknown, false, v1alpha1.ReasonDriftDetected, metav1.ConditionFalse},
		{"kept for the generation", 2, corrected, draftWritten, false, v1alpha1.ReasonDriftCorrected, metav1.ConditionTrue},
		{"a new generation's draft", 3, corrected, draftWritten, false, v1alpha1.ReasonSucceeded, metav1.ConditionTrue},
		{"no drift", 2, nil, draftWritten, false, v1alpha1.ReasonSucceeded, metav1.ConditionTrue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(tc.gen)
			if tc.prev != nil {
				offer.Status.Conditions = []metav1.Condition{*tc.prev}
			}
			setOfferConditions(&offerScope{offer: offer, draft: tc.fact, driftFound: tc.found, draftJob: "job-1"})
			c := meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.DraftSyncedCondition)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Reason).To(Equal(tc.wantReason), c.Message)
			g.Expect(c.Status).To(Equal(tc.wantStatus))
		})
	}
}

// Live reports a stopped sale and a deleted product with what to do, and
// their end: True again for a sale found on again, no Live condition for
// a product found again.
func TestSetLiveDriftCondition(t *testing.T) {
	stopped := metav1.Condition{Type: v1alpha1.LiveCondition, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonSaleStopped, ObservedGeneration: 2}
	deleted := metav1.Condition{Type: v1alpha1.LiveCondition, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonProductDeleted, ObservedGeneration: 2}
	for _, tc := range []struct {
		name       string
		prev       []metav1.Condition
		fact       liveFact
		want       *ctrltest.WantCondition
		wantAbsent bool
	}{
		{"sale stopped", nil, liveSaleStopped, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonSaleStopped, InMessage: "(product product-1) is stopped in Partner Center: live submission sub-8 is deprecated"}, false},
		{"product deleted", nil, liveProductDeleted, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonProductDeleted, InMessage: "delete this object and apply it again"}, false},
		{"on sale again", []metav1.Condition{stopped}, liveResumed, &ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, InMessage: "on sale again"}, false},
		{"product found again", []metav1.Condition{deleted}, liveResumed, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(2)
			offer.Status.Conditions = tc.prev
			setOfferConditions(&offerScope{offer: offer, live: tc.fact, stoppedSubmission: "sub-8"})
			if tc.wantAbsent {
				g.Expect(meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.LiveCondition)).To(BeNil())
				return
			}
			ctrltest.ExpectCondition(g, offer.Status.Conditions, v1alpha1.LiveCondition, 2, tc.want, nil)
			g.Expect(meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.CoSellReadyCondition)).To(BeNil())
		})
	}
}

// A refusal the phases met (not found) after checkDrift did not read this
// reconcile makes the offer read the product once: a product deleted in
// the meantime stalls it with ProductDeleted; a product still there keeps
// the refusal as it was; a reconcile that already read keeps it too.
func TestExplainRefusalReadsTheProductOnce(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	h := newOfferHarness(t, ctrltest.DraftOffer(), f)
	_, offer := h.settle(g)
	refusal := &pc.Error{Class: pc.ClassNotFound, Code: pc.CodeResourceNotFound, Message: "no such product"}

	clear(f.Calls)
	s := &offerScope{offer: offer.DeepCopy()}
	g.Expect((&offerRun{MarketplaceOfferReconciler: h.r.MarketplaceOfferReconciler, pc: f}).explainRefusal(ctx, s, refusal)).To(Equal(refusal), "the product is there")
	g.Expect(f.Calls["ListSubmissions"]).To(Equal(1))

	product, err := f.GetProduct(ctx, offer.Status.ProductID)
	g.Expect(err).NotTo(HaveOccurred())
	job, err := f.DeleteDraft(ctx, *product)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetProduct(ctx, offer.Status.ProductID)
	g.Expect(pc.IsNotFound(err)).To(BeTrue(), "deleted behind the operator's back")

	clear(f.Calls)
	s = &offerScope{offer: offer.DeepCopy(), productChecked: true}
	g.Expect((&offerRun{MarketplaceOfferReconciler: h.r.MarketplaceOfferReconciler, pc: f}).explainRefusal(ctx, s, refusal)).To(Equal(refusal), "read already")
	g.Expect(f.Calls).To(BeEmpty())

	s = &offerScope{offer: offer.DeepCopy()}
	err = (&offerRun{MarketplaceOfferReconciler: h.r.MarketplaceOfferReconciler, pc: f}).explainRefusal(ctx, s, refusal)
	g.Expect(err).To(MatchError(ContainSubstring("deleted outside the operator")))
	g.Expect(reconcile.Classify(err, "").Reason).To(Equal(v1alpha1.ReasonProductDeleted))
	g.Expect(s.live).To(Equal(liveProductDeleted))
}

// refusingDraftReads is the fake, whose draft reads Partner Center refuses.
type refusingDraftReads struct{ *fake.Client }

func (c refusingDraftReads) GetDraft(ctx context.Context, productID string) (*pc.Draft, error) {
	_, _ = c.Client.GetDraft(ctx, productID) // counted
	return nil, &pc.Error{Class: pc.ClassTerminal, Op: "GetDraft", Message: "the answer breaks the published contract"}
}

// A draft Partner Center refuses to return does not hold up publishing:
// the offer still goes live, and the read is tried once per write and at
// each resync only, not at every reconcile.
func TestDraftReadRefusedDoesNotHoldUpPublishing(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	h := newOfferHarness(t, liveOfferWithPlan(), refusingDraftReads{f})
	_, got := h.settle(g)
	g.Expect(got.Status.Phase).To(Equal(v1alpha1.PhaseLive))
	g.Expect(got.Status.Resync.ReadDigest).To(BeEmpty())
	g.Expect(f.Calls["GetDraft"]).To(Equal(1))

	res, _ := h.reconcile(g)
	g.Expect(f.Calls["GetDraft"]).To(Equal(1), "not read again before the resync")
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)
	clock.SetTime(clock.Now().Add(res.RequeueAfter))
	_, got = h.reconcile(g)
	g.Expect(f.Calls["GetDraft"]).To(Equal(2), "read again at the resync")
	ready(g, got)
}

// A sale stopped behind the operator's back stalls the offer at its
// resync after two reads (the submissions, the product); the stalled rechecks in between read nothing, the
// next read comes with the next resync (sooner than a slow stalled
// recheck), and nothing is published again.
func TestSaleStoppedStallRereadsOnlyAtItsResync(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	h := newOfferHarness(t, liveOfferWithPlan(), f)
	h.r.Options.ResyncInterval = time.Hour
	h.r.Options.StalledRecheck = 3 * time.Hour
	_, got := h.settle(g)
	job, err := f.StopSale(ctx, got.Status.ProductID, got.Status.LiveSubmission.ID)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)

	clear(f.Calls)
	res, _ := h.reconcile(g)
	clock.SetTime(clock.Now().Add(res.RequeueAfter))
	res, got = h.reconcile(g)
	g.Expect(f.Calls).To(Equal(map[string]int{"ListSubmissions": 1, "GetProduct": 1}), "a stopped sale costs two reads")
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonSaleStopped))
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.LiveCondition).Reason).To(Equal(v1alpha1.ReasonSaleStopped))
	g.Expect(res.RequeueAfter).To(Equal(time.Hour), "the resync, not the 3h stalled recheck")

	clear(f.Calls)
	clock.SetTime(clock.Now().Add(10 * time.Minute))
	_, got = h.reconcile(g)
	g.Expect(f.Calls).To(BeEmpty(), "a recheck between resyncs reads nothing")
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition).Reason).To(Equal(v1alpha1.ReasonSaleStopped))
}

// editBehind changes the draft's title in the fake, as a person would in
// the portal, and waits for the write's job.
func editBehind(g Gomega, f *fake.Client, productID, title string) {
	ctx := context.Background()
	edited, err := f.GetDraft(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	edited.Listing.Title = title
	job, err := f.ConfigureDraft(ctx, productID, "SoftwareAsAService", *edited)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
}

// resyncNow moves the clock to the offer's next resync and reconciles
// until it settles.
func (h *offerHarness) resyncNow(g Gomega) *v1alpha1.MarketplaceOffer {
	res, _ := h.reconcile(g)
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)
	clock.SetTime(clock.Now().Add(res.RequeueAfter))
	_, got := h.settle(g)
	return got
}

// resyncUntilSettled is resyncNow for an offer that may stall instead of
// turning Ready: past a whole resync interval (a stalled offer may be
// woken earlier than its resync), it reconciles until Ready or Stalled is
// True.
func (h *offerHarness) resyncUntilSettled(g Gomega) *v1alpha1.MarketplaceOffer {
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)
	clock.SetTime(clock.Now().Add(2 * h.r.Options.ResyncInterval))
	for range 30 {
		_, got := h.reconcile(g)
		if meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition) ||
			meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.StalledCondition) {
			return got
		}
	}
	g.Expect(false).To(BeTrue(), "neither Ready nor Stalled")
	return nil
}

func driftCount(vec *prometheus.CounterVec, o *v1alpha1.MarketplaceOffer, kind string) float64 {
	return testutil.ToFloat64(vec.WithLabelValues(o.Namespace, kind))
}

// expectOutOfSync expects the gauge, collected from the API server's
// objects, to say v for the offer.
func expectOutOfSync(g Gomega, h *offerHarness, v int) {
	want := fmt.Sprintf(`# HELP cosell_marketplaceoffer_out_of_sync %s
# TYPE cosell_marketplaceoffer_out_of_sync gauge
cosell_marketplaceoffer_out_of_sync{name=%q,namespace=%q} %d
`, outOfSyncHelp, h.key.Name, h.key.Namespace, v)
	g.Expect(testutil.CollectAndCompare(newCollector(h.r.Client), strings.NewReader(want),
		"cosell_marketplaceoffer_out_of_sync")).To(Succeed())
}

// driftPolicy Correct (the default) counts a draft changed outside the
// operator as found, by kind, when the resync reads it, and as corrected
// once the write back is read back.
func TestCorrectCountsDriftFoundAndCorrected(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	h := newOfferHarness(t, liveOfferWithPlan(), f)
	h.r.Options.ResyncInterval = time.Hour
	_, got := h.settle(g)
	detected, corrected := driftCount(driftDetected, got, driftListing), driftCount(driftCorrected, got, driftListing)
	plans := driftCount(driftDetected, got, driftPlans)

	editBehind(g, f, got.Status.ProductID, "Edited in the portal")
	writes := f.Calls["ConfigureDraft"]
	got = h.resyncNow(g)
	g.Expect(f.Calls["ConfigureDraft"]).To(Equal(writes+1), "written back")
	g.Expect(driftCount(driftDetected, got, driftListing)).To(Equal(detected + 1))
	g.Expect(driftCount(driftCorrected, got, driftListing)).To(Equal(corrected + 1))
	g.Expect(driftCount(driftDetected, got, driftPlans)).To(Equal(plans), "only the listing differed")
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.InSyncCondition)).To(BeNil())
	expectOutOfSync(g, h, 0)
}

// driftPolicy Report leaves a draft changed outside the operator as it is
// (no write), says what differs in InSync and one Warning event, counts it
// once, and shows the offer out of sync until the draft holds what the
// operator wrote again.
func TestReportLeavesDriftAndSaysWhatDiffers(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	offer := liveOfferWithPlan()
	offer.Name = "reported"
	offer.Spec.DriftPolicy = v1alpha1.DriftPolicyReport
	h := newOfferHarness(t, offer, f)
	h.r.Options.ResyncInterval = time.Hour
	_, got := h.settle(g)
	g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.InSyncCondition)).To(BeTrue(), "read back after the write")
	detected, corrected := driftCount(driftDetected, got, driftListing), driftCount(driftCorrected, got, driftListing)
	drainEvents(h.r.Recorder.(*events.FakeRecorder))

	editBehind(g, f, got.Status.ProductID, "Edited in the portal")
	writes := f.Calls["ConfigureDraft"]
	h.resyncUntilSettled(g)
	got = h.resyncUntilSettled(g) // found again: no new event, no new count
	g.Expect(f.Calls["ConfigureDraft"]).To(Equal(writes), "nothing written back")
	draft, err := f.GetDraft(ctx, got.Status.ProductID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(draft.Listing.Title).To(Equal("Edited in the portal"))
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.InSyncCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonDriftReported))
	g.Expect(c.Message).To(ContainSubstring(`listing.title: spec "Contoso Analytics", Partner Center "Edited in the portal"`))
	warnings := 0
	for _, e := range drainEvents(h.r.Recorder.(*events.FakeRecorder)) {
		if strings.Contains(e, "Warning "+v1alpha1.ReasonDriftReported) {
			warnings++
		}
	}
	g.Expect(warnings).To(Equal(1), "an event on the transition only")
	ready := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReadyCondition)
	g.Expect(ready.Status).To(Equal(metav1.ConditionFalse), "Partner Center does not hold the spec")
	g.Expect(ready.Reason).To(Equal(v1alpha1.ReasonDriftReported))
	g.Expect(ready.Message).To(ContainSubstring("set driftPolicy to Correct, or edit the spec"))
	g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.StalledCondition)).To(BeTrue(), "a person decides")
	g.Expect(driftCount(driftDetected, got, driftListing)).To(Equal(detected + 1))
	g.Expect(driftCount(driftCorrected, got, driftListing)).To(Equal(corrected), "nothing written back")
	expectOutOfSync(g, h, 1)

	editBehind(g, f, got.Status.ProductID, "Contoso Analytics") // put back in the portal
	got = h.resyncUntilSettled(g)
	c = meta.FindStatusCondition(got.Status.Conditions, v1alpha1.InSyncCondition)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonDraftHeld))
	g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue(), "Ready again once the draft holds the spec")
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil())
	expectOutOfSync(g, h, 0)
}

// Differences are counted by a bounded set of kinds.
func TestDriftKinds(t *testing.T) {
	g := NewWithT(t)
	g.Expect(driftKinds([]string{
		`listing.title: spec "a", Partner Center "b"`,
		`plans[standard].price: spec "1", Partner Center "2"`,
		`plans[gold]: in Partner Center only`,
		`resell.policy: spec "a", Partner Center "b"`,
		`listing.summary: spec "a", Partner Center "b"`,
	})).To(Equal([]string{driftListing, driftPlans, driftPricing, driftResell}))
	g.Expect(driftKinds(nil)).To(Equal([]string{driftOther}))
}

// A sale stopped outside the operator is counted once as lifecycle drift,
// not at each resync that finds it still stopped, and shows the offer out
// of sync.
func TestStoppedSaleCountsLifecycleDriftOnce(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	offer := liveOfferWithPlan()
	offer.Name = "stopped"
	h := newOfferHarness(t, offer, f)
	h.r.Options.ResyncInterval = time.Hour
	_, got := h.settle(g)
	before := driftCount(driftDetected, got, driftLifecycle)
	job, err := f.StopSale(ctx, got.Status.ProductID, got.Status.LiveSubmission.ID)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	clock := h.r.Clock.(*clocktesting.FakePassiveClock)
	for range 2 {
		res, _ := h.reconcile(g)
		clock.SetTime(clock.Now().Add(res.RequeueAfter))
		_, got = h.reconcile(g)
	}
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.LiveCondition).Reason).To(Equal(v1alpha1.ReasonSaleStopped))
	g.Expect(driftCount(driftDetected, got, driftLifecycle)).To(Equal(before + 1))
	expectOutOfSync(g, h, 1)
}

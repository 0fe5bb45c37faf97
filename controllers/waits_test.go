package controllers

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakeclient "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// kstatusOf computes what kstatus (kubectl wait, Flux, Argo CD's generic
// check) reads from the object.
func kstatusOf(g Gomega, obj runtime.Object) status.Status {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.Expect(err).NotTo(HaveOccurred())
	res, err := status.Compute(&unstructured.Unstructured{Object: u})
	g.Expect(err).NotTo(HaveOccurred())
	return res.Status
}

func migrateSolution(offerName string) *v1alpha1.Solution {
	return &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-analytics", Generation: 1},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMigrate,
			Migrate: &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: offerName}}},
	}
}

// An offer named by a Migrate Solution that is stalled (here: a typo in
// solutionID) stalls too, saying why and what to do, and is rechecked on
// the slow stalled timer. Before, it stayed Reconciling with no timer:
// nothing would ever wake it.
func TestOfferNamedByAStalledMigrateSolutionStallsInsteadOfWaitingForever(t *testing.T) {
	g := NewWithT(t)
	offer := draftOffer()
	sol := migrateSolution(offer.Name)
	sol.Status.Conditions = []metav1.Condition{{Type: v1alpha1.StalledCondition, Status: metav1.ConditionTrue,
		Reason: v1alpha1.ReasonSolutionNotFound, Message: "partner 4871234 has no legacy solution ocp-contoso-analytics in OCP GTM",
		LastTransitionTime: metav1.Now()}}
	f := fake.New()
	h := newOfferHarness(t, offer, f, sol)

	res, got := h.reconcile(g)
	c := stalledCondition(g, got)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonMigrationStalled))
	g.Expect(c.Message).To(And(ContainSubstring("Solution ocp-contoso-analytics"), ContainSubstring("has no legacy solution"),
		ContainSubstring("spec.suspend")))
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", h.r.Options.StalledRecheck), "rechecked on the slow timer")
	g.Expect(kstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())

	// The Solution's stall is what wakes the offer.
	before := sol.DeepCopy()
	before.Status.Conditions = nil
	g.Expect(solutionStalledChanged.Update(event.UpdateEvent{ObjectOld: before, ObjectNew: sol})).To(BeTrue())
	g.Expect(solutionStalledChanged.Update(event.UpdateEvent{ObjectOld: sol, ObjectNew: sol.DeepCopy()})).To(BeFalse())
}

// newSolutionReconciler is a SolutionReconciler over a fake API client
// holding objs, with the field indexes, and the Partner Center client c.
func newSolutionReconciler(g Gomega, c pc.Client, objs ...client.Object) *SolutionReconciler {
	scheme := runtime.NewScheme()
	g.Expect(v1alpha1.AddToScheme(scheme)).To(Succeed())
	b := fakeclient.NewClientBuilder().WithScheme(scheme).
		WithStatusSubresource(&v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}).WithObjects(objs...)
	g.Expect(IndexFields(context.Background(), builderIndexer{b})).To(Succeed())
	r := &SolutionReconciler{Dependencies: Dependencies{Client: b.Build(), PartnerCenter: pc.Static(c), Recorder: events.NewFakeRecorder(100),
		Clock: clocktesting.NewFakePassiveClock(metav1.Now().Time)}}
	r.Options.defaults()
	return r
}

// A Merge into an offer whose target is Draft stalls asking for target
// Live (kstatus Failed) and requests no merge. Before, it waited forever
// for a go-live that target Draft never makes.
func TestMergeIntoADraftTargetOfferStallsAskingForTargetLive(t *testing.T) {
	g := NewWithT(t)
	offer := draftOffer()
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-analytics", Generation: 1},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMerge,
			Merge: &v1alpha1.MergeSpec{OfferRef: &v1alpha1.OfferReference{Name: offer.Name}}},
	}
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics"})
	r := newSolutionReconciler(g, f, offer, sol)

	res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(sol)})
	g.Expect(err).NotTo(HaveOccurred())
	got := &v1alpha1.Solution{}
	g.Expect(r.Get(context.Background(), client.ObjectKeyFromObject(sol), got)).To(Succeed())
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonOfferTargetNotLive))
	g.Expect(c.Message).To(ContainSubstring("set the offer's target to Live"))
	g.Expect(res.RequeueAfter).To(BeNumerically(">", 0))
	g.Expect(kstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(f.Calls["RequestMerge"]).To(BeZero())
}

// A merge request seen without status.mergeRequestedAt (opened in the
// portal, or before a crash) is dated when first seen, so its polls slow
// down as it ages. Before, it was polled every MinPoll (~250 ms) for the
// two business days support takes.
func TestMergeRequestSeenWithoutRequestTimeSlowsItsPolls(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-analytics", Generation: 1},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMerge,
			Merge: &v1alpha1.MergeSpec{OfferURL: "https://marketplace.microsoft.com/product/contoso.analytics"}},
	}
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics",
		State: pc.SolutionStateMergeRequested, SupportRequestID: "support-1"})
	r := newSolutionReconciler(g, f, sol)
	clock := clocktesting.NewFakeClock(time.Now())
	r.Clock = clock
	key := client.ObjectKeyFromObject(sol)

	res, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: key})
	g.Expect(err).NotTo(HaveOccurred())
	got := &v1alpha1.Solution{}
	g.Expect(r.Get(ctx, key, got)).To(Succeed())
	g.Expect(got.Status.MergeRequestedAt).NotTo(BeNil(), "dated when first seen")
	g.Expect(res.RequeueAfter).To(BeNumerically("<", 2*r.Options.MinPoll))

	clock.Step(time.Hour)
	res, err = r.Reconcile(ctx, ctrl.Request{NamespacedName: key})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", r.Options.MaxPoll), "an hour-old request is polled at the slowest rate")
}

// A second Solution migrating into an offer that already holds a
// migration stalls naming the first, without asking Partner Center for a
// migration it must refuse; the offer does not wait for it and reaches
// its target. Before, the offer waited for the second Solution forever.
func TestSecondMigrateIntoATakenOfferStallsWhileTheOfferGoesOn(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics-2"})
	product := makeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	offer := draftOffer()
	offer.Status.ProductID = product.ID
	first := migrateSolution(offer.Name)
	first.Status.State, first.Status.ProductID = v1alpha1.StateMigrated, product.ID
	second := migrateSolution(offer.Name)
	second.Name, second.Spec.SolutionID = "ocp-contoso-analytics-2", "ocp-contoso-analytics-2"
	h := newOfferHarness(t, offer, f, first, second)
	r := &SolutionReconciler{Dependencies: Dependencies{Client: h.r.Client, PartnerCenter: pc.Static(f), Recorder: events.NewFakeRecorder(100),
		Clock: clocktesting.NewFakePassiveClock(metav1.Now().Time)}}
	r.Options.defaults()

	_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(second)})
	g.Expect(err).NotTo(HaveOccurred())
	got := &v1alpha1.Solution{}
	g.Expect(r.Get(ctx, client.ObjectKeyFromObject(second), got)).To(Succeed())
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonActionConflict))
	g.Expect(c.Message).To(ContainSubstring("Solution ocp-contoso-analytics "))
	g.Expect(kstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(f.Calls["MigrateSolution"]).To(BeZero())

	g.Eventually(func(g Gomega) {
		_, o := h.reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
		g.Expect(o.Status.MigratedFrom).To(Equal("ocp-contoso-analytics"))
	}).Should(Succeed())
}

package solution

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// newSolutionReconciler is a Solution controller over a fake API client
// holding objs, with the field indexes, and the Partner Center client c.
func newSolutionReconciler(g Gomega, c pc.Client, objs ...client.Object) *testReconciler {
	ctl := NewController(ctrltest.Deps(ctrltest.FakeClient(g, objs...), c))
	return &testReconciler{SolutionReconciler: ctl.Kind.(*SolutionReconciler), c: ctl}
}

// testReconciler is the Solution controller with its reconciler at hand:
// tests read the objects through the reconciler's client.
type testReconciler struct {
	*SolutionReconciler
	c *reconcile.Controller[*v1alpha1.Solution]
}

// Reconcile runs one reconcile through the controller.
func (r *testReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.c.Reconcile(ctx, req)
}

// A Merge into an offer whose target is Draft stalls asking for target
// Live (kstatus Failed) and requests no merge. Before, it waited forever
// for a go-live that target Draft never makes.
func TestMergeIntoADraftTargetOfferStallsAskingForTargetLive(t *testing.T) {
	g := NewWithT(t)
	offer := ctrltest.DraftOffer()
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
	g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(status.FailedStatus))
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

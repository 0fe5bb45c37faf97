package offer

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// An offer named by a Migrate Solution that is stalled (here: a typo in
// solutionID) stalls too, saying why and what to do, and is rechecked on
// the slow stalled timer. Before, it stayed Reconciling with no timer:
// nothing would ever wake it.
func TestOfferNamedByAStalledMigrateSolutionStallsInsteadOfWaitingForever(t *testing.T) {
	g := NewWithT(t)
	offer := ctrltest.DraftOffer()
	sol := ctrltest.MigrateSolution(offer.Name)
	sol.Status.Conditions = []metav1.Condition{{Type: v1alpha1.StalledCondition, Status: metav1.ConditionTrue,
		Reason: v1alpha1.ReasonSolutionNotFound, Message: "partner 4871234 has no legacy solution ocp-contoso-analytics in OCP GTM",
		LastTransitionTime: metav1.Now()}}
	f := fake.New()
	h := newOfferHarness(t, offer, f, sol)

	res, got := h.reconcile(g)
	c := ctrltest.StalledCondition(g, got)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonMigrationStalled))
	g.Expect(c.Message).To(And(ContainSubstring("Solution ocp-contoso-analytics"), ContainSubstring("has no legacy solution"),
		ContainSubstring("spec.suspend")))
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", h.r.Options.StalledRecheck), "rechecked on the slow timer")
	g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())

	// The Solution's stall is what wakes the offer.
	before := sol.DeepCopy()
	before.Status.Conditions = nil
	g.Expect(solutionStalledChanged.Update(event.UpdateEvent{ObjectOld: before, ObjectNew: sol})).To(BeTrue())
	g.Expect(solutionStalledChanged.Update(event.UpdateEvent{ObjectOld: sol, ObjectNew: sol.DeepCopy()})).To(BeFalse())
}

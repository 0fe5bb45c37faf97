package reconcile

import (
	"strings"
	"testing"
	"unsafe"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

func TestShareCachedStringsKeepsOneCopyOfRepeatedStatusStrings(t *testing.T) {
	g := NewWithT(t)
	// Two offers as an informer holds them: equal strings in separate
	// memory (each decoded object owns its bytes; strings.Clone stands in
	// for the decoder so the test does not depend on how a Go release's
	// encoding/json allocates).
	decode := func(name string) *v1alpha1.MarketplaceOffer {
		c := strings.Clone
		return &v1alpha1.MarketplaceOffer{
			ObjectMeta: metav1.ObjectMeta{Namespace: c("team-a"), Name: c(name)},
			Spec:       v1alpha1.MarketplaceOfferSpec{OfferID: c(name)},
			Status: v1alpha1.MarketplaceOfferStatus{Phase: v1alpha1.OfferPhase(c(string(v1alpha1.PhaseLive))), Conditions: []metav1.Condition{{
				Type: c(v1alpha1.DraftSyncedCondition), Status: metav1.ConditionStatus(c(string(metav1.ConditionTrue))), Reason: c(v1alpha1.ReasonSucceeded),
				Message: c("draft of generation 1 written to Partner Center; not written (no published place): 1) spec.listing.keywords"),
			}}},
		}
	}
	a, b := decode("contoso-a"), decode("contoso-b")
	want := a.DeepCopy()
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	g.Expect(same(a.Status.Conditions[0].Message, b.Status.Conditions[0].Message)).To(BeFalse(), "decoded apart")

	ShareCachedStrings(a)
	ShareCachedStrings(b)
	g.Expect(a).To(Equal(want), "nothing reads differently")
	ca, cb := a.Status.Conditions[0], b.Status.Conditions[0]
	g.Expect(same(ca.Message, cb.Message)).To(BeTrue(), "the message is kept once")
	g.Expect(same(ca.Reason, cb.Reason)).To(BeTrue())
	g.Expect(same(a.Namespace, b.Namespace)).To(BeTrue())
	g.Expect(same(string(a.Status.Phase), string(b.Status.Phase))).To(BeTrue())
	g.Expect(same(a.Spec.OfferID, b.Spec.OfferID)).To(BeFalse(), "spec text is left alone")

	s := &v1alpha1.Solution{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a"}, Status: v1alpha1.SolutionStatus{
		State: v1alpha1.SolutionState("Merged"), Conditions: []metav1.Condition{{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Succeeded"}}}}
	ShareCachedStrings(s)
	g.Expect(same(s.Namespace, a.Namespace)).To(BeTrue(), "shared across kinds")
	g.Expect(same(s.Status.Conditions[0].Reason, ca.Reason)).To(BeTrue())
}

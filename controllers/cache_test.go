package controllers

import (
	"encoding/json"
	"testing"
	"unsafe"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

func TestShareCachedStringsKeepsOneCopyOfRepeatedStatusStrings(t *testing.T) {
	g := NewWithT(t)
	// Two offers as the informer decodes them: equal strings in separate
	// memory.
	decode := func(name string) *v1alpha1.MarketplaceOffer {
		raw, err := json.Marshal(&v1alpha1.MarketplaceOffer{
			ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name},
			Spec:       v1alpha1.MarketplaceOfferSpec{OfferID: name},
			Status: v1alpha1.MarketplaceOfferStatus{Phase: v1alpha1.PhaseLive, Conditions: []metav1.Condition{{
				Type: v1alpha1.DraftSyncedCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded,
				Message: "draft of generation 1 written to Partner Center; not written (no published place): 1) spec.listing.keywords",
			}}},
		})
		g.Expect(err).NotTo(HaveOccurred())
		o := &v1alpha1.MarketplaceOffer{}
		g.Expect(json.Unmarshal(raw, o)).To(Succeed())
		return o
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

package offer

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// Suspending a Ready offer: the Ready condition goes, and kstatus reads
// the pause as settled (Current). Suspending it together
// with an edit: observedGeneration stays at the generation applied, so the
// edit is not reported as observed (kstatus InProgress until resumed).
// Before, both kept the old Ready=True and bumped observedGeneration, so
// the unapplied edit looked Ready.
func TestSuspendNeitherKeepsAnOldReadyNorClaimsAnUnappliedEdit(t *testing.T) {
	for _, tc := range []struct {
		name        string
		edit        func(*v1alpha1.MarketplaceOffer)
		wantPending bool
		wantKstatus status.Status
	}{
		{"suspend only", func(*v1alpha1.MarketplaceOffer) {}, false, status.CurrentStatus},
		{"suspend with an edit", func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Summary = "Edited while suspended." }, true, status.InProgressStatus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			f := fake.New()
			h := newOfferHarness(t, ctrltest.DraftOffer(), f)
			var got *v1alpha1.MarketplaceOffer
			g.Eventually(func(g Gomega) {
				_, got = h.reconcile(g)
				g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
			}).Should(Succeed())
			applied := got.Status.ObservedGeneration

			got.Spec.Suspend = true
			tc.edit(got)
			got.Generation = applied + 1 // the fake client does not count generations
			g.Expect(h.r.Update(ctx, got)).To(Succeed())
			calls := len(f.Calls)
			_, got = h.reconcile(g)

			g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeNil(), "no old Ready=True")
			g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReconcilingCondition)).To(BeNil())
			g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil())
			if tc.wantPending {
				g.Expect(got.Status.ObservedGeneration).To(Equal(applied))
			} else {
				g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
			}
			g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(tc.wantKstatus))
			g.Expect(len(f.Calls)).To(Equal(calls), "a suspended offer calls nothing")
		})
	}
}

// An offer created suspended was never applied: no observedGeneration,
// no Ready condition, and kstatus reads it as Current.
func TestOfferCreatedSuspendedReportsNoObservedGeneration(t *testing.T) {
	g := NewWithT(t)
	offer := ctrltest.DraftOffer()
	offer.Spec.Suspend = true
	h := newOfferHarness(t, offer, fake.New())
	_, got := h.reconcile(g)
	g.Expect(got.Status.ObservedGeneration).To(BeZero())
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeNil())
	g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(status.CurrentStatus))
}

package v1alpha1_test

import (
	"context"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/offertypetest"
)

// TestAdmissionFollowsTheOfferTypeTable creates, for every offer type and
// part (internal/offertypetest), an offer that sets, leaves out or
// declares the part, and checks the API server accepts exactly what the
// table in wire/offertypes.go lets the operator write, refusing the rest
// with each message OfferTypeRefusals gives (the one a stored object
// stalls with).
func TestAdmissionFollowsTheOfferTypeTable(t *testing.T) {
	ns := newNamespace(t)
	for i, c := range offertypetest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			g := NewWithT(t)
			o := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("offer-%d", i), Namespace: ns}, Spec: c.Spec}
			err := k8sClient.Create(context.Background(), o)
			refusals := c.Spec.OfferTypeRefusals()
			if !c.Refused {
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(refusals).To(BeEmpty())
				return
			}
			g.Expect(err).To(HaveOccurred(), "the table says the operator cannot manage this from Git")
			g.Expect(refusals).NotTo(BeEmpty())
			for _, r := range refusals {
				g.Expect(err.Error()).To(ContainSubstring(r.Message))
			}
		})
	}
}

// TestAdmissionRefusesAManagedServiceListing is the case of issue 27: a
// ManagedService offer with a listing no published API takes.
func TestAdmissionRefusesAManagedServiceListing(t *testing.T) {
	g := NewWithT(t)
	o := &v1alpha1.MarketplaceOffer{
		ObjectMeta: metav1.ObjectMeta{Name: "contoso-managed", Namespace: newNamespace(t)},
		Spec: v1alpha1.MarketplaceOfferSpec{OfferID: "contoso-managed", OfferType: v1alpha1.OfferTypeManagedService,
			PublisherID: "contoso", Target: v1alpha1.TargetLive,
			ManagedInPartnerCenter: []v1alpha1.PartnerCenterPart{v1alpha1.PartListing},
			Listing:                v1alpha1.OfferListing{Title: "Contoso Managed", Summary: "Managed.", Description: "Mana"}},
	}
	err := k8sClient.Create(context.Background(), o)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(ContainSubstring("the listing of a ManagedService offer is edited in Partner Center: remove spec.listing"))

	o.Spec.Listing = v1alpha1.OfferListing{}
	g.Expect(k8sClient.Create(context.Background(), o)).To(Succeed())
}

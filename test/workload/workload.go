// Package workload is the set of objects the scale benchmark (test/bench)
// and the chaos suite (test/chaos) drive the operator with: N
// MarketplaceOffers that pass certification and go live, and N Solutions
// over the legacy solutions the simulator's `generate:` seed makes, a third
// each migrated into, merged into and discarded.
package workload

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// The partner and publisher the simulator's generate: seed adds.
const (
	Partner   = "5559999"
	Publisher = "bench"
)

// Seed is a simulator seed file generating n legacy solutions
// (SolutionName(1) ... SolutionName(n)) for Partner.
func Seed(n int) []byte {
	out, _ := yaml.Marshal(map[string]any{"generate": map[string]any{"partnerID": Partner, "publisherID": Publisher, "solutions": n}})
	return out
}

// SolutionName is the i-th (1-based) generated legacy solution, and the
// name of the Solution object deciding it.
func SolutionName(i int) string { return fmt.Sprintf("bench-sol-%05d", i) }

// Action is the decision of pair i: a third each Migrate, Merge, Discard.
func Action(i int) v1alpha1.SolutionAction {
	switch i % 3 {
	case 1:
		return v1alpha1.ActionMigrate
	case 2:
		return v1alpha1.ActionMerge
	}
	return v1alpha1.ActionDiscard
}

// Offer is a SaaS offer with target Live whose content passes every
// certification rule of the simulator and makes it co-sell ready.
func Offer(namespace, name string, i int) *v1alpha1.MarketplaceOffer {
	site := "https://bench.example/" + name
	return &v1alpha1.MarketplaceOffer{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1alpha1.MarketplaceOfferSpec{
			OfferID: name, OfferType: v1alpha1.OfferTypeSoftwareAsAService, PublisherID: Publisher, Target: v1alpha1.TargetLive,
			ManagedInPartnerCenter: []v1alpha1.PartnerCenterPart{v1alpha1.PartTechnicalConfiguration},
			Listing: v1alpha1.OfferListing{
				Title:   fmt.Sprintf("Bench Offer %05d", i),
				Summary: "A generated offer for the scale benchmark and the chaos suite.",
				Description: "<p>Bench offer " + name + " streams point-of-sale and sensor data into live dashboards " +
					"and forecasts, deployed into the customer's Azure subscription.</p>",
				PrivacyPolicyURL: "https://bench.example/privacy",
				SupportURL:       "https://bench.example/support",
			},
			Plans: []v1alpha1.Plan{{ID: "standard", Name: "Standard", Description: "Up to 50 stores.",
				Pricing: v1alpha1.PricingFlatRate, Price: "99.00", Markets: []string{"US", "GB"}}},
			CoSell: &v1alpha1.CoSell{
				SolutionType: "Software", SolutionAreas: []string{"Data & AI"}, LandingPageURL: site,
				Documents: []v1alpha1.CoSellDocument{
					{Type: v1alpha1.DocumentSolutionOnePager, URL: site + "/one-pager.pdf"},
					{Type: v1alpha1.DocumentPitchDeck, URL: site + "/deck.pptx"},
				},
				Contacts: []v1alpha1.CoSellContact{{Role: "Sales", Name: "Dana Whitfield", Email: "dana@bench.example"}},
			},
			Resell: &v1alpha1.Resell{Policy: v1alpha1.ResellAll},
		},
	}
}

// Solution decides legacy solution i: Migrate into offer, Merge into offer
// once it is live, or Discard.
func Solution(namespace string, i int, offer string) *v1alpha1.Solution {
	s := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: SolutionName(i)},
		Spec:       v1alpha1.SolutionSpec{SolutionID: SolutionName(i), PartnerID: Partner, Action: Action(i)},
	}
	switch s.Spec.Action {
	case v1alpha1.ActionMigrate:
		s.Spec.Migrate = &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: offer}}
	case v1alpha1.ActionMerge:
		s.Spec.Merge = &v1alpha1.MergeSpec{OfferRef: &v1alpha1.OfferReference{Name: offer}}
	}
	return s
}

// Package offertypetest builds, for every offer type of the table in
// internal/partnercenter/wire/offertypes.go, MarketplaceOffer specs that
// set or leave out each part, with whether the table lets the operator
// write it. The CEL rules of the CRD (hack/offerrules) and admission
// (api/v1alpha1) are tested against these cases.
package offertypetest

import (
	"slices"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Case is one spec of one offer type.
type Case struct {
	// Name says which part the case sets or leaves out.
	Name string
	// OfferType is the table's entry of the spec's offer type.
	OfferType wire.OfferType
	// Spec is the spec under test.
	Spec v1alpha1.MarketplaceOfferSpec
	// Refused is what the table says: true when the operator cannot
	// manage the spec from Git and admission must refuse it.
	Refused bool
}

// Base is a spec of the offer type that the table accepts: a listing
// where the operator writes one, and the declarations Partner Center
// needs.
func Base(t wire.OfferType) v1alpha1.MarketplaceOfferSpec {
	s := v1alpha1.MarketplaceOfferSpec{
		OfferID: "contoso-offer", OfferType: v1alpha1.OfferType(t.Spec), PublisherID: "contoso",
		Target: v1alpha1.TargetDraft,
	}
	if t.Writes(wire.PartListing) {
		s.Listing = listing()
	}
	for _, p := range t.PortalOnly {
		s.ManagedInPartnerCenter = append(s.ManagedInPartnerCenter, v1alpha1.PartnerCenterPart(p))
	}
	return s
}

func listing() v1alpha1.OfferListing {
	return v1alpha1.OfferListing{Title: "Contoso", Summary: "Contoso for retail.", Description: "Contoso for retail stores."}
}

// Cases are the base of every offer type and, per part, a spec that sets
// it, leaves it out or declares it managed in Partner Center.
func Cases() []Case {
	var out []Case
	for _, t := range wire.OfferTypes {
		add := func(name string, refused bool, mutate func(*v1alpha1.MarketplaceOfferSpec)) {
			s := Base(t)
			mutate(&s)
			out = append(out, Case{Name: t.Spec + ": " + name, OfferType: t, Spec: s, Refused: refused})
		}
		add("base", false, func(*v1alpha1.MarketplaceOfferSpec) {})
		add("spec.listing set", !t.Writes(wire.PartListing), func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing = listing() })
		add("spec.listing left out", t.Writes(wire.PartListing), func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing = v1alpha1.OfferListing{} })
		add("spec.listing.keywords", !t.SubmissionAPI, func(s *v1alpha1.MarketplaceOfferSpec) {
			s.Listing = listing()
			s.Listing.Keywords = []string{"retail"}
		})
		add("spec.plans", !t.Writes(wire.PartPlans), func(s *v1alpha1.MarketplaceOfferSpec) {
			s.Plans = []v1alpha1.Plan{{ID: "standard", Name: "Standard"}}
		})
		for _, m := range []v1alpha1.PricingModel{v1alpha1.PricingFree, v1alpha1.PricingFlatRate, v1alpha1.PricingPerUser, v1alpha1.PricingBYOL, v1alpha1.PricingContact} {
			refused := !t.Writes(wire.PartPlans) || !slices.Contains(t.PricingModels(), string(m))
			add("spec.plans[].pricing "+string(m), refused, func(s *v1alpha1.MarketplaceOfferSpec) {
				p := v1alpha1.Plan{ID: "standard", Name: "Standard", Pricing: m}
				if m == v1alpha1.PricingFlatRate || m == v1alpha1.PricingPerUser {
					p.Price = "99.00"
				}
				s.Plans = []v1alpha1.Plan{p}
			})
		}
		for _, policy := range []v1alpha1.ResellPolicy{v1alpha1.ResellNone, v1alpha1.ResellAll, v1alpha1.ResellSpecific} {
			refused := !t.Writes(wire.PartResell) || policy == v1alpha1.ResellSpecific
			add("spec.resell "+string(policy), refused, func(s *v1alpha1.MarketplaceOfferSpec) {
				s.Resell = &v1alpha1.Resell{Policy: policy}
				if policy == v1alpha1.ResellSpecific {
					s.Resell.PartnerIDs = []string{"5123456"}
				}
			})
		}
		add("spec.coSell", !t.Writes(wire.PartCoSell), func(s *v1alpha1.MarketplaceOfferSpec) { s.CoSell = coSell() })
		add("spec.coSell and CoSell declared", true, func(s *v1alpha1.MarketplaceOfferSpec) {
			s.CoSell = coSell()
			s.ManagedInPartnerCenter = append(s.ManagedInPartnerCenter, v1alpha1.PartCoSell)
		})
		out = append(out, declarations(t)...)
	}
	return out
}

// declarations are the cases that declare, or fail to declare, each part
// managed in Partner Center.
func declarations(t wire.OfferType) []Case {
	var out []Case
	for _, p := range wire.Parts {
		s := Base(t)
		part := v1alpha1.PartnerCenterPart(p)
		if slices.Contains(t.PortalOnly, p) {
			s.ManagedInPartnerCenter = slices.DeleteFunc(s.ManagedInPartnerCenter, func(d v1alpha1.PartnerCenterPart) bool { return d == part })
			out = append(out, Case{Name: t.Spec + ": " + string(p) + " not declared", OfferType: t, Spec: s, Refused: true})
			continue
		}
		s.ManagedInPartnerCenter = append(s.ManagedInPartnerCenter, part)
		// CoSell may be declared wherever spec.coSell is left out.
		refused := t.Writes(p) && p != wire.PartCoSell
		out = append(out, Case{Name: t.Spec + ": " + string(p) + " declared", OfferType: t, Spec: s, Refused: refused})
	}
	return out
}

func coSell() *v1alpha1.CoSell {
	return &v1alpha1.CoSell{SolutionType: "Software", SolutionAreas: []string{"Data & AI"}}
}

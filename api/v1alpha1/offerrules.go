package v1alpha1

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// offerRule is one rule of what an offer type lets Git manage, written
// twice from the table in wire/offertypes.go: as CEL (check) for the
// CRD and as Go (holds) for objects stored before the rule existed.
type offerRule struct {
	// field is the spec path the rule is about.
	field string
	// applies says whether the rule binds offers of the type.
	applies func(wire.OfferType) bool
	// check is the CEL expression over the spec, true when it holds.
	check func(wire.OfferType) string
	// holds is check in Go.
	holds func(wire.OfferType, *MarketplaceOfferSpec) bool
	// message is the refusal; %s is "a"/"an" and the offer type.
	message string
	// messageFor, when set, is the message of each offer type instead.
	messageFor func(wire.OfferType) string
}

// messageOf is the rule's message for offers of the type.
func (r offerRule) messageOf(t wire.OfferType) string {
	if r.messageFor != nil {
		return r.messageFor(t)
	}
	return r.message
}

// partField is the spec field a part is written from, and its noun.
var partField = map[wire.Part]struct{ field, noun, is string }{
	wire.PartListing:                {"spec.listing", "the listing", "is"},
	wire.PartPlans:                  {"spec.plans", "the plans", "are"},
	wire.PartPricing:                {"spec.plans[].pricing", "the plan pricing", "is"},
	wire.PartTechnicalConfiguration: {"spec.managedInPartnerCenter", "the technical configuration", "is"},
	wire.PartResell:                 {"spec.resell", "the CSP resell configuration", "is"},
	wire.PartCoSell:                 {"spec.coSell", "the co-sell tab", "is"},
}

func always(wire.OfferType) bool { return true }

func writes(p wire.Part) func(wire.OfferType) bool {
	return func(t wire.OfferType) bool { return t.Writes(p) }
}

func cannotWrite(p wire.Part) func(wire.OfferType) bool {
	return func(t wire.OfferType) bool { return !t.Writes(p) }
}

func static(cel string) func(wire.OfferType) string {
	return func(wire.OfferType) string { return cel }
}

// offerRules are the rules, in the order refusals are listed.
func offerRules() []offerRule {
	rules := []offerRule{
		{field: "spec.listing", applies: cannotWrite(wire.PartListing), check: static("!has(self.listing)"),
			holds:   func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return s.Listing.IsZero() },
			message: "the listing of %s offer is edited in Partner Center: remove spec.listing"},
		{field: "spec.listing", applies: writes(wire.PartListing), check: static("has(self.listing)"),
			holds:   func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return !s.Listing.IsZero() },
			message: "the listing of %s offer is written from spec.listing: set spec.listing (title, summary and description)"},
		// The submission API's AzureListing takes keywords (an Azure
		// Application's listing); the Product Ingestion listings have no
		// field for them.
		{field: "spec.listing.keywords", applies: func(t wire.OfferType) bool { return !t.SubmissionAPI },
			check: static("!has(self.listing) || !has(self.listing.keywords) || size(self.listing.keywords) == 0"),
			holds: func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return len(s.Listing.Keywords) == 0 },
			message: "the search keywords of %s offer are edited in Partner Center (the published listing schema has no field for them): " +
				"remove spec.listing.keywords"},
		{field: "spec.plans", applies: cannotWrite(wire.PartPlans), check: static("!has(self.plans) || size(self.plans) == 0"),
			holds:   func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return len(s.Plans) == 0 },
			message: "the plans of %s offer are edited in Partner Center: remove spec.plans"},
		pricingRule(false), pricingRule(true),
		{field: "spec.resell", applies: cannotWrite(wire.PartResell), check: static("!has(self.resell)"),
			holds:   func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return s.Resell == nil },
			message: "the CSP resell configuration of %s offer is edited in Partner Center: remove spec.resell"},
		{field: "spec.resell.policy", applies: writes(wire.PartResell),
			check: static("!has(self.resell) || self.resell.policy != 'Specific'"),
			holds: func(_ wire.OfferType, s *MarketplaceOfferSpec) bool {
				return s.Resell == nil || s.Resell.Policy != ResellSpecific
			},
			message: "resell of %s offer through specific CSP partners is chosen in Partner Center " +
				"(the published reseller schema has no place for partner IDs): set spec.resell.policy to All or None"},
		{field: "spec.coSell", applies: cannotWrite(wire.PartCoSell), check: static("!has(self.coSell)"),
			holds: func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return s.CoSell == nil },
			message: "the co-sell tab of %s offer is edited in Partner Center (the Partner Ingestion API does not serve it): " +
				"remove spec.coSell"},
		{field: "spec.managedInPartnerCenter", applies: always,
			check: static("!has(self.coSell) || !(" + celDeclares(wire.PartCoSell) + ")"),
			holds: func(_ wire.OfferType, s *MarketplaceOfferSpec) bool {
				return s.CoSell == nil || !s.declares(wire.PartCoSell)
			},
			message: "the co-sell tab of %s offer is kept either in Git or in Partner Center: " +
				"remove spec.coSell or CoSell from spec.managedInPartnerCenter"},
	}
	for _, p := range []wire.Part{wire.PartListing, wire.PartPlans, wire.PartPricing, wire.PartResell} {
		rules = append(rules, writtenRule(p))
	}
	for _, p := range wire.Parts {
		rules = append(rules, portalOnlyRule(p))
	}
	return rules
}

// pricingRule refuses plan pricing the operator cannot write: some
// models (some) for types that write some, any for types that write none.
func pricingRule(some bool) offerRule {
	r := offerRule{field: "spec.plans[].pricing",
		applies: func(t wire.OfferType) bool { return t.Writes(wire.PartPlans) && (len(t.PricingModels()) > 0) == some },
		holds: func(t wire.OfferType, s *MarketplaceOfferSpec) bool {
			return !slices.ContainsFunc(s.Plans, func(p Plan) bool {
				return p.Pricing != "" && !slices.Contains(t.PricingModels(), string(p.Pricing))
			})
		},
	}
	if !some {
		r.check = static("!has(self.plans) || self.plans.all(p, !has(p.pricing))")
		r.message = "the plan pricing of %s offer is edited in Partner Center: remove pricing and price from spec.plans"
		return r
	}
	r.check = func(t wire.OfferType) string {
		return fmt.Sprintf("!has(self.plans) || self.plans.all(p, !has(p.pricing) || p.pricing in %s)", celList(t.PricingModels()))
	}
	r.messageFor = func(t wire.OfferType) string {
		return "the plan pricing of %s offer is written from spec.plans only as " + strings.Join(t.PricingModels(), ", ") +
			"; other pricing is edited in Partner Center: change or remove it in spec.plans"
	}
	return r
}

// writtenRule refuses declaring managed in Partner Center a part the
// operator writes for the offer type: it would write it anyway.
func writtenRule(p wire.Part) offerRule {
	f := partField[p]
	return offerRule{field: "spec.managedInPartnerCenter", applies: writes(p),
		check: static("!(" + celDeclares(p) + ")"),
		holds: func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return !s.declares(p) },
		message: f.noun + " of %s offer " + f.is + " written from " + f.field + ": remove " + string(p) +
			" from spec.managedInPartnerCenter"}
}

// portalOnlyRule asks for the declaration of a part Partner Center needs
// and the operator never writes for the offer type.
func portalOnlyRule(p wire.Part) offerRule {
	return offerRule{field: "spec.managedInPartnerCenter",
		applies: func(t wire.OfferType) bool { return slices.Contains(t.PortalOnly, p) },
		check:   static(celDeclares(p)),
		holds:   func(_ wire.OfferType, s *MarketplaceOfferSpec) bool { return s.declares(p) },
		message: partField[p].noun + " of %s offer " + partField[p].is + " edited in Partner Center, which the operator cannot write: add " +
			string(p) + " to spec.managedInPartnerCenter"}
}

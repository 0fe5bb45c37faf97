package v1alpha1

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// PartnerCenterPart is a part of an offer that spec.managedInPartnerCenter
// can declare as kept in Partner Center instead of Git.
// +kubebuilder:validation:Enum=Listing;Plans;Pricing;TechnicalConfiguration;Resell;CoSell
type PartnerCenterPart string

const (
	// PartListing is the marketplace listing (spec.listing).
	PartListing = PartnerCenterPart(wire.PartListing)
	// PartPlans are the plans (spec.plans).
	PartPlans = PartnerCenterPart(wire.PartPlans)
	// PartPricing is the plans' pricing (spec.plans[].pricing).
	PartPricing = PartnerCenterPart(wire.PartPricing)
	// PartTechnicalConfiguration is what connects the marketplace to the
	// solution (a SaaS landing page and webhook, a plan's images or
	// package); the operator writes it for no offer type.
	PartTechnicalConfiguration = PartnerCenterPart(wire.PartTechnicalConfiguration)
	// PartResell is the CSP reseller configuration (spec.resell).
	PartResell = PartnerCenterPart(wire.PartResell)
	// PartCoSell is the co-sell tab (spec.coSell).
	PartCoSell = PartnerCenterPart(wire.PartCoSell)
)

// OfferRefusal is one part of a MarketplaceOffer spec that its offer type
// does not let the operator manage from Git, with the message admission
// gives for it (the same text as the CRD's CEL rule).
type OfferRefusal struct {
	// Field is the spec path the refusal is about, such as spec.listing.
	Field string
	// Message says where the part is edited and what to change.
	Message string
}

// OfferTypeRefusals lists what of the spec its offer type refuses: parts
// the operator cannot write (edited in Partner Center), parts it must
// have, and spec.managedInPartnerCenter entries missing or contradicting
// the spec. The CRD's offer-type rules are generated from the same rules
// (hack/offerrules), so an object admission accepts has none; an object
// stored before the rules existed may have some, and the controller then
// stalls it with these messages. An offer type the table does not know
// yields none (the enum refuses it).
func (s *MarketplaceOfferSpec) OfferTypeRefusals() []OfferRefusal {
	t, ok := wire.LookupOfferType(string(s.OfferType))
	if !ok {
		return nil
	}
	var out []OfferRefusal
	for _, r := range offerRules() {
		if r.applies(t) && !r.holds(t, s) {
			out = append(out, OfferRefusal{Field: r.field, Message: fmt.Sprintf(r.messageOf(t), offerTypeNoun(t.Spec))})
		}
	}
	return out
}

// OfferTypeRefusalMessage is the Stalled message of a spec with
// refusals: their messages, in order, joined by "; ". It is "" when the
// offer type accepts the spec.
func (s *MarketplaceOfferSpec) OfferTypeRefusalMessage() string {
	var msgs []string
	for _, r := range s.OfferTypeRefusals() {
		msgs = append(msgs, r.Message)
	}
	return strings.Join(msgs, "; ")
}

// ManagedInPartnerCenter lists the parts of an offer of the type that
// the operator never writes and Partner Center needs: the declarations
// spec.managedInPartnerCenter must carry.
func ManagedInPartnerCenter(offerType OfferType) []PartnerCenterPart {
	t, ok := wire.LookupOfferType(string(offerType))
	if !ok {
		return nil
	}
	out := make([]PartnerCenterPart, 0, len(t.PortalOnly))
	for _, p := range t.PortalOnly {
		out = append(out, PartnerCenterPart(p))
	}
	return out
}

// OfferTypeRule is one CEL rule of the MarketplaceOffer spec, as
// hack/offerrules writes it into the CRD markers.
type OfferTypeRule struct {
	// Rule is the CEL expression, true when the spec is accepted.
	Rule string
	// MessageExpression is the CEL expression of the refusal's message.
	MessageExpression string
}

// OfferTypeRules are the CEL rules of OfferTypeRefusals: one per rule and
// group of offer types it applies to with the same expression.
func OfferTypeRules() []OfferTypeRule {
	var out []OfferTypeRule
	for _, r := range offerRules() {
		type group struct{ check, message string }
		var order []group
		types := map[group][]string{}
		for _, t := range wire.OfferTypes {
			if !r.applies(t) {
				continue
			}
			g := group{r.check(t), r.messageOf(t)}
			if _, seen := types[g]; !seen {
				order = append(order, g)
			}
			types[g] = append(types[g], t.Spec)
		}
		for _, g := range order {
			rule := g.check
			if len(types[g]) < len(wire.OfferTypes) {
				rule = fmt.Sprintf("!(self.offerType in %s) || (%s)", celList(types[g]), g.check)
			}
			out = append(out, OfferTypeRule{Rule: rule, MessageExpression: celMessage(g.message)})
		}
	}
	return out
}

// offerTypeNoun is "a" or "an" and the offer type, as messages say it.
func offerTypeNoun(offerType string) string {
	if strings.ContainsAny(offerType[:1], "AEIOU") {
		return "an " + offerType
	}
	return "a " + offerType
}

// celMessage is the CEL message expression of a message whose %s is
// offerTypeNoun of the object's offer type.
func celMessage(message string) string {
	before, after, _ := strings.Cut(message, "%s")
	return celString(before) + " + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + " + celString(after)
}

func celString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func celList(items []string) string {
	quoted := make([]string, 0, len(items))
	for _, s := range items {
		quoted = append(quoted, celString(s))
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// declares says whether the spec declares the part managed in Partner Center.
func (s *MarketplaceOfferSpec) declares(p wire.Part) bool {
	return slices.Contains(s.ManagedInPartnerCenter, PartnerCenterPart(p))
}

// celDeclares is the CEL of declares.
func celDeclares(p wire.Part) string {
	return fmt.Sprintf("has(self.managedInPartnerCenter) && %s in self.managedInPartnerCenter", celString(string(p)))
}

// Lines that open and close the generated marker block in
// marketplaceoffer_types.go.
const (
	offerRulesBegin = "// BEGIN offer-type rules"
	offerRulesEnd   = "// END offer-type rules"
)

// WithOfferTypeMarkers returns src, the source of
// marketplaceoffer_types.go, with the XValidation markers of
// OfferTypeRules between its BEGIN and END offer-type rules lines.
func WithOfferTypeMarkers(src string) (string, error) {
	begin := strings.Index(src, offerRulesBegin)
	end := strings.Index(src, offerRulesEnd)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("no %q ... %q block", offerRulesBegin, offerRulesEnd)
	}
	// Keep the BEGIN comment's text: up to the first marker or END.
	head := src[begin:end]
	if i := strings.Index(head, "\n// +"); i >= 0 {
		head = head[:i+1]
	}
	var b strings.Builder
	b.WriteString(src[:begin])
	b.WriteString(head)
	for _, r := range OfferTypeRules() {
		fmt.Fprintf(&b, "// +kubebuilder:validation:XValidation:rule=%s,messageExpression=%s\n", markerString(r.Rule), markerString(r.MessageExpression))
	}
	b.WriteString(src[end:])
	return b.String(), nil
}

// markerString quotes s as a controller-gen marker argument.
func markerString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

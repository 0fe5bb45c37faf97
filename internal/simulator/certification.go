package simulator

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Certification codes. The rules are deterministic so that tests and demos
// can fail and fix a certification on purpose; every message says what to
// change.
const (
	codeTitleMissing          = "titleMissing"
	codeSummaryMissing        = "summaryMissing"
	codeDescriptionTooShort   = "descriptionTooShort"
	codePrivacyPolicyMissing  = "privacyPolicyMissing"
	codeCoSellDocumentMissing = "coSellDocumentsMissing"
	codePlanPricingMissing    = "planPricingMissing"
)

// minDescription is the shortest description (in characters of text, HTML
// tags not counted) that certification accepts.
const minDescription = 100

// Co-sell document types the rules look for.
const (
	docOnePager     = "SolutionOnePager"
	docPitchDeck    = "PitchDeck"
	docArchitecture = "ReferenceArchitecture"
	docTechnical    = "TechnicalValidation"
	docRevenue      = "RevenueValidation"
)

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// descriptionText is a description as a customer reads it: tags removed,
// whitespace collapsed.
func descriptionText(s string) string {
	return strings.Join(strings.Fields(htmlTag.ReplaceAllString(s, " ")), " ")
}

// certify returns the certification report of a draft snapshot of an offer
// of the given (wire) type; an empty report passes.
func certify(offerType string, d draftRec) []wire.FeedbackItem {
	var items []wire.FeedbackItem
	add := func(code, resource, format string, args ...any) {
		items = append(items, wire.FeedbackItem{Code: code, Resource: resource, Message: fmt.Sprintf(format, args...)})
	}
	l := d.Listing
	if l == nil {
		l = &wire.Resource{}
	}
	if strings.TrimSpace(l.Title) == "" {
		add(codeTitleMissing, "listing", "The listing has no title. Set the listing title to the offer name customers should see.")
	}
	if strings.TrimSpace(l.Summary) == "" {
		add(codeSummaryMissing, "listing", "The listing has no summary. Add a one-sentence summary of what the offer does.")
	}
	if n := utf8.RuneCountInString(descriptionText(l.Description)); n < minDescription {
		add(codeDescriptionTooShort, "listing",
			"The listing description has %d characters of text; describe the offer in at least %d characters (what it does, who it is for, how it is delivered).",
			n, minDescription)
	}
	if strings.TrimSpace(l.PrivacyPolicyLink) == "" {
		add(codePrivacyPolicyMissing, "listing", "The listing has no privacy policy link. Add privacyPolicyLink, the https URL of your privacy policy.")
	}
	if c := d.CoSell; c != nil && len(c.SolutionAreas) > 0 {
		var missing []string
		for _, t := range []string{docOnePager, docPitchDeck} {
			if !hasDocument(c.Documents, t) {
				missing = append(missing, t)
			}
		}
		if len(missing) > 0 {
			add(codeCoSellDocumentMissing, "cosell-listing",
				"The co-sell listing names solution areas but has no %s document; upload it (or remove the solution areas).",
				strings.Join(missing, " or "))
		}
	}
	if offerType != "consultingService" {
		for _, p := range d.Plans {
			res := "plan/" + p.id()
			switch {
			case p.Price == nil || p.Price.Pricing == nil || p.Price.Pricing.Model == "":
				add(codePlanPricingMissing, res,
					"Plan %q has no pricing. Add a price-and-availability-plan with a pricing model (free, flatRate, perUser, byol or contact).", p.id())
			case needsPrice(p.Price.Pricing.Model) && strings.TrimSpace(p.Price.Pricing.Price) == "":
				add(codePlanPricingMissing, res,
					"Plan %q uses the %s pricing model but has no price. Set its monthly price in US dollars.", p.id(), p.Price.Pricing.Model)
			}
		}
	}
	return items
}

func needsPrice(model string) bool { return model == "flatRate" || model == "perUser" }

func hasDocument(docs []wire.Document, docType string) bool {
	for _, d := range docs {
		if d.Type == docType && d.URL != "" {
			return true
		}
	}
	return false
}

// coSellStatus is the co-sell level a live snapshot earns.
func coSellStatus(d draftRec) string {
	c := d.CoSell
	if c == nil {
		return wire.CoSellNotReady
	}
	ready := hasDocument(c.Documents, docOnePager) && hasDocument(c.Documents, docPitchDeck) &&
		len(c.Contacts) > 0 && len(c.SolutionAreas) >= 1 && len(c.SolutionAreas) <= 5 &&
		strings.TrimSpace(c.LandingPageLink) != ""
	switch {
	case !ready:
		return wire.CoSellNotReady
	case hasDocument(c.Documents, docArchitecture) &&
		(hasDocument(c.Documents, docTechnical) || hasDocument(c.Documents, docRevenue)):
		return wire.CoSellIncentiveEligible
	default:
		return wire.CoSellReady
	}
}

// azureHosted are the offer types listed on Azure Marketplace; the others
// are listed on AppSource.
var azureHosted = map[string]bool{
	"azureApplication": true, "azureContainer": true, "azureVirtualMachine": true,
	"iotEdgeModule": true, "managedService": true,
}

func storefront(offerType string) string {
	if azureHosted[offerType] {
		return "https://azuremarketplace.microsoft.com"
	}
	return "https://appsource.microsoft.com"
}

// liveLink is the customer-facing listing of a live offer.
func liveLink(offerType, offerID string) string {
	return storefront(offerType) + "/product/" + offerID
}

// previewLinks are the links of a certified preview.
func previewLinks(offerType, offerID, submissionID string) []string {
	return []string{storefront(offerType) + "/preview/" + offerID + "?submission=" + submissionID}
}

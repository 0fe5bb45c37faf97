package simulator

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Certification of a preview submission. Microsoft publishes no list of
// certification checks; a refusal arrives as a failed job (and submission)
// whose errors are inner errors. The simulator's rules are its own,
// deterministic so that tests and demos can fail and fix a certification
// on purpose, and each one is answered as a businessValidationError naming
// the resource to fix (resourceId) and saying what to change:
//
//   - for the offer types whose listing Microsoft documents for this API
//     (listingTypes: SaaS, containers, virtual machines; the others'
//     listings are written in Partner Center, so the simulator cannot judge
//     them): a product without a listing, and a listing without title,
//     without searchResultSummary or shortDescription, with a description
//     of under 100 characters of text (HTML tags not counted), or without
//     privacyPolicyLink;
//   - a plan without a price-and-availability-plan resource. (Its pricing
//     is not required: a contact-me or free plan has none the documented
//     SaaS pricing object can hold.)

// minDescription is the shortest description (in characters of text, HTML
// tags not counted) the simulator's certification accepts.
const minDescription = 100

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// descriptionText is a description as a customer reads it: tags removed,
// whitespace collapsed.
func descriptionText(s string) string {
	return strings.Join(strings.Fields(htmlTag.ReplaceAllString(s, " ")), " ")
}

// listingTypes are the product types whose listing kind Microsoft
// documents for the Product Ingestion API (azureSaaS, azureContainer,
// azureVM).
var listingTypes = map[string]bool{"softwareAsAService": true, "azureContainer": true, "containerApp": true,
	"azureVirtualMachine": true, "coreVirtualMachine": true}

// certify returns the issues of a preview submission's snapshot; none
// passes.
func certify(sub *submissionRec) []innerError {
	var out []innerError
	add := func(resourceID, format string, args ...any) {
		out = append(out, innerError{Code: codeBusinessValidation, ResourceID: resourceID, Message: fmt.Sprintf(format, args...), Details: []innerError{}})
	}
	d := sub.Snapshot
	var listings []resource
	if listingTypes[sub.OfferType] {
		listings = d.ofKind(kindListing)
	}
	if len(listings) == 0 && listingTypes[sub.OfferType] {
		add(productRef(sub.ProductID), "The product has no listing. Add a listing resource with the languageId, title, description, searchResultSummary and privacyPolicyLink customers should see.")
	}
	for _, l := range listings {
		id := idOf(l)
		if strings.TrimSpace(str(l, "title")) == "" {
			add(id, "The listing has no title. Set title to the offer name customers should see.")
		}
		if strings.TrimSpace(str(l, "searchResultSummary")) == "" && strings.TrimSpace(str(l, "shortDescription")) == "" {
			add(id, "The listing has no summary. Set searchResultSummary (and shortDescription) to a one-sentence summary of what the offer does.")
		}
		if n := utf8.RuneCountInString(descriptionText(str(l, "description"))); n < minDescription {
			add(id, "The listing description has %d characters of text; describe the offer in at least %d characters (what it does, who it is for, how it is delivered).", n, minDescription)
		}
		if strings.TrimSpace(str(l, "privacyPolicyLink")) == "" {
			add(id, "The listing has no privacy policy link. Set privacyPolicyLink to the https URL of your privacy policy.")
		}
	}
	prices := map[string]resource{}
	for _, pa := range d.ofKind(kindPricePlan) {
		prices[str(pa, "plan")] = pa
	}
	for _, pl := range d.ofKind(kindPlan) {
		if lc := str(pl, "lifecycleState"); lc == lifecycleDeprecated {
			continue
		}
		id := idOf(pl)
		if _, ok := prices[id]; !ok {
			add(id, "Plan %q has no price and availability. Add a price-and-availability-plan resource for it (visibility, audience, markets).", str(pl, "alias"))
		}
	}
	return out
}

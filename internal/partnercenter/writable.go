package partnercenter

import (
	"cmp"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// WritableDraft is the part of d that Partner Center can hold for an offer
// of offerType (wire.OfferTypes, the published contract), and what of d it
// cannot, named by the MarketplaceOffer spec field that holds it:
// ConfigureDraft sends nothing for those fields, so they never differ from
// Partner Center in a way a write could change. An offer type the
// contract does not know is returned whole.
func WritableDraft(offerType string, d Draft) (Draft, []string) {
	var dropped []string
	t, ok := wire.LookupOfferType(offerType)
	if !ok {
		return d, nil
	}
	if t.SubmissionAPI {
		return submissionWritable(offerType, d)
	}
	if len(d.Listing.Keywords) > 0 {
		dropped = append(dropped, "spec.listing.keywords (no field in the published listing schema)")
		d.Listing.Keywords = nil
	}
	if l := d.Listing; t.ListingKind == "" && l.Title+l.Summary+l.ShortDescription+l.Description+l.PrivacyPolicyURL+l.SupportURL != "" {
		dropped = append(dropped, "spec.listing (Microsoft publishes no listing shape for "+offerType+")")
		d.Listing = Listing{}
	}
	if !t.Plans && len(d.Plans) > 0 {
		dropped = append(dropped, "spec.plans (Microsoft publishes no plan resources for "+offerType+")")
		d.Plans = nil
	}
	if !t.Reseller && d.Resell.Policy != ResellNone {
		dropped = append(dropped, "spec.resell (Microsoft publishes no reseller configuration for "+offerType+")")
		d.Resell = Resell{Policy: ResellNone}
	}
	return d, dropped
}

// ResellNone is the Resell policy that lets no CSP partner resell.
const ResellNone = "None"

// submissionWritable is WritableDraft for an offer type whose listing and
// plans the submission API writes (wire.OfferType.SubmissionAPI, Azure
// applications): the listing's title, summaries, description and
// keywords, and each plan's ID, name (its ID when unnamed, as the plan is
// created) and description, as ingestion.SubmissionWritten writes them.
func submissionWritable(offerType string, d Draft) (Draft, []string) {
	var dropped []string
	l := d.Listing
	out := Draft{Listing: Listing{Title: l.Title, Summary: l.Summary, ShortDescription: l.ShortDescription,
		Description: l.Description, Keywords: l.Keywords}, Resell: Resell{Policy: ResellNone}}
	if l.PrivacyPolicyURL+l.SupportURL != "" {
		dropped = append(dropped, "spec.listing.privacyPolicyURL and supportURL (no published link type in the submission API's listing)")
	}
	for _, p := range d.Plans {
		out.Plans = append(out.Plans, Plan{ID: p.ID, Name: cmp.Or(p.Name, p.ID), Description: p.Description})
		if p.Pricing != "" || len(p.Markets) > 0 {
			dropped = append(dropped, "spec.plans["+p.ID+"].pricing (no price or market in the submission API's plans for "+offerType+")")
		}
	}
	if d.Resell.Policy != "" && d.Resell.Policy != ResellNone {
		dropped = append(dropped, "spec.resell (Microsoft publishes no reseller configuration for "+offerType+")")
	}
	return out, dropped
}

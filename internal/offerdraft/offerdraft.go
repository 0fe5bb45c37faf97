// Package offerdraft converts a MarketplaceOffer's spec into the Partner
// Center port's draft and co-sell tab, normalised so that equal meaning
// gives equal values. The controllers write what it returns and
// `cosell-operator plan` compares it with what Partner Center holds.
package offerdraft

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// FromSpec converts an offer's spec into Partner Center's draft
// resources, normalised so that equal meaning gives equal drafts.
func FromSpec(spec *v1alpha1.MarketplaceOfferSpec) partnercenter.Draft {
	d := partnercenter.Draft{
		Listing: partnercenter.Listing{
			Title:            spec.Listing.Title,
			Summary:          spec.Listing.Summary,
			ShortDescription: spec.Listing.ShortDescription,
			Description:      spec.Listing.Description,
			PrivacyPolicyURL: spec.Listing.PrivacyPolicyURL,
			SupportURL:       spec.Listing.SupportURL,
			Keywords:         slices.Clone(spec.Listing.Keywords),
		},
		Resell: partnercenter.Resell{Policy: string(v1alpha1.ResellNone)},
	}
	for _, p := range spec.Plans {
		d.Plans = append(d.Plans, partnercenter.Plan{
			ID: p.ID, Name: p.Name, Description: p.Description,
			Pricing: string(p.Pricing), Price: p.Price, Markets: slices.Clone(p.Markets),
		})
	}
	if r := spec.Resell; r != nil {
		d.Resell = partnercenter.Resell{Policy: string(r.Policy), PartnerIDs: slices.Clone(r.PartnerIDs)}
	}
	return Normalize(d)
}

// Normalize sorts every keyed or set-like list and turns empty lists
// into nil, so that drafts read back from Partner Center compare equal to
// the ones written.
func Normalize(d partnercenter.Draft) partnercenter.Draft {
	sortSet := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		s = slices.Clone(s)
		slices.Sort(s)
		return s
	}
	d.Listing.Keywords = sortSet(d.Listing.Keywords)
	if len(d.Plans) == 0 {
		d.Plans = nil
	}
	d.Plans = slices.Clone(d.Plans)
	for i := range d.Plans {
		d.Plans[i].Markets = sortSet(d.Plans[i].Markets)
	}
	slices.SortFunc(d.Plans, func(a, b partnercenter.Plan) int { return strings.Compare(a.ID, b.ID) })
	if d.Resell.Policy == "" {
		d.Resell.Policy = string(v1alpha1.ResellNone)
	}
	d.Resell.PartnerIDs = sortSet(d.Resell.PartnerIDs)
	return d
}

// CoSellFromSpec converts an offer's co-sell tab, normalised; nil when the
// spec has none. It is written through its own API (ConfigureCoSell).
func CoSellFromSpec(spec *v1alpha1.MarketplaceOfferSpec) *partnercenter.CoSellListing {
	src := spec.CoSell
	if src == nil {
		return nil
	}
	cs := &partnercenter.CoSellListing{
		SolutionType:   string(src.SolutionType),
		SolutionAreas:  slices.Clone(src.SolutionAreas),
		Industries:     slices.Clone(src.Industries),
		LandingPageURL: src.LandingPageURL,
	}
	for _, doc := range src.Documents {
		cs.Documents = append(cs.Documents, partnercenter.Document{Type: string(doc.Type), URL: doc.URL})
	}
	for _, c := range src.Contacts {
		cs.Contacts = append(cs.Contacts, partnercenter.Contact{Role: string(c.Role), Name: c.Name, Email: c.Email})
	}
	sortSet := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		s = slices.Clone(s)
		slices.Sort(s)
		return s
	}
	cs.SolutionAreas = sortSet(cs.SolutionAreas)
	cs.Industries = sortSet(cs.Industries)
	if len(cs.Documents) == 0 {
		cs.Documents = nil
	}
	cs.Documents = slices.Clone(cs.Documents)
	slices.SortStableFunc(cs.Documents, func(a, b partnercenter.Document) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.URL, b.URL))
	})
	if len(cs.Contacts) == 0 {
		cs.Contacts = nil
	}
	cs.Contacts = slices.Clone(cs.Contacts)
	slices.SortStableFunc(cs.Contacts, func(a, b partnercenter.Contact) int {
		return cmp.Or(strings.Compare(a.Role, b.Role), strings.Compare(a.Email, b.Email), strings.Compare(a.Name, b.Name))
	})
	return cs
}

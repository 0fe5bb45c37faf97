package controllers

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

var sprintf = fmt.Sprintf

// draftFromSpec converts an offer's spec into Partner Center's draft
// resources, normalised so that equal meaning gives equal drafts.
func draftFromSpec(spec *v1alpha1.MarketplaceOfferSpec) partnercenter.Draft {
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
	return normalizeDraft(d)
}

// normalizeDraft sorts every keyed or set-like list and turns empty lists
// into nil, so that drafts read back from Partner Center compare equal to
// the ones written.
func normalizeDraft(d partnercenter.Draft) partnercenter.Draft {
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

// coSellFromSpec converts an offer's co-sell tab, normalised; nil when the
// spec has none. It is written through its own API (ConfigureCoSell).
func coSellFromSpec(spec *v1alpha1.MarketplaceOfferSpec) *partnercenter.CoSellListing {
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

// draftDigest identifies a draft's content: the operator writes the draft
// and submits it again only when the digest changes.
func draftDigest(d partnercenter.Draft) string {
	return specDigest(d, nil)
}

// specDigest identifies what the operator writes to Partner Center: the
// draft resources and, when the spec has one, the co-sell tab. Without a
// co-sell tab it equals draftDigest, so digests recorded before the co-sell
// tab moved to its own API stay valid.
func specDigest(d partnercenter.Draft, cs *partnercenter.CoSellListing) string {
	// Only strings and slices of strings: Marshal cannot fail.
	data, _ := json.Marshal(d)
	if cs != nil {
		more, _ := json.Marshal(cs)
		data = append(data, more...)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// feedbackMessage renders certification feedback as one actionable message.
func feedbackMessage(items []partnercenter.FeedbackItem) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d) ", i+1)
		if it.Resource != "" {
			b.WriteString(it.Resource + ": ")
		}
		b.WriteString(it.Message)
		if it.Code != "" {
			b.WriteString(" [" + it.Code + "]")
		}
	}
	return b.String()
}

func feedbackToAPI(items []partnercenter.FeedbackItem) []v1alpha1.FeedbackItem {
	out := make([]v1alpha1.FeedbackItem, 0, len(items))
	for _, it := range items {
		if len(out) == 64 {
			break
		}
		out = append(out, v1alpha1.FeedbackItem{Code: truncate(it.Code, 128), Resource: truncate(it.Resource, 256), Message: truncate(it.Message, 2048)})
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

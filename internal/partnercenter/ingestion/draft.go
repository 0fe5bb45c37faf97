package ingestion

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Listing language and kind: the operator manages one English listing.
const (
	listingLanguage = "en-us"
	listingKind     = "azureListing"
)

// GetDraft implements pc.Client. The draft comes back in the normal form
// of the controllers' normalizeDraft: sets sorted, plans by ID, documents
// by type then URL, contacts by role then email, empty lists nil, a
// missing reseller as "None". Equal drafts therefore compare equal.
func (c *Client) GetDraft(ctx context.Context, productID string) (*pc.Draft, error) {
	const op = "GetDraft"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	var tree wire.ResourceTree
	u := c.endpoint(url.Values{"targetType": {wire.TargetDraft}}, "resource-tree", "product", productID)
	if err := c.do(ctx, op, http.MethodGet, u, nil, &tree); err != nil {
		return nil, err
	}
	return draftFromTree(op, productID, &tree)
}

// ConfigureDraft implements pc.Client: it sends the listing, every plan
// with its price-and-availability-plan, the reseller configuration and the
// co-sell listing, and returns the job unawaited.
func (c *Client) ConfigureDraft(ctx context.Context, productID string, d pc.Draft) (*pc.Job, error) {
	const op = "ConfigureDraft"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	resources, err := draftResources(op, productID, d)
	if err != nil {
		return nil, err
	}
	st, err := c.configure(ctx, op, resources...)
	if err != nil {
		return nil, err
	}
	return toJob(st), nil
}

// draftResources converts a draft to configure resources. Values the API
// has no name for are refused before any call.
func draftResources(op, productID string, d pc.Draft) ([]wire.Resource, error) {
	product := wire.ProductRef(productID)
	l := d.Listing
	out := []wire.Resource{{
		Schema: wire.Schema(wire.KindListing), Product: product, Kind: listingKind, LanguageID: listingLanguage,
		Title: l.Title, Summary: l.Summary, ShortDescription: l.ShortDescription, Description: l.Description,
		PrivacyPolicyLink: l.PrivacyPolicyURL, SupportLink: l.SupportURL, Keywords: slices.Clone(l.Keywords),
	}}
	for _, p := range d.Plans {
		if p.ID == "" {
			return nil, invalidRequest(op, "a plan has no ID")
		}
		ref := wire.PlanRef(productID, p.ID)
		out = append(out, wire.Resource{
			Schema: wire.Schema(wire.KindPlan), Product: product,
			Identity: &wire.Identity{ExternalID: p.ID}, Alias: p.Name, Description: p.Description,
		})
		price := wire.Resource{Schema: wire.Schema(wire.KindPriceAndAvail), Product: product, Plan: ref,
			Markets: slices.Clone(p.Markets)}
		if p.Pricing != "" {
			model, ok := wire.PricingModels[p.Pricing]
			if !ok {
				return nil, invalidRequest(op, "plan %s: pricing %q is not one of Free, FlatRate, PerUser, BYOL, Contact", p.ID, p.Pricing)
			}
			price.Pricing = &wire.Pricing{Model: model, Price: p.Price}
		}
		out = append(out, price)
	}
	state, err := resellToWire(op, d.Resell.Policy)
	if err != nil {
		return nil, err
	}
	out = append(out, wire.Resource{Schema: wire.Schema(wire.KindReseller), Product: product,
		ResellerChannelState: state, PartnerIDs: slices.Clone(d.Resell.PartnerIDs)})

	cs := d.CoSell
	co := wire.Resource{Schema: wire.Schema(wire.KindCoSellListing), Product: product,
		SolutionType: cs.SolutionType, SolutionAreas: slices.Clone(cs.SolutionAreas), Industries: slices.Clone(cs.Industries),
		LandingPageLink: cs.LandingPageURL}
	for _, doc := range cs.Documents {
		co.Documents = append(co.Documents, wire.Document{Type: doc.Type, URL: doc.URL})
	}
	for _, ct := range cs.Contacts {
		co.Contacts = append(co.Contacts, wire.Contact{Role: ct.Role, Name: ct.Name, Email: ct.Email})
	}
	return append(out, co), nil
}

// draftFromTree converts a draft resource tree, joining every plan with
// the price-and-availability-plan that names it.
func draftFromTree(op, productID string, tree *wire.ResourceTree) (*pc.Draft, error) {
	d := &pc.Draft{}
	var plans []wire.Resource
	// A price names its plan by the plan's durable ID, whichever form the
	// server gave it: the plan resource's id, or PlanRef of its externalId.
	pricesByRef, pricesByPlanID := map[string]wire.Resource{}, map[string]wire.Resource{}
	var seenListing, seenReseller, seenCoSell bool
	for _, r := range tree.Resources {
		switch wire.KindOf(r.Schema) {
		case wire.KindListing:
			if seenListing && r.LanguageID != listingLanguage {
				continue
			}
			seenListing = true
			d.Listing = pc.Listing{Title: r.Title, Summary: r.Summary, ShortDescription: r.ShortDescription,
				Description: r.Description, PrivacyPolicyURL: r.PrivacyPolicyLink, SupportURL: r.SupportLink,
				Keywords: slices.Clone(r.Keywords)}
		case wire.KindPlan:
			if r.Identity == nil || r.Identity.ExternalID == "" {
				return nil, contractError(op, "plan %q of product %s without identity.externalId", r.ID, productID)
			}
			plans = append(plans, r)
		case wire.KindPriceAndAvail:
			pricesByRef[r.Plan] = r
			if _, planID, ok := wire.ParsePlanRef(r.Plan); ok {
				pricesByPlanID[planID] = r
			}
		case wire.KindReseller:
			if seenReseller {
				continue
			}
			seenReseller = true
			d.Resell = pc.Resell{Policy: resellFromWire(r.ResellerChannelState), PartnerIDs: slices.Clone(r.PartnerIDs)}
		case wire.KindCoSellListing:
			if seenCoSell {
				continue
			}
			seenCoSell = true
			d.CoSell = pc.CoSellListing{SolutionType: r.SolutionType, SolutionAreas: slices.Clone(r.SolutionAreas),
				Industries: slices.Clone(r.Industries), LandingPageURL: r.LandingPageLink}
			for _, doc := range r.Documents {
				d.CoSell.Documents = append(d.CoSell.Documents, pc.Document{Type: doc.Type, URL: doc.URL})
			}
			for _, ct := range r.Contacts {
				d.CoSell.Contacts = append(d.CoSell.Contacts, pc.Contact{Role: ct.Role, Name: ct.Name, Email: ct.Email})
			}
		}
	}
	for _, r := range plans {
		id := r.Identity.ExternalID
		p := pc.Plan{ID: id, Name: r.Alias, Description: r.Description}
		var price wire.Resource
		ok := false
		if r.ID != "" {
			price, ok = pricesByRef[r.ID]
		}
		if !ok {
			price, ok = pricesByPlanID[id]
		}
		if ok {
			p.Markets = slices.Clone(price.Markets)
			if price.Pricing != nil {
				// A model this operator has no name for is kept as is: the
				// draft then differs from the spec, which is written again.
				p.Pricing = cmp.Or(wire.PricingModelFromWire(price.Pricing.Model), price.Pricing.Model)
				p.Price = price.Pricing.Price
			}
		}
		d.Plans = append(d.Plans, p)
	}
	normalize(d)
	return d, nil
}

// normalize puts a draft in the controllers' normal form.
func normalize(d *pc.Draft) {
	d.Listing.Keywords = sortedSet(d.Listing.Keywords)
	for i := range d.Plans {
		d.Plans[i].Markets = sortedSet(d.Plans[i].Markets)
	}
	d.Plans = sortedBy(d.Plans, func(a, b pc.Plan) int { return cmp.Compare(a.ID, b.ID) })
	cs := &d.CoSell
	cs.SolutionAreas = sortedSet(cs.SolutionAreas)
	cs.Industries = sortedSet(cs.Industries)
	cs.Documents = sortedBy(cs.Documents, func(a, b pc.Document) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.URL, b.URL))
	})
	cs.Contacts = sortedBy(cs.Contacts, func(a, b pc.Contact) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Email, b.Email), cmp.Compare(a.Name, b.Name))
	})
	if d.Resell.Policy == "" {
		d.Resell.Policy = resellNone
	}
	d.Resell.PartnerIDs = sortedSet(d.Resell.PartnerIDs)
}

func sortedSet(s []string) []string {
	return sortedBy(s, cmp.Compare[string])
}

func sortedBy[T any](s []T, less func(a, b T) int) []T {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.SortStableFunc(s, less)
	return s
}

// Resell policies of the port.
const (
	resellNone     = "None"
	resellAll      = "All"
	resellSpecific = "Specific"
)

func resellToWire(op, policy string) (string, error) {
	switch policy {
	case resellNone, "":
		return wire.ResellerDisabled, nil
	case resellAll:
		return wire.ResellerEnabled, nil
	case resellSpecific:
		return wire.ResellerSomeResellers, nil
	}
	return "", invalidRequest(op, "resell policy %q is not one of None, All, Specific", policy)
}

// resellFromWire keeps a state of no known meaning as is, like pricing.
func resellFromWire(state string) string {
	switch state {
	case wire.ResellerDisabled, "":
		return resellNone
	case wire.ResellerEnabled:
		return resellAll
	case wire.ResellerSomeResellers:
		return resellSpecific
	}
	return state
}

package ingestion

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// listingLanguage is the language of the one listing the operator manages.
const listingLanguage = "en-us"

// ConfigureDraft implements pc.Client. It sends, in one configure request,
// what Microsoft publishes a shape for, for the offer type (see
// wire.OfferTypes): the listing; each plan with its plan-listing and
// price-and-availability-plan, referenced by resourceName; the reseller
// configuration. Everything else is listed in the job's Unwritten, never
// sent under an invented name. It does not wait for the job.
func (c *Client) ConfigureDraft(ctx context.Context, productID, spec string, d pc.Draft) (*pc.Job, error) {
	const op = "ConfigureDraft"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	t, err := offerType(op, spec)
	if err != nil {
		return nil, err
	}
	if t.SubmissionAPI {
		return c.configureSubmissionDraft(ctx, op, productID, t, d)
	}
	// Existing resources are updated by their durable IDs: read the draft
	// first, as the SaaS page asks before any update.
	var tree *wire.ResourceTree
	var existing *Existing
	if t.ListingKind != "" {
		if tree, err = c.draftTree(ctx, op, productID); err != nil {
			return nil, err
		}
		if existing, err = ExistingOf(op, tree); err != nil {
			return nil, err
		}
	}
	resources, unwritten, err := DraftResources(t, productID, d, existing)
	if err != nil {
		return nil, invalidRequest(op, "%v", err)
	}
	done := &pc.Job{Status: pc.JobCompleted, Result: pc.JobSucceeded, Unwritten: unwritten}
	if len(resources) == 0 {
		return done, nil
	}
	if tree != nil {
		// POST configure is not idempotent: a draft that holds what
		// would be sent (written before, perhaps by a request whose
		// answer was lost) is not written again.
		same, err := holds(op, tree, resources)
		if err != nil || same {
			return done, err
		}
	}
	job, err := c.configure(ctx, op, c.draftHolds(op, productID, resources, done), resources...)
	if err != nil {
		return nil, err
	}
	job.Unwritten = unwritten
	return job, nil
}

// draftHolds is the effect of a draft write: the draft read again holds
// what was sent.
func (c *Client) draftHolds(op, productID string, resources []any, done *pc.Job) effect {
	return func(ctx context.Context) (bool, *pc.Job, error) {
		tree, err := c.draftTree(ctx, op, productID)
		if err != nil {
			return false, nil, err
		}
		same, err := holds(op, tree, resources)
		return same, done, err
	}
}

// draftTree reads a product's draft resource tree.
func (c *Client) draftTree(ctx context.Context, op, productID string) (*wire.ResourceTree, error) {
	var tree wire.ResourceTree
	u := c.endpoint(url.Values{"targetType": {wire.TargetDraft}}, "resource-tree", "product", productID)
	if err := c.do(ctx, op, http.MethodGet, u, nil, &tree); err != nil {
		return nil, err
	}
	return &tree, nil
}

// holds reports whether a draft tree already holds what resources would
// write: both read the same way (DraftFromTree), the draft's plans limited
// to those written.
func holds(op string, tree *wire.ResourceTree, resources []any) (bool, error) {
	sent := &wire.ResourceTree{Root: tree.Root}
	for _, r := range resources {
		raw, err := json.Marshal(r)
		if err != nil {
			return false, &pc.Error{Class: pc.ClassTerminal, Op: op, Message: "encoding the request: " + err.Error(), Err: err}
		}
		sent.Resources = append(sent.Resources, raw)
	}
	want, err := DraftFromTree(op, sent)
	if err != nil {
		return false, err
	}
	have, err := DraftFromTree(op, tree)
	if err != nil {
		return false, err
	}
	have.Plans = slices.DeleteFunc(have.Plans, func(p pc.Plan) bool {
		return !slices.ContainsFunc(want.Plans, func(w pc.Plan) bool { return w.ID == p.ID })
	})
	if len(have.Plans) == 0 {
		have.Plans = nil
	}
	return reflect.DeepEqual(want, have), nil
}

func unwritten(field, why string) pc.FeedbackItem {
	return pc.FeedbackItem{Code: pc.CodeNotSupported, Resource: field, Message: why}
}

// Existing are the durable IDs of a product's draft resources the
// operator writes: an existing resource is updated by its ID (a plan sent
// again by its externalId alone would be a second plan).
type Existing struct {
	// Plans maps a plan's externalId to its durable ID.
	Plans map[string]string
	// Listing is the durable ID of the en-us listing.
	Listing string
	// PlanListings and Prices map a plan's durable ID to the durable ID of
	// its en-us plan-listing and its price-and-availability-plan.
	PlanListings, Prices map[string]string
	// Reseller is the durable ID of the reseller resource.
	Reseller string
}

// ExistingOf collects the durable IDs of a draft resource tree.
func ExistingOf(op string, tree *wire.ResourceTree) (*Existing, error) {
	e := &Existing{Plans: map[string]string{}, PlanListings: map[string]string{}, Prices: map[string]string{}}
	byExternal := map[string]string{}
	var listings, prices []planned
	for _, raw := range tree.Resources {
		var h wire.Head
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, contractError(op, "resource tree of %s holds a resource that is not an object: %v", tree.Root, err)
		}
		if h.ID == "" {
			continue
		}
		var ref struct {
			Plan           wire.Reference `json:"plan"`
			LanguageID     string         `json:"languageId"`
			LifecycleState string         `json:"lifecycleState"`
		}
		if err := json.Unmarshal(raw, &ref); err != nil {
			return nil, contractError(op, "%s resource %q of %s: %v", h.Kind(), h.ID, tree.Root, err)
		}
		switch h.Kind() {
		case wire.KindPlan:
			if h.Identity != nil && h.Identity.ExternalID != "" && ref.LifecycleState != wire.LifecycleDeleted {
				e.Plans[h.Identity.ExternalID] = h.ID
				byExternal[h.Identity.ExternalID] = h.ID
			}
		case wire.KindListing:
			if strings.EqualFold(ref.LanguageID, listingLanguage) {
				e.Listing = h.ID
			}
		case wire.KindPlanListing:
			if strings.EqualFold(ref.LanguageID, listingLanguage) {
				listings = append(listings, planned{h.ID, ref.Plan})
			}
		case wire.KindPriceAndAvailabilityPlan:
			prices = append(prices, planned{h.ID, ref.Plan})
		case wire.KindReseller:
			e.Reseller = h.ID
		}
	}
	byPlan(e.PlanListings, byExternal, listings)
	byPlan(e.Prices, byExternal, prices)
	return e, nil
}

// planned is a plan-level resource of a draft: its durable ID and its
// reference to its plan.
type planned struct {
	id  string
	ref wire.Reference
}

// byPlan maps the durable ID of each plan of resources (referenced by
// durable ID, or by external ID through byExternal) to the resource's.
func byPlan(out, byExternal map[string]string, resources []planned) {
	for _, r := range resources {
		id := r.ref.DurableID
		if id == "" {
			id = byExternal[r.ref.ExternalID]
		}
		if id != "" {
			out[id] = r.id
		}
	}
}

// DraftResources converts a draft to the configure resources of offer type
// t, and lists what has no published place. Resources in existing (nil for
// a product without a draft yet) are updated by their durable IDs; new
// plans are created with a resourceName the others reference. It is
// exported for the conformance tests and the fake.
func DraftResources(t wire.OfferType, productID string, d pc.Draft, existing *Existing) ([]any, []pc.FeedbackItem, error) {
	if existing == nil {
		existing = &Existing{}
	}
	b := &draftResources{t: t, product: wire.DurableRef(wire.ProductRef(productID)), existing: existing}
	b.listing(d.Listing)
	for _, p := range d.Plans {
		if err := b.plan(p); err != nil {
			return nil, nil, err
		}
	}
	if err := b.reseller(d.Resell); err != nil {
		return nil, nil, err
	}
	return b.out, b.skipped, nil
}

// draftResources collects the configure resources of a draft for offer
// type t (out) and what has no published place (skipped).
type draftResources struct {
	t        wire.OfferType
	product  wire.Reference
	existing *Existing
	out      []any
	skipped  []pc.FeedbackItem
}

// unwritten lists field as not written, for why.
func (b *draftResources) unwritten(field, why string) {
	b.skipped = append(b.skipped, unwritten(field, why))
}

// noPlace lists field as not written: Microsoft publishes no what for the
// offer type.
func (b *draftResources) noPlace(field, what string) {
	b.unwritten(field, fmt.Sprintf("Microsoft publishes no %s for %s offers; set it in Partner Center", what, b.t.Spec))
}

// listing adds the en-us listing, when the offer type has one.
func (b *draftResources) listing(l pc.Listing) {
	if b.t.ListingKind == "" {
		if l.Title != "" || l.Summary != "" || l.ShortDescription != "" || l.Description != "" || l.PrivacyPolicyURL != "" || l.SupportURL != "" || len(l.Keywords) > 0 {
			b.noPlace("spec.listing", "listing resource shape through the Product Ingestion API")
		}
		return
	}
	b.out = append(b.out, wire.Listing{
		Schema: wire.Schema(wire.KindListing, b.t.ListingVersion), ID: b.existing.Listing, Product: b.product,
		Kind: b.t.ListingKind, LanguageID: listingLanguage,
		Title: l.Title, SearchResultSummary: l.Summary, ShortDescription: l.ShortDescription,
		Description: l.Description, PrivacyPolicyLink: l.PrivacyPolicyURL, GlobalSupportWebsite: l.SupportURL,
	})
	if len(l.Keywords) > 0 {
		b.unwritten("spec.listing.keywords", "the published listing schema has no search keywords; set them in Partner Center")
	}
}

// plan adds a plan with its en-us plan-listing and its
// price-and-availability-plan, when the offer type has plans. An existing
// plan is updated by its durable ID; a new one is created with its ID as
// resourceName, which the other two reference.
func (b *draftResources) plan(p pc.Plan) error {
	if p.ID == "" {
		return fmt.Errorf("a plan has no ID")
	}
	if !b.t.Plans {
		b.noPlace("spec.plans["+p.ID+"]", "plan resources")
		return nil
	}
	plan := wire.Plan{Schema: wire.SchemaOf(wire.KindPlan), Product: b.product,
		Identity: wire.Identity{ExternalID: p.ID}, Alias: p.Name}
	ref := wire.NameRef(p.ID)
	if id := b.existing.Plans[p.ID]; id != "" {
		plan.ID, ref = id, wire.DurableRef(id)
	} else {
		plan.ResourceName = p.ID
	}
	price, err := b.price(p, plan.ID, ref)
	if err != nil {
		return err
	}
	b.out = append(b.out, plan,
		wire.PlanListing{Schema: wire.Schema(wire.KindPlanListing, b.t.PlanListingVersion), ID: b.existing.PlanListings[plan.ID],
			Product: b.product, Plan: ref, Kind: b.t.PlanListingKind, LanguageID: listingLanguage, Name: p.Name, Description: p.Description},
		price)
	return nil
}

// price is the price-and-availability-plan of plan p (durable ID planID,
// referenced as ref): its markets and the pricing the offer type
// publishes.
func (b *draftResources) price(p pc.Plan, planID string, ref wire.Reference) (wire.PriceAndAvailabilityPlan, error) {
	price := wire.PriceAndAvailabilityPlan{Schema: wire.Schema(wire.KindPriceAndAvailabilityPlan, b.t.PriceVersion),
		ID: b.existing.Prices[planID], Product: b.product, Plan: ref, Visibility: "visible", Audience: "public"}
	for _, m := range p.Markets {
		price.Markets = append(price.Markets, strings.ToLower(m))
	}
	pricing, why, err := pricingToWire(b.t, p)
	if err != nil {
		return price, err
	}
	if why != "" {
		b.unwritten("spec.plans["+p.ID+"].pricing", why)
	}
	price.Pricing = pricing
	return price, nil
}

// reseller adds the reseller configuration, when the offer type has one
// and the policy has a published place.
func (b *draftResources) reseller(r pc.Resell) error {
	switch {
	case !b.t.Reseller:
		if r.Policy != "" && r.Policy != resellNone {
			b.noPlace("spec.resell", "reseller configuration")
		}
	case r.Policy == resellSpecific:
		b.unwritten("spec.resell",
			"the published reseller schema has no place for CSP partner IDs (its audiences are subscriptions); choose the resellers in Partner Center")
	default:
		state, err := resellToWire(r.Policy)
		if err != nil {
			return err
		}
		b.out = append(b.out, wire.Reseller{Schema: wire.SchemaOf(wire.KindReseller), ID: b.existing.Reseller, Product: b.product,
			ResellerChannelState: state, Audiences: []wire.ResellerAudience{}})
	}
	return nil
}

// Pricing models of the port.
const (
	pricingFree     = "Free"
	pricingFlatRate = "FlatRate"
	pricingPerUser  = "PerUser"
	pricingBYOL     = "BYOL"
	pricingContact  = "Contact"
)

// pricingToWire maps a plan's pricing to the published pricing of the offer
// type; why says what could not be written.
func pricingToWire(t wire.OfferType, p pc.Plan) (*wire.Pricing, string, error) {
	if p.Pricing == "" {
		return nil, "", nil
	}
	switch p.Pricing {
	case pricingFree, pricingFlatRate, pricingPerUser, pricingBYOL, pricingContact:
	default:
		return nil, "", fmt.Errorf("plan %s: pricing %q is not one of Free, FlatRate, PerUser, BYOL, Contact", p.ID, p.Pricing)
	}
	var price float64
	if p.Pricing == pricingFlatRate || p.Pricing == pricingPerUser {
		v, err := strconv.ParseFloat(p.Price, 64)
		if err != nil || v < 0 {
			return nil, "", fmt.Errorf("plan %s: price %q is not an amount in US dollars", p.ID, p.Price)
		}
		price = v
	}
	notPublished := fmt.Sprintf("Microsoft publishes no %s pricing for %s plans; set the plan's pricing in Partner Center", p.Pricing, t.Spec)
	switch t.Pricing {
	case "vm": // price-and-availability-plan 2022-03-01-preview2 schema
		switch p.Pricing {
		case pricingBYOL:
			return &wire.Pricing{LicenseModel: "byol"}, "", nil
		case pricingFree:
			return &wire.Pricing{LicenseModel: "payAsYouGo", CorePricing: &wire.CorePricing{PriceInputOption: "free"}}, "", nil
		case pricingFlatRate:
			return &wire.Pricing{LicenseModel: "payAsYouGo", CorePricing: &wire.CorePricing{PriceInputOption: "flat", Price: &price}}, "", nil
		}
	case "saas": // recurrentPrice, documented at 2022-03-01-preview4
		mode := map[string]string{pricingFlatRate: "flatRate", pricingPerUser: "perUser"}[p.Pricing]
		if mode != "" {
			month := wire.Term{Type: "month", Value: 1}
			return &wire.Pricing{RecurrentPrice: &wire.RecurrentPrice{RecurrentPriceMode: mode, PriceInputOption: "usd",
				Prices: []wire.Price{{BillingTerm: month, PaymentOption: month, PricePerPaymentInUsd: price}}}}, "", nil
		}
	}
	return nil, notPublished, nil
}

// pricingFromWire is the port's pricing model and price of a published
// pricing, or "" when it maps to none.
func pricingFromWire(w *wire.Pricing) (model, price string) {
	switch {
	case w == nil:
		return "", ""
	case w.LicenseModel == "byol":
		return pricingBYOL, ""
	case w.CorePricing != nil && w.CorePricing.PriceInputOption == "free":
		return pricingFree, ""
	case w.CorePricing != nil && w.CorePricing.PriceInputOption == "flat" && w.CorePricing.Price != nil:
		return pricingFlatRate, formatPrice(*w.CorePricing.Price)
	case w.RecurrentPrice != nil && len(w.RecurrentPrice.Prices) > 0:
		m := map[string]string{"flatRate": pricingFlatRate, "perUser": pricingPerUser}[w.RecurrentPrice.RecurrentPriceMode]
		if m != "" {
			return m, formatPrice(w.RecurrentPrice.Prices[0].PricePerPaymentInUsd)
		}
	}
	return "", ""
}

func formatPrice(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// GetDraft implements pc.Client: GET resource-tree/product/{id}?targetType=draft,
// read by kind whatever the $schema's host and version.
func (c *Client) GetDraft(ctx context.Context, productID string) (*pc.Draft, error) {
	const op = "GetDraft"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	tree, err := c.draftTree(ctx, op, productID)
	if err != nil {
		return nil, err
	}
	d, err := DraftFromTree(op, tree)
	if err != nil {
		return nil, err
	}
	return c.withSubmissionDraft(ctx, op, productID, tree, d)
}

// DraftFromTree converts a draft resource tree, joining each plan with the
// plan-listing and price-and-availability-plan that reference it (by the
// plan's durable ID or external ID).
func DraftFromTree(op string, tree *wire.ResourceTree) (*pc.Draft, error) {
	d := &pc.Draft{}
	var plans []wire.Plan
	var listings []wire.PlanListing
	var prices []wire.PriceAndAvailabilityPlan
	seenListing := false
	for _, raw := range tree.Resources {
		var h wire.Head
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, contractError(op, "resource tree of %s holds a resource that is not an object: %v", tree.Root, err)
		}
		var err error
		switch h.Kind() {
		case wire.KindListing:
			var l wire.Listing
			if err = json.Unmarshal(raw, &l); err == nil && (!seenListing || strings.EqualFold(l.LanguageID, listingLanguage)) {
				seenListing = true
				d.Listing = pc.Listing{Title: l.Title, Summary: l.SearchResultSummary, ShortDescription: l.ShortDescription,
					Description: l.Description, PrivacyPolicyURL: l.PrivacyPolicyLink, SupportURL: l.GlobalSupportWebsite}
			}
		case wire.KindPlan:
			var p wire.Plan
			if err = json.Unmarshal(raw, &p); err == nil {
				if p.Identity.ExternalID == "" {
					return nil, contractError(op, "plan %q without identity.externalId", p.ID)
				}
				if p.LifecycleState != wire.LifecycleDeleted {
					plans = append(plans, p)
				}
			}
		case wire.KindPlanListing:
			var pl wire.PlanListing
			if err = json.Unmarshal(raw, &pl); err == nil {
				listings = append(listings, pl)
			}
		case wire.KindPriceAndAvailabilityPlan:
			var pr wire.PriceAndAvailabilityPlan
			if err = json.Unmarshal(raw, &pr); err == nil {
				prices = append(prices, pr)
			}
		case wire.KindReseller:
			var r wire.Reseller
			if err = json.Unmarshal(raw, &r); err == nil {
				d.Resell = pc.Resell{Policy: resellFromWire(r.ResellerChannelState)}
			}
		}
		if err != nil {
			return nil, contractError(op, "%s resource %q of %s: %v", h.Kind(), h.ID, tree.Root, err)
		}
	}
	d.Plans = joinPlans(plans, listings, prices)
	normalize(d)
	return d, nil
}

// joinPlans joins each plan with the plan-listing (the en-us one first)
// and the price-and-availability-plan that reference it, by its durable
// ID or external ID, or by resourceName within one request's resources
// (holds reads those as a tree).
func joinPlans(plans []wire.Plan, listings []wire.PlanListing, prices []wire.PriceAndAvailabilityPlan) []pc.Plan {
	refersTo := func(ref wire.Reference, p wire.Plan) bool {
		return (ref.DurableID != "" && ref.DurableID == p.ID) || (ref.ExternalID != "" && ref.ExternalID == p.Identity.ExternalID) ||
			(ref.ResourceName != "" && ref.ResourceName == p.ResourceName)
	}
	var out []pc.Plan
	for _, p := range plans {
		plan := pc.Plan{ID: p.Identity.ExternalID, Name: p.Alias}
		for _, pl := range listings {
			if refersTo(pl.Plan, p) && (plan.Description == "" || strings.EqualFold(pl.LanguageID, listingLanguage)) {
				plan.Description = pl.Description
				plan.Name = cmp.Or(pl.Name, plan.Name)
			}
		}
		for _, pr := range prices {
			if refersTo(pr.Plan, p) {
				for _, m := range pr.Markets {
					plan.Markets = append(plan.Markets, strings.ToUpper(m))
				}
				plan.Pricing, plan.Price = pricingFromWire(pr.Pricing)
			}
		}
		out = append(out, plan)
	}
	return out
}

// normalize puts a draft in the controllers' normal form.
func normalize(d *pc.Draft) {
	d.Listing.Keywords = sortedSet(d.Listing.Keywords)
	for i := range d.Plans {
		d.Plans[i].Markets = sortedSet(d.Plans[i].Markets)
	}
	d.Plans = sortedBy(d.Plans, func(a, b pc.Plan) int { return cmp.Compare(a.ID, b.ID) })
	if d.Resell.Policy == "" {
		d.Resell.Policy = resellNone
	}
	d.Resell.PartnerIDs = sortedSet(d.Resell.PartnerIDs)
}

func sortedSet(s []string) []string {
	return slices.Compact(sortedBy(s, cmp.Compare[string]))
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

func resellToWire(policy string) (string, error) {
	switch policy {
	case resellNone, "":
		return wire.ResellerNone, nil
	case resellAll:
		return wire.ResellerAll, nil
	}
	return "", fmt.Errorf("resell policy %q is not one of None, All, Specific", policy)
}

// resellFromWire keeps a state of no known meaning as is.
func resellFromWire(state string) string {
	switch state {
	case wire.ResellerNone, wire.ResellerNotSet, wire.ResellerTerminated, "":
		return resellNone
	case wire.ResellerAll:
		return resellAll
	case wire.ResellerSome:
		return resellSpecific
	}
	return state
}

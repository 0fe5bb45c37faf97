package ingestion

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Azure Application offers: the listing and the plans go through the
// submission API (wire/submission.go), as Microsoft's client writes them
// (recordings test_managed_app_creation.yaml and
// test_solution_template_creation.yaml): the offer's listing is the Listing
// branch without a variantID, each plan is a variant whose own listing
// (title, description) is the Listing branch naming it. The writes are
// synchronous: ConfigureDraft comes back with a completed job without an
// ID. The product itself is the Product Ingestion product (same ID).

// configureSubmissionDraft writes the listing and the plans of d, sending
// only what differs from what Partner Center holds.
func (c *Client) configureSubmissionDraft(ctx context.Context, op, productID string, t wire.OfferType, d pc.Draft) (*pc.Job, error) {
	branches, err := c.subBranches(ctx, op, productID, wire.ListingModule)
	if err != nil {
		return nil, err
	}
	offer, err := listingBranch(op, productID, branches, "")
	if err != nil {
		return nil, err
	}
	l := d.Listing
	want := listingFields{title: &l.Title, summary: &l.Summary, shortDescription: &l.ShortDescription,
		description: &l.Description, keywords: sortedSet(l.Keywords), setKeywords: true}
	if err := c.syncListing(ctx, op, productID, offer.CurrentDraftInstanceID, want); err != nil {
		return nil, err
	}
	if len(d.Plans) > 0 {
		if err := c.syncVariants(ctx, op, productID, branches, d.Plans); err != nil {
			return nil, err
		}
	}
	return &pc.Job{Status: pc.JobCompleted, Result: pc.JobSucceeded, Unwritten: submissionUnwritten(t, d)}, nil
}

// syncVariants creates the plans Partner Center lacks, then writes each
// plan's listing (title and description).
func (c *Client) syncVariants(ctx context.Context, op, productID string, branches []wire.Branch, plans []pc.Plan) error {
	variants, err := c.subVariants(ctx, op, productID)
	if err != nil {
		return err
	}
	byExternal := map[string]string{}
	for _, v := range variants {
		byExternal[v.ExternalID] = v.ID
	}
	created := false
	for _, p := range plans {
		if p.ID == "" {
			return invalidRequest(op, "a plan has no ID")
		}
		if byExternal[p.ID] != "" {
			continue
		}
		v, err := c.createVariant(ctx, op, productID, wire.NewVariant{FriendlyName: cmp.Or(p.Name, p.ID), ExternalID: p.ID})
		if err != nil {
			return err
		}
		byExternal[p.ID], created = v.ID, true
	}
	if created || !hasBranches(branches, plans, byExternal) {
		// A new plan's listing branch exists once the plan does.
		if branches, err = c.subBranches(ctx, op, productID, wire.ListingModule); err != nil {
			return err
		}
	}
	for _, p := range plans {
		b, err := listingBranch(op, productID, branches, byExternal[p.ID])
		if err != nil {
			return err
		}
		want := listingFields{description: &p.Description}
		if p.Name != "" {
			want.title = &p.Name
		}
		if err := c.syncListing(ctx, op, productID, b.CurrentDraftInstanceID, want); err != nil {
			return err
		}
	}
	return nil
}

// hasBranches reports whether branches hold the listing branch of every plan.
func hasBranches(branches []wire.Branch, plans []pc.Plan, byExternal map[string]string) bool {
	for _, p := range plans {
		if !slices.ContainsFunc(branches, func(b wire.Branch) bool { return b.VariantID == byExternal[p.ID] }) {
			return false
		}
	}
	return true
}

// listingBranch is the Listing branch of a plan (variantID), or of the
// offer (""), preferring the Main branch.
func listingBranch(op, productID string, branches []wire.Branch, variantID string) (*wire.Branch, error) {
	var pick *wire.Branch
	for i := range branches {
		b := &branches[i]
		if b.VariantID != variantID || b.CurrentDraftInstanceID == "" {
			continue
		}
		if pick == nil || (b.Type == "Main" && pick.Type != "Main") {
			pick = b
		}
	}
	if pick == nil {
		what := "the offer"
		if variantID != "" {
			what = "plan " + variantID
		}
		return nil, &pc.Error{Class: pc.ClassNotFound, Op: op,
			Message: fmt.Sprintf("product %s has no Listing branch for %s in the submission API", productID, what)}
	}
	return pick, nil
}

// listingFields are the listing properties the operator writes; nil
// leaves a property as Partner Center holds it.
type listingFields struct {
	title, summary, shortDescription, description *string
	keywords                                      []string
	setKeywords                                   bool
}

// syncListing reads a draft instance's listing and writes it back, whole,
// when a wanted field differs.
func (c *Client) syncListing(ctx context.Context, op, productID, instanceID string, want listingFields) error {
	obj, cur, err := c.subListing(ctx, op, productID, instanceID)
	if err != nil {
		return err
	}
	changed := false
	set := func(key string, want *string, have string) {
		if want != nil && *want != have {
			obj[key], changed = *want, true
		}
	}
	set("title", want.title, cur.Title)
	set("summary", want.summary, cur.Summary)
	set("shortDescription", want.shortDescription, cur.ShortDescription)
	set("description", want.description, cur.Description)
	if want.setKeywords && !slices.Equal(want.keywords, sortedSet(cur.Keywords)) {
		obj["keywords"], changed = append([]string{}, want.keywords...), true
	}
	if !changed {
		return nil
	}
	return c.putListing(ctx, op, productID, cur.ID, obj)
}

// submissionUnwritten lists what of d the submission API cannot take.
func submissionUnwritten(t wire.OfferType, d pc.Draft) []pc.FeedbackItem {
	var out []pc.FeedbackItem
	if d.Listing.PrivacyPolicyURL != "" || d.Listing.SupportURL != "" {
		out = append(out, unwritten("spec.listing",
			"the submission API's AzureListing holds links and contacts (listingUris, listingContacts), but Microsoft publishes no type values naming a privacy policy or a support website; set them in Partner Center's Offer listing tab"))
	}
	for _, p := range d.Plans {
		field := "spec.plans[" + p.ID + "]"
		if p.Pricing != "" || len(p.Markets) > 0 {
			out = append(out, unwritten(field+".pricing",
				fmt.Sprintf("the submission API's plans (AzureSkuVariant) have no price or market for %s offers; set the plan's pricing and availability in Partner Center", t.Spec)))
		}
		out = append(out, unwritten(field,
			"a plan's technical configuration is a package file upload, which the operator does not make; and a plan the operator creates is a solution template (Partner Center's default, without SubType): upload the package, or create a managed application plan, in Partner Center"))
	}
	if r := d.Resell.Policy; r != "" && r != resellNone {
		out = append(out, unwritten("spec.resell",
			fmt.Sprintf("Microsoft publishes no reseller configuration for %s offers through these APIs; set it in Partner Center", t.Spec)))
	}
	return out
}

// SubmissionWritten is what ConfigureDraft writes of d through the
// submission API (what GetDraft then reads back), and what it reports
// unwritten; package fake keeps drafts with it.
func SubmissionWritten(t wire.OfferType, d pc.Draft) (pc.Draft, []pc.FeedbackItem) {
	l := d.Listing
	out := pc.Draft{Listing: pc.Listing{Title: l.Title, Summary: l.Summary, ShortDescription: l.ShortDescription,
		Description: l.Description, Keywords: l.Keywords}}
	for _, p := range d.Plans {
		out.Plans = append(out.Plans, pc.Plan{ID: p.ID, Name: cmp.Or(p.Name, p.ID), Description: p.Description})
	}
	normalize(&out)
	return out, submissionUnwritten(t, d)
}

// submissionDraft reads an Azure Application's listing and plans from the
// submission API into d (GetDraft): what ConfigureDraft writes comes back
// the same, so the next reconcile writes nothing.
func (c *Client) submissionDraft(ctx context.Context, op, productID string, d *pc.Draft) error {
	branches, err := c.subBranches(ctx, op, productID, wire.ListingModule)
	if err != nil {
		return err
	}
	offer, err := listingBranch(op, productID, branches, "")
	if err != nil {
		return err
	}
	_, l, err := c.subListing(ctx, op, productID, offer.CurrentDraftInstanceID)
	if err != nil {
		return err
	}
	d.Listing = pc.Listing{Title: l.Title, Summary: l.Summary, ShortDescription: l.ShortDescription,
		Description: l.Description, Keywords: l.Keywords}
	variants, err := c.subVariants(ctx, op, productID)
	if err != nil {
		return err
	}
	d.Plans = nil
	for _, v := range variants {
		plan := pc.Plan{ID: v.ExternalID, Name: v.FriendlyName}
		if b, err := listingBranch(op, productID, branches, v.ID); err == nil {
			_, pl, err := c.subListing(ctx, op, productID, b.CurrentDraftInstanceID)
			if err != nil {
				return err
			}
			plan.Name, plan.Description = cmp.Or(pl.Title, plan.Name), pl.Description
		}
		d.Plans = append(d.Plans, plan)
	}
	normalize(d)
	return nil
}

// treeProductType is the product type of a resource tree's product
// resource, or "".
func treeProductType(tree *wire.ResourceTree) string {
	for _, raw := range tree.Resources {
		var p struct {
			wire.Head
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &p) == nil && p.Kind() == wire.KindProduct {
			return p.Type
		}
	}
	return ""
}

// withSubmissionDraft completes a draft read from the Product Ingestion
// API with what the submission API holds, for the offer types written
// there.
func (c *Client) withSubmissionDraft(ctx context.Context, op, productID string, tree *wire.ResourceTree, d *pc.Draft) (*pc.Draft, error) {
	t, ok := wire.LookupOfferType(wire.OfferTypeFromProduct(treeProductType(tree)))
	if !ok || !t.SubmissionAPI {
		return d, nil
	}
	if err := c.submissionDraft(ctx, op, productID, d); err != nil {
		return nil, err
	}
	return d, nil
}

package ingestion

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// ConfigureCoSell implements pc.Client through the Partner Ingestion API's
// cosellListing (package wire, cosell.go): find the product by its offer
// ID, find the co-sell branch's draft instance, read the co-sell listing,
// and PUT it back with the solution areas and contacts of cs, keeping
// everything else as read. The token is requested for wire.CoSellScope.
func (c *Client) ConfigureCoSell(ctx context.Context, offerID, offerTypeName string, cs pc.CoSellListing) ([]pc.FeedbackItem, error) {
	const op = "ConfigureCoSell"
	if err := checkID(op, "offer", offerID); err != nil {
		return nil, err
	}
	t, err := offerType(op, offerTypeName)
	if err != nil {
		return nil, err
	}
	if t.CoSell == "" {
		return nil, &pc.Error{Class: pc.ClassUnsupported, Op: op, Code: pc.CodeNotSupported,
			Message: fmt.Sprintf("the Partner Ingestion API does not serve %s offers and no other published API writes the co-sell tab; fill in the offer's Co-sell tab in Partner Center", t.Spec)}
	}
	productID, err := c.coSellProduct(ctx, op, offerID)
	if err != nil {
		return nil, err
	}
	instanceID, err := c.coSellInstance(ctx, op, productID)
	if err != nil {
		return nil, err
	}
	listing, err := c.coSellListing(ctx, op, productID, instanceID)
	if err != nil {
		return nil, err
	}
	areas, contacts := CoSellFields(cs)
	listing["solutionAreas"] = areas
	listing["contacts"] = contacts
	u := join(c.cosell, nil, "products", productID, "cosellListing", instanceID)
	if err := c.doScoped(ctx, wire.CoSellScope, op, http.MethodPut, u, listing, nil); err != nil {
		return nil, err
	}
	return CoSellUnwritten(cs), nil
}

// CoSellFields are the swagger's solutionAreas and contacts of cs, sorted.
func CoSellFields(cs pc.CoSellListing) ([]wire.SolutionArea, []wire.CoSellContact) {
	areas := []wire.SolutionArea{}
	for _, a := range sortedSet(cs.SolutionAreas) {
		areas = append(areas, wire.SolutionArea{Area: a, SubAreas: []string{}})
	}
	contacts := []wire.CoSellContact{}
	for _, ct := range sortedBy(cs.Contacts, func(a, b pc.Contact) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Email, b.Email), cmp.Compare(a.Name, b.Name))
	}) {
		contacts = append(contacts, wire.CoSellContact{Name: ct.Name, Email: ct.Email, Role: ct.Role})
	}
	return areas, contacts
}

// CoSellUnwritten lists what of cs the swagger has no field for.
func CoSellUnwritten(cs pc.CoSellListing) []pc.FeedbackItem {
	var out []pc.FeedbackItem
	if cs.SolutionType != "" {
		out = append(out, unwritten("spec.coSell.solutionType",
			"the Partner Ingestion API's cosellListing publishes no values for the solution type; set it in Partner Center's Co-sell tab"))
	}
	if len(cs.Industries) > 0 {
		out = append(out, unwritten("spec.coSell.industries",
			"the Partner Ingestion API's cosellListing has no industries field; set them in Partner Center's Co-sell tab"))
	}
	if cs.LandingPageURL != "" {
		out = append(out, unwritten("spec.coSell.landingPageURL",
			"the Partner Ingestion API's cosellListing has no landing page field; set it in Partner Center's Co-sell tab"))
	}
	if len(cs.Documents) > 0 {
		out = append(out, unwritten("spec.coSell.documents",
			"co-sell documents are files uploaded through the Partner Ingestion API's cosellAssets, which the operator does not upload; upload them in Partner Center's Co-sell tab"))
	}
	return out
}

// coSellProduct finds the submission API's product of an offer ID with
// the recorded lookup (submission.go).
func (c *Client) coSellProduct(ctx context.Context, op, offerID string) (string, error) {
	return c.subProduct(ctx, op, offerID)
}

// coSellInstance returns the draft instance of the product's co-sell
// branch (the Main branch when there are several).
func (c *Client) coSellInstance(ctx context.Context, op, productID string) (string, error) {
	var page wire.CoSellPage[wire.Branch]
	u := join(c.cosell, nil, "products", productID, "branches", "getByModule(module="+wire.CoSellModule+")")
	if err := c.doScoped(ctx, wire.CoSellScope, op, http.MethodGet, u, nil, &page); err != nil {
		return "", err
	}
	var pick *wire.Branch
	for i := range page.Value {
		b := &page.Value[i]
		if b.CurrentDraftInstanceID == "" {
			continue
		}
		if pick == nil || (b.Type == "Main" && pick.Type != "Main") {
			pick = b
		}
	}
	if pick == nil {
		return "", &pc.Error{Class: pc.ClassNotFound, Op: op, Message: "product " + productID + " has no co-sell draft (no Cosell branch)"}
	}
	return pick.CurrentDraftInstanceID, nil
}

// coSellListing reads the co-sell listing of a draft instance as a JSON
// object, so that a write keeps every property as read.
func (c *Client) coSellListing(ctx context.Context, op, productID, instanceID string) (map[string]any, error) {
	var page wire.CoSellPage[json.RawMessage]
	u := join(c.cosell, nil, "products", productID, "cosellListing", "getByInstanceID(instanceID="+instanceID+")")
	if err := c.doScoped(ctx, wire.CoSellScope, op, http.MethodGet, u, nil, &page); err != nil {
		return nil, err
	}
	if len(page.Value) == 0 {
		return nil, &pc.Error{Class: pc.ClassNotFound, Op: op, Message: "product " + productID + " has no co-sell listing in instance " + instanceID}
	}
	var listing map[string]any
	if err := json.Unmarshal(page.Value[0], &listing); err != nil || listing == nil {
		return nil, contractError(op, "the co-sell listing of product %s is not an object", productID)
	}
	if _, ok := listing["resourceType"]; !ok {
		listing["resourceType"] = "CosellListing"
	}
	return listing, nil
}

package ingestion

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// The submission API (wire/submission.go), called as Microsoft's client
// calls it: the recorded lookup, If-Match: * on every request (transport.go),
// nextLink followed up to maxSubmissionPages.

// maxSubmissionPages bounds the pages one listing follows, so that a
// server answering nextLink forever cannot hold a reconcile.
const maxSubmissionPages = 100

// subGet reads one resource of the submission API.
func (c *Client) subGet(ctx context.Context, op, u string, out any) error {
	return c.doScoped(ctx, wire.CoSellScope, op, http.MethodGet, u, nil, out)
}

// subPages GETs u and every page its nextLink names, up to
// maxSubmissionPages, handing each item to fn; fn returns false to stop.
func (c *Client) subPages(ctx context.Context, op, u string, fn func(raw json.RawMessage) bool) error {
	for page := 1; u != ""; page++ {
		if page > maxSubmissionPages {
			return contractError(op, "the submission API answered more than %d pages (still a nextLink after %s)", maxSubmissionPages, u)
		}
		var p wire.SubmissionPage[json.RawMessage]
		if err := c.subGet(ctx, op, u, &p); err != nil {
			return err
		}
		for _, raw := range p.Value {
			if !fn(raw) {
				return nil
			}
		}
		next, err := c.subNext(op, p.Next())
		if err != nil {
			return err
		}
		u = next
	}
	return nil
}

// subNext resolves a nextLink. Partner Center answers it relative to the
// host ("v1.0/ingestion/products?$skipToken=…"); the API's path in the
// base URL marks where it starts, so a base behind a path prefix keeps its
// prefix. An absolute link must stay on the API's host: the request
// carries the API's token.
func (c *Client) subNext(op, next string) (string, error) {
	if next == "" {
		return "", nil
	}
	ref, err := url.Parse(next)
	if err != nil {
		return "", contractError(op, "nextLink %q is not a URL: %v", next, err)
	}
	if ref.IsAbs() {
		if ref.Host != c.cosell.Host || ref.Scheme != c.cosell.Scheme {
			return "", contractError(op, "nextLink %q leaves the submission API's host %s", next, c.cosell.Host)
		}
		return next, nil
	}
	prefix := "/"
	api := strings.TrimPrefix(wire.CoSellPathPrefix, "/") + "/"
	if i := strings.LastIndex(c.cosell.Path, api); i >= 0 {
		prefix = c.cosell.Path[:i]
	}
	if !strings.HasPrefix(next, "/") {
		next = prefix + next
	}
	root := url.URL{Scheme: c.cosell.Scheme, Host: c.cosell.Host}
	return root.String() + next, nil
}

// subProduct finds the submission API's product of an offer ID with the
// recorded lookup, following its pages.
func (c *Client) subProduct(ctx context.Context, op, offerID string) (string, error) {
	u := join(c.cosell, url.Values{"$filter": {wire.SubmissionProductFilter(offerID)}}, "products")
	var found string
	var decodeErr error
	err := c.subPages(ctx, op, u, func(raw json.RawMessage) bool {
		var p wire.SubmissionProduct
		if err := json.Unmarshal(raw, &p); err != nil {
			decodeErr = contractError(op, "a product of the lookup of %s: %v", offerID, err)
			return false
		}
		for _, e := range p.ExternalIDs {
			if p.ID != "" && strings.EqualFold(e.Type, wire.SubmissionOfferIDType) && e.Value == offerID {
				found = p.ID
				return false
			}
		}
		return true
	})
	switch {
	case err != nil:
		return "", err
	case decodeErr != nil:
		return "", decodeErr
	case found == "":
		return "", &pc.Error{Class: pc.ClassNotFound, Op: op, Message: "the submission API has no product with offer ID " + offerID}
	}
	return found, nil
}

// subBranches reads a product's branches of a module.
func (c *Client) subBranches(ctx context.Context, op, productID, module string) ([]wire.Branch, error) {
	var out []wire.Branch
	var decodeErr error
	u := join(c.cosell, nil, "products", productID, "branches", "getByModule(module="+module+")")
	err := c.subPages(ctx, op, u, func(raw json.RawMessage) bool {
		var b wire.Branch
		if decodeErr = json.Unmarshal(raw, &b); decodeErr != nil {
			decodeErr = contractError(op, "a %s branch of product %s: %v", module, productID, decodeErr)
			return false
		}
		out = append(out, b)
		return true
	})
	if err == nil {
		err = decodeErr
	}
	return out, err
}

// subListing reads the listing of a draft instance, as an object (to send
// back whole) and typed.
func (c *Client) subListing(ctx context.Context, op, productID, instanceID string) (map[string]any, *wire.AzureListing, error) {
	var page wire.SubmissionPage[json.RawMessage]
	u := join(c.cosell, nil, "products", productID, "listings", "getByInstanceID(instanceID="+instanceID+")")
	if err := c.subGet(ctx, op, u, &page); err != nil {
		return nil, nil, err
	}
	if len(page.Value) == 0 {
		return nil, nil, &pc.Error{Class: pc.ClassNotFound, Op: op, Message: fmt.Sprintf("product %s has no listing in draft instance %s", productID, instanceID)}
	}
	var obj map[string]any
	var typed wire.AzureListing
	if json.Unmarshal(page.Value[0], &obj) != nil || obj == nil || json.Unmarshal(page.Value[0], &typed) != nil || typed.ID == "" {
		return nil, nil, contractError(op, "the listing of product %s in instance %s is not a listing with an id", productID, instanceID)
	}
	return obj, &typed, nil
}

// putListing writes a listing back: the object as read, with changes.
func (c *Client) putListing(ctx context.Context, op, productID, listingID string, obj map[string]any) error {
	if _, ok := obj["resourceType"]; !ok {
		obj["resourceType"] = wire.ResourceAzureListing
	}
	u := join(c.cosell, nil, "products", productID, "listings", listingID)
	return c.doScoped(ctx, wire.CoSellScope, op, http.MethodPut, u, obj, nil)
}

// subVariants reads a product's plans (AzureSkuVariant only: test-drive
// variants are not plans).
func (c *Client) subVariants(ctx context.Context, op, productID string) ([]wire.AzureSkuVariant, error) {
	var out []wire.AzureSkuVariant
	var decodeErr error
	u := join(c.cosell, nil, "products", productID, "variants")
	err := c.subPages(ctx, op, u, func(raw json.RawMessage) bool {
		var v wire.AzureSkuVariant
		if err := json.Unmarshal(raw, &v); err != nil {
			decodeErr = contractError(op, "a variant of product %s: %v", productID, err)
			return false
		}
		if v.ResourceType == wire.ResourceAzureSkuVariant && v.ExternalID != "" && v.ID != "" {
			out = append(out, v)
		}
		return true
	})
	if err == nil {
		err = decodeErr
	}
	return out, err
}

// createVariant creates a plan (POST variants) and returns it.
func (c *Client) createVariant(ctx context.Context, op, productID string, body wire.NewVariant) (*wire.AzureSkuVariant, error) {
	body.ResourceType = wire.ResourceAzureSkuVariant
	var out wire.AzureSkuVariant
	u := join(c.cosell, nil, "products", productID, "variants")
	if err := c.doScoped(ctx, wire.CoSellScope, op, http.MethodPost, u, body, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, contractError(op, "the plan %s created in product %s came back without an id", body.ExternalID, productID)
	}
	return &out, nil
}

package ingestion

import (
	"context"
	"net/http"
	"net/url"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// GetTarget reads one version of a product: GET
// resource-tree/product/{id}?targetType=draft|preview|live, converted like
// GetDraft (by kind, whatever the $schema's host and version). A product
// without that version (never published to preview or live) is NotFound.
func (c *Client) GetTarget(ctx context.Context, productID string, target pc.SubmissionTarget) (*pc.Draft, error) {
	const op = "GetTarget"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	switch target {
	case pc.TargetDraft, pc.TargetPreview, pc.TargetLive:
	default:
		return nil, invalidRequest(op, "target %q is not one of draft, preview, live", target)
	}
	var tree wire.ResourceTree
	u := c.endpoint(url.Values{"targetType": {string(target)}}, "resource-tree", "product", productID)
	if err := c.do(ctx, op, http.MethodGet, u, nil, &tree); err != nil {
		return nil, err
	}
	if tree.Target.TargetType != "" && tree.Target.TargetType != string(target) {
		return nil, contractError(op, "asked for the %s version of product %s, got the %s version", target, productID, tree.Target.TargetType)
	}
	d, err := DraftFromTree(op, &tree)
	if err != nil {
		return nil, err
	}
	// An Azure application's listing and plans live in the submission
	// API, which serves one current listing per product (its branches),
	// not one per version: every target reads that one (azureapp.go).
	return c.withSubmissionDraft(ctx, op, productID, &tree, d)
}

package ingestion

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// FindProduct implements pc.Client. Deleted products do not count.
func (c *Client) FindProduct(ctx context.Context, offerID string) (*pc.Product, error) {
	const op = "FindProduct"
	if offerID == "" {
		return nil, invalidRequest(op, "offer ID is empty")
	}
	var list wire.List[wire.Product]
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(url.Values{"externalId": {offerID}}, "product"), nil, &list); err != nil {
		return nil, err
	}
	for i := range list.Value {
		w := &list.Value[i]
		if w.LifecycleState == wire.LifecycleDeleted {
			continue
		}
		// A server that ignored the filter must not hand back another offer.
		if w.Identity.ExternalID != "" && w.Identity.ExternalID != offerID {
			continue
		}
		return toProduct(op, w)
	}
	return nil, &pc.Error{Class: pc.ClassNotFound, Op: op, Code: wire.CodeNotFound,
		Message: "no product with offer ID " + offerID}
}

// GetProduct implements pc.Client. A deleted product is not found.
func (c *Client) GetProduct(ctx context.Context, productID string) (*pc.Product, error) {
	return c.getProduct(ctx, "GetProduct", productID)
}

func (c *Client) getProduct(ctx context.Context, op, productID string) (*pc.Product, error) {
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	var w wire.Product
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "product", productID), nil, &w); err != nil {
		return nil, err
	}
	if w.LifecycleState == wire.LifecycleDeleted {
		return nil, &pc.Error{Class: pc.ClassNotFound, Op: op, Code: wire.CodeNotFound,
			Message: "product " + productID + " was deleted"}
	}
	return toProduct(op, &w)
}

// CreateProduct implements pc.Client: it waits for the configure job and
// returns the product it created. A product with the offer ID that exists
// already is a Conflict with code pc.CodeProductExists.
func (c *Client) CreateProduct(ctx context.Context, spec pc.ProductSpec) (*pc.Product, error) {
	const op = "CreateProduct"
	if spec.OfferID == "" {
		return nil, invalidRequest(op, "offer ID is empty")
	}
	wireType, err := offerType(op, spec.OfferType)
	if err != nil {
		return nil, err
	}
	st, err := c.runJob(ctx, op, wire.Resource{
		Schema:      wire.Schema(wire.KindProduct),
		Identity:    &wire.Identity{ExternalID: spec.OfferID},
		Type:        wireType,
		Alias:       spec.Name,
		PublisherID: spec.PublisherID,
	})
	if err != nil {
		return nil, err
	}
	for _, r := range st.Resources {
		if wire.KindOf(r.Schema) != wire.KindProduct {
			continue
		}
		id, ok := bareProductID(r.ID)
		if !ok {
			return nil, contractError(op, "job %s created a product with id %q", st.JobID, r.ID)
		}
		p := &pc.Product{ID: id, OfferID: spec.OfferID, OfferType: spec.OfferType, PublisherID: spec.PublisherID,
			Name: spec.Name, State: pc.LifecycleDraft}
		if r.Alias != "" {
			p.Name = r.Alias
		}
		if r.LifecycleState != "" {
			p.State = pc.LifecycleState(r.LifecycleState)
		}
		return p, nil
	}
	// The job did not list what it created: look it up by its offer ID.
	p, err := c.FindProduct(ctx, spec.OfferID)
	if err != nil {
		if pcErr := (*pc.Error)(nil); errors.As(err, &pcErr) {
			cp := *pcErr
			cp.Op = op
			return nil, &cp
		}
		return nil, err
	}
	return p, nil
}

// StopSale implements pc.Client: it returns the deprecation job unawaited.
func (c *Client) StopSale(ctx context.Context, productID string) (*pc.Job, error) {
	const op = "StopSale"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	st, err := c.configure(ctx, op, wire.Resource{
		Schema:         wire.Schema(wire.KindProduct),
		ID:             wire.ProductRef(productID),
		LifecycleState: wire.LifecycleDeprecated,
	})
	if err != nil {
		return nil, err
	}
	return toJob(st), nil
}

// DeleteDraft implements pc.Client and waits for the job. Partner Center
// refusing (the product was published, say) is terminal with its message;
// a product already gone is NotFound, so deleting twice is harmless.
func (c *Client) DeleteDraft(ctx context.Context, productID string) error {
	const op = "DeleteDraft"
	if err := checkID(op, "product", productID); err != nil {
		return err
	}
	_, err := c.runJob(ctx, op, wire.Resource{
		Schema:         wire.Schema(wire.KindProduct),
		ID:             wire.ProductRef(productID),
		LifecycleState: wire.LifecycleDeleted,
	})
	if pcErr := (*pc.Error)(nil); errors.As(err, &pcErr) && pcErr.StatusCode == 0 && pcErr.Class == pc.ClassConflict {
		pcErr.Class = pc.ClassTerminal // a failed job, such as invalidState for a published product
	}
	return err
}

// toProduct maps a product; it needs an id.
func toProduct(op string, w *wire.Product) (*pc.Product, error) {
	id, ok := bareProductID(w.ID)
	if !ok {
		return nil, contractError(op, "product with id %q", w.ID)
	}
	p := &pc.Product{
		ID:              id,
		OfferID:         w.Identity.ExternalID,
		OfferType:       wire.OfferTypeFromWire(w.Type),
		PublisherID:     w.PublisherID,
		Name:            w.Alias,
		State:           pc.LifecycleState(w.LifecycleState),
		MigratedFrom:    w.MigratedFrom,
		MergedSolutions: slices.Clone(w.MergedSolutions),
		LiveURL:         w.LiveLink,
		CoSellLevel:     coSellLevel(w.CoSellStatus),
	}
	if p.OfferType == "" {
		p.OfferType = w.Type // an offer type this operator does not know: keep Partner Center's name
	}
	if p.State == "" {
		p.State = pc.LifecycleDraft
	}
	if w.LiveSubmission != "" {
		_, sid, ok := bareSubmissionID(w.LiveSubmission)
		if !ok {
			return nil, contractError(op, "product %s has liveSubmission %q", id, w.LiveSubmission)
		}
		p.LiveSubmissionID = sid
	}
	return p, nil
}

func coSellLevel(s string) pc.CoSellLevel {
	switch s {
	case wire.CoSellNotReady:
		return pc.CoSellNotReady
	case wire.CoSellReady:
		return pc.CoSellReady
	case wire.CoSellIncentiveEligible:
		return pc.CoSellIncentiveEligible
	}
	return ""
}

// offerType maps the spec's offer type to the API's; an unknown one is
// refused before any call.
func offerType(op, specType string) (string, error) {
	if t, ok := wire.OfferTypes[specType]; ok {
		return t, nil
	}
	known := make([]string, 0, len(wire.OfferTypes))
	for k := range wire.OfferTypes {
		known = append(known, k)
	}
	slices.Sort(known)
	return "", invalidRequest(op, "offer type %q is not one of %s", specType, strings.Join(known, ", "))
}

// bareProductID accepts a durable product ID ("product/{id}") or a bare one.
func bareProductID(ref string) (string, bool) {
	if id, ok := wire.ParseProductRef(ref); ok {
		return id, true
	}
	return ref, ref != "" && !strings.Contains(ref, "/")
}

// bareSubmissionID accepts a durable submission ID
// ("submission/{productId}/{id}") or a bare one (productID "").
func bareSubmissionID(ref string) (productID, submissionID string, ok bool) {
	if p, s, ok := wire.ParseSubmissionRef(ref); ok {
		return p, s, true
	}
	return "", ref, ref != "" && !strings.Contains(ref, "/")
}

// checkID refuses an empty ID before any call: it would address a list.
func checkID(op, what, id string) error {
	if id == "" {
		return invalidRequest(op, "%s ID is empty", what)
	}
	return nil
}

package ingestion

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// maxPages bounds how many @nextLink pages one lookup follows.
const maxPages = 50

// FindProduct implements pc.Client: GET product?externalId=, following
// @nextLink. Deleted products do not count.
func (c *Client) FindProduct(ctx context.Context, offerID string) (*pc.Product, error) {
	const op = "FindProduct"
	if err := checkID(op, "offer", offerID); err != nil {
		return nil, err
	}
	next := c.endpoint(url.Values{"externalId": {offerID}}, "product")
	for page := 0; next != "" && page < maxPages; page++ {
		var list wire.List[wire.Product]
		if err := c.do(ctx, op, http.MethodGet, next, nil, &list); err != nil {
			return nil, err
		}
		for i := range list.Value {
			w := &list.Value[i]
			if w.LifecycleState == wire.LifecycleDeleted {
				continue
			}
			// A server that ignored the filter must not hand back another offer.
			if !strings.EqualFold(w.Identity.ExternalID, offerID) {
				continue
			}
			return toProduct(op, w)
		}
		var err error
		if next, err = c.nextLink(op, list.NextLink); err != nil {
			return nil, err
		}
	}
	return nil, &pc.Error{Class: pc.ClassNotFound, Op: op, Code: pc.CodeResourceNotFound,
		Message: "no product with offer ID " + offerID}
}

// nextLink resolves an opaque @nextLink against the base URL. It must stay
// on the API's host (a token is sent along) and keeps $version.
func (c *Client) nextLink(op, link string) (string, error) {
	if link == "" {
		return "", nil
	}
	u, err := c.base.Parse(link)
	if err != nil {
		return "", contractError(op, "@nextLink %q is not a URL", link)
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return "", contractError(op, "@nextLink %q leaves %s", link, c.base.Host)
	}
	q := u.Query()
	if q.Get(wire.VersionQueryParameter) == "" {
		q.Set(wire.VersionQueryParameter, wire.ReadVersion)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// GetProduct implements pc.Client. A deleted product is not found.
func (c *Client) GetProduct(ctx context.Context, productID string) (*pc.Product, error) {
	const op = "GetProduct"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	var w wire.Product
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "product", productID), nil, &w); err != nil {
		return nil, err
	}
	if w.LifecycleState == wire.LifecycleDeleted {
		return nil, &pc.Error{Class: pc.ClassNotFound, Op: op, Code: pc.CodeResourceNotFound,
			Message: "product " + productID + " was deleted"}
	}
	return toProduct(op, &w)
}

// CreateProduct implements pc.Client: a configure job with the product
// resource {identity, type, alias}. It does not wait for the job.
func (c *Client) CreateProduct(ctx context.Context, spec pc.ProductSpec) (*pc.Job, error) {
	const op = "CreateProduct"
	if err := checkID(op, "offer", spec.OfferID); err != nil {
		return nil, err
	}
	t, err := offerType(op, spec.OfferType)
	if err != nil {
		return nil, err
	}
	created := func(ctx context.Context) (bool, *pc.Job, error) {
		_, err := c.FindProduct(ctx, spec.OfferID)
		if pc.IsNotFound(err) {
			return false, nil, nil
		}
		return err == nil, nil, err
	}
	return c.configure(ctx, op, created, productResource(spec.OfferID, t, spec.Name, "", ""))
}

// productResource is the product resource, with every required property,
// at the version Microsoft shows for the offer type.
func productResource(offerID string, t wire.OfferType, name, productID, lifecycle string) wire.Product {
	p := wire.Product{Schema: t.ProductSchema(), Identity: wire.Identity{ExternalID: offerID},
		Type: t.Product, Alias: alias(name, offerID), LifecycleState: lifecycle}
	if productID != "" {
		p.ID = wire.ProductRef(productID)
	}
	return p
}

// alias is the product's alias (at most 120 characters, the schema's
// bound); the offer ID stands in for an empty name.
func alias(name, offerID string) string {
	if strings.TrimSpace(name) == "" {
		name = offerID
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	return name
}

// StopSale implements pc.Client, the documented way: the live submission
// with lifecycleState deprecated (it takes effect in live without a new
// submission). It does not wait for the job.
func (c *Client) StopSale(ctx context.Context, productID, liveSubmissionID string) (*pc.Job, error) {
	const op = "StopSale"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	if err := checkID(op, "live submission", liveSubmissionID); err != nil {
		return nil, err
	}
	stopped := c.submissionsShow(op, productID, func(s pc.Submission) bool {
		return s.ID == liveSubmissionID && s.State == pc.LifecycleDeprecated
	})
	return c.configure(ctx, op, stopped, wire.Submission{
		Schema:         wire.SchemaOf(wire.KindSubmission),
		ID:             wire.SubmissionRef(productID, liveSubmissionID),
		Product:        wire.DurableRef(wire.ProductRef(productID)),
		Target:         wire.Target{TargetType: wire.TargetLive},
		LifecycleState: wire.LifecycleDeprecated,
	})
}

// DeleteDraft implements pc.Client: the product resource with
// lifecycleState deleted, which Partner Center accepts only for a product
// never published. It does not wait for the job.
func (c *Client) DeleteDraft(ctx context.Context, p pc.Product) (*pc.Job, error) {
	const op = "DeleteDraft"
	if err := checkID(op, "product", p.ID); err != nil {
		return nil, err
	}
	if err := checkID(op, "offer", p.OfferID); err != nil {
		return nil, err
	}
	t, ok := wire.LookupOfferType(p.OfferType)
	if !ok {
		// A type the spec has no name for is sent as Partner Center
		// named it.
		t = wire.OfferType{Product: p.OfferType}
	}
	deleted := func(ctx context.Context) (bool, *pc.Job, error) {
		_, err := c.GetProduct(ctx, p.ID)
		if pc.IsNotFound(err) {
			return true, nil, nil
		}
		return false, nil, err
	}
	return c.configure(ctx, op, deleted, productResource(p.OfferID, t, p.Name, p.ID, wire.LifecycleDeleted))
}

// toProduct maps a product; it needs an id.
func toProduct(op string, w *wire.Product) (*pc.Product, error) {
	id, ok := bareProductID(w.ID)
	if !ok {
		return nil, contractError(op, "product with id %q", w.ID)
	}
	p := &pc.Product{
		ID:        id,
		OfferID:   w.Identity.ExternalID,
		OfferType: wire.OfferTypeFromProduct(w.Type),
		Name:      w.Alias,
		State:     pc.LifecycleState(w.LifecycleState),
	}
	if p.State == "" {
		p.State = pc.LifecycleGenerallyAvailable // the schema's default
	}
	return p, nil
}

// offerType maps the spec's offer type; an unknown one is refused before
// any call.
func offerType(op, spec string) (wire.OfferType, error) {
	if t, ok := wire.LookupOfferType(spec); ok {
		return t, nil
	}
	return wire.OfferType{}, invalidRequest(op, "offer type %q is not one of %s", spec, strings.Join(wire.SpecOfferTypes(), ", "))
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

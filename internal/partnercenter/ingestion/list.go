package ingestion

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Read calls for bringing an existing account under Git (cosell-operator
// export). They are not part of the port the controllers use: the export
// command declares the interface it needs (package export) and *Client
// satisfies it.

// ListProductsOptions select a page of GET product.
type ListProductsOptions struct {
	// OfferType filters by offer type (the spec's name, such as
	// SoftwareAsAService), sent as the documented type= filter; "" lists
	// every type.
	OfferType string
	// PageSize is the page size asked for with $maxpagesize, the paging
	// the 2023 overview documents (the next page through @nextLink's
	// continuationToken); 0 leaves it to Partner Center (which publishes
	// no default). $top is never sent: it asks for the first N products
	// only.
	PageSize int
}

// ProductPage is one page of GET product.
type ProductPage struct {
	// Products are the page's products; deleted products are left out.
	Products []pc.Product
	// Next is the page after this one (the answer's @nextLink, resolved
	// against the base URL and checked to stay on its host), or "" for the
	// last page. Pass it back to ListProducts as is: its continuationToken
	// is opaque.
	Next string
}

// ListProducts reads one page of the account's products: GET product
// (with type= and $maxpagesize from opts) when next is "", else the @nextLink of
// the previous page. Throttling is retried like every call (honouring
// Retry-After); an error is a *pc.Error.
func (c *Client) ListProducts(ctx context.Context, opts ListProductsOptions, next string) (*ProductPage, error) {
	const op = "ListProducts"
	u := next
	if u == "" {
		q := url.Values{}
		if opts.OfferType != "" {
			t, err := offerType(op, opts.OfferType)
			if err != nil {
				return nil, err
			}
			q.Set("type", t.Product)
		}
		if opts.PageSize > 0 {
			q.Set("$maxpagesize", strconv.Itoa(opts.PageSize))
		}
		u = c.endpoint(q, "product")
	} else {
		var err error
		// A link handed back by a caller is checked like one read from
		// an answer: it must stay on the API's host.
		if u, err = c.nextLink(op, next); err != nil {
			return nil, err
		}
	}
	var list wire.List[wire.Product]
	if err := c.do(ctx, op, http.MethodGet, u, nil, &list); err != nil {
		return nil, err
	}
	page := &ProductPage{}
	for i := range list.Value {
		w := &list.Value[i]
		if w.LifecycleState == wire.LifecycleDeleted {
			continue
		}
		p, err := toProduct(op, w)
		if err != nil {
			return nil, err
		}
		page.Products = append(page.Products, *p)
	}
	var err error
	if page.Next, err = c.nextLink(op, list.NextLink); err != nil {
		return nil, err
	}
	return page, nil
}

// ListSolutions reads a partner's legacy OCP GTM solutions, in every
// state. Microsoft publishes no API for them: only a simulator serves the
// list, as its extension GET /simulator/ocp-gtm/partners/{id}/solutions;
// against a Microsoft host the error is Unsupported and says what to do
// in Partner Center instead.
func (c *Client) ListSolutions(ctx context.Context, partnerID string) ([]pc.LegacySolution, error) {
	const op = "ListSolutions"
	if !c.extensions {
		return nil, unsupported(op, "list the legacy OCP GTM solutions (export them from Partner Center's migration page and pass the file with --solutions-file)")
	}
	if err := checkID(op, "partner", partnerID); err != nil {
		return nil, err
	}
	var list wire.List[wire.LegacySolution]
	u := join(c.root, nil, append(slices.Clone(wire.MigrationPathPrefix), partnerID, "solutions")...)
	if err := c.do(ctx, op, http.MethodGet, u, nil, &list); err != nil {
		return nil, err
	}
	out := make([]pc.LegacySolution, 0, len(list.Value))
	for i := range list.Value {
		s, err := toSolution(op, &list.Value[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

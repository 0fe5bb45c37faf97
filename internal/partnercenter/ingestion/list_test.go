package ingestion

import (
	"context"
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

func TestListProductsFollowsNextLink(t *testing.T) {
	g := NewWithT(t)
	c, srv := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Query().Get("continuationToken") {
		case "":
			deleted := product("33333333-0000-0000-0000-000000000000", "gone")
			deleted.LifecycleState = wire.LifecycleDeleted
			writeJSON(w, http.StatusOK, wire.List[wire.Product]{
				Value:    []wire.Product{product("11111111-0000-0000-0000-000000000000", "first"), deleted},
				NextLink: basePath + "/product?type=softwareAsAService&$maxpagesize=2&continuationToken=abc"})
		case "abc":
			writeJSON(w, http.StatusOK, wire.List[wire.Product]{Value: []wire.Product{product("22222222-0000-0000-0000-000000000000", "second")}})
		default:
			writeError(w, http.StatusBadRequest, codeBadRequest, "bad token")
		}
	})
	ctx := context.Background()
	page, err := c.ListProducts(ctx, ListProductsOptions{OfferType: "SoftwareAsAService", PageSize: 2}, "")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(page.Products).To(HaveLen(1), "the deleted product is left out")
	g.Expect(page.Products[0].OfferID).To(Equal("first"))
	g.Expect(page.Next).NotTo(BeEmpty())
	page, err = c.ListProducts(ctx, ListProductsOptions{}, page.Next)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(page.Products).To(ConsistOf(HaveField("OfferID", "second")))
	g.Expect(page.Next).To(BeEmpty())

	reqs := srv.requests()
	g.Expect(reqs).To(HaveLen(2))
	g.Expect(reqs[0].Path).To(Equal("product"))
	g.Expect(reqs[0].Query.Get("type")).To(Equal("softwareAsAService"))
	g.Expect(reqs[0].Query.Get("$maxpagesize")).To(Equal("2"))
	g.Expect(reqs[0].Query).NotTo(HaveKey("$top"), "$top is the first N products, never a page size")
	g.Expect(reqs[0].Query.Get(wire.VersionQueryParameter)).To(Equal(wire.ReadVersion))
	g.Expect(reqs[1].Query.Get(wire.VersionQueryParameter)).To(Equal(wire.ReadVersion), "$version is kept on the next page")
}

func TestListProductsRefusesForeignNextLink(t *testing.T) {
	g := NewWithT(t)
	c, srv := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, http.StatusOK, wire.List[wire.Product]{NextLink: "https://elsewhere.example/product?continuationToken=x"})
	})
	_, err := c.ListProducts(context.Background(), ListProductsOptions{}, "")
	g.Expect(err).To(HaveOccurred())
	g.Expect(pc.ClassOf(err)).To(Equal(pc.ClassTerminal))
	_, err = c.ListProducts(context.Background(), ListProductsOptions{}, "https://elsewhere.example/product")
	g.Expect(err).To(HaveOccurred())
	g.Expect(srv.count()).To(Equal(1), "a foreign link handed back is never called")
}

func TestGetTarget(t *testing.T) {
	const id = "11111111-0000-0000-0000-000000000000"
	g := NewWithT(t)
	c, srv := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if tt := r.URL.Query().Get("targetType"); tt == "preview" {
			writeError(w, http.StatusNotFound, codeNotFound, "product has no preview version")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"$schema": wire.SchemaOf(wire.KindResourceTree), "root": wire.ProductRef(id), "target": map[string]string{"targetType": "live"},
			"resources": []any{
				product(id, "contoso"),
				wire.Listing{Schema: wire.Schema(wire.KindListing, wire.VersionPreview5), Product: wire.DurableRef(wire.ProductRef(id)),
					Kind: "azureSaaS", LanguageID: "en-us", Title: "Contoso", SearchResultSummary: "Sum"},
			}})
	})
	ctx := context.Background()
	d, err := c.GetTarget(ctx, id, pc.TargetLive)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(d.Listing.Title).To(Equal("Contoso"))
	g.Expect(srv.requests()[0].Path).To(Equal("resource-tree/product/" + id))

	_, err = c.GetTarget(ctx, id, pc.TargetPreview)
	g.Expect(pc.IsNotFound(err)).To(BeTrue(), "%v", err)

	_, err = c.GetTarget(ctx, id, pc.TargetDraft)
	g.Expect(err).To(MatchError(ContainSubstring("got the live version")), "an answer for another target is refused")

	_, err = c.GetTarget(ctx, id, "staging")
	g.Expect(err).To(HaveOccurred())
	g.Expect(srv.count()).To(Equal(3), "an unknown target is refused before any call")
}

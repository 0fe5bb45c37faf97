package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	. "github.com/onsi/gomega"
)

// piGet reads a Partner Ingestion answer that must be 200.
func (a *api) piGet(path string) map[string]any {
	a.t.Helper()
	code, body := a.do("GET", PartnerIngestionPrefix+path, nil)
	a.g.Expect(code).To(Equal(http.StatusOK), "GET %s: %s", path, body)
	var out map[string]any
	a.g.Expect(json.Unmarshal(body, &out)).To(Succeed())
	return out
}

// coSellListing follows the swagger's read path: the Cosell branch's
// draft instance, then the listing by instance ID.
func (a *api) coSellListing(productID string) map[string]any {
	a.t.Helper()
	branches := a.piGet("/products/" + productID + "/branches/getByModule(module=Cosell)")["value"].([]any)
	a.g.Expect(branches).To(HaveLen(1))
	inst := branches[0].(map[string]any)["currentDraftInstanceID"].(string)
	list := a.piGet("/products/" + productID + "/cosellListing/getByInstanceID(instanceID=" + inst + ")")["value"].([]any)
	a.g.Expect(list).To(HaveLen(1))
	return list[0].(map[string]any)
}

// TestCoSellListing drives the co-sell sequence of the swagger: find the
// product by offer ID, read the Cosell branch, read and write the listing.
func TestCoSellListing(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid := a.createProduct("contoso-analytics", "azureApplication")

	filter := url.Values{"$filter": {"externalIDs/Any(i:i/type eq 'AzureOfferId' and i/value eq 'contoso-analytics')"}}.Encode()
	found := a.piGet("/products?" + filter)["value"].([]any)
	g.Expect(found).To(HaveLen(1))
	p := found[0].(map[string]any)
	g.Expect(p["id"]).To(Equal(pid), "the Product Ingestion product's GUID")
	g.Expect(p["resourceType"]).To(Equal("AzureApplication"))
	g.Expect(p["externalIDs"]).To(Equal([]any{map[string]any{"type": "AzureOfferId", "value": "contoso-analytics"}}))
	g.Expect(p["isModularPublishing"]).To(BeTrue())
	// A document store: any other spelling of the lookup finds nothing.
	for _, other := range []string{
		"externalIDs/Any(i:i/type eq 'AzureOfferId' and i/value eq 'nobody')",
		"ExternalIDs/Any(i:i/Type eq 'AzureOfferID' and i/Value eq 'contoso-analytics')",
		"externalIDs/Any(i:i/type eq 'AzureOfferID' and i/value eq 'contoso-analytics')",
		"externalIds/Any(i:i/type eq 'AzureOfferId' and i/value eq 'contoso-analytics')",
		"externalIDs/Any(i:i/type eq 'AzureOfferId' and i/value eq 'Contoso-Analytics')",
		"resourceType eq 'azureApplication'",
	} {
		none := a.piGet("/products?" + url.Values{"$filter": {other}}.Encode())
		g.Expect(none["value"]).To(BeEmpty(), other)
	}
	g.Expect(a.piGet("/products?" + url.Values{"$filter": {"resourceType eq 'AzureApplication'"}}.Encode())["value"]).To(HaveLen(1))
	code, _ := a.do("GET", PartnerIngestionPrefix+"/products?"+url.Values{"$filter": {"contains(name,'x')"}}.Encode(), nil)
	g.Expect(code).To(Equal(http.StatusBadRequest))
	g.Expect(a.piGet("/products/" + pid)["id"]).To(Equal(pid))

	l := a.coSellListing(pid)
	g.Expect(l["resourceType"]).To(Equal("CosellListing"))
	g.Expect(l["solutionAreas"]).To(BeEmpty())
	inst := l["id"].(string)

	l["solutionAreas"] = []any{map[string]any{"area": "Data & AI", "subAreas": []any{}}}
	l["contacts"] = []any{map[string]any{"name": "Dana", "email": "dana@contoso.example", "role": "Sales"}}
	code, body := a.do("PUT", PartnerIngestionPrefix+"/products/"+pid+"/cosellListing/"+inst, l)
	g.Expect(code).To(Equal(http.StatusOK), "%s", body)
	got := a.coSellListing(pid)
	g.Expect(got["solutionAreas"]).To(Equal(l["solutionAreas"]))
	g.Expect(got["contacts"]).To(Equal(l["contacts"]))
	g.Expect(got["@odata.etag"]).NotTo(Equal(l["@odata.etag"]))

	// The stale etag is a conflict; bodies that break the swagger's
	// schema are refused; unknown instances and products are 404.
	code, _ = a.do("PUT", PartnerIngestionPrefix+"/products/"+pid+"/cosellListing/"+inst, l)
	g.Expect(code).To(Equal(http.StatusConflict))
	for _, bad := range []any{`{"solutionAreas":"Data"}`, `{"contacts":[{"email":3}]}`, `[]`, `{`} {
		code, body = a.do("PUT", PartnerIngestionPrefix+"/products/"+pid+"/cosellListing/"+inst, bad)
		g.Expect(code).To(Equal(http.StatusBadRequest), "%v: %s", bad, body)
	}
	code, _ = a.do("PUT", PartnerIngestionPrefix+"/products/"+pid+"/cosellListing/other", `{}`)
	g.Expect(code).To(Equal(http.StatusNotFound))
	code, _ = a.do("GET", PartnerIngestionPrefix+"/products/00000000-0000-4000-8000-000000000000", nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	code, _ = a.do("GET", PartnerIngestionPrefix+"/products/"+pid+"/branches/getByModule(module=Nothing)", nil)
	g.Expect(code).To(Equal(http.StatusBadRequest))
	code, _ = a.do("GET", PartnerIngestionPrefix+"/products/"+pid+"/branches/getByModule(module=listing)", nil)
	g.Expect(code).To(Equal(http.StatusBadRequest), "module names are case-sensitive")
	// No $version on this API.
	g.Expect(a.piGet("/products/" + pid + "/branches/getByModule(module=Listing)")["value"]).To(HaveLen(1))
}

package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	. "github.com/onsi/gomega"
)

// put sends a PUT with If-Match (none when ifMatch is "").
func (a *api) put(path, ifMatch string, body any) (int, map[string]any) {
	a.t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPut, a.base+PartnerIngestionPrefix+path, bytes.NewReader(raw))
	a.g.Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	a.g.Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSubmissionAPIListingsAndPlans follows the recorded managed
// application sequence: the offer's Listing branch and listing, a PUT that
// replaces it, a plan (variant) with its own Listing branch and listing.
func TestSubmissionAPIListingsAndPlans(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid := a.createProduct("contoso-app", "azureApplication")
	base := "/products/" + pid

	branches := a.piGet(base + "/branches/getByModule(module=Listing)")["value"].([]any)
	g.Expect(branches).To(HaveLen(1))
	b := branches[0].(map[string]any)
	g.Expect(b).To(HaveKeyWithValue("module", "Listing"))
	g.Expect(b).NotTo(HaveKey("variantID"))
	inst := b["currentDraftInstanceID"].(string)
	l := a.piGet(base + "/listings/getByInstanceID(instanceID=" + inst + ")")["value"].([]any)[0].(map[string]any)
	g.Expect(keys(l)).To(ConsistOf("resourceType", "listingUris", "listingContacts", "gettingStartedInstructions",
		"languageCode", "title", "keywords", "@odata.etag", "id"), "the recorded shape")
	g.Expect(l["resourceType"]).To(Equal("AzureListing"))

	lid := l["id"].(string)
	body := map[string]any{"resourceType": "AzureListing", "title": "Contoso App", "summary": "S", "description": "D",
		"@odata.etag": l["@odata.etag"], "listingUris": []any{}, "listingContacts": []any{}}
	code, _ := a.put(base+"/listings/"+lid, "", body)
	g.Expect(code).To(Equal(http.StatusBadRequest), "If-Match is required")
	code, _ = a.put(base+"/listings/"+lid, `"stale"`, body)
	g.Expect(code).To(Equal(http.StatusConflict))
	code, got := a.put(base+"/listings/"+lid, "*", body)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(got).To(HaveKeyWithValue("summary", "S"))
	g.Expect(got).To(HaveKeyWithValue("languageCode", "en-us"), "kept")
	g.Expect(got).NotTo(HaveKey("gettingStartedInstructions"), "a PUT replaces the listing, as recorded")
	g.Expect(got["@odata.etag"]).NotTo(Equal(l["@odata.etag"]))
	code, _ = a.put(base+"/listings/"+lid, "*", map[string]any{"title": 3})
	g.Expect(code).To(Equal(http.StatusBadRequest), "judged against the swagger's AzureListing")

	code, raw := a.do("POST", PartnerIngestionPrefix+base+"/variants",
		map[string]any{"resourceType": "AzureSkuVariant", "friendlyName": "Standard", "externalID": "standard"})
	g.Expect(code).To(Equal(http.StatusCreated), "%s", raw)
	var v map[string]any
	g.Expect(json.Unmarshal(raw, &v)).To(Succeed())
	g.Expect(v).To(HaveKeyWithValue("subType", "solution-template"), "the default without SubType, as recorded")
	g.Expect(keys(v)).To(ConsistOf("resourceType", "state", "friendlyName", "conversionPaths", "externalID",
		"certificationsAzureGovernment", "cloudAvailabilities", "subType", "extendedProperties", "@odata.etag", "id"))
	code, raw = a.do("POST", PartnerIngestionPrefix+base+"/variants",
		map[string]any{"resourceType": "AzureSkuVariant", "friendlyName": "M", "externalID": "managed", "SubType": "managed-application"})
	g.Expect(code).To(Equal(http.StatusCreated), "%s", raw)
	g.Expect(string(raw)).To(ContainSubstring(`"subType":"managed-application"`))
	code, _ = a.do("POST", PartnerIngestionPrefix+base+"/variants",
		map[string]any{"resourceType": "AzureSkuVariant", "friendlyName": "Again", "externalID": "standard"})
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(a.piGet(base + "/variants")["value"]).To(HaveLen(2))

	branches = a.piGet(base + "/branches/getByModule(module=Listing)")["value"].([]any)
	g.Expect(branches).To(HaveLen(3))
	pb := branches[1].(map[string]any)
	g.Expect(pb).To(HaveKeyWithValue("variantID", v["id"]))
	pl := a.piGet(base + "/listings/getByInstanceID(instanceID=" + pb["currentDraftInstanceID"].(string) + ")")["value"].([]any)[0].(map[string]any)
	g.Expect(pl).To(HaveKeyWithValue("title", "Standard"), "a plan's listing is titled with its friendlyName, as recorded")
	g.Expect(a.piGet(base + "/listings/getByInstanceID(instanceID=unknown)")["value"]).To(BeEmpty())

	code, _ = a.do("DELETE", PartnerIngestionPrefix+base+"/variants/"+v["id"].(string), nil)
	g.Expect(code).To(Equal(http.StatusNoContent))
	g.Expect(a.piGet(base + "/variants")["value"]).To(HaveLen(1))
}

// TestSubmissionAPIPaging: a product listing pages with the recorded
// relative nextLink, and a filtered one keeps its filter across pages.
func TestSubmissionAPIPaging(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	a.sim.piPageSize = 2
	for _, id := range []string{"offer-a", "offer-b", "offer-c", "offer-d", "offer-e"} {
		a.createProduct(id, "azureApplication")
	}
	var seen []string
	path := "/products?" + url.Values{"$skipToken": {""}}.Encode()
	for pages := 0; path != ""; pages++ {
		g.Expect(pages).To(BeNumerically("<", 3))
		page := a.piGet(path)
		for _, p := range page["value"].([]any) {
			seen = append(seen, p.(map[string]any)["name"].(string))
		}
		next, _ := page["nextLink"].(string)
		path = ""
		if next != "" {
			g.Expect(next).To(HavePrefix("v1.0/ingestion/products?$skipToken="), "relative, as recorded")
			g.Expect(page).NotTo(HaveKey("@odata.nextLink"))
			path = next[len("v1.0/ingestion"):]
		}
	}
	g.Expect(seen).To(HaveLen(5))
	code, _ := a.do("GET", PartnerIngestionPrefix+"/products?$skipToken=not-ours", nil)
	g.Expect(code).To(Equal(http.StatusBadRequest))
}

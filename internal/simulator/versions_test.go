package simulator

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"
)

// TestReadAtVersionAsked: a read's $version is the highest version the
// caller accepts. A SaaS offer written as the documents show it (product
// preview3, listing preview5, price-and-availability-plan preview4) read
// at preview2 has no listing (azureSaaS has no preview2 shape) and its
// product at preview2; at preview3 the listing comes back at preview3; the
// price-and-availability-plan comes back at preview4 whatever is asked
// (the observation of SAAS-FACTS.md); at preview5 everything is as
// written. A version the API does not serve is refused.
func TestReadAtVersionAsked(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid, _ := a.createOffer("contoso-versions")
	versionsAt := func(v string) map[string]string {
		var tree resourceTree
		a.get("resource-tree/product/"+pid+"?targetType=draft&$version="+v, &tree)
		out := map[string]string{}
		for _, r := range tree.Resources {
			kind, ver := kindOf(str(r, "$schema"))
			out[kind] = ver
		}
		return out
	}
	g.Expect(versionsAt("2022-03-01-preview2")).To(Equal(map[string]string{
		"product": "2022-03-01-preview2", "plan": "2022-03-01-preview2",
		"price-and-availability-plan": "2022-03-01-preview4"}))
	g.Expect(versionsAt("2022-03-01-preview3")).To(Equal(map[string]string{
		"product": "2022-03-01-preview3", "plan": "2022-03-01-preview2", "listing": "2022-03-01-preview3",
		"price-and-availability-plan": "2022-03-01-preview4"}))
	g.Expect(versionsAt("2022-03-01-preview5")).To(Equal(map[string]string{
		"product": "2022-03-01-preview3", "plan": "2022-03-01-preview2", "listing": "2022-03-01-preview5",
		"price-and-availability-plan": "2022-03-01-preview4"}))

	listingID := "listing/" + pid + "/public/main/default/en-us"
	code, _ := a.pi(http.MethodGet, listingID+"?$version=2022-03-01-preview2", nil)
	g.Expect(code).To(Equal(http.StatusNotFound), "a SaaS listing has no preview2 shape")
	var p product
	a.get("product/"+pid+"?$version=2022-03-01-preview2", &p)
	_, ver := kindOf(p.Schema)
	g.Expect(ver).To(Equal("2022-03-01-preview2"))

	code, _ = a.pi(http.MethodGet, "product/"+pid+"?$version=2022-03-01-preview6", nil)
	g.Expect(code).To(Equal(http.StatusBadRequest), "a version the API does not serve")
}

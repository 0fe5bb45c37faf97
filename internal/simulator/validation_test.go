package simulator

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

func TestRequestValidation(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid := a.createProduct("contoso-analytics", "softwareAsAService")

	send := func(method, path string, body []byte, header http.Header) (int, string) {
		resp, data, err := a.raw(method, path, body, header)
		g.Expect(err).NotTo(HaveOccurred())
		return resp.StatusCode, string(data)
	}
	configureJSON := func(resources string) []byte {
		return []byte(`{"$schema":"` + wire.Schema(wire.KindConfigure) + `","resources":[` + resources + `]}`)
	}

	for _, tc := range []struct {
		name, method, path string
		body               []byte
		header             http.Header
		status             int
		says               string
	}{
		{"malformed JSON", "POST", "configure", []byte(`{"$schema":`), nil, 400, "malformed JSON"},
		{"wrong type", "POST", "configure", []byte(`{"$schema":1}`), nil, 400, "malformed JSON"},
		{"unknown field", "POST", "configure", []byte(`{"$schema":"x","bogus":1}`), nil, 400, "bogus"},
		{"trailing data", "POST", "configure", []byte(`{"$schema":"x"} {}`), nil, 400, "after the JSON"},
		{"empty body", "POST", "configure", nil, nil, 400, "empty"},
		{"oversized body", "POST", "configure", append([]byte(`{"$schema":"`), bytes.Repeat([]byte("x"), wire.MaxBodyBytes+10)...), nil, 413, "exceeds"},
		{"no $version", "GET", "product/" + pid + "?$version=", nil, nil, 400, wire.Version},
		{"wrong $version", "GET", "product/" + pid + "?$version=2020-01-01", nil, nil, 400, wire.Version},
		{"bad authorization", "GET", "product/" + pid, nil, http.Header{"Authorization": {"Basic abc"}}, 401, "Bearer"},
		{"empty bearer", "GET", "product/" + pid, nil, http.Header{"Authorization": {"Bearer "}}, 401, "Bearer"},
		{"unknown route", "GET", "nothing/here", nil, nil, 404, "no route"},
		{"request schema", "POST", "configure", []byte(`{"$schema":"https://schema.mp.microsoft.com/schema/configure/2021-01-01","resources":[]}`), nil, 400, "$schema of the request"},
		{"no resources", "POST", "configure", configureJSON(""), nil, 400, "resources is empty"},
		{"resource schema", "POST", "configure", configureJSON(`{"$schema":"https://example.com/listing"}`), nil, 400, "resources[0]"},
		{"unknown kind", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema("gizmo") + `"}`), nil, 400, "cannot be configured"},
		{"product without externalId", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindProduct) + `","type":"softwareAsAService"}`), nil, 400, "externalId"},
		{"bad offer type", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindProduct) + `","identity":{"externalId":"abc"},"type":"saas"}`), nil, 400, "offer type"},
		{"listing without product", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindListing) + `"}`), nil, 400, "product is required"},
		{"plan without id", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindPlan) + `","product":"product/` + pid + `"}`), nil, 400, "plan ID"},
		{"pricing with empty price", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindPlan) + `","product":"product/` + pid + `","identity":{"externalId":"gold"}},` +
			`{"$schema":"` + wire.Schema(wire.KindPriceAndAvail) + `","plan":"plan/` + pid + `/gold","pricing":{"model":"flatRate","price":"cheap"}}`), nil, 400, "pricing.price"},
		{"price for unknown plan", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindPriceAndAvail) + `","product":"product/` + pid +
			`","plan":"plan/` + pid + `/gold","pricing":{"model":"free"}}`), nil, 400, "not among the plans"},
		{"bad pricing model", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindPlan) + `","product":"product/` + pid + `","identity":{"externalId":"gold"}},` +
			`{"$schema":"` + wire.Schema(wire.KindPriceAndAvail) + `","plan":"plan/` + pid + `/gold","pricing":{"model":"cheap"}}`), nil, 400, "pricing model"},
		{"bad reseller state", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindReseller) + `","product":"product/` + pid + `","resellerChannelState":"maybe"}`), nil, 400, "resellerChannelState"},
		{"live without id", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindSubmission) + `","product":"product/` + pid + `","target":{"targetType":"live"}}`), nil, 400, "succeeded preview"},
		{"bad target", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindSubmission) + `","product":"product/` + pid + `","target":{"targetType":"prod"}}`), nil, 400, "targetType"},
		{"bad lifecycle", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindProduct) + `","id":"product/` + pid + `","lifecycleState":"published"}`), nil, 400, "deprecated"},
		{"unknown product", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindListing) + `","product":"product/nope"}`), nil, 404, "product nope not found"},
		{"unknown preview", "POST", "configure", configureJSON(`{"$schema":"` + wire.Schema(wire.KindSubmission) + `","product":"product/` + pid + `","id":"submission/` + pid + `/77","target":{"targetType":"live"}}`), nil, 404, "submission 77"},
		{"merge schema", "POST", "migration/partners/4871234/solutions/ocp-contoso-analytics/merge", []byte(`{"$schema":"x","product":"product/a"}`), nil, 400, wire.KindMergeRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			status, body := send(tc.method, tc.path, tc.body, tc.header)
			g.Expect(status).To(Equal(tc.status), body)
			g.Expect(body).To(ContainSubstring(tc.says))
			g.Expect(body).To(HavePrefix(`{"error":{"code":`), "errors are ErrorResponses")
		})
	}

	// A bearer token is accepted, and nothing above changed anything.
	status, _ := send("GET", "product/"+pid, nil, http.Header{"Authorization": {"Bearer token"}})
	g.Expect(status).To(Equal(http.StatusOK))
	var tree wire.ResourceTree
	a.call("GET", "resource-tree/product/"+pid+"?targetType=draft", nil, &tree)
	g.Expect(tree.Resources).To(HaveLen(1))
	g.Expect(a.sim.Stats().ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(strings.Join(keys(a.sim.Stats().Requests), " ")).To(ContainSubstring("POST configure 413"))
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

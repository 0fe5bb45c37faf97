package ingestion

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// roundTripper answers from a function and records the URLs asked for.
type roundTripper struct {
	mu   sync.Mutex
	urls []string
	fn   func(r *http.Request) (int, string)
}

func (rt *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.urls = append(rt.urls, r.Method+" "+r.URL.String())
	rt.mu.Unlock()
	if rt.fn == nil {
		return nil, errors.New("no call expected")
	}
	status, body := rt.fn(r)
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func TestHostOf(t *testing.T) {
	tests := []struct {
		url       string
		microsoft bool
		poll      time.Duration
	}{
		{"https://graph.microsoft.com/rp/product-ingestion", true, time.Minute},
		{"https://api.partner.microsoft.com/v1.0/ingestion", true, time.Minute},
		{"http://127.0.0.1:8090/rp/product-ingestion", false, 2 * time.Second},
		{"https://pc-sim.example.com/rp/product-ingestion", false, 2 * time.Second},
		{"https://microsoft.com.example.org/rp", false, 2 * time.Second},
	}
	for _, tt := range tests {
		g := NewWithT(t)
		h, ok := HostOfURL(tt.url)
		g.Expect(ok).To(BeTrue())
		g.Expect(h.Microsoft).To(Equal(tt.microsoft), tt.url)
		g.Expect(h.SimulatorExtensions).To(Equal(!tt.microsoft), tt.url)
		g.Expect(h.NeedsCredentials).To(Equal(tt.microsoft), tt.url)
		g.Expect(h.JobPollInterval).To(Equal(tt.poll), tt.url)
		c, err := New(Options{BaseURL: tt.url})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(c.JobPollInterval()).To(Equal(tt.poll))
	}
	_, ok := HostOfURL("embedded")
	NewWithT(t).Expect(ok).To(BeFalse())
	c, _ := New(Options{BaseURL: "https://graph.microsoft.com/rp/product-ingestion", JobPollInterval: 5 * time.Minute})
	NewWithT(t).Expect(c.JobPollInterval()).To(Equal(5*time.Minute), "the flag wins")
}

// Against Microsoft, the OCP GTM operations are Unsupported, say what to
// do instead, and make no call.
func TestMigrationUnsupportedAtMicrosoft(t *testing.T) {
	g := NewWithT(t)
	rt := &roundTripper{}
	c, err := New(Options{BaseURL: "https://graph.microsoft.com/rp/product-ingestion", HTTPClient: &http.Client{Transport: rt}})
	g.Expect(err).NotTo(HaveOccurred())
	ctx := context.Background()
	calls := map[string]func() error{
		"Prerequisites": func() error { _, err := c.Prerequisites(ctx, "1", "p"); return err },
		"GetSolution":   func() error { _, err := c.GetSolution(ctx, "1", "s"); return err },
		"MigrateSolution": func() error {
			_, err := c.MigrateSolution(ctx, pc.MigrateRequest{PartnerID: "1", SolutionID: "s", OfferID: "o", OfferType: "SoftwareAsAService"})
			return err
		},
		"RequestMerge": func() error {
			_, err := c.RequestMerge(ctx, pc.MergeRequest{PartnerID: "1", SolutionID: "s", ProductID: "p"})
			return err
		},
		"DiscardSolution": func() error { _, err := c.DiscardSolution(ctx, "1", "s"); return err },
		"UndoDiscard":     func() error { _, err := c.UndoDiscard(ctx, "1", "s"); return err },
	}
	for name, call := range calls {
		err := call()
		g.Expect(pc.ClassOf(err)).To(Equal(pc.ClassUnsupported), name)
		g.Expect(err.Error()).To(ContainSubstring("in Partner Center"), name)
	}
	g.Expect(rt.urls).To(BeEmpty())
}

// Against a simulator the extension lives under /simulator/ocp-gtm,
// relative to the server root, not under the Product Ingestion base.
func TestMigrationExtensionPaths(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.HasSuffix(r.URL.Path, "/prerequisites") {
			writeJSON(w, 200, wire.Prerequisites{PartnerID: "1", MembershipValid: true, MarketplaceAccount: true, PublisherRole: "Admin"})
			return
		}
		writeJSON(w, 200, wire.LegacySolution{PartnerID: "1", SolutionID: "s", State: wire.SolutionMigrated, Product: "product/p1"})
	})
	ctx := context.Background()
	_, err := c.Prerequisites(ctx, "1", "contoso")
	g.Expect(err).NotTo(HaveOccurred())
	sol, err := c.MigrateSolution(ctx, pc.MigrateRequest{PartnerID: "1", SolutionID: "s", OfferID: "o", OfferType: "CoSellOnly", PublisherID: "contoso"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sol.ProductID).To(Equal("p1"))
	reqs := s.requests()
	g.Expect(reqs[0].Path).To(Equal("/simulator/ocp-gtm/partners/1/prerequisites"))
	g.Expect(reqs[0].Query.Get("publisherId")).To(Equal("contoso"))
	g.Expect(reqs[1].Path).To(Equal("/simulator/ocp-gtm/partners/1/solutions/s/migrate"))
	var body map[string]any
	g.Expect(json.Unmarshal(reqs[1].Body, &body)).To(Succeed())
	g.Expect(body).To(Equal(map[string]any{"identity": map[string]any{"externalId": "o"}, "type": "cosellOnly", "publisherId": "contoso"}))
}

// At Microsoft, co-sell goes to the Partner Ingestion API's own host.
func TestCoSellAtMicrosoft(t *testing.T) {
	g := NewWithT(t)
	rt := &roundTripper{fn: func(r *http.Request) (int, string) {
		switch {
		case r.Method == http.MethodPut:
			return 200, "{}"
		case strings.Contains(r.URL.Path, "/branches/"):
			return 200, `{"value":[{"type":"Private","currentDraftInstanceID":"i-private"},{"type":"Main","module":"Cosell","currentDraftInstanceID":"i-main"}]}`
		case strings.Contains(r.URL.Path, "/cosellListing/"):
			return 200, `{"value":[{"resourceType":"CosellListing","id":"cl","@odata.etag":"\"7\"","offerType":"kept","futureField":{"a":1}}]}`
		}
		return 200, `{"value":[{"id":"g-other","externalIDs":[{"type":"AzureOfferId","value":"other"}]},{"id":"g-1","externalIDs":[{"type":"AzureOfferId","value":"contoso"}]}]}`
	}}
	c, err := New(Options{BaseURL: "https://graph.microsoft.com/rp/product-ingestion", HTTPClient: &http.Client{Transport: rt}})
	g.Expect(err).NotTo(HaveOccurred())
	unwritten, err := c.ConfigureCoSell(context.Background(), "contoso", "AzureApplication", pc.CoSellListing{
		SolutionAreas: []string{"Security"}, Industries: []string{"Retail"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(unwritten).To(ConsistOf(HaveField("Resource", "spec.coSell.industries")))
	g.Expect(rt.urls).To(HaveLen(4))
	g.Expect(rt.urls[0]).To(HavePrefix("GET https://api.partner.microsoft.com/v1.0/ingestion/products?%24filter=externalIDs%2FAny%28i%3Ai%2Ftype+eq+%27AzureOfferId%27+and+i%2Fvalue+eq+%27contoso%27%29"))
	g.Expect(rt.urls[1]).To(Equal("GET https://api.partner.microsoft.com/v1.0/ingestion/products/g-1/branches/getByModule(module=Cosell)"))
	g.Expect(rt.urls[2]).To(Equal("GET https://api.partner.microsoft.com/v1.0/ingestion/products/g-1/cosellListing/getByInstanceID(instanceID=i-main)"))
	g.Expect(rt.urls[3]).To(Equal("PUT https://api.partner.microsoft.com/v1.0/ingestion/products/g-1/cosellListing/i-main"))
}

func TestCoSellKeepsWhatItDoesNotOwn(t *testing.T) {
	g := NewWithT(t)
	var put map[string]any
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.Method == http.MethodPut:
			_ = json.NewDecoder(r.Body).Decode(&put)
			writeJSON(w, 200, put)
		case strings.Contains(r.URL.Path, "/branches/"):
			writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"type": "Main", "currentDraftInstanceID": "i1"}}})
		case strings.Contains(r.URL.Path, "/cosellListing/"):
			writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "cl", "@odata.etag": "e1", "offerType": "kept",
				"assetReferences": []any{map[string]any{"type": "PitchDeck", "value": "asset-1"}},
				"solutionAreas":   []any{map[string]any{"area": "Old"}}}}})
		default:
			writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "g1", "externalIDs": []any{map[string]any{"type": "AzureOfferID", "value": "contoso"}}}}})
		}
	})
	_, err := c.ConfigureCoSell(context.Background(), "contoso", "SoftwareAsAService", pc.CoSellListing{
		SolutionAreas: []string{"Security", "Data & AI"},
		Contacts:      []pc.Contact{{Role: "Sales", Name: "Sam", Email: "sam@contoso.com"}}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(put["resourceType"]).To(Equal("CosellListing"))
	g.Expect(put["id"]).To(Equal("cl"))
	g.Expect(put["@odata.etag"]).To(Equal("e1"))
	g.Expect(put["offerType"]).To(Equal("kept"))
	g.Expect(put["assetReferences"]).To(HaveLen(1))
	g.Expect(put["solutionAreas"]).To(Equal([]any{
		map[string]any{"area": "Data & AI", "subAreas": []any{}}, map[string]any{"area": "Security", "subAreas": []any{}}}))
	g.Expect(put["contacts"]).To(Equal([]any{map[string]any{"name": "Sam", "email": "sam@contoso.com", "role": "Sales"}}))
}

func TestCoSellErrors(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.Contains(r.URL.Path, "/branches/") {
			writeJSON(w, 200, map[string]any{"value": []any{}})
			return
		}
		writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "g1", "externalIDs": []any{map[string]any{"type": "AzureOfferID", "value": "contoso"}}}}})
	})
	ctx := context.Background()
	for _, ot := range []string{"ConsultingService", "CoSellOnly", "ManagedService", "PowerBIApp", "IoTEdgeModule", "ContainerApp", "PowerBIVisual"} {
		_, err := c.ConfigureCoSell(ctx, "contoso", ot, pc.CoSellListing{})
		g.Expect(pc.ClassOf(err)).To(Equal(pc.ClassUnsupported), ot)
		g.Expect(err.Error()).To(ContainSubstring("Co-sell tab in Partner Center"))
	}
	g.Expect(s.count()).To(BeZero(), "no call for an offer type the API does not serve")
	_, err := c.ConfigureCoSell(ctx, "nobody", "SoftwareAsAService", pc.CoSellListing{})
	g.Expect(pc.IsNotFound(err)).To(BeTrue())
	_, err = c.ConfigureCoSell(ctx, "contoso", "SoftwareAsAService", pc.CoSellListing{})
	g.Expect(pc.IsNotFound(err)).To(BeTrue(), "no co-sell branch")
	g.Expect(err.Error()).To(ContainSubstring("no co-sell draft"))
}

func TestNextLinkStaysOnTheHost(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, map[string]any{"value": []any{}, "@nextLink": "https://elsewhere.example.com/product?page=2"})
	})
	_, err := c.FindProduct(context.Background(), "contoso")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTerminal))
	g.Expect(e.Message).To(ContainSubstring("leaves"))
	g.Expect(s.count()).To(Equal(1))
}

func TestDraftResourcesSayWhatTheyCannotWrite(t *testing.T) {
	type want struct {
		kinds     []string
		unwritten []string
	}
	full := fullDraft()
	full.Resell = pc.Resell{Policy: "Specific", PartnerIDs: []string{"123"}}
	tests := map[string]want{
		"SoftwareAsAService": {
			kinds: []string{"listing", "plan", "plan-listing", "price-and-availability-plan", "plan", "plan-listing", "price-and-availability-plan",
				"plan", "plan-listing", "price-and-availability-plan", "plan", "plan-listing", "price-and-availability-plan", "plan", "plan-listing", "price-and-availability-plan"},
			unwritten: []string{"spec.listing.keywords", "spec.plans[free].pricing", "spec.plans[byol].pricing", "spec.plans[contact].pricing", "spec.resell"},
		},
		"AzureVirtualMachine": {
			kinds: []string{"listing", "plan", "plan-listing", "price-and-availability-plan", "plan", "plan-listing", "price-and-availability-plan",
				"plan", "plan-listing", "price-and-availability-plan", "plan", "plan-listing", "price-and-availability-plan", "plan", "plan-listing", "price-and-availability-plan"},
			unwritten: []string{"spec.listing.keywords", "spec.plans[seats].pricing", "spec.plans[contact].pricing", "spec.resell"},
		},
		"ConsultingService": {
			unwritten: []string{"spec.listing", "spec.plans[basic]", "spec.plans[free]", "spec.plans[seats]", "spec.plans[byol]", "spec.plans[contact]", "spec.resell"},
		},
	}
	for spec, w := range tests {
		t.Run(spec, func(t *testing.T) {
			g := NewWithT(t)
			ot, ok := wire.LookupOfferType(spec)
			g.Expect(ok).To(BeTrue())
			res, unwritten, err := DraftResources(ot, "p1", full, nil)
			g.Expect(err).NotTo(HaveOccurred())
			var kinds, fields []string
			for _, r := range res {
				b, _ := json.Marshal(r)
				var h wire.Head
				_ = json.Unmarshal(b, &h)
				kinds = append(kinds, h.Kind())
			}
			for _, u := range unwritten {
				fields = append(fields, u.Resource)
				g.Expect(u.Code).To(Equal(pc.CodeNotSupported))
				g.Expect(u.Message).To(ContainSubstring("Partner Center"))
			}
			g.Expect(kinds).To(Equal(w.kinds))
			g.Expect(fields).To(Equal(w.unwritten))
		})
	}
	g := NewWithT(t)
	saas, _ := wire.LookupOfferType("SoftwareAsAService")
	_, _, err := DraftResources(saas, "p1", pc.Draft{Plans: []pc.Plan{{ID: "x", Pricing: "FlatRate", Price: "lots"}}}, nil)
	g.Expect(err).To(MatchError(ContainSubstring("not an amount")))
	_, _, err = DraftResources(saas, "p1", pc.Draft{Plans: []pc.Plan{{ID: "x", Pricing: "Barter"}}}, nil)
	g.Expect(err).To(MatchError(ContainSubstring("not one of")))
}

func TestMetricsRecorded(t *testing.T) {
	g := NewWithT(t)
	reg := prometheus.NewRegistry()
	g.Expect(RegisterMetrics(reg)).To(Succeed())
	before := testutil.ToFloat64(requestsTotal.WithLabelValues("GetProduct", "200"))
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, product("p1", "o")) })
	_, err := c.GetProduct(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(testutil.ToFloat64(requestsTotal.WithLabelValues("GetProduct", "200"))).To(Equal(before + 1))
	n, err := testutil.GatherAndCount(reg, "cosell_partner_center_requests_total", "cosell_partner_center_request_duration_seconds")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(n).To(BeNumerically(">=", 2))
}

package ingestion

// Real Partner Center traffic (testdata/recordings, recorded by Microsoft's
// Azure CLI extension partnercenter; see the README there): every recorded
// answer is decoded by the adapter, and the adapter's submission-API calls
// are driven against a server that answers only the recorded requests.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// interaction is one recorded exchange (vcrpy's cassette format).
type interaction struct {
	Request struct {
		Body    *string             `json:"body"`
		Headers map[string][]string `json:"headers"`
		Method  string              `json:"method"`
		URI     string              `json:"uri"`
	} `json:"request"`
	Response struct {
		Body struct {
			String string `json:"string"`
		} `json:"body"`
		Status struct {
			Code int `json:"code"`
		} `json:"status"`
	} `json:"response"`
}

func loadCassette(t *testing.T, name string) []interaction {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "recordings", name))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Interactions []interaction `json:"interactions"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(c.Interactions) == 0 {
		t.Fatalf("%s has no interactions", name)
	}
	return c.Interactions
}

func cassettes(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "recordings", "*.yaml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no recordings: %v", err)
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	return names
}

// recordedRoute says how the adapter reads the answer of a recorded route.
type recordedRoute struct {
	method string
	path   *regexp.Regexp // the path after /v1.0/ingestion/
	check  func(g Gomega, it interaction, data []byte)
}

const subAPI = "https://api.partner.microsoft.com/v1.0/ingestion/"

func decodeAnswer[T any](g Gomega, it interaction, data []byte) T {
	var out T
	g.Expect(decodeInto("recorded", it.Response.Status.Code, data, &out)).To(Succeed(), "%s %s", it.Request.Method, it.Request.URI)
	return out
}

func checkProductPage(g Gomega, it interaction, data []byte) {
	page := decodeAnswer[wire.SubmissionPage[wire.SubmissionProduct]](g, it, data)
	g.Expect(page.Value).NotTo(BeEmpty())
	for _, p := range page.Value {
		g.Expect(p.ID).NotTo(BeEmpty())
		g.Expect(p.ExternalIDs).To(ContainElement(HaveField("Type", wire.SubmissionOfferIDType)))
	}
	if next := page.Next(); next != "" {
		g.Expect(next).To(HavePrefix("v1.0/ingestion/products?$skipToken="), "relative, as recorded")
	}
}

var recordedRoutes = []recordedRoute{
	{"GET", regexp.MustCompile(`^products$`), checkProductPage},
	{"POST", regexp.MustCompile(`^products$`), func(g Gomega, it interaction, data []byte) {
		g.Expect(decodeAnswer[wire.SubmissionProduct](g, it, data).ID).NotTo(BeEmpty())
	}},
	{"GET", regexp.MustCompile(`^products/[^/]+/branches/getByModule\(module=Listing\)$`), func(g Gomega, it interaction, data []byte) {
		page := decodeAnswer[wire.SubmissionPage[wire.Branch]](g, it, data)
		_, err := listingBranch("recorded", "p", page.Value, "")
		g.Expect(err).NotTo(HaveOccurred(), "the offer's listing branch")
	}},
	{"GET", regexp.MustCompile(`^products/[^/]+/listings/getByInstanceID\(instanceID=[^)]+\)$`), func(g Gomega, it interaction, data []byte) {
		page := decodeAnswer[wire.SubmissionPage[wire.AzureListing]](g, it, data)
		g.Expect(page.Value).To(HaveLen(1))
		g.Expect(page.Value[0].ID).NotTo(BeEmpty())
		g.Expect(page.Value[0].ETag).NotTo(BeEmpty())
	}},
	{"PUT", regexp.MustCompile(`^products/[^/]+/listings/([^/]+)$`), func(g Gomega, it interaction, data []byte) {
		l := decodeAnswer[wire.AzureListing](g, it, data)
		g.Expect(it.Request.URI).To(HaveSuffix("/" + l.ID))
	}},
	{"GET", regexp.MustCompile(`^products/[^/]+/variants$`), func(g Gomega, it interaction, data []byte) {
		for _, v := range decodeAnswer[wire.SubmissionPage[wire.AzureSkuVariant]](g, it, data).Value {
			g.Expect(v.ResourceType).To(Equal(wire.ResourceAzureSkuVariant))
			g.Expect(v.ID).NotTo(BeEmpty())
			g.Expect(v.ExternalID).NotTo(BeEmpty())
		}
	}},
	{"POST", regexp.MustCompile(`^products/[^/]+/variants$`), func(g Gomega, it interaction, data []byte) {
		v := decodeAnswer[wire.AzureSkuVariant](g, it, data)
		g.Expect(v.ID).NotTo(BeEmpty())
		g.Expect(v.ExternalID).To(Equal(gjson(g, *it.Request.Body)["externalID"]))
	}},
	// DELETE answers 204 without a body; the adapter reads none.
	{"DELETE", regexp.MustCompile(`^products/[^/]+(/variants/[^/]+|/listings/[^/]+/images/[^/]+)?$`), func(g Gomega, it interaction, data []byte) {
		g.Expect(it.Response.Status.Code).To(Equal(http.StatusNoContent))
		g.Expect(decodeInto("recorded", http.StatusNoContent, data, nil)).To(Succeed())
	}},
	// Routes the operator does not call (offer setup, listing images and
	// their blob upload): their answers are still JSON objects the
	// adapter's decoder takes, or, for the blob, empty.
	{"GET", regexp.MustCompile(`^products/[^/]+/(setup|listings/[^/]+/images)$`), checkObject},
	{"POST", regexp.MustCompile(`^products/[^/]+/(setup|listings/[^/]+/images)$`), checkObject},
	{"PUT", regexp.MustCompile(`^products/[^/]+/listings/[^/]+/images/[^/]+$`), checkObject},
	{"PUT", regexp.MustCompile(`^https://ingestionpackagesprod1\.blob\.core\.windows\.net/`), func(g Gomega, it interaction, data []byte) {
		g.Expect(it.Response.Status.Code).To(Equal(http.StatusCreated))
	}},
}

func checkObject(g Gomega, it interaction, data []byte) {
	g.Expect(decodeAnswer[map[string]any](g, it, data)).NotTo(BeNil())
}

func gjson(g Gomega, s string) map[string]any {
	var m map[string]any
	g.Expect(json.Unmarshal([]byte(s), &m)).To(Succeed())
	return m
}

// TestRecordedAnswersDecode decodes every recorded answer with the
// adapter: a route the table does not know fails, so a new recording is
// looked at before it is trusted.
func TestRecordedAnswersDecode(t *testing.T) {
	total := 0
	for _, name := range cassettes(t) {
		for i, it := range loadCassette(t, name) {
			g := NewWithT(t)
			total++
			data := []byte(it.Response.Body.String)
			if code := it.Response.Status.Code; code >= 300 {
				err := responseError("recorded", code, http.Header{}, data, time.Now())
				g.Expect(err.Class).To(Equal(pc.ClassTerminal), "%s #%d", name, i)
				g.Expect(err.Message).To(ContainSubstring("Request validation failed"), "the string body's text is kept")
				continue
			}
			path, _ := strings.CutPrefix(it.Request.URI, subAPI)
			if u, err := url.Parse(path); err == nil && !u.IsAbs() {
				path = u.Path
			}
			var matched []recordedRoute
			for _, r := range recordedRoutes {
				if r.method == it.Request.Method && r.path.MatchString(path) {
					matched = append(matched, r)
				}
			}
			if len(matched) != 1 {
				t.Fatalf("%s #%d %s %s: %d routes of the table match; classify it", name, i, it.Request.Method, it.Request.URI, len(matched))
			}
			matched[0].check(g, it, data)
		}
	}
	if total < 146 {
		t.Fatalf("only %d recorded answers: the recordings are missing", total)
	}
}

// replay answers only recorded requests, in the recorded order: each
// request must match (method, path, query, If-Match: *, and the body's
// properties the recording also sends) a recorded interaction not yet
// played after the last one played. Anything else is an unrecorded request.
type replay struct {
	t          *testing.T
	its        []interaction
	mu         sync.Mutex
	cursor     int
	played     []int
	unrecorded []string
	strict     bool
}

func (rp *replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rp.mu.Lock()
	defer rp.mu.Unlock()
	for i := rp.cursor; i < len(rp.its); i++ {
		if rp.matches(rp.its[i], r, body) {
			rp.cursor, rp.played = i+1, append(rp.played, i)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(rp.its[i].Response.Status.Code)
			_, _ = io.WriteString(w, rp.its[i].Response.Body.String)
			return
		}
	}
	what := r.Method + " " + r.URL.RequestURI()
	rp.unrecorded = append(rp.unrecorded, what)
	if rp.strict {
		rp.t.Errorf("unrecorded request %s (If-Match %q, body %s)", what, r.Header.Get("If-Match"), body)
	}
	http.Error(w, "unrecorded request", http.StatusTeapot)
}

func (rp *replay) matches(it interaction, r *http.Request, body []byte) bool {
	rec, err := url.Parse(it.Request.URI)
	if err != nil || it.Request.Method != r.Method || rec.Path != r.URL.Path ||
		!reflect.DeepEqual(rec.Query(), r.URL.Query()) || r.Header.Get("If-Match") != "*" {
		return false
	}
	if it.Request.Body == nil {
		return len(bytes.TrimSpace(body)) == 0
	}
	var want, got map[string]any
	if json.Unmarshal([]byte(*it.Request.Body), &want) != nil || json.Unmarshal(body, &got) != nil {
		return false
	}
	for k, v := range got {
		if w, ok := want[k]; ok && !reflect.DeepEqual(w, v) {
			return false
		}
	}
	return got["resourceType"] == want["resourceType"]
}

// replayClient is a client of a replay of the cassette.
func replayClient(t *testing.T, name string, strict bool) (*Client, *replay) {
	t.Helper()
	rp := &replay{t: t, its: loadCassette(t, name), strict: strict}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	c, err := New(Options{BaseURL: srv.URL + basePath, CoSellBaseURL: srv.URL + wire.CoSellPathPrefix,
		HTTPClient: srv.Client(), MaxAttempts: 1, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, rp
}

var recordedOfferID = regexp.MustCompile(`i%2Fvalue\+eq\+%27([^%]+)%27`)

// TestReplayLookup: the adapter's lookup is the recorded request, in every
// recording that has one, and finds the recorded product.
func TestReplayLookup(t *testing.T) {
	for _, name := range cassettes(t) {
		its := loadCassette(t, name)
		var offerID, productID string
		for _, it := range its {
			if m := recordedOfferID.FindStringSubmatch(it.Request.URI); m != nil && it.Request.Method == http.MethodGet {
				offerID = m[1]
				productID = gjson(NewWithT(t), it.Response.Body.String)["value"].([]any)[0].(map[string]any)["id"].(string)
				break
			}
		}
		if offerID == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			c, rp := replayClient(t, name, true)
			got, err := c.subProduct(context.Background(), "FindProduct", offerID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(productID))
			g.Expect(rp.played).To(HaveLen(1))
		})
	}
}

// TestReplayPaging follows the recorded relative nextLinks to the end.
func TestReplayPaging(t *testing.T) {
	g := NewWithT(t)
	c, rp := replayClient(t, "test_marketplace_offer.yaml", true)
	var names []string
	u := join(c.cosell, url.Values{"$skipToken": {""}}, "products")
	g.Expect(c.subPages(context.Background(), "ListProducts", u, func(raw json.RawMessage) bool {
		var p wire.SubmissionProduct
		g.Expect(json.Unmarshal(raw, &p)).To(Succeed())
		names = append(names, p.Name)
		return true
	})).To(Succeed())
	g.Expect(rp.played).To(HaveLen(9), "nine recorded pages")
	g.Expect(names).To(ContainElements("bobjennytest", "simplebicep"), "the first page's and the last page's")
}

// TestPagingCap: a server that always answers a nextLink is left after
// maxSubmissionPages pages with an error, not followed forever.
func TestPagingCap(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{}, "nextLink": "v1.0/ingestion/products?$skipToken=x"})
	}, func(o *Options) { o.CoSellBaseURL = "" })
	err := c.subPages(context.Background(), "ListProducts", join(c.cosell, nil, "products"), func(json.RawMessage) bool { return true })
	g.Expect(err).To(MatchError(ContainSubstring("more than 100 pages")))
	g.Expect(s.count()).To(Equal(maxSubmissionPages))
	for _, r := range s.requests() {
		g.Expect(r.Header.Get("If-Match")).To(Equal("*"))
		g.Expect(r.Path).To(Equal("/v1.0/ingestion/products"))
	}
}

// TestReplayAzureApplicationDraft drives ConfigureDraft of an Azure
// Application against the managed application and solution template
// recordings: the offer listing and the plan listing are written with the
// recorded requests; the plan exists already, so no plan is created.
func TestReplayAzureApplicationDraft(t *testing.T) {
	for _, tc := range []struct{ cassette, productID, plan, planName string }{
		{"test_managed_app_creation.yaml", "d12d2ea1-1fe4-4152-8b5e-c7ab22b70c7f", "plantest-000003", "plantest-000003name"},
		{"test_solution_template_creation.yaml", "0cdd1eea-1ac5-42cb-84f8-62d5dca1717b", "plantest-000001", "plantest-000001name"},
	} {
		t.Run(tc.cassette, func(t *testing.T) {
			g := NewWithT(t)
			c, rp := replayClient(t, tc.cassette, true)
			const desc = "Unreal Cloud DDC for Unreal Engine game development."
			job, err := c.ConfigureDraft(context.Background(), tc.productID, "AzureApplication", pc.Draft{
				Listing: pc.Listing{Title: "clitest000002 Alias", Summary: "A storage offer for Unreal Engine Game Developers",
					ShortDescription: desc, Description: desc},
				Plans: []pc.Plan{{ID: tc.plan, Name: tc.planName, Description: desc}},
			})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(job.Succeeded()).To(BeTrue())
			g.Expect(job.ID).To(BeEmpty(), "synchronous writes")
			g.Expect(job.Unwritten).To(ContainElement(HaveField("Resource", "spec.plans["+tc.plan+"]")), "the technical configuration")
			puts := 0
			for _, i := range rp.played {
				if rp.its[i].Request.Method == http.MethodPut {
					puts++
				}
			}
			g.Expect(puts).To(Equal(2), "the offer listing and the plan listing")
		})
	}
}

// TestReplayPlanCreate: a plan Partner Center lacks is created with the
// recorded POST variants, and its listing branch read after it.
func TestReplayPlanCreate(t *testing.T) {
	g := NewWithT(t)
	c, rp := replayClient(t, "test_marketplace_offer_plan_listing.yaml", true)
	err := c.syncVariants(context.Background(), "ConfigureDraft", "1afb0b30-9471-40f1-b113-0058cd6510a5", nil,
		[]pc.Plan{{ID: "plantest-000001", Name: "plantest-000001 name"}})
	g.Expect(err).NotTo(HaveOccurred())
	var methods []string
	for _, i := range rp.played {
		methods = append(methods, rp.its[i].Request.Method+" "+rp.its[i].Request.URI[len(subAPI):])
	}
	g.Expect(methods).To(Equal([]string{
		"GET products/1afb0b30-9471-40f1-b113-0058cd6510a5/variants",
		"POST products/1afb0b30-9471-40f1-b113-0058cd6510a5/variants",
		"GET products/1afb0b30-9471-40f1-b113-0058cd6510a5/branches/getByModule(module=Listing)",
		"GET products/1afb0b30-9471-40f1-b113-0058cd6510a5/listings/getByInstanceID(instanceID=ec25c822-d3ce-8dc9-493b-96093d2b9035)",
	}))
}

// TestReplayCoSellLookup: ConfigureCoSell finds the product with the
// recorded lookup. No recording holds a co-sell exchange, so its next
// request (the Cosell branch) is the first unrecorded one; the simulator
// tests cover the rest.
func TestReplayCoSellLookup(t *testing.T) {
	g := NewWithT(t)
	c, rp := replayClient(t, "test_managed_app_creation.yaml", false)
	_, err := c.ConfigureCoSell(context.Background(), "clitest000002", "AzureApplication", pc.CoSellListing{SolutionAreas: []string{"Data & AI"}})
	g.Expect(err).To(HaveOccurred())
	g.Expect(rp.played).To(Equal([]int{0}))
	g.Expect(rp.unrecorded).To(Equal([]string{"GET /v1.0/ingestion/products/d12d2ea1-1fe4-4152-8b5e-c7ab22b70c7f/branches/getByModule(module=Cosell)"}))
}

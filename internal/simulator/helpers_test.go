package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// The simulator's tests drive it over raw HTTP with bodies written from
// Microsoft's documents (product-ingestion-api, product-ingestion-api-saas,
// the JSON Schemas in package schemas), never through the operator's
// adapter.

// clock is a settable time source for tests that check in-between states.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// version is the $version every documented sample request sends.
const version = "2022-03-01-preview2"

// Documented $schema URIs: the host of the docs and schemas, and the
// newer host of the 2023 docs, at the versions Microsoft's resource table
// names.
func sch(kind, ver string) string {
	return "https://product-ingestion.azureedge.net/schema/" + kind + "/" + ver
}
func mpSch(kind, ver string) string {
	return "https://schema.mp.microsoft.com/schema/" + kind + "/" + ver
}

// api drives a simulator over raw HTTP.
type api struct {
	t    testing.TB
	g    *WithT
	base string // server root
	sim  *Simulator
	clk  *clock // nil for real time
}

// newAPI starts a simulator in an httptest server; clk may be nil for real time.
func newAPI(t testing.TB, opts Options, clk *clock) *api {
	t.Helper()
	sim, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if clk != nil {
		sim.now = clk.Now
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := sim.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &api{t: t, g: NewWithT(t), base: srv.URL, sim: sim, clk: clk}
}

// do sends a request to a path of the server root (a string body is sent
// as is, anything else JSON-encoded) and returns the status and body.
func (a *api) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	resp, out := a.doResp(method, path, body)
	return resp.StatusCode, out
}

func (a *api) doResp(method, path string, body any) (*http.Response, []byte) {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		a.g.Expect(err).NotTo(HaveOccurred())
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	a.g.Expect(err).NotTo(HaveOccurred())
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	a.g.Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	a.g.Expect(err).NotTo(HaveOccurred())
	return resp, out
}

// testReadVersion is the $version of the tests' reads: the newest version
// of the resources they write (the SaaS and containers pages read at
// preview5); a read at preview2 would leave the SaaS listing out.
const testReadVersion = "2022-03-01-preview5"

// pi sends a Product Ingestion request: path is relative to
// /rp/product-ingestion/ and gets $version unless it has one (testReadVersion
// on a GET, version otherwise).
func (a *api) pi(method, path string, body any) (int, []byte) {
	a.t.Helper()
	if method == http.MethodGet {
		return a.do(method, piPathAt(path, testReadVersion), body)
	}
	return a.do(method, piPath(path), body)
}

func piPath(path string) string { return piPathAt(path, version) }

func piPathAt(path, version string) string {
	if !strings.Contains(path, "$version") {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "$version=" + version
	}
	return APIPrefix + "/" + path
}

// get reads a Product Ingestion answer that must be 200 into out.
func (a *api) get(path string, out any) {
	a.t.Helper()
	code, body := a.pi("GET", path, nil)
	a.g.Expect(code).To(Equal(http.StatusOK), "GET %s: %s", path, body)
	a.g.Expect(json.Unmarshal(body, out)).To(Succeed())
}

// obj is a JSON object written as the docs write it.
type obj = map[string]any

func envelope(resources ...obj) obj {
	list := make([]any, len(resources))
	for i, r := range resources {
		list[i] = r
	}
	return obj{"$schema": sch("configure", version), "resources": list}
}

// configure posts resources and expects 202 with a fresh job.
func (a *api) configure(resources ...obj) configureStatus {
	a.t.Helper()
	code, body := a.pi("POST", "configure", envelope(resources...))
	a.g.Expect(code).To(Equal(http.StatusAccepted), "configure: %s", body)
	var st configureStatus
	a.g.Expect(json.Unmarshal(body, &st)).To(Succeed())
	a.g.Expect(st.JobStatus).To(Equal(jobNotStarted))
	a.g.Expect(st.JobResult).To(Equal(resultPending))
	a.g.Expect(st.JobEnd).To(Equal("0001-01-01T00:00:00"))
	a.g.Expect(st.JobID).To(MatchRegexp(guidPattern.String()))
	return st
}

// job reads a job's status once.
func (a *api) job(jobID string) configureStatus {
	a.t.Helper()
	var st configureStatus
	a.get("configure/"+jobID+"/status", &st)
	return st
}

// waitJob polls a job until it completed (advancing the fake clock, if
// any, by a minute per poll, as Microsoft asks clients to poll).
func (a *api) waitJob(jobID string) configureStatus {
	a.t.Helper()
	var st configureStatus
	a.g.Eventually(func() string {
		st = a.job(jobID)
		if st.JobStatus != jobCompleted && a.clk != nil {
			a.clk.Advance(time.Minute)
		}
		return st.JobStatus
	}).WithTimeout(10 * time.Second).WithPolling(2 * time.Millisecond).Should(Equal(jobCompleted))
	a.g.Expect(st.JobEnd).NotTo(Equal(jobEndRunning))
	return st
}

// run configures and waits for the job.
func (a *api) run(resources ...obj) configureStatus {
	a.t.Helper()
	return a.waitJob(a.configure(resources...).JobID)
}

// mustSucceed runs resources, expects the job to succeed and returns its
// detail (GET configure/{jobId}).
func (a *api) mustSucceed(resources ...obj) []resource {
	a.t.Helper()
	st := a.run(resources...)
	a.g.Expect(st.JobResult).To(Equal(resultSucceeded), "job errors: %+v", st.Errors)
	a.g.Expect(st.Errors).To(BeEmpty())
	var d configureDetail
	a.get("configure/"+st.JobID, &d)
	return d.Resources
}

// mustFail runs resources and expects the job to fail with one error of
// code; it returns the error.
func (a *api) mustFail(code string, resources ...obj) innerError {
	a.t.Helper()
	st := a.run(resources...)
	a.g.Expect(st.JobResult).To(Equal(resultFailed))
	a.g.Expect(st.Errors).To(HaveLen(1), "errors: %+v", st.Errors)
	a.g.Expect(st.Errors[0].Code).To(Equal(code), "message: %s", st.Errors[0].Message)
	return st.Errors[0]
}

// idOfKind returns the durable ID of the first detail resource of a kind.
func idOfKind(rs []resource, kind string) string {
	for _, r := range rs {
		if k, _ := kindOf(str(r, "$schema")); k == kind {
			return idOf(r)
		}
	}
	return ""
}

// Resources as Microsoft's pages write them.

func productRes(externalID, productType, alias string) obj {
	return obj{"$schema": mpSch("product", "2022-03-01-preview3"), "resourceName": "newProduct",
		"identity": obj{"externalId": externalID}, "type": productType, "alias": alias}
}

func planRes(product any, externalID, alias string) obj {
	return obj{"$schema": mpSch("plan", "2022-03-01-preview2"), "product": product,
		"identity": obj{"externalId": externalID}, "alias": alias, "azureRegions": []any{"azureGlobal"}}
}

const longDescription = "<p>Contoso Analytics turns point-of-sale, inventory and shelf-sensor data into live dashboards " +
	"and demand forecasts for retail chains.</p>"

func listingRes(product any) obj {
	return obj{"$schema": mpSch("listing", "2022-03-01-preview5"), "product": product, "kind": "azureSaaS",
		"languageId": "en-us", "title": "Contoso Analytics", "description": longDescription,
		"shortDescription": "Real-time analytics for retail stores.", "searchResultSummary": "Retail analytics",
		"privacyPolicyLink":  "https://contoso.example/privacy",
		"supportContact":     obj{"name": "S", "email": "s@contoso.example", "phone": "4255555555"},
		"engineeringContact": obj{"name": "E", "email": "e@contoso.example", "phone": "4255555555"}}
}

func priceRes(product, plan any) obj {
	return obj{"$schema": mpSch("price-and-availability-plan", "2022-03-01-preview4"), "product": product, "plan": plan,
		"visibility": "visible", "audience": "public", "markets": []any{"us"},
		"pricing": obj{"recurrentPrice": obj{"recurrentPriceMode": "flatRate", "priceInputOption": "usd",
			"prices": []any{obj{"billingTerm": obj{"type": "month", "value": 1}, "paymentOption": obj{"type": "month", "value": 1}, "pricePerPaymentInUsd": 10}}}}}
}

func submissionReq(product any, targetType, id string) obj {
	r := obj{"$schema": sch("submission", "2022-03-01-preview2"), "product": product, "target": obj{"targetType": targetType}}
	if id != "" {
		r["id"] = id
	}
	return r
}

// createProduct creates a product and returns its GUID.
func (a *api) createProduct(externalID, productType string) string {
	a.t.Helper()
	detail := a.mustSucceed(productRes(externalID, productType, "Contoso "+externalID))
	id, ok := parseProductRef(idOfKind(detail, kindProduct))
	a.g.Expect(ok).To(BeTrue(), "detail %+v", detail)
	return id
}

// createOffer creates a SaaS product with a complete draft in one request,
// as the overview's sample does (references by resourceName), and returns
// its GUID and the plan's durable ID.
func (a *api) createOffer(externalID string) (string, string) {
	a.t.Helper()
	p := productRes(externalID, "softwareAsAService", "Contoso Analytics")
	pl := planRes(obj{"resourceName": "newProduct"}, "gold", "Gold")
	pl["resourceName"] = "gold"
	detail := a.mustSucceed(p, pl, listingRes(obj{"resourceName": "newProduct"}),
		priceRes(obj{"resourceName": "newProduct"}, obj{"resourceName": "gold"}))
	id, ok := parseProductRef(idOfKind(detail, kindProduct))
	a.g.Expect(ok).To(BeTrue(), "detail %+v", detail)
	return id, idOfKind(detail, kindPlan)
}

func (a *api) product(productID string) product {
	a.t.Helper()
	var p product
	a.get("product/"+productID, &p)
	a.expectValid(kindProduct, p)
	return p
}

func (a *api) submissions(productID string) []submission {
	a.t.Helper()
	var l listOf[submission]
	a.get("submission/"+productID, &l)
	for _, s := range l.Value {
		a.expectValid(kindSubmission, s)
	}
	return l.Value
}

// submit configures a submission, expects the job to be accepted and
// returns the job ID and the submission's durable ID (from the draft list).
func (a *api) submit(productID, targetType, id string) (string, string) {
	a.t.Helper()
	st := a.configure(submissionReq(productRef(productID), targetType, id))
	subs := a.submissions(productID)
	a.g.Expect(len(subs)).To(BeNumerically(">=", 2))
	// The newest submission of the target (IDs grow).
	best := ""
	for _, s := range subs {
		if s.Target.TargetType == targetType && (len(s.ID) > len(best) || len(s.ID) == len(best) && s.ID > best) {
			best = s.ID
		}
	}
	if best == "" {
		a.t.Fatalf("no %s submission among %+v", targetType, subs)
	}
	return st.JobID, best
}

// publish takes a product with a complete draft to preview and live and
// returns the live submission's durable ID.
func (a *api) publish(productID string) string {
	a.t.Helper()
	job, sub := a.submit(productID, targetPreview, "")
	st := a.waitJob(job)
	a.g.Expect(st.JobResult).To(Equal(resultSucceeded), "certification: %+v", st.Errors)
	job, live := a.submit(productID, targetLive, sub)
	a.g.Expect(live).To(Equal(sub), "live takes the preview submission")
	a.g.Expect(a.waitJob(job).JobResult).To(Equal(resultSucceeded))
	return live
}

// expectValid judges an answer against Microsoft's schema of its kind.
func (a *api) expectValid(kind string, doc any) {
	a.t.Helper()
	raw, err := json.Marshal(doc)
	a.g.Expect(err).NotTo(HaveOccurred())
	var m any
	a.g.Expect(json.Unmarshal(raw, &m)).To(Succeed())
	a.g.Expect(validateAnswer(kind, m)).To(Succeed(), "%s answer %s", kind, raw)
}

// expectValidResource judges a resource of an answer (a tree or a job
// detail) as the simulator judges requests: the published schema of its
// kind, relaxed where only later versions are documented.
func (a *api) expectValidResource(r resource) {
	a.t.Helper()
	k, v := kindOf(str(r, "$schema"))
	a.g.Expect(k).NotTo(BeEmpty(), "resource %+v", r)
	a.g.Expect(validateResource(k, v, r)).To(BeEmpty(), "resource %+v", r)
}

// Migration extension helpers.

const partner = "4871234"

func gtmPath(partnerID, rest string) string {
	return ExtensionPrefix + "/ocp-gtm/partners/" + partnerID + "/" + rest
}

func (a *api) solution(partnerID, solutionID string) legacySolution {
	a.t.Helper()
	code, body := a.do("GET", gtmPath(partnerID, "solutions/"+solutionID), nil)
	a.g.Expect(code).To(Equal(http.StatusOK), "solution: %s", body)
	var s legacySolution
	a.g.Expect(json.Unmarshal(body, &s)).To(Succeed())
	return s
}

// solutionAction posts a migration action and returns status, solution and error.
func (a *api) solutionAction(partnerID, solutionID, action string, body any) (int, legacySolution, errorBody) {
	a.t.Helper()
	code, raw := a.do("POST", gtmPath(partnerID, "solutions/"+solutionID+"/"+action), body)
	var s legacySolution
	var e errorBody
	if code < 300 {
		a.g.Expect(json.Unmarshal(raw, &s)).To(Succeed())
	} else {
		a.g.Expect(json.Unmarshal(raw, &e)).To(Succeed(), "error body %s", raw)
	}
	return code, s, e
}

func migrateBody(offerID, offerType, publisher string) obj {
	return obj{"identity": obj{"externalId": offerID}, "type": offerType, "publisherId": publisher}
}

func mergeBody(productRef, listingURI string) obj {
	b := obj{}
	if productRef != "" {
		b["product"] = productRef
	}
	if listingURI != "" {
		b["listingUri"] = listingURI
	}
	return b
}

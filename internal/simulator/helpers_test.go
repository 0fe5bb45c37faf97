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

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

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

// api drives a simulator over raw HTTP with wire types.
type api struct {
	t    testing.TB
	g    *WithT
	base string // server root, without APIPrefix
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

// raw sends a request to path (relative to APIPrefix) with $version added
// unless the path has a query with $version already.
func (a *api) raw(method, path string, body []byte, header http.Header) (*http.Response, []byte, error) {
	url := a.base + APIPrefix + "/" + path
	if !strings.Contains(path, "$version") {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		url += sep + "$version=" + wire.Version
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp, out, err
}

// call sends body (JSON-encoded unless nil) and decodes the answer into out
// when it is a 2xx; it returns the status and, for errors, the ErrorResponse.
func (a *api) call(method, path string, body, out any) (int, wire.ErrorResponse) {
	a.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		raw, err = json.Marshal(body)
		a.g.Expect(err).NotTo(HaveOccurred())
	}
	resp, data, err := a.raw(method, path, raw, nil)
	a.g.Expect(err).NotTo(HaveOccurred())
	var e wire.ErrorResponse
	if resp.StatusCode >= 300 {
		a.g.Expect(json.Unmarshal(data, &e)).To(Succeed(), "error body %s", data)
		return resp.StatusCode, e
	}
	if out != nil {
		a.g.Expect(json.Unmarshal(data, out)).To(Succeed(), "body %s", data)
	}
	return resp.StatusCode, e
}

func configureBody(resources ...wire.Resource) wire.Configure {
	return wire.Configure{Schema: wire.Schema(wire.KindConfigure), Resources: resources}
}

// configure posts resources and expects 202.
func (a *api) configure(resources ...wire.Resource) wire.ConfigureStatus {
	a.t.Helper()
	var st wire.ConfigureStatus
	code, e := a.call("POST", "configure", configureBody(resources...), &st)
	a.g.Expect(code).To(Equal(http.StatusAccepted), "configure: %+v", e)
	a.g.Expect(st.JobStatus).To(Equal(wire.JobNotStarted))
	a.g.Expect(st.JobResult).To(Equal(wire.JobPending))
	a.g.Expect(st.JobID).NotTo(BeEmpty())
	return st
}

// job reads a job once.
func (a *api) job(jobID string) wire.ConfigureStatus {
	a.t.Helper()
	var st wire.ConfigureStatus
	code, e := a.call("GET", "configure/"+jobID+"/status", nil, &st)
	a.g.Expect(code).To(Equal(http.StatusOK), "job: %+v", e)
	return st
}

// waitJob polls a job until it completed.
func (a *api) waitJob(jobID string) wire.ConfigureStatus {
	a.t.Helper()
	if a.clk != nil {
		a.clk.Advance(a.sim.opts.JobDelay)
	}
	var st wire.ConfigureStatus
	a.g.Eventually(func() string {
		st = a.job(jobID)
		return st.JobStatus
	}).WithTimeout(5 * time.Second).WithPolling(5 * time.Millisecond).Should(Equal(wire.JobCompleted))
	return st
}

// run configures and waits for the job.
func (a *api) run(resources ...wire.Resource) wire.ConfigureStatus {
	a.t.Helper()
	return a.waitJob(a.configure(resources...).JobID)
}

// mustSucceed runs resources and expects the job to succeed.
func (a *api) mustSucceed(resources ...wire.Resource) wire.ConfigureStatus {
	a.t.Helper()
	st := a.run(resources...)
	a.g.Expect(st.JobResult).To(Equal(wire.JobSucceeded), "job errors: %+v", st.Errors)
	return st
}

// mustFail runs resources and expects the job to fail with code.
func (a *api) mustFail(code string, resources ...wire.Resource) wire.Error {
	a.t.Helper()
	st := a.run(resources...)
	a.g.Expect(st.JobResult).To(Equal(wire.JobFailed))
	a.g.Expect(st.Errors).To(HaveLen(1))
	a.g.Expect(st.Errors[0].Code).To(Equal(code), "message: %s", st.Errors[0].Message)
	return st.Errors[0]
}

// resourceOf returns the job resource of a kind.
func resourceOf(st wire.ConfigureStatus, kind string) wire.Resource {
	for _, r := range st.Resources {
		if wire.KindOf(r.Schema) == kind {
			return r
		}
	}
	return wire.Resource{}
}

func newProduct(offerID, offerType, name string) wire.Resource {
	return wire.Resource{Schema: wire.Schema(wire.KindProduct), Identity: &wire.Identity{ExternalID: offerID},
		Type: offerType, Alias: name, PublisherID: "contoso"}
}

// createProduct creates a product and returns its bare ID.
func (a *api) createProduct(offerID, offerType string) string {
	a.t.Helper()
	st := a.mustSucceed(newProduct(offerID, offerType, offerID))
	id, ok := wire.ParseProductRef(resourceOf(st, wire.KindProduct).ID)
	a.g.Expect(ok).To(BeTrue())
	return id
}

func (a *api) product(productID string) wire.Product {
	a.t.Helper()
	var p wire.Product
	code, e := a.call("GET", "product/"+productID, nil, &p)
	a.g.Expect(code).To(Equal(http.StatusOK), "product: %+v", e)
	return p
}

func (a *api) findProducts(offerID string) []wire.Product {
	a.t.Helper()
	var l wire.List[wire.Product]
	code, e := a.call("GET", "product?externalId="+offerID, nil, &l)
	a.g.Expect(code).To(Equal(http.StatusOK), "find: %+v", e)
	return l.Value
}

func submissionRes(productID, target, id string) wire.Resource {
	return wire.Resource{Schema: wire.Schema(wire.KindSubmission), Product: wire.ProductRef(productID), ID: id,
		Target: &wire.Target{TargetType: target}}
}

// submit configures a submission and returns its bare ID.
func (a *api) submit(productID, target, previewRef string) string {
	a.t.Helper()
	st := a.mustSucceed(submissionRes(productID, target, previewRef))
	_, sid, ok := wire.ParseSubmissionRef(resourceOf(st, wire.KindSubmission).ID)
	a.g.Expect(ok).To(BeTrue(), "job resources %+v", st.Resources)
	return sid
}

func (a *api) submission(productID, submissionID string) wire.Submission {
	a.t.Helper()
	var s wire.Submission
	code, e := a.call("GET", "submission/"+productID+"/"+submissionID, nil, &s)
	a.g.Expect(code).To(Equal(http.StatusOK), "submission: %+v", e)
	return s
}

// waitSubmission polls a submission until it completed.
func (a *api) waitSubmission(productID, submissionID string) wire.Submission {
	a.t.Helper()
	var s wire.Submission
	a.g.Eventually(func() string {
		s = a.submission(productID, submissionID)
		return s.Status
	}).WithTimeout(10 * time.Second).WithPolling(10 * time.Millisecond).Should(Equal(wire.SubmissionCompleted))
	return s
}

// publish takes a product with a complete draft to live and returns the
// product.
func (a *api) publish(productID string) wire.Product {
	a.t.Helper()
	sid := a.submit(productID, wire.TargetPreview, "")
	s := a.waitSubmission(productID, sid)
	a.g.Expect(s.Result).To(Equal(wire.JobSucceeded), "certification: %+v", s.CertificationReport)
	live := a.submit(productID, wire.TargetLive, wire.SubmissionRef(productID, sid))
	a.g.Expect(a.waitSubmission(productID, live).Result).To(Equal(wire.JobSucceeded))
	return a.product(productID)
}

func (a *api) solution(partnerID, solutionID string) wire.LegacySolution {
	a.t.Helper()
	var s wire.LegacySolution
	code, e := a.call("GET", "migration/partners/"+partnerID+"/solutions/"+solutionID, nil, &s)
	a.g.Expect(code).To(Equal(http.StatusOK), "solution: %+v", e)
	return s
}

// solutionAction posts a migration action and returns status, solution and error.
func (a *api) solutionAction(partnerID, solutionID, action string, body any) (int, wire.LegacySolution, wire.ErrorResponse) {
	a.t.Helper()
	var s wire.LegacySolution
	code, e := a.call("POST", "migration/partners/"+partnerID+"/solutions/"+solutionID+"/"+action, body, &s)
	return code, s, e
}

// Draft resources of the samples in config/samples.

func res(kind, productID string) wire.Resource {
	return wire.Resource{Schema: wire.Schema(kind), Product: wire.ProductRef(productID)}
}

func listing(productID, title, summary, description, privacy string) wire.Resource {
	r := res(wire.KindListing, productID)
	r.LanguageID, r.Title, r.Summary, r.Description, r.PrivacyPolicyLink = "en-us", title, summary, description, privacy
	r.SupportLink = "https://contoso.example/support"
	return r
}

func plan(productID, planID, name string) wire.Resource {
	r := res(wire.KindPlan, productID)
	r.Identity, r.Alias, r.Description = &wire.Identity{ExternalID: planID}, name, name+" plan"
	return r
}

func price(productID, planID, model, amount string, markets ...string) wire.Resource {
	r := res(wire.KindPriceAndAvail, productID)
	r.Plan, r.Pricing, r.Markets = wire.PlanRef(productID, planID), &wire.Pricing{Model: model, Price: amount}, markets
	return r
}

func coSell(productID string, areas []string, landing string, docs []wire.Document, contacts ...wire.Contact) wire.Resource {
	r := res(wire.KindCoSellListing, productID)
	r.SolutionType, r.SolutionAreas, r.LandingPageLink, r.Documents, r.Contacts = "Software", areas, landing, docs, contacts
	return r
}

func reseller(productID, state string, partners ...string) wire.Resource {
	r := res(wire.KindReseller, productID)
	r.ResellerChannelState, r.PartnerIDs = state, partners
	return r
}

const longDescription = "<p>Contoso Analytics turns point-of-sale, inventory and shelf-sensor data into live dashboards " +
	"and demand forecasts for retail chains.</p>"

func analyticsDraft(pid string) []wire.Resource {
	return []wire.Resource{
		listing(pid, "Contoso Analytics", "Real-time analytics for retail stores.", longDescription, "https://contoso.example/privacy"),
		plan(pid, "standard", "Standard"), price(pid, "standard", "flatRate", "499.00", "US", "CA"),
		plan(pid, "enterprise", "Enterprise"), price(pid, "enterprise", "contact", "", "US"),
		coSell(pid, []string{"Data & AI"}, "https://contoso.example/analytics", []wire.Document{
			{Type: "SolutionOnePager", URL: "https://contoso.example/analytics/one-pager.pdf"},
			{Type: "PitchDeck", URL: "https://contoso.example/analytics/deck.pptx"},
			{Type: "ReferenceArchitecture", URL: "https://contoso.example/analytics/architecture.pdf"},
			{Type: "TechnicalValidation", URL: "https://contoso.example/analytics/validation.pdf"},
		}, wire.Contact{Role: "Sales", Name: "Dana Whitfield", Email: "dana.whitfield@contoso.example"}),
		reseller(pid, wire.ResellerEnabled),
	}
}

func fieldServiceDraft(pid string) []wire.Resource {
	return []wire.Resource{
		listing(pid, "Contoso Field Service", "Schedule, dispatch and track field technicians.",
			"<p>Contoso Field Service deploys into your Azure subscription and plans technician routes, dispatches work orders "+
				"to mobile devices and tracks every visit.</p>", "https://contoso.example/privacy"),
		plan(pid, "per-technician", "Per technician"), price(pid, "per-technician", "perUser", "29.00"),
		coSell(pid, []string{"Business Applications", "Infrastructure"}, "https://contoso.example/fieldservice", []wire.Document{
			{Type: "SolutionOnePager", URL: "https://contoso.example/fieldservice/one-pager.pdf"},
			{Type: "PitchDeck", URL: "https://contoso.example/fieldservice/deck.pptx"},
		}, wire.Contact{Role: "Sales", Name: "Dana Whitfield", Email: "dana.whitfield@contoso.example"}),
		reseller(pid, wire.ResellerSomeResellers, "5123456", "5234567"),
	}
}

// retailDraft is the consulting sample: no privacy policy, a short
// description and no plans, unless fixed.
func retailDraft(pid string, fixed bool) []wire.Resource {
	if fixed {
		return []wire.Resource{listing(pid, "Retail Data Assessment (2 weeks)", "A two-week assessment of your retail data estate.",
			"Two weeks with our data architects: we map your retail data estate, find the gaps and leave you with a prioritised plan.",
			"https://contoso.example/privacy")}
	}
	return []wire.Resource{listing(pid, "Retail Data Assessment (2 weeks)", "A two-week assessment of your retail data estate.",
		"Two weeks with our data architects.", "")}
}

func codes(items []wire.FeedbackItem) []string {
	var out []string
	for _, i := range items {
		out = append(out, i.Code)
	}
	return out
}

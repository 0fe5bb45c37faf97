package ingestion

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// jobServer answers POST configure with a running job that completes,
// on its second status read, as done says; other requests go to rest.
type jobServer struct {
	mu    sync.Mutex
	polls int
	sent  []wire.Configure
	done  func(body wire.Configure) wire.ConfigureStatus
	rest  func(w http.ResponseWriter, r *http.Request)
}

func (j *jobServer) handle(w http.ResponseWriter, r *http.Request, _ int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == basePath+"/configure":
		var body wire.Configure
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, 400, wire.CodeBadRequest, err.Error())
			return
		}
		j.sent = append(j.sent, body)
		writeJSON(w, http.StatusAccepted, wire.ConfigureStatus{Schema: wire.Schema(wire.KindConfigureStatus),
			JobID: "job-1", JobStatus: wire.JobNotStarted, JobResult: wire.JobPending})
	case r.Method == http.MethodGet && r.URL.Path == basePath+"/configure/job-1/status":
		j.polls++
		if j.polls < 2 {
			writeJSON(w, http.StatusOK, wire.ConfigureStatus{JobID: "job-1", JobStatus: wire.JobRunning, JobResult: wire.JobPending})
			return
		}
		st := j.done(j.sent[len(j.sent)-1])
		st.JobID, st.JobStatus = "job-1", wire.JobCompleted
		writeJSON(w, http.StatusOK, st)
	case j.rest != nil:
		j.rest(w, r)
	default:
		writeError(w, 404, wire.CodeNotFound, "no route "+r.URL.Path)
	}
}

// bodies returns the configure requests received.
func (j *jobServer) bodies() []wire.Configure {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]wire.Configure(nil), j.sent...)
}

// restart makes the next job complete on its second status read again.
func (j *jobServer) restart() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.polls = 0
}

func failedJob(code, msg string) func(wire.Configure) wire.ConfigureStatus {
	return func(wire.Configure) wire.ConfigureStatus {
		return wire.ConfigureStatus{JobResult: wire.JobFailed,
			Errors: []wire.Error{{Code: code, Message: msg, Target: "product/p1",
				Details: []wire.FeedbackItem{{Code: "detail", Resource: "listing", Message: "more"}}}}}
	}
}

func TestCreateProduct(t *testing.T) {
	g := NewWithT(t)
	js := &jobServer{done: func(body wire.Configure) wire.ConfigureStatus {
		r := body.Resources[0]
		r.ID = wire.ProductRef("p1")
		r.LifecycleState = wire.LifecycleDraft
		return wire.ConfigureStatus{JobResult: wire.JobSucceeded, Resources: []wire.Resource{r}}
	}}
	c, s := newClient(t, js.handle)
	p, err := c.CreateProduct(context.Background(), pc.ProductSpec{OfferID: "contoso", OfferType: "SoftwareAsAService",
		PublisherID: "contoso-pub", Name: "Contoso"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*p).To(Equal(pc.Product{ID: "p1", OfferID: "contoso", OfferType: "SoftwareAsAService",
		PublisherID: "contoso-pub", Name: "Contoso", State: pc.LifecycleDraft}))
	g.Expect(js.bodies()).To(HaveLen(1))
	g.Expect(js.bodies()[0].Resources).To(Equal([]wire.Resource{{Schema: wire.Schema(wire.KindProduct),
		Identity: &wire.Identity{ExternalID: "contoso"}, Type: "softwareAsAService", Alias: "Contoso", PublisherID: "contoso-pub"}}))
	g.Expect(s.count()).To(Equal(3)) // configure, two polls
}

func TestCreateProductFallsBackToFind(t *testing.T) {
	g := NewWithT(t)
	js := &jobServer{
		done: func(wire.Configure) wire.ConfigureStatus { return wire.ConfigureStatus{JobResult: wire.JobSucceeded} },
		rest: func(w http.ResponseWriter, r *http.Request) {
			g.Expect(r.URL.Query().Get("externalId")).To(Equal("contoso"))
			writeJSON(w, 200, wire.List[wire.Product]{Value: []wire.Product{product("p9", "contoso")}})
		},
	}
	c, _ := newClient(t, js.handle)
	p, err := c.CreateProduct(context.Background(), pc.ProductSpec{OfferID: "contoso", OfferType: "SoftwareAsAService"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID).To(Equal("p9"))
}

func TestCreateProductRefusesUnknownTypeBeforeAnyCall(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) { t.Error("unexpected call") })
	_, err := c.CreateProduct(context.Background(), pc.ProductSpec{OfferID: "contoso", OfferType: "Spreadsheet"})
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTerminal))
	g.Expect(e.Message).To(ContainSubstring(`"Spreadsheet" is not one of`))
	g.Expect(s.count()).To(Equal(0))
}

func TestJobFailureMapping(t *testing.T) {
	cases := []struct {
		code  string
		class pc.Class
	}{
		{wire.CodeProductExists, pc.ClassConflict},
		{wire.CodeInProgressSubmission, pc.ClassConflict},
		{wire.CodeNoChanges, pc.ClassConflict},
		{wire.CodeInvalidState, pc.ClassConflict},
		{wire.CodeNotFound, pc.ClassNotFound},
		{"listingTitleMissing", pc.ClassTerminal},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			g := NewWithT(t)
			c, _ := newClient(t, (&jobServer{done: failedJob(tc.code, "partner center refused")}).handle)
			for op, call := range map[string]func() error{
				"CreateProduct": func() error {
					_, err := c.CreateProduct(context.Background(), pc.ProductSpec{OfferID: "o", OfferType: "PowerBIApp"})
					return err
				},
				"SubmitPreview": func() error { _, err := c.SubmitPreview(context.Background(), "p1"); return err },
				"GoLive":        func() error { _, err := c.GoLive(context.Background(), "p1", "s1"); return err },
			} {
				e := asPC(g, call())
				g.Expect(e.Op).To(Equal(op))
				g.Expect(e.Class).To(Equal(tc.class), op)
				g.Expect(e.Code).To(Equal(tc.code), op)
				g.Expect(e.Message).To(ContainSubstring("partner center refused"))
				g.Expect(e.Details).To(ConsistOf(
					pc.FeedbackItem{Code: tc.code, Resource: "product/p1", Message: "partner center refused"},
					pc.FeedbackItem{Code: "detail", Resource: "listing", Message: "more"}))
			}
		})
	}
}

func TestConflictCodeWinsAmongJobErrors(t *testing.T) {
	g := NewWithT(t)
	e := jobFailedError("SubmitPreview", &wire.ConfigureStatus{JobID: "j", Errors: []wire.Error{
		{Code: "other", Message: "a"}, {Code: wire.CodeNoChanges, Message: "b"}}})
	g.Expect(e.Class).To(Equal(pc.ClassConflict))
	g.Expect(e.Code).To(Equal(pc.CodeNoChanges))
	g.Expect(e.Message).To(Equal("job j failed: a; b"))
}

func TestDeleteDraft(t *testing.T) {
	g := NewWithT(t)
	js := &jobServer{done: func(wire.Configure) wire.ConfigureStatus { return wire.ConfigureStatus{JobResult: wire.JobSucceeded} }}
	c, _ := newClient(t, js.handle)
	g.Expect(c.DeleteDraft(context.Background(), "p1")).To(Succeed())
	g.Expect(js.bodies()[0].Resources).To(Equal([]wire.Resource{{Schema: wire.Schema(wire.KindProduct),
		ID: "product/p1", LifecycleState: wire.LifecycleDeleted}}))

	// Refused: terminal with Partner Center's message, even for a conflict code.
	c, _ = newClient(t, (&jobServer{done: failedJob(wire.CodeInvalidState, "product p1 was published")}).handle)
	err := c.DeleteDraft(context.Background(), "p1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTerminal))
	g.Expect(e.Message).To(ContainSubstring("product p1 was published"))

	c, _ = newClient(t, (&jobServer{done: failedJob(wire.CodeNotFound, "no product p1")}).handle)
	g.Expect(pc.IsNotFound(c.DeleteDraft(context.Background(), "p1"))).To(BeTrue())
}

func TestStopSaleAndGetJob(t *testing.T) {
	g := NewWithT(t)
	js := &jobServer{done: failedJob("saleStopBlocked", "cannot stop")}
	c, _ := newClient(t, js.handle)
	job, err := c.StopSale(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*job).To(Equal(pc.Job{ID: "job-1", Status: pc.JobNotStarted, Result: pc.JobPending}))
	g.Expect(js.bodies()[0].Resources[0].LifecycleState).To(Equal(wire.LifecycleDeprecated))
	g.Expect(js.bodies()[0].Resources[0].ID).To(Equal("product/p1"))

	job, err = c.GetJob(context.Background(), "job-1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Done()).To(BeFalse())
	job, err = c.GetJob(context.Background(), "job-1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Done()).To(BeTrue())
	g.Expect(job.Result).To(Equal(pc.JobFailed))
	g.Expect(job.Errors).To(HaveLen(2))
	g.Expect(job.Errors[0]).To(Equal(pc.FeedbackItem{Code: "saleStopBlocked", Resource: "product/p1", Message: "cannot stop"}))
}

func TestWaitForJobHonoursContext(t *testing.T) {
	g := NewWithT(t)
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, http.StatusAccepted, wire.ConfigureStatus{JobID: "j7", JobStatus: wire.JobRunning, JobResult: wire.JobPending})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.SubmitPreview(ctx, "p1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTransient))
	g.Expect(e.Message).To(ContainSubstring("j7"))
}

func TestFindAndGetProduct(t *testing.T) {
	g := NewWithT(t)
	live := product("p2", "live-offer")
	live.LifecycleState, live.LiveSubmission, live.LiveLink = wire.LifecyclePublished, "submission/p2/s5", "https://appsource/x"
	live.CoSellStatus, live.MigratedFrom, live.MergedSolutions = wire.CoSellIncentiveEligible, "sol-1", []string{"sol-2"}
	deleted := product("p3", "gone")
	deleted.LifecycleState = wire.LifecycleDeleted
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case basePath + "/product":
			switch r.URL.Query().Get("externalId") {
			case "live-offer":
				writeJSON(w, 200, wire.List[wire.Product]{Value: []wire.Product{product("px", "other"), live}})
			case "gone":
				writeJSON(w, 200, wire.List[wire.Product]{Value: []wire.Product{deleted}})
			default:
				writeJSON(w, 200, wire.List[wire.Product]{Value: []wire.Product{}})
			}
		case basePath + "/product/p2":
			writeJSON(w, 200, live)
		case basePath + "/product/p3":
			writeJSON(w, 200, deleted)
		default:
			writeError(w, 404, wire.CodeNotFound, "not found")
		}
	})
	want := pc.Product{ID: "p2", OfferID: "live-offer", OfferType: "SoftwareAsAService", Name: "Contoso",
		State: pc.LifecyclePublished, MigratedFrom: "sol-1", MergedSolutions: []string{"sol-2"},
		LiveSubmissionID: "s5", LiveURL: "https://appsource/x", CoSellLevel: pc.CoSellIncentiveEligible}
	p, err := c.FindProduct(context.Background(), "live-offer")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*p).To(Equal(want))
	p, err = c.GetProduct(context.Background(), "p2")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*p).To(Equal(want))

	for _, offer := range []string{"missing", "gone"} {
		_, err = c.FindProduct(context.Background(), offer)
		g.Expect(pc.IsNotFound(err)).To(BeTrue(), offer)
		g.Expect(asPC(g, err).Op).To(Equal("FindProduct"))
	}
	_, err = c.GetProduct(context.Background(), "p3")
	g.Expect(pc.IsNotFound(err)).To(BeTrue())
	_, err = c.GetProduct(context.Background(), "p404")
	g.Expect(pc.IsNotFound(err)).To(BeTrue())
}

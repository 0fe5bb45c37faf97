package ingestion

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The documented answers (testdata/answers, sources in its README) decode
// through the adapter's own calls.

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "answers", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// serve answers every request with a fixture chosen by path.
func serve(t *testing.T, byPath map[string]string) *Client {
	t.Helper()
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		path := strings.TrimPrefix(r.URL.Path, basePath+"/")
		key := path
		if tok := r.URL.Query().Get("continuationToken"); tok != "" {
			key += "#" + tok
		}
		name, ok := byPath[key]
		if !ok {
			writeError(w, http.StatusNotFound, codeNotFound, "no fixture for "+key)
			return
		}
		status := http.StatusOK
		if strings.HasPrefix(name, "error-") {
			status = http.StatusBadRequest
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(fixture(t, name))
	})
	return c
}

func TestDocumentedJobStatuses(t *testing.T) {
	tests := []struct {
		file   string
		id     string
		status pc.JobStatus
		result pc.JobResult
		end    bool
		codes  []string
	}{
		{"configure-status-running.json", "c32dd7e8-8619-462d-a96b-0ac1974bace5", pc.JobRunning, pc.JobPending, false, nil},
		{"configure-status-notstarted-jobID.json", "b3f49dff-381f-480d-a10e-17f4ce9e4c7b", pc.JobNotStarted, pc.JobPending, false, nil},
		{"configure-status-succeeded.json", "c32dd7e8-8619-462d-a96b-0ac1974bace5", pc.JobCompleted, pc.JobSucceeded, true, nil},
		{"configure-status-failed.json", "b3f49dff-381f-480d-a10e-17f4ce9e4c7b", pc.JobCompleted, pc.JobFailed, true, []string{"Conflict"}},
		{"configure-status-failed-certification.json", "9f0c3b2e-1d1b-4b8a-a8a8-5e1f7d3c2a10", pc.JobCompleted, pc.JobFailed, true,
			[]string{pc.CodeInvalidState}}, // one item: certification.go
		{"configure-status-cancelled.json", "9f0c3b2e-1d1b-4b8a-a8a8-5e1f7d3c2a11", pc.JobCompleted, pc.JobCancelled, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			g := NewWithT(t)
			c := serve(t, map[string]string{"configure/j/status": tt.file})
			job, err := c.GetJob(context.Background(), "j")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(job.ID).To(Equal(tt.id))
			g.Expect(job.Status).To(Equal(tt.status))
			g.Expect(job.Result).To(Equal(tt.result))
			g.Expect(job.Start.IsZero()).To(BeFalse())
			g.Expect(job.End.IsZero()).To(Equal(!tt.end), "the placeholder jobEnd is the zero time")
			var codes []string
			for _, e := range job.Errors {
				codes = append(codes, e.Code)
			}
			g.Expect(codes).To(Equal(tt.codes))
		})
	}
}

func TestDocumentedCertificationFailureKeepsResource(t *testing.T) {
	g := NewWithT(t)
	c := serve(t, map[string]string{"configure/j/status": "configure-status-failed-certification.json"})
	job, err := c.GetJob(context.Background(), "j")
	g.Expect(err).NotTo(HaveOccurred())
	// Without per-resource details, the refusal is one item naming the
	// submission, Partner Center's words and where the report is read.
	g.Expect(job.Errors).To(HaveLen(1))
	g.Expect(job.Errors[0].Resource).To(Equal("submission/7c9c5ba7-3c8e-4a0e-9a3a-2f3c1e8d1a11/2"))
	g.Expect(job.Errors[0].Message).To(And(ContainSubstring("Issues found during Certification."), ContainSubstring(CertificationReportHint)))
	g.Expect(pc.ClassOfCode(job.Errors[0].Code)).To(Equal(pc.ClassConflict))
}

func TestDocumentedConfigureDetail(t *testing.T) {
	g := NewWithT(t)
	c := serve(t, map[string]string{"configure/j": "configure-detail.json"})
	d, err := c.GetJobDetail(context.Background(), "j")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(d.ProductID()).To(Equal("7c9c5ba7-3c8e-4a0e-9a3a-2f3c1e8d1a11"))
	g.Expect(d.SubmissionID()).To(Equal("1"))
	g.Expect(d.Resources[0]).To(Equal(pc.ResourceRef{Kind: "product", DurableID: "product/7c9c5ba7-3c8e-4a0e-9a3a-2f3c1e8d1a11", ExternalID: "contoso-saas"}))
}

func TestDocumentedSubmissionList(t *testing.T) {
	g := NewWithT(t)
	c := serve(t, map[string]string{"submission/p": "submissions.json"})
	subs, err := c.ListSubmissions(context.Background(), "p")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(subs).To(HaveLen(4))
	ids := []string{}
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	g.Expect(ids).To(Equal([]string{"3", "2", "1", "0"}), "newest first, the draft entry last")
	g.Expect(subs[0].Status).To(Equal(pc.SubmissionNotStarted))
	g.Expect(subs[1].Status).To(Equal(pc.SubmissionRunning))
	g.Expect(subs[2].Target).To(Equal(pc.TargetLive))
	g.Expect(subs[2].Result).To(Equal(pc.SubmissionSucceeded))
	g.Expect(subs[2].Created).To(Equal(time.Date(2023, 1, 5, 10, 0, 0, 123456700, time.UTC)))
	g.Expect(subs[3].IsDraft()).To(BeTrue())
	g.Expect(subs[3].Status).To(BeEmpty())
	g.Expect(subs[3].Created.IsZero()).To(BeTrue())
}

func TestDocumentedResourceTree(t *testing.T) {
	g := NewWithT(t)
	c := serve(t, map[string]string{"resource-tree/product/p": "resource-tree-saas.json"})
	d, err := c.GetDraft(context.Background(), "p")
	g.Expect(err).NotTo(HaveOccurred(), "kinds the operator does not manage, other hosts and versions are read, not refused")
	g.Expect(d.Listing).To(Equal(pc.Listing{Title: "Contoso SaaS", Summary: "Summary", ShortDescription: "Short",
		Description: "<p>Desc</p>", PrivacyPolicyURL: "https://contoso.com/privacy", SupportURL: "https://contoso.com/support"}))
	g.Expect(d.Plans).To(Equal([]pc.Plan{{ID: "gold-annual", Name: "Gold", Description: "Gold plan description",
		Pricing: "FlatRate", Price: "10.00", Markets: []string{"DE", "US"}}}))
	g.Expect(d.Resell.Policy).To(Equal("All"))
}

func TestDocumentedProductPages(t *testing.T) {
	g := NewWithT(t)
	c := serve(t, map[string]string{"product": "products-page1.json", "product#opaque-token-1": "products-page2.json"})
	p, err := c.FindProduct(context.Background(), "contoso-saas")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p).To(Equal(&pc.Product{ID: "7c9c5ba7-3c8e-4a0e-9a3a-2f3c1e8d1a11", OfferID: "contoso-saas",
		OfferType: "SoftwareAsAService", Name: "Contoso SaaS", State: pc.LifecycleGenerallyAvailable}))
}

func TestDocumentedErrorAnswer(t *testing.T) {
	g := NewWithT(t)
	c := serve(t, map[string]string{"configure/j/status": "error-cancel-completed.json"})
	_, err := c.GetJob(context.Background(), "j")
	e := asPC(g, err)
	g.Expect(e.StatusCode).To(Equal(http.StatusBadRequest))
	g.Expect(e.Code).To(Equal("badRequest"))
	g.Expect(e.Message).To(Equal("Cannot cancel job, job has already completed."))
	g.Expect(e.Class).To(Equal(pc.ClassTerminal))
}

package ingestion

import (
	"context"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

func submission(id, target, status, result string, created time.Time) wire.Submission {
	return wire.Submission{Schema: wire.Schema(wire.KindSubmission), ID: wire.SubmissionRef("p1", id),
		Product: wire.ProductRef("p1"), Target: wire.Target{TargetType: target}, Status: status, Result: result, Created: created}
}

func TestSubmitPreviewAndGoLive(t *testing.T) {
	g := NewWithT(t)
	t0 := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	failed := submission("s1", wire.TargetPreview, wire.SubmissionCompleted, wire.JobFailed, t0)
	failed.CertificationReport = &wire.CertificationReport{Items: []wire.FeedbackItem{
		{Code: "privacyPolicyMissing", Resource: "listing", Message: "add a privacy policy"}}}
	preview := submission("s2", wire.TargetPreview, wire.SubmissionCompleted, wire.JobSucceeded, t0.Add(time.Hour))
	preview.PreviewLinks = []string{"https://preview/1"}
	live := submission("s3", wire.TargetLive, wire.SubmissionInProgress, "", t0.Add(2*time.Hour))

	js := &jobServer{
		done: func(body wire.Configure) wire.ConfigureStatus {
			r := body.Resources[0]
			if r.Target.TargetType == wire.TargetPreview {
				r.ID = preview.ID
				return wire.ConfigureStatus{JobResult: wire.JobSucceeded, Resources: []wire.Resource{r}}
			}
			// Going live lists only the preview submission it was given:
			// the client finds the new one in the list.
			return wire.ConfigureStatus{JobResult: wire.JobSucceeded, Resources: []wire.Resource{r}}
		},
		rest: func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case basePath + "/submission/p1/s2":
				writeJSON(w, 200, preview)
			case basePath + "/submission/p1":
				writeJSON(w, 200, wire.List[wire.Submission]{Value: []wire.Submission{failed, live, preview}})
			default:
				writeError(w, 404, wire.CodeNotFound, "not found")
			}
		},
	}
	c, _ := newClient(t, js.handle)

	s, err := c.SubmitPreview(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*s).To(Equal(pc.Submission{ID: "s2", ProductID: "p1", Target: pc.TargetPreview, Status: pc.SubmissionCompleted,
		Result: pc.SubmissionSucceeded, PreviewURLs: []string{"https://preview/1"}, Created: t0.Add(time.Hour)}))
	g.Expect(js.bodies()[0].Resources).To(Equal([]wire.Resource{{Schema: wire.Schema(wire.KindSubmission),
		Product: "product/p1", Target: &wire.Target{TargetType: wire.TargetPreview}}}))

	js.restart()
	s, err = c.GoLive(context.Background(), "p1", "s2")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.ID).To(Equal("s3"))
	g.Expect(s.Result).To(Equal(pc.SubmissionPending))
	g.Expect(js.bodies()[1].Resources).To(Equal([]wire.Resource{{Schema: wire.Schema(wire.KindSubmission),
		ID: "submission/p1/s2", Product: "product/p1", Target: &wire.Target{TargetType: wire.TargetLive}}}))

	list, err := c.ListSubmissions(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(list).To(HaveLen(3))
	g.Expect([]string{list[0].ID, list[1].ID, list[2].ID}).To(Equal([]string{"s3", "s2", "s1"}))
	g.Expect(list[2].Feedback).To(Equal([]pc.FeedbackItem{{Code: "privacyPolicyMissing", Resource: "listing", Message: "add a privacy policy"}}))
	g.Expect(list[2].Result).To(Equal(pc.SubmissionFailed))
}

func TestSubmissionConflictFromHTTP(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeError(w, http.StatusConflict, wire.CodeInProgressSubmission, "submission s1 is in progress")
	})
	_, err := c.SubmitPreview(context.Background(), "p1")
	g.Expect(pc.IsConflict(err)).To(BeTrue())
	g.Expect(pc.CodeOf(err)).To(Equal(pc.CodeInProgressSubmission))
	g.Expect(s.count()).To(Equal(1))
}

func TestSubmissionRequiredFields(t *testing.T) {
	g := NewWithT(t)
	for body, want := range map[string]string{
		`{"status":"completed"}`:                        "with id",
		`{"id":"submission/p1/s1"}`:                     "without a status",
		`{"id":"submission/p1/s1","status":"someday"}`:  "unknown status",
		`{"id":"submission/p1/s1","created":"yester"}`:  "not valid JSON|expected shape",
		`{"id":"submission/p1/s1","status":"completed"`: "not valid JSON",
	} {
		c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.WriteHeader(200)
			_, _ = w.Write([]byte(body))
		})
		_, err := c.GetSubmission(context.Background(), "p1", "s1")
		g.Expect(err).To(MatchError(MatchRegexp(want)), body)
	}
}

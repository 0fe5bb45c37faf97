package simulator

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestRestartKeepsState closes a realistic simulator in the middle of an
// hours-long certification and finds everything on a new simulator over the
// same store: progress is worked out from stored times, so the
// certification completes when its time has come.
func TestRestartKeepsState(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	clk := newClock()
	opts := Options{StoreDir: dir, Realistic: true}

	first, err := New(opts)
	g.Expect(err).NotTo(HaveOccurred())
	first.now = clk.Now
	g.Expect(first.Start(context.Background())).To(Succeed())
	a := &api{t: t, g: g, base: strings.TrimSuffix(first.URL(), APIPrefix), sim: first}
	pid, _ := a.createOfferAt(clk, "contoso-analytics")
	job, sub := a.submit(pid, targetPreview, "")
	code, _, _ := a.solutionAction(partner, "ocp-contoso-legacy-crm", "discard", nil)
	g.Expect(code).To(Equal(http.StatusOK))
	code, _, _ = a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK))
	clk.Advance(RealisticCertificationDelay - time.Hour - RealisticJobDelay)
	g.Expect(a.job(job).JobStatus).To(Equal(jobRunning), "certification takes hours")
	st0 := a.configure(listingRes("product/" + pid))
	g.Expect(a.job(st0.JobID).JobStatus).To(Equal(jobRunning), "a realistic job takes minutes")
	clk.Advance(RealisticJobDelay)
	g.Expect(a.job(st0.JobID).JobResult).To(Equal(resultSucceeded))
	g.Expect(a.submissions(pid)[1].Status).To(Equal(jobRunning))
	g.Expect(first.Close()).To(Succeed())
	g.Expect(first.Close()).To(Succeed(), "Close is idempotent")

	second, err := New(opts)
	g.Expect(err).NotTo(HaveOccurred())
	second.now = clk.Now
	g.Expect(second.Start(context.Background())).To(Succeed())
	defer second.Close()
	a = &api{t: t, g: g, base: strings.TrimSuffix(second.URL(), APIPrefix), sim: second}

	g.Expect(a.job(job).JobStatus).To(Equal(jobRunning))
	clk.Advance(time.Hour)
	st := a.job(job)
	g.Expect(st.JobStatus).To(Equal(jobCompleted))
	g.Expect(st.JobResult).To(Equal(resultSucceeded), "%+v", st.Errors)
	g.Expect(a.submissions(pid)[1]).To(HaveField("ID", sub))
	g.Expect(a.solution(partner, "ocp-contoso-legacy-crm").State).To(Equal(solutionDiscarded), "the seed does not reset solutions")
	g.Expect(a.solution(partner, "ocp-contoso-fieldservice").State).To(Equal(solutionMigrated))

	stats := second.Stats()
	g.Expect(stats.PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.Discards).To(Equal(map[string]int{"ocp-contoso-legacy-crm": 1}))
	g.Expect(stats.Migrations).To(Equal(map[string]int{"ocp-contoso-fieldservice": 1}))
	g.Expect(stats.Requests["POST ocp-gtm/discard 200"]).To(Equal(1), "request counters survive the restart")

	// Going live takes the realistic live delay; new submission IDs
	// continue after the old ones.
	st2 := a.configure(submissionReq("product/"+pid, targetLive, sub))
	clk.Advance(RealisticLiveDelay - time.Minute)
	g.Expect(a.job(st2.JobID).JobStatus).To(Equal(jobRunning))
	clk.Advance(time.Minute)
	g.Expect(a.job(st2.JobID).JobResult).To(Equal(resultSucceeded))
	_, sub2 := a.submit(pid, targetPreview, "")
	g.Expect(len(sub2) >= len(sub) && sub2 > sub).To(BeTrue(), "%s after %s", sub2, sub)
}

// createOfferAt creates an offer on a simulator whose jobs take
// RealisticJobDelay, advancing clk past each job.
func (a *api) createOfferAt(clk *clock, externalID string) (string, string) {
	a.t.Helper()
	a.clk = clk
	defer func() { a.clk = nil }()
	return a.createOffer(externalID)
}

func TestStoreIsLocked(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	first, err := New(Options{StoreDir: dir})
	g.Expect(err).NotTo(HaveOccurred())
	defer first.Close()
	_, err = New(Options{StoreDir: dir})
	g.Expect(err).To(MatchError(ContainSubstring("in use")))
}

func TestStartStopsWithContext(t *testing.T) {
	g := NewWithT(t)
	sim, err := New(Options{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sim.URL()).To(BeEmpty())
	ctx, cancel := context.WithCancel(context.Background())
	g.Expect(sim.Start(ctx)).To(Succeed())
	g.Expect(sim.Start(ctx)).To(MatchError(ContainSubstring("already started")))
	url := sim.URL()
	g.Expect(url).To(MatchRegexp(`^http://127\.0\.0\.1:\d+/rp/product-ingestion$`))

	resp, err := http.Get(strings.TrimSuffix(url, APIPrefix) + "/healthz")
	g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	resp, err = http.Get(strings.TrimSuffix(url, APIPrefix) + "/simulator/stats")
	g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK))

	cancel()
	g.Eventually(func() error {
		resp, err := http.Get(strings.TrimSuffix(url, APIPrefix) + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}).Should(HaveOccurred(), "the server stops when the context ends")
	g.Expect(sim.Close()).To(Succeed())
	g.Expect(sim.Start(context.Background())).To(MatchError(ContainSubstring("closed")))
}

func TestMainFlags(t *testing.T) {
	g := NewWithT(t)
	g.Expect(Main([]string{"simulator", "--no-such-flag"})).To(MatchError(ContainSubstring("no-such-flag")))
	g.Expect(Main([]string{"--faults", "boom=1", "--addr", "127.0.0.1:0"})).To(MatchError(ContainSubstring("boom")))
	g.Expect(Main([]string{"extra"})).To(MatchError(ContainSubstring("unexpected arguments")))
	g.Expect(Main([]string{"--realistic", "--certification-delay", "nope"})).To(MatchError(ContainSubstring("certification-delay")))
}

package simulator

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// TestRestartKeepsState closes the simulator in the middle of a
// certification and finds everything on a new simulator over the same store.
func TestRestartKeepsState(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	opts := Options{StoreDir: dir, CertificationDelay: time.Second, MergeDelay: time.Hour}

	first, err := New(opts)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(first.Start(context.Background())).To(Succeed())
	a := &api{t: t, g: g, base: strings.TrimSuffix(first.URL(), APIPrefix), sim: first}
	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	a.mustSucceed(analyticsDraft(pid)...)
	sid := a.submit(pid, wire.TargetPreview, "")
	code, _, _ := a.solutionAction(partner, "ocp-contoso-legacy-crm", "discard", nil)
	g.Expect(code).To(Equal(http.StatusOK))
	code, _, _ = a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(a.submission(pid, sid).Status).To(Equal(wire.SubmissionInProgress))
	g.Expect(first.Close()).To(Succeed())
	g.Expect(first.Close()).To(Succeed(), "Close is idempotent")

	second, err := New(opts)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(second.Start(context.Background())).To(Succeed())
	defer second.Close()
	a = &api{t: t, g: g, base: strings.TrimSuffix(second.URL(), APIPrefix), sim: second}

	s := a.waitSubmission(pid, sid)
	g.Expect(s.Result).To(Equal(wire.JobSucceeded))
	g.Expect(a.product(pid).LifecycleState).To(Equal(wire.LifecyclePublished))
	g.Expect(a.findProducts("contoso-analytics")).To(HaveLen(1))
	g.Expect(a.solution(partner, "ocp-contoso-legacy-crm").State).To(Equal(wire.SolutionDiscarded), "the seed does not reset solutions")
	g.Expect(a.solution(partner, "ocp-contoso-fieldservice").State).To(Equal(wire.SolutionMigrated))
	a.mustFail(wire.CodeNoChanges, submissionRes(pid, wire.TargetPreview, ""))

	stats := second.Stats()
	g.Expect(stats.PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.Discards).To(Equal(map[string]int{"ocp-contoso-legacy-crm": 1}))
	g.Expect(stats.Migrations).To(Equal(map[string]int{"ocp-contoso-fieldservice": 1}))
	g.Expect(stats.Requests["POST migration/discard 200"]).To(Equal(1), "request counters survive the restart")

	// New submission IDs continue after the old ones.
	a.mustSucceed(retailDraft(pid, true)...)
	g.Expect(a.submit(pid, wire.TargetPreview, "") > sid).To(BeTrue())
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
}

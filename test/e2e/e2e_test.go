// Package e2e_test runs the operator the way `make run` does (the `local`
// subcommand: etcd, kube-apiserver, the CRDs, the manager and the embedded
// Partner Center simulator in one process tree) and drives it with the real
// kubectl binary, as a person following the README would.
package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/test/internal/localrun"
	"github.com/cosell-operator/cosell-operator/test/internal/proc"
)

// Timeouts are generous: the machine is small and shared with other tests.
const (
	startTimeout = 90 * time.Second // the manager ready after a restart
	poll         = 500 * time.Millisecond
	steadyState  = 5 * time.Second // nothing may be redone after a restart
)

// The objects of config/samples that reach Ready on their own.
var samplesReady = []string{
	"marketplaceoffer/contoso-analytics",
	"marketplaceoffer/contoso-fieldservice",
	"solution/ocp-contoso-analytics",
	"solution/ocp-contoso-fieldservice",
	"solution/ocp-contoso-legacy-crm",
}

// legacyCRMOffer is the offer that the discarded legacy solution is migrated
// into after the discard is undone: a valid SaaS offer kept as a draft,
// declaring the migration (spec.migrateFrom) as README.md's demo does.
const legacyCRMOffer = `apiVersion: marketplace.cosell.io/v1alpha1
kind: MarketplaceOffer
metadata:
  name: contoso-legacy-crm
spec:
  offerID: contoso-legacy-crm
  offerType: SoftwareAsAService
  publisherID: contoso
  target: Draft
  managedInPartnerCenter: [TechnicalConfiguration]
  migrateFrom: {solutionID: ocp-contoso-legacy-crm}
  listing:
    title: Contoso Legacy CRM
    summary: The classic Contoso CRM, now in the commercial marketplace.
    description: >-
      <p>Contoso Legacy CRM keeps accounts, contacts and opportunities for
      small sales teams, with mail integration and pipeline reports.</p>
    privacyPolicyURL: https://contoso.example/privacy
    supportURL: https://contoso.example/support
  plans:
    - id: team
      name: Team
      description: Up to 25 users.
      pricing: PerUser
      price: "12.00"
`

// fixedListing makes contoso-retail-assessment pass certification (the
// patch README.md shows).
const fixedListing = `{"spec":{"listing":{"privacyPolicyURL":"https://contoso.example/privacy",` +
	`"description":"Contoso Retail Data Assessment scores your retail data estate: it checks sales, stock and customer data for gaps and hands over a prioritised plan for analytics on Azure."}}}`

// stats is the JSON of the simulator's GET /simulator/stats.
type stats struct{ simulator.Stats }

// stateChanges are the counters of what the simulator was asked to do; a
// restart of the operator must not add to any of them.
func (s stats) stateChanges() map[string]map[string]int {
	return map[string]map[string]int{
		"productsByOfferId": s.ProductsByOfferID, "previewSubmissions": s.PreviewSubmissions,
		"liveSubmissions": s.LiveSubmissions, "migrations": s.Migrations, "mergeRequests": s.MergeRequests,
		"discards": s.Discards, "undoDiscards": s.UndoDiscards,
	}
}

// TestLocalRunWithKubectl follows the README with the real binaries:
// `cosell-operator local` (what make run starts), kubectl apply of
// config/samples, kubectl wait, the printer columns of kubectl get cosell,
// the certification feedback in kubectl describe, kubectl explain, a fix of
// the failing offer and an undo of the discard with kubectl patch, a second
// local on the same folder refused, and a Ctrl-C restart on the same folder
// that keeps every object and redoes nothing in Partner Center.
func TestLocalRunWithKubectl(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: starts a local control plane and the operator")
	}
	g := NewWithT(t)
	begin := time.Now()
	phase := func(name string) { t.Logf("%6.1fs %s", time.Since(begin).Seconds(), name) }

	e := env{localrun.New(t, t.TempDir(),
		"--simulator-certification-delay", "1s", "--simulator-merge-delay", "1s")}
	phase("operator built")

	op := e.Launch(g, "")
	phase("control plane and operator up")

	// A second `make run` on the same state folder fails at once.
	e.secondLocalFailsFast(g)
	phase("second local refused")

	// kubectl apply -f config/samples/, then wait as a GitOps pipeline would.
	e.Kubectl(g, "apply", "-f", filepath.Join(e.Root, "config", "samples"))
	e.Kubectl(g, append([]string{"wait", "--for=condition=Ready", "--timeout=" + localrun.WaitTimeout.String()}, samplesReady...)...)
	phase("samples Ready")

	// The alerts and the dashboard (config/prometheus) use only metrics
	// that the operator exposes.
	e.expectListedMetrics(g)

	// The printer columns of `kubectl get cosell`.
	g.Eventually(func(g Gomega) {
		rows := localrun.MustParseTables(g, e.Kubectl(g, "get", "cosell"))
		localrun.ExpectRow(g, rows, "marketplaceoffer/contoso-analytics", map[string]string{
			"TYPE": "SoftwareAsAService", "TARGET": "Live", "PHASE": "Live", "CO-SELL": "CoSellReady", "READY": "True"})
		localrun.ExpectRow(g, rows, "marketplaceoffer/contoso-fieldservice", map[string]string{
			"TYPE": "AzureApplication", "TARGET": "Live", "PHASE": "Live", "CO-SELL": "CoSellReady", "READY": "True"})
		localrun.ExpectRow(g, rows, "marketplaceoffer/contoso-retail-assessment", map[string]string{
			"TYPE": "SoftwareAsAService", "TARGET": "Preview", "PHASE": "CertificationFailed", "CO-SELL": "", "READY": "False"})
		localrun.ExpectRow(g, rows, "solution/ocp-contoso-analytics", map[string]string{
			"ACTION": "Merge", "STATE": "Merged", "OFFER": "contoso-analytics", "READY": "True"})
		localrun.ExpectRow(g, rows, "solution/ocp-contoso-fieldservice", map[string]string{
			"ACTION": "Migrate", "STATE": "Migrated", "OFFER": "contoso-fieldservice", "READY": "True"})
		localrun.ExpectRow(g, rows, "solution/ocp-contoso-legacy-crm", map[string]string{
			"ACTION": "Discard", "STATE": "Discarded", "OFFER": "", "READY": "True"})
	}, localrun.WaitTimeout, poll).Should(Succeed())
	phase("kubectl get cosell columns checked")

	// The certification feedback is visible to a person with kubectl describe.
	g.Eventually(func(g Gomega) {
		out := e.Kubectl(g, "describe", "marketplaceoffer", "contoso-retail-assessment")
		// Certification refusals are businessValidationError inner errors,
		// each naming the resource to fix by its durable ID.
		g.Expect(out).To(MatchRegexp(`Code:\s+businessValidationError`))
		g.Expect(out).To(MatchRegexp(`Resource:\s+listing/[0-9a-f-]+/public/main/default/en-us`))
		g.Expect(out).To(MatchRegexp(`(?i)no privacy policy`))
		g.Expect(out).To(MatchRegexp(`(?i)description has \d+ characters`))
		g.Expect(out).To(MatchRegexp(`Type:\s+Stalled`))
		g.Expect(out).To(MatchRegexp(`Warning\s+CertificationFailed`), "an event carries the feedback")
	}, localrun.WaitTimeout, poll).Should(Succeed())
	explain := e.Kubectl(g, "explain", "marketplaceoffer.spec.listing")
	g.Expect(explain).To(ContainSubstring("privacyPolicyURL"))
	g.Expect(explain).To(ContainSubstring("at least 100 characters"))
	g.Expect(explain).To(MatchRegexp(`title\s+<string> -required-`))

	// Fix the listing: the operator publishes it again.
	e.Kubectl(g, "patch", "marketplaceoffer", "contoso-retail-assessment", "--type", "merge", "-p", fixedListing)
	e.waitReady(g, "marketplaceoffer/contoso-retail-assessment")
	g.Eventually(func(g Gomega) {
		rows := localrun.MustParseTables(g, e.Kubectl(g, "get", "marketplaceoffer"))
		localrun.ExpectRow(g, rows, "contoso-retail-assessment", map[string]string{"PHASE": "Preview", "READY": "True"})
	}, localrun.WaitTimeout, poll).Should(Succeed())
	phase("certification feedback fixed")

	// Undo the discard: migrate the legacy solution into a new offer.
	offerFile := filepath.Join(t.TempDir(), "contoso-legacy-crm.yaml")
	g.Expect(os.WriteFile(offerFile, []byte(legacyCRMOffer), 0o600)).To(Succeed())
	e.Kubectl(g, "apply", "-f", offerFile)
	e.Kubectl(g, "patch", "solution", "ocp-contoso-legacy-crm", "--type", "merge", "-p",
		`{"spec":{"action":"Migrate","migrate":{"offerRef":{"name":"contoso-legacy-crm"}}}}`)
	e.waitReady(g, "solution/ocp-contoso-legacy-crm", "marketplaceoffer/contoso-legacy-crm")
	g.Eventually(func(g Gomega) {
		rows := localrun.MustParseTables(g, e.Kubectl(g, "get", "solution"))
		localrun.ExpectRow(g, rows, "ocp-contoso-legacy-crm", map[string]string{
			"ACTION": "Migrate", "STATE": "Migrated", "OFFER": "contoso-legacy-crm", "READY": "True"})
	}, localrun.WaitTimeout, poll).Should(Succeed())
	g.Eventually(func(g Gomega) {
		s := e.stats(g)
		g.Expect(s.UndoDiscards).To(Equal(map[string]int{"ocp-contoso-legacy-crm": 1}))
		g.Expect(s.Migrations).To(HaveKeyWithValue("ocp-contoso-legacy-crm", 1))
	}, localrun.WaitTimeout, poll).Should(Succeed())
	phase("discard undone")

	// Everything is Ready now; this is the state a restart must keep.
	all := append(append([]string{}, samplesReady...), "marketplaceoffer/contoso-retail-assessment", "marketplaceoffer/contoso-legacy-crm")
	e.waitReady(g, all...)
	before := e.stats(g)
	for _, id := range []string{"contoso-analytics", "contoso-fieldservice", "contoso-retail-assessment", "contoso-legacy-crm"} {
		g.Expect(before.ProductsByOfferID).To(HaveKeyWithValue(id, 1), "products with offer ID %s", id)
	}
	g.Expect(before.MergeRequests).To(Equal(map[string]int{"ocp-contoso-analytics": 1}))
	g.Expect(before.Discards).To(Equal(map[string]int{"ocp-contoso-legacy-crm": 1}))

	// Restart: Ctrl-C, then `make run` again on the same state folder.
	controlPlane := op.ControlPlane
	op.Interrupt(g)
	localrun.ExpectGone(g, controlPlane)
	phase("operator stopped cleanly")
	oldKubeconfig, _ := os.ReadFile(e.Kubeconfig)
	op = e.Launch(g, string(oldKubeconfig))
	// The manager is up and has reconciled every object again.
	g.Eventually(func(g Gomega) {
		resp, err := http.Get("http://" + e.Probe + "/readyz")
		g.Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}, startTimeout, poll).Should(Succeed())
	e.waitReady(g, all...)
	g.Eventually(func(g Gomega) {
		g.Expect(e.reconciles(g, "marketplaceoffer")).To(BeNumerically(">=", 4))
		g.Expect(e.reconciles(g, "solution")).To(BeNumerically(">=", 3))
	}, localrun.WaitTimeout, poll).Should(Succeed(), "every object reconciled after the restart")
	phase("restarted and reconciled")
	g.Consistently(func(g Gomega) {
		g.Expect(e.stats(g).stateChanges()).To(Equal(before.stateChanges()), "nothing is redone after a restart")
	}, steadyState, poll).Should(Succeed())
	after := e.stats(g)
	for id, n := range after.ProductsByOfferID {
		g.Expect(n).To(Equal(1), "products with offer ID %s", id)
	}
	g.Expect(after.ProductsByOfferID).To(HaveLen(4))
	rows := localrun.MustParseTables(g, e.Kubectl(g, "get", "cosell"))
	g.Expect(rows).To(HaveLen(len(all)), "every object persisted in etcd under the local dir")
	localrun.ExpectRow(g, rows, "marketplaceoffer/contoso-analytics", map[string]string{"PHASE": "Live", "CO-SELL": "CoSellReady", "READY": "True"})
	localrun.ExpectRow(g, rows, "marketplaceoffer/contoso-retail-assessment", map[string]string{"PHASE": "Preview", "READY": "True"})
	localrun.ExpectRow(g, rows, "marketplaceoffer/contoso-legacy-crm", map[string]string{"TARGET": "Draft", "READY": "True"})
	localrun.ExpectRow(g, rows, "solution/ocp-contoso-analytics", map[string]string{"STATE": "Merged", "READY": "True"})
	localrun.ExpectRow(g, rows, "solution/ocp-contoso-fieldservice", map[string]string{"STATE": "Migrated", "READY": "True"})
	localrun.ExpectRow(g, rows, "solution/ocp-contoso-legacy-crm", map[string]string{"STATE": "Migrated", "READY": "True"})
	phase("steady state after restart checked")

	// Ctrl-C again: no etcd or kube-apiserver is left behind.
	controlPlane = op.ControlPlane
	op.Interrupt(g)
	localrun.ExpectGone(g, controlPlane)
	phase("stopped; no control-plane process left")
}

// env is one local run, as make run starts it.
type env struct{ *localrun.Env }

// secondLocalFailsFast starts another `local` on the same folder while the
// first runs: it must exit at once, saying the folder is in use.
func (e env) secondLocalFailsFast(g *WithT) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.Bin, e.LocalArgs(proc.FreeAddr(e.T), proc.FreeAddr(e.T), proc.FreeAddr(e.T))...)
	cmd.Dir = e.Root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	e.T.Logf("second local on the same --local-dir (%s): %v\n%s", elapsed.Round(time.Millisecond), err, out)
	g.Expect(ctx.Err()).NotTo(HaveOccurred(), "the second local did not exit")
	var exit *exec.ExitError
	g.Expect(errors.As(err, &exit)).To(BeTrue(), "the second local must fail: %v", err)
	g.Expect(string(out)).To(ContainSubstring("already running"))
	g.Expect(elapsed).To(BeNumerically("<", 15*time.Second), "fails fast")
	g.Expect(e.Current().Exited()).To(BeFalse(), "the first one keeps running")
}

// waitReady runs kubectl wait for Ready on the objects, then checks that
// Ready is about each object's current generation (kubectl wait must not
// have returned on a stale condition).
func (e env) waitReady(g *WithT, objs ...string) {
	g.Eventually(func(g Gomega) {
		e.Kubectl(g, append([]string{"wait", "--for=condition=Ready", "--timeout=" + localrun.WaitTimeout.String()}, objs...)...)
		for _, obj := range objs {
			out := e.Kubectl(g, "get", obj, "-o",
				`jsonpath={.metadata.generation} {.status.observedGeneration} {.status.conditions[?(@.type=="Ready")].observedGeneration} {.status.conditions[?(@.type=="Ready")].status}`)
			f := strings.Fields(out)
			g.Expect(f).To(HaveLen(4), "%s: %q", obj, out)
			g.Expect(f[1:]).To(Equal([]string{f[0], f[0], "True"}), "%s: generation, observedGeneration, Ready's observedGeneration, Ready", obj)
		}
	}, 2*localrun.WaitTimeout, poll).Should(Succeed())
}

// stats reads GET /simulator/stats of the embedded simulator.
func (e env) stats(g Gomega) stats {
	resp, err := http.Get("http://" + e.SimAddr + "/simulator/stats")
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	g.ExpectWithOffset(1, resp.StatusCode).To(Equal(http.StatusOK))
	var s stats
	g.ExpectWithOffset(1, json.NewDecoder(resp.Body).Decode(&s)).To(Succeed())
	return s
}

// reconciles is controller_runtime_reconcile_total of a controller (all
// results) from the metrics endpoint.
func (e env) reconciles(g Gomega, controller string) int {
	resp, err := http.Get("http://" + e.Metrics + "/metrics")
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	re := regexp.MustCompile(`(?m)^controller_runtime_reconcile_total\{controller="` + controller + `",result="[a-z_]+"\} (\d+)$`)
	total := 0
	for _, m := range re.FindAllStringSubmatch(string(body), -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	return total
}

// expectListedMetrics checks that /metrics exposes every metric named in
// config/prometheus/metrics.txt, the list of what the alert rules and the
// dashboard use (test/prometheus checks that they use nothing else).
func (e env) expectListedMetrics(g *WithT) {
	list, err := os.ReadFile(filepath.Join(e.Root, "config", "prometheus", "metrics.txt"))
	g.Expect(err).NotTo(HaveOccurred())
	var names []string
	for _, line := range strings.Split(string(list), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	g.Expect(names).NotTo(BeEmpty())
	g.Eventually(func(g Gomega) {
		resp, err := http.Get("http://" + e.Metrics + "/metrics")
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		g.Expect(err).NotTo(HaveOccurred())
		for _, name := range names {
			g.Expect(string(body)).To(MatchRegexp(`(?m)^`+regexp.QuoteMeta(name)+`[{ ]`), "config/prometheus/metrics.txt names %s", name)
		}
	}, localrun.WaitTimeout, poll).Should(Succeed())
}

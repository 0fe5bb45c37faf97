// Package e2e_test runs the operator the way `make run` does (the `local`
// subcommand: etcd, kube-apiserver, the CRDs, the manager and the embedded
// Partner Center simulator in one process tree) and drives it with the real
// kubectl binary, as a person following the README would.
package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/internal/proc"
)

// Timeouts are generous: the machine is small and shared with other tests.
const (
	waitTimeout  = 90 * time.Second // kubectl wait and Eventually on convergence
	startTimeout = 90 * time.Second // control plane up and answering
	stopTimeout  = 20 * time.Second // clean exit after SIGINT
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

	assets, err := testenv.Assets()
	g.Expect(err).NotTo(HaveOccurred())
	assets, err = filepath.Abs(assets)
	g.Expect(err).NotTo(HaveOccurred())
	root := testenv.RepoRoot()
	bin := proc.BuildOperator(t)
	phase("operator built")

	e := &env{
		t:       t,
		bin:     bin,
		assets:  assets,
		root:    root,
		dir:     t.TempDir(),
		simAddr: proc.FreeAddr(t),
		metrics: proc.FreeAddr(t),
		probe:   proc.FreeAddr(t),
		logPath: filepath.Join(t.TempDir(), "operator.log"),
	}
	e.kubeconfig = filepath.Join(e.dir, "kubeconfig")
	t.Cleanup(e.dumpLogOnFailure)

	op := e.launch(g, "")
	phase("control plane and operator up")

	// A second `make run` on the same state folder fails at once.
	e.secondLocalFailsFast(g)
	phase("second local refused")

	// kubectl apply -f config/samples/, then wait as a GitOps pipeline would.
	e.kubectl(g, "apply", "-f", filepath.Join(root, "config", "samples"))
	e.kubectl(g, append([]string{"wait", "--for=condition=Ready", "--timeout=" + waitTimeout.String()}, samplesReady...)...)
	phase("samples Ready")

	// The alerts and the dashboard (config/prometheus) use only metrics
	// that the operator exposes.
	e.expectListedMetrics(g)

	// The printer columns of `kubectl get cosell`.
	g.Eventually(func(g Gomega) {
		rows := parseTables(g, e.kubectl(g, "get", "cosell"))
		expectRow(g, rows, "marketplaceoffer/contoso-analytics", map[string]string{
			"TYPE": "SoftwareAsAService", "TARGET": "Live", "PHASE": "Live", "CO-SELL": "CoSellReady", "READY": "True"})
		expectRow(g, rows, "marketplaceoffer/contoso-fieldservice", map[string]string{
			"TYPE": "AzureApplication", "TARGET": "Live", "PHASE": "Live", "CO-SELL": "CoSellReady", "READY": "True"})
		expectRow(g, rows, "marketplaceoffer/contoso-retail-assessment", map[string]string{
			"TYPE": "SoftwareAsAService", "TARGET": "Preview", "PHASE": "CertificationFailed", "CO-SELL": "", "READY": "False"})
		expectRow(g, rows, "solution/ocp-contoso-analytics", map[string]string{
			"ACTION": "Merge", "STATE": "Merged", "OFFER": "contoso-analytics", "READY": "True"})
		expectRow(g, rows, "solution/ocp-contoso-fieldservice", map[string]string{
			"ACTION": "Migrate", "STATE": "Migrated", "OFFER": "contoso-fieldservice", "READY": "True"})
		expectRow(g, rows, "solution/ocp-contoso-legacy-crm", map[string]string{
			"ACTION": "Discard", "STATE": "Discarded", "OFFER": "", "READY": "True"})
	}, waitTimeout, poll).Should(Succeed())
	phase("kubectl get cosell columns checked")

	// The certification feedback is visible to a person with kubectl describe.
	g.Eventually(func(g Gomega) {
		out := e.kubectl(g, "describe", "marketplaceoffer", "contoso-retail-assessment")
		// Certification refusals are businessValidationError inner errors,
		// each naming the resource to fix by its durable ID.
		g.Expect(out).To(MatchRegexp(`Code:\s+businessValidationError`))
		g.Expect(out).To(MatchRegexp(`Resource:\s+listing/[0-9a-f-]+/public/main/default/en-us`))
		g.Expect(out).To(MatchRegexp(`(?i)no privacy policy`))
		g.Expect(out).To(MatchRegexp(`(?i)description has \d+ characters`))
		g.Expect(out).To(MatchRegexp(`Type:\s+Stalled`))
		g.Expect(out).To(MatchRegexp(`Warning\s+CertificationFailed`), "an event carries the feedback")
	}, waitTimeout, poll).Should(Succeed())
	explain := e.kubectl(g, "explain", "marketplaceoffer.spec.listing")
	g.Expect(explain).To(ContainSubstring("privacyPolicyURL"))
	g.Expect(explain).To(ContainSubstring("at least 100 characters"))
	g.Expect(explain).To(MatchRegexp(`title\s+<string> -required-`))

	// Fix the listing: the operator publishes it again.
	e.kubectl(g, "patch", "marketplaceoffer", "contoso-retail-assessment", "--type", "merge", "-p", fixedListing)
	e.waitReady(g, "marketplaceoffer/contoso-retail-assessment")
	g.Eventually(func(g Gomega) {
		rows := parseTables(g, e.kubectl(g, "get", "marketplaceoffer"))
		expectRow(g, rows, "contoso-retail-assessment", map[string]string{"PHASE": "Preview", "READY": "True"})
	}, waitTimeout, poll).Should(Succeed())
	phase("certification feedback fixed")

	// Undo the discard: migrate the legacy solution into a new offer.
	offerFile := filepath.Join(t.TempDir(), "contoso-legacy-crm.yaml")
	g.Expect(os.WriteFile(offerFile, []byte(legacyCRMOffer), 0o600)).To(Succeed())
	e.kubectl(g, "apply", "-f", offerFile)
	e.kubectl(g, "patch", "solution", "ocp-contoso-legacy-crm", "--type", "merge", "-p",
		`{"spec":{"action":"Migrate","migrate":{"offerRef":{"name":"contoso-legacy-crm"}}}}`)
	e.waitReady(g, "solution/ocp-contoso-legacy-crm", "marketplaceoffer/contoso-legacy-crm")
	g.Eventually(func(g Gomega) {
		rows := parseTables(g, e.kubectl(g, "get", "solution"))
		expectRow(g, rows, "ocp-contoso-legacy-crm", map[string]string{
			"ACTION": "Migrate", "STATE": "Migrated", "OFFER": "contoso-legacy-crm", "READY": "True"})
	}, waitTimeout, poll).Should(Succeed())
	g.Eventually(func(g Gomega) {
		s := e.stats(g)
		g.Expect(s.UndoDiscards).To(Equal(map[string]int{"ocp-contoso-legacy-crm": 1}))
		g.Expect(s.Migrations).To(HaveKeyWithValue("ocp-contoso-legacy-crm", 1))
	}, waitTimeout, poll).Should(Succeed())
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
	controlPlane := op.controlPlane
	op.interrupt(g)
	expectGone(g, controlPlane)
	phase("operator stopped cleanly")
	oldKubeconfig, _ := os.ReadFile(e.kubeconfig)
	op = e.launch(g, string(oldKubeconfig))
	// The manager is up and has reconciled every object again.
	g.Eventually(func(g Gomega) {
		resp, err := http.Get("http://" + e.probe + "/readyz")
		g.Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}, startTimeout, poll).Should(Succeed())
	e.waitReady(g, all...)
	g.Eventually(func(g Gomega) {
		g.Expect(e.reconciles(g, "marketplaceoffer")).To(BeNumerically(">=", 4))
		g.Expect(e.reconciles(g, "solution")).To(BeNumerically(">=", 3))
	}, waitTimeout, poll).Should(Succeed(), "every object reconciled after the restart")
	phase("restarted and reconciled")
	g.Consistently(func(g Gomega) {
		g.Expect(e.stats(g).stateChanges()).To(Equal(before.stateChanges()), "nothing is redone after a restart")
	}, steadyState, poll).Should(Succeed())
	after := e.stats(g)
	for id, n := range after.ProductsByOfferID {
		g.Expect(n).To(Equal(1), "products with offer ID %s", id)
	}
	g.Expect(after.ProductsByOfferID).To(HaveLen(4))
	rows := parseTables(g, e.kubectl(g, "get", "cosell"))
	g.Expect(rows).To(HaveLen(len(all)), "every object persisted in etcd under the local dir")
	expectRow(g, rows, "marketplaceoffer/contoso-analytics", map[string]string{"PHASE": "Live", "CO-SELL": "CoSellReady", "READY": "True"})
	expectRow(g, rows, "marketplaceoffer/contoso-retail-assessment", map[string]string{"PHASE": "Preview", "READY": "True"})
	expectRow(g, rows, "marketplaceoffer/contoso-legacy-crm", map[string]string{"TARGET": "Draft", "READY": "True"})
	expectRow(g, rows, "solution/ocp-contoso-analytics", map[string]string{"STATE": "Merged", "READY": "True"})
	expectRow(g, rows, "solution/ocp-contoso-fieldservice", map[string]string{"STATE": "Migrated", "READY": "True"})
	expectRow(g, rows, "solution/ocp-contoso-legacy-crm", map[string]string{"STATE": "Migrated", "READY": "True"})
	phase("steady state after restart checked")

	// Ctrl-C again: no etcd or kube-apiserver is left behind.
	controlPlane = op.controlPlane
	op.interrupt(g)
	expectGone(g, controlPlane)
	phase("stopped; no control-plane process left")
}

// env is one local run's folder, ports and binaries.
type env struct {
	t                      *testing.T
	bin, assets, root, dir string
	kubeconfig             string
	simAddr, metrics       string
	probe                  string
	logPath                string
	current                *operator
}

// operator is one `cosell-operator local` child process.
type operator struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd.Wait returns
	err  error         // cmd.Wait's result, once done is closed
	// controlPlane are etcd and kube-apiserver, started by the child in
	// their own process groups (so not reached by signalling the child's).
	controlPlane map[int]string
	logOffset    int64 // where its output starts in the log
}

func (e *env) localArgs(simAddr, metrics, probe string) []string {
	return []string{"local",
		"--local-dir", e.dir,
		"--assets", e.assets,
		"--simulator-addr", simAddr,
		"--metrics-bind-address", metrics,
		"--health-probe-bind-address", probe,
		"--simulator-certification-delay", "1s",
		"--simulator-merge-delay", "1s",
	}
}

// start runs `cosell-operator local` in its own process group, its output
// appended to the log file. A cleanup stops it (and its control plane) if
// the test ends with it running.
func (e *env) start() *operator {
	t := e.t
	t.Helper()
	logFile, err := os.OpenFile(e.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	offset, _ := logFile.Seek(0, io.SeekEnd)
	fmt.Fprintf(logFile, "\n===== %s: starting cosell-operator local =====\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(e.bin, e.localArgs(e.simAddr, e.metrics, e.probe)...)
	cmd.Dir = e.root
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the operator: %v", err)
	}
	op := &operator{t: t, cmd: cmd, done: make(chan struct{}), controlPlane: map[int]string{}, logOffset: offset}
	go func() {
		op.err = cmd.Wait()
		close(op.done)
	}()
	e.current = op
	// Cleanups run last-registered first: the objects are printed while
	// the operator still runs, then it is stopped.
	t.Cleanup(op.kill)
	t.Cleanup(func() { e.dumpObjectsOnFailure(op) })
	return op
}

// launch starts the operator and waits until its control plane answers
// kubectl. The ports were free when picked, but another test may have taken
// one since: then it picks new ones and starts again.
func (e *env) launch(g *WithT, staleKubeconfig string) *operator {
	for attempt := 1; ; attempt++ {
		op := e.start()
		if e.waitForAPI(g, op, staleKubeconfig) {
			return op
		}
		log := e.logOf(op)
		g.Expect(log).To(ContainSubstring("address already in use"), "the operator exited: %v\n%s", op.err, log)
		g.Expect(attempt).To(BeNumerically("<", 3), "ports taken at every attempt:\n%s", log)
		e.t.Logf("a port was taken; starting again on other ports")
		e.simAddr, e.metrics, e.probe = proc.FreeAddr(e.t), proc.FreeAddr(e.t), proc.FreeAddr(e.t)
	}
}

// waitForAPI waits for a kubeconfig other than stale (the previous run's)
// and for `kubectl get cosell` to answer with it, then records the
// operator's control-plane processes. It returns false if the operator
// exited instead.
func (e *env) waitForAPI(g *WithT, op *operator, stale string) bool {
	g.Eventually(func(g Gomega) {
		if op.exited() {
			return
		}
		data, err := os.ReadFile(e.kubeconfig)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(data)).NotTo(Equal(stale), "kubeconfig not rewritten yet")
		e.kubectl(g, "get", "cosell")
	}, startTimeout, poll).Should(Succeed(), "the local control plane answers kubectl")
	if op.exited() {
		return false
	}
	g.Eventually(func(g Gomega) {
		op.controlPlane = controlPlaneOf(op.cmd.Process.Pid)
		g.Expect(op.controlPlane).To(ConsistOf("etcd", "kube-apiserver"))
	}, startTimeout, poll).Should(Succeed())
	return true
}

// logOf is what op wrote to the log.
func (e *env) logOf(op *operator) string {
	data, _ := os.ReadFile(e.logPath)
	if op.logOffset <= int64(len(data)) {
		data = data[op.logOffset:]
	}
	return string(data)
}

// secondLocalFailsFast starts another `local` on the same folder while the
// first runs: it must exit at once, saying the folder is in use.
func (e *env) secondLocalFailsFast(g *WithT) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, e.localArgs(proc.FreeAddr(e.t), proc.FreeAddr(e.t), proc.FreeAddr(e.t))...)
	cmd.Dir = e.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	e.t.Logf("second local on the same --local-dir (%s): %v\n%s", elapsed.Round(time.Millisecond), err, out)
	g.Expect(ctx.Err()).NotTo(HaveOccurred(), "the second local did not exit")
	var exit *exec.ExitError
	g.Expect(errors.As(err, &exit)).To(BeTrue(), "the second local must fail: %v", err)
	g.Expect(string(out)).To(ContainSubstring("already running"))
	g.Expect(elapsed).To(BeNumerically("<", 15*time.Second), "fails fast")
	g.Expect(e.current.exited()).To(BeFalse(), "the first one keeps running")
}

// kubectl runs the real kubectl against the local control plane and
// returns its standard output; a failure fails g.
func (e *env) kubectl(g Gomega, args ...string) string {
	out, err := e.runKubectl(args...)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred(), "kubectl %s", strings.Join(args, " "))
	return out
}

func (e *env) runKubectl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(e.assets, "kubectl"), append([]string{"--namespace", "default"}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+e.kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s%s", err, stderr.String(), stdout.String())
	}
	return stdout.String(), nil
}

// waitReady runs kubectl wait for Ready on the objects, then checks that
// Ready is about each object's current generation (kubectl wait must not
// have returned on a stale condition).
func (e *env) waitReady(g *WithT, objs ...string) {
	g.Eventually(func(g Gomega) {
		e.kubectl(g, append([]string{"wait", "--for=condition=Ready", "--timeout=" + waitTimeout.String()}, objs...)...)
		for _, obj := range objs {
			out := e.kubectl(g, "get", obj, "-o",
				`jsonpath={.metadata.generation} {.status.observedGeneration} {.status.conditions[?(@.type=="Ready")].observedGeneration} {.status.conditions[?(@.type=="Ready")].status}`)
			f := strings.Fields(out)
			g.Expect(f).To(HaveLen(4), "%s: %q", obj, out)
			g.Expect(f[1:]).To(Equal([]string{f[0], f[0], "True"}), "%s: generation, observedGeneration, Ready's observedGeneration, Ready", obj)
		}
	}, 2*waitTimeout, poll).Should(Succeed())
}

// stats reads GET /simulator/stats of the embedded simulator.
func (e *env) stats(g Gomega) stats {
	resp, err := http.Get("http://" + e.simAddr + "/simulator/stats")
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	g.ExpectWithOffset(1, resp.StatusCode).To(Equal(http.StatusOK))
	var s stats
	g.ExpectWithOffset(1, json.NewDecoder(resp.Body).Decode(&s)).To(Succeed())
	return s
}

// reconciles is controller_runtime_reconcile_total of a controller (all
// results) from the metrics endpoint.
func (e *env) reconciles(g Gomega, controller string) int {
	resp, err := http.Get("http://" + e.metrics + "/metrics")
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
func (e *env) expectListedMetrics(g *WithT) {
	list, err := os.ReadFile(filepath.Join(e.root, "config", "prometheus", "metrics.txt"))
	g.Expect(err).NotTo(HaveOccurred())
	var names []string
	for _, line := range strings.Split(string(list), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	g.Expect(names).NotTo(BeEmpty())
	g.Eventually(func(g Gomega) {
		resp, err := http.Get("http://" + e.metrics + "/metrics")
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		g.Expect(err).NotTo(HaveOccurred())
		for _, name := range names {
			g.Expect(string(body)).To(MatchRegexp(`(?m)^`+regexp.QuoteMeta(name)+`[{ ]`), "config/prometheus/metrics.txt names %s", name)
		}
	}, waitTimeout, poll).Should(Succeed())
}

// dumpObjectsOnFailure prints the objects and events while the operator
// (and so its control plane) still runs.
func (e *env) dumpObjectsOnFailure(op *operator) {
	if !e.t.Failed() || op.exited() {
		return
	}
	out, err := e.runKubectl("get", "cosell", "-o", "yaml")
	e.t.Logf("kubectl get cosell -o yaml (%v):\n%s", err, out)
	out, err = e.runKubectl("get", "events", "--sort-by=.lastTimestamp")
	e.t.Logf("kubectl get events (%v):\n%s", err, out)
}

// dumpLogOnFailure prints the operator's log. It is registered before any
// operator starts, so it runs after their cleanups have stopped them.
func (e *env) dumpLogOnFailure() {
	if !e.t.Failed() {
		return
	}
	log, err := os.ReadFile(e.logPath)
	e.t.Logf("operator log %s (%v):\n%s", e.logPath, err, log)
}

func (op *operator) exited() bool {
	select {
	case <-op.done:
		return true
	default:
		return false
	}
}

// interrupt sends SIGINT (Ctrl-C) and expects a clean exit in time.
func (op *operator) interrupt(g *WithT) {
	g.Expect(op.cmd.Process.Signal(os.Interrupt)).To(Succeed())
	select {
	case <-op.done:
	case <-time.After(stopTimeout):
		g.Expect(fmt.Errorf("no exit within %s of SIGINT", stopTimeout)).NotTo(HaveOccurred())
	}
	g.Expect(op.err).NotTo(HaveOccurred(), "exit status after SIGINT")
}

// kill stops the operator if it still runs: SIGINT, then SIGKILL to its
// process group and to its control plane, which runs in groups of its own.
func (op *operator) kill() {
	if !op.exited() {
		for pid, name := range controlPlaneOf(op.cmd.Process.Pid) {
			op.controlPlane[pid] = name
		}
		_ = op.cmd.Process.Signal(os.Interrupt)
		select {
		case <-op.done:
		case <-time.After(stopTimeout):
			op.t.Errorf("the operator did not exit within %s of SIGINT; killing it", stopTimeout)
			_ = syscall.Kill(-op.cmd.Process.Pid, syscall.SIGKILL)
			<-op.done
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for pid, name := range op.controlPlane {
		for alive(pid, name) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if alive(pid, name) {
			op.t.Errorf("%s (pid %d) outlived the operator; killing it", name, pid)
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// expectGone asserts that the control-plane processes have exited.
func expectGone(g *WithT, procs map[int]string) {
	g.Expect(procs).NotTo(BeEmpty())
	g.Eventually(func() []string {
		var left []string
		for pid, name := range procs {
			if alive(pid, name) {
				left = append(left, fmt.Sprintf("%s (pid %d)", name, pid))
			}
		}
		return left
	}, 10*time.Second, 100*time.Millisecond).Should(BeEmpty(), "control-plane processes left behind")
}

// controlPlaneOf lists the etcd and kube-apiserver children of pid.
func controlPlaneOf(pid int) map[int]string {
	out := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, ent := range entries {
		child, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		ppid, name, ok := procStat(child)
		if !ok || ppid != pid {
			continue
		}
		if name == "etcd" || name == "kube-apiserver" {
			out[child] = name
		}
	}
	return out
}

// alive says whether pid still runs the named program (not a zombie).
func alive(pid int, name string) bool {
	_, comm, ok := procStat(pid)
	if !ok || comm != name {
		return false
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if state, found := strings.CutPrefix(sc.Text(), "State:"); found {
			return !strings.HasPrefix(strings.TrimSpace(state), "Z")
		}
	}
	return false
}

// procStat reads the parent pid and command name of pid from /proc.
func procStat(pid int) (ppid int, comm string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return 0, "", false
	}
	fields := strings.Fields(s[end+1:]) // state ppid ...
	if len(fields) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(fields[1])
	return ppid, s[open+1 : end], err == nil
}

// parseTables reads kubectl's table output (one table per kind for
// `kubectl get cosell`) into rows keyed by NAME, with the kind's group
// suffix dropped: "marketplaceoffer/contoso-analytics". Columns are cut at
// the header's offsets, so empty cells are read as "".
func parseTables(g Gomega, out string) map[string]map[string]string {
	rows := map[string]map[string]string{}
	var header []string
	var starts []int
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "NAME ") {
			header, starts = nil, nil
			for _, m := range regexp.MustCompile(`\S+`).FindAllStringIndex(line, -1) {
				header = append(header, line[m[0]:m[1]])
				starts = append(starts, m[0])
			}
			continue
		}
		g.ExpectWithOffset(1, header).NotTo(BeEmpty(), "a row before any header in:\n%s", out)
		row := map[string]string{}
		for i, col := range header {
			from, to := starts[i], len(line)
			if i+1 < len(starts) {
				to = starts[i+1]
			}
			if from > len(line) {
				from = len(line)
			}
			if to > len(line) {
				to = len(line)
			}
			row[col] = strings.TrimSpace(line[from:to])
		}
		name := row["NAME"]
		if kind, rest, found := strings.Cut(name, "/"); found {
			kind, _, _ = strings.Cut(kind, ".")
			name = kind + "/" + rest
		}
		rows[name] = row
	}
	return rows
}

// expectRow checks some columns of one row.
func expectRow(g Gomega, rows map[string]map[string]string, name string, want map[string]string) {
	row, ok := rows[name]
	g.ExpectWithOffset(1, ok).To(BeTrue(), "no row %s in %v", name, rows)
	for col, v := range want {
		g.ExpectWithOffset(1, row).To(HaveKeyWithValue(col, v), "%s column %s", name, col)
	}
}

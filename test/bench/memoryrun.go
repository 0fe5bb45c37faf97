package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/test/workload"
)

// memoryN is the size of the seeded settled-memory run (-memory-n; 0
// skips it).
var memoryN = 0

// templatePairs is how many pairs go through their real lifecycle to give
// the seeded run its templates: pair 1 migrates into its offer, pair 2
// merges into it, pair 3 discards (workload.Action).
const templatePairs = 3

// seededResult is what the seeded settled-memory run measured.
type seededResult struct {
	n, objects  int
	memory      *memoryResult
	harvestSecs float64            // the template pairs' lifecycle, create to Ready
	seedSecs    float64            // creating the other objects and writing their settled status
	readySecs   float64            // from the restarted operator's start until /readyz answered
	sweepSecs   float64            // from its start until every object was reconciled once
	windowSecs  float64            // from its start until the writes and calls were counted
	reconciles  float64            // controller_runtime_reconcile_total by then
	swept       bool               // whether it reached 2n
	errors      float64            // reconciles that ended in an error
	api         map[string]float64 // API-server writes of the kinds and events by the restarted operator
	pcByRoute   map[string]int     // Partner Center calls by the restarted operator
}

// memoryRun measures the memory of an operator holding n offers and n
// Solutions, all settled, without taking them through their lifecycle
// (hours at n = 20,000 on two cores):
//
//  1. a fresh control plane and simulator; the operator starts on the
//     empty cluster and its idle baseline is read (as operatorRun does);
//  2. the template pairs (one per action) are created and taken to Ready
//     by the operator, then read back: their status is what the operator
//     leaves on a settled object;
//  3. the operator is killed (SIGKILL), and the other n - 3 pairs are
//     created with their template's finalizers and status, names and IDs
//     substituted (seed);
//  4. the operator starts again, lists and reconciles every object once,
//     and its memory is read after a forced collection (settledMemory).
//
// The writes and Partner Center calls of the restarted process are
// counted: a seeded status the operator would not consider settled shows
// up as writes and calls.
func memoryRun(ctx context.Context, cfg *config, n int) (*seededResult, error) {
	if n < templatePairs {
		return nil, fmt.Errorf("-memory-n %d: at least %d", n, templatePairs)
	}
	res := &seededResult{n: n, objects: 2 * n}
	runDir := filepath.Join(cfg.workDir, fmt.Sprintf("memory-%d", n))
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	env, restCfg, err := startPlane()
	if err != nil {
		return nil, err
	}
	defer stopPlane(env)

	// The simulator knows the template pairs' legacy solutions only: the
	// seeded objects never reach it.
	simPort, err := freePort()
	if err != nil {
		return nil, err
	}
	simBase := fmt.Sprintf("http://127.0.0.1:%d", simPort)
	seedFile := filepath.Join(runDir, "seed.yaml")
	if err := os.WriteFile(seedFile, workload.Seed(templatePairs), 0o644); err != nil {
		return nil, err
	}
	sim, err := startProcess(filepath.Join(runDir, "simulator.log"), nil, cfg.operator, "simulator",
		"--addr", fmt.Sprintf("127.0.0.1:%d", simPort), "--seed", seedFile, "--store", filepath.Join(runDir, "store"),
		"--certification-delay", "0s", "--merge-delay", "0s", "--job-delay", cfg.jobDelay.String())
	if err != nil {
		return nil, err
	}
	defer stopProcess(sim)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := waitHTTP(wctx, simBase+"/healthz"); err != nil {
		return nil, fmt.Errorf("simulator: %w (log in %s)", err, runDir)
	}

	// 1. The idle baseline: ready, caches synced on an empty cluster.
	op, err := newOperator(cfg, restCfg, runDir, simPort)
	if err != nil {
		return nil, err
	}
	if err := op.start(ctx, "operator.log"); err != nil {
		return nil, err
	}
	defer op.stop()
	time.Sleep(2 * time.Second)
	idle := &memoryResult{idleRSSKB: procStatus(op.cmd.Process.Pid)["VmRSS"]}
	if ss, err := scrapeURL(op.metricsURL); err == nil {
		idle.idleHeap = value(ss, "go_memstats_heap_inuse_bytes", nil)
		idle.idleRuntime = runtimeMemory(ss)
	}

	// 2. The templates: the first pairs through their real lifecycle.
	c, err := adminClient(restCfg, 5000, 10000)
	if err != nil {
		return nil, err
	}
	tr, err := startTracker(ctx, restCfg)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := createAll(ctx, c, templatePairs, cfg.createWorkers, nil); err != nil {
		tr.stop()
		return nil, err
	}
	hctx, hcancel := context.WithTimeout(ctx, 2*time.Minute)
	converged := tr.wait(hctx, templatePairs)
	hcancel()
	tr.stop()
	if !converged {
		return nil, fmt.Errorf("the %d template pairs were not Ready within 2 minutes (log in %s)", templatePairs, runDir)
	}
	res.harvestSecs = time.Since(start).Seconds()
	// Trailing status writes land within a few seconds.
	time.Sleep(3 * time.Second)
	tpl, err := readTemplates(ctx, c, runDir)
	if err != nil {
		return nil, err
	}
	logf("memory N=%d: template pairs Ready in %.1fs; killing the operator and seeding %d objects", n, res.harvestSecs, 2*(n-templatePairs))

	// 3. Seed the other pairs while no operator runs.
	op.kill()
	start = time.Now()
	if err := seedSettled(ctx, c, tpl, n, cfg.createWorkers); err != nil {
		return nil, err
	}
	res.seedSecs = time.Since(start).Seconds()
	logf("memory N=%d: seeded in %.1fs; starting the operator", n, res.seedSecs)

	// 4. The operator on the settled cluster.
	before, err := readCounts(ctx, restCfg, simBase)
	if err != nil {
		return nil, err
	}
	start = time.Now()
	if err := op.start(ctx, "operator-seeded.log"); err != nil {
		return nil, err
	}
	res.readySecs = time.Since(start).Seconds()
	// sweep gives up after two minutes; the initial list of a large cluster
	// may take longer.
	for !res.swept && time.Since(start) < 15*time.Minute && ctx.Err() == nil {
		res.reconciles, res.swept = sweep(ctx, op.metricsURL, 2*n)
		logf("memory N=%d: %.0fs: %.0f/%d reconciles", n, time.Since(start).Seconds(), res.reconciles, 2*n)
	}
	res.sweepSecs = time.Since(start).Seconds()
	// Trailing writes (status patches, events) land within a few seconds.
	time.Sleep(5 * time.Second)
	if ss, err := scrapeURL(op.metricsURL); err == nil {
		res.errors = value(ss, "controller_runtime_reconcile_total", map[string]string{"result": "error"})
	}
	res.windowSecs = time.Since(start).Seconds()
	after, err := readCounts(ctx, restCfg, simBase)
	if err != nil {
		return nil, err
	}
	d := after.since(before)
	res.api, res.pcByRoute = d.api, d.pc
	m, err := settledMemory(op.cmd.Process.Pid, op.pprofURL, op.metricsURL, runDir)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	m.idleRSSKB, m.idleHeap, m.idleRuntime = idle.idleRSSKB, idle.idleHeap, idle.idleRuntime
	res.memory = m
	logf("memory N=%d: %d objects reconciled in %.1fs; %.2f KiB RSS and %.2f KiB heap per object; %.0f API-server writes, %d Partner Center calls",
		n, res.objects, res.sweepSecs, float64(m.settledRSSKB-m.idleRSSKB)/float64(res.objects),
		(m.settledHeap-m.idleHeap)/1024/float64(res.objects), sumFloat(res.api), sum(res.pcByRoute))
	return res, nil
}

// operatorProc is the operator binary run with the bench's flags (those
// of operatorRun) against one control plane and simulator; it can be
// killed and started again with the same flags.
type operatorProc struct {
	path, runDir                   string
	env, args                      []string
	metricsURL, pprofURL, readyURL string
	cmd                            *exec.Cmd
}

func newOperator(cfg *config, restCfg *rest.Config, runDir string, simPort int) (*operatorProc, error) {
	kubeconfig := filepath.Join(runDir, "kubeconfig")
	if err := writeKubeconfig(restCfg, kubeconfig); err != nil {
		return nil, err
	}
	var ports [3]int // metrics, probe, pprof
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	metricsPort, probePort, pprofPort := ports[0], ports[1], ports[2]
	op := &operatorProc{path: cfg.operator, runDir: runDir, env: []string{"KUBECONFIG=" + kubeconfig},
		metricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		pprofURL:   fmt.Sprintf("http://127.0.0.1:%d", pprofPort),
		readyURL:   fmt.Sprintf("http://127.0.0.1:%d/readyz", probePort)}
	op.args = []string{"--partner-center", simulator.APIURL(fmt.Sprintf("127.0.0.1:%d", simPort)),
		"--pprof-bind-address", fmt.Sprintf("127.0.0.1:%d", pprofPort),
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", metricsPort), "--metrics-secure=false",
		"--health-probe-bind-address", fmt.Sprintf("127.0.0.1:%d", probePort),
		"--kube-api-qps", fmt.Sprint(cfg.qps), "--kube-api-burst", fmt.Sprint(cfg.burst),
		"--offer-concurrency", fmt.Sprint(cfg.offerConc), "--solution-concurrency", fmt.Sprint(cfg.solConc),
		"--zap-devel=false"}
	op.args = append(op.args, strings.Fields(cfg.operatorArgs)...)
	return op, nil
}

// start starts the process and waits until it is ready and serves its
// metrics (ten minutes at most: the caches sync before /readyz answers).
func (op *operatorProc) start(ctx context.Context, logName string) error {
	cmd, err := startProcess(filepath.Join(op.runDir, logName), op.env, op.path, op.args...)
	if err != nil {
		return err
	}
	op.cmd = cmd // set before the wait: the caller stops it on failure
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for _, url := range []string{op.readyURL, op.metricsURL} {
		if err := waitHTTP(wctx, url); err != nil {
			return fmt.Errorf("operator: %w (log in %s)", err, filepath.Join(op.runDir, logName))
		}
	}
	return nil
}

// kill ends the process at once (SIGKILL to its group, no graceful
// shutdown) and waits until it is gone.
func (op *operatorProc) kill() {
	pid := op.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	stopProcess(op.cmd) // forgets it (the bench's cleanup list)
}

func (op *operatorProc) stop() { stopProcess(op.cmd) }

// templates are the settled template objects by action of their pair.
type templates struct {
	offers map[v1alpha1.SolutionAction]*v1alpha1.MarketplaceOffer
	sols   map[v1alpha1.SolutionAction]*v1alpha1.Solution
}

// readTemplates reads the template pairs back, checks each is settled
// (Ready for its generation) and saves them in runDir/templates.yaml.
func readTemplates(ctx context.Context, c client.Client, runDir string) (*templates, error) {
	tpl := &templates{offers: map[v1alpha1.SolutionAction]*v1alpha1.MarketplaceOffer{}, sols: map[v1alpha1.SolutionAction]*v1alpha1.Solution{}}
	var dump []byte
	for i := 1; i <= templatePairs; i++ {
		o, s := &v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: benchNS, Name: offerName(i)}, o); err != nil {
			return nil, err
		}
		if err := c.Get(ctx, client.ObjectKey{Namespace: benchNS, Name: workload.SolutionName(i)}, s); err != nil {
			return nil, err
		}
		for _, obj := range []client.Object{o, s} {
			obj.SetManagedFields(nil)
			data, _ := yaml.Marshal(obj)
			dump = append(append(dump, "---\n"...), data...)
		}
		if !isReady(o.Status.Conditions, o.Generation) || !isReady(s.Status.Conditions, s.Generation) {
			return nil, fmt.Errorf("template pair %d is not settled (see %s)", i, filepath.Join(runDir, "templates.yaml"))
		}
		if o.Status.ObservedSpecDigest != objectSpecDigest(o.Spec) || s.Status.ObservedSpecDigest != objectSpecDigest(s.Spec) {
			return nil, fmt.Errorf("template pair %d: status.observedSpecDigest is not objectSpecDigest of the spec: the operator's digest changed (controllers/reconcile/suspend.go)", i)
		}
		tpl.offers[actionOf(i)], tpl.sols[actionOf(i)] = o, s
	}
	return tpl, os.WriteFile(filepath.Join(runDir, "templates.yaml"), dump, 0o644)
}

// objectSpecDigest is the operator's status.observedSpecDigest of a spec
// (controllers/reconcile/suspend.go: the first 16 bytes of the SHA-256 of its JSON,
// spec.suspend left out; the workload suspends nothing). readTemplates
// checks it against the templates, so a change there fails the run.
func objectSpecDigest(spec any) string {
	data, _ := json.Marshal(spec)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// seedSettled creates pairs templatePairs+1 ... n, each with its
// template's finalizers and status, with workers goroutines, and logs its
// progress every 30 s.
func seedSettled(ctx context.Context, c client.Client, tpl *templates, n, workers int) error {
	work := make(chan int, 256)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	var seeded atomic.Int64
	for range workers {
		wg.Go(func() {
			for i := range work {
				for _, obj := range seededPair(tpl, i) {
					if err := createSettled(ctx, c, obj); err != nil {
						once.Do(func() { firstErr = fmt.Errorf("seeding %s: %w", obj.GetName(), err) })
					}
				}
				seeded.Add(2)
			}
		})
	}
	start := time.Now()
	progress := time.NewTicker(30 * time.Second)
	defer progress.Stop()
	for i := templatePairs + 1; i <= n && ctx.Err() == nil; i++ {
		select {
		case work <- i:
		case <-progress.C:
			logf("memory N=%d: %.0fs: %d/%d objects seeded", n, time.Since(start).Seconds(), seeded.Load(), 2*(n-templatePairs))
			work <- i
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// createSettled creates obj (the API server drops its status) and then
// writes its status through the status subresource, with
// status.observedSpecDigest the digest of the spec as created (the API
// server fills in defaults, such as spec.deletionPolicy).
func createSettled(ctx context.Context, c client.Client, obj client.Object) error {
	var status any
	switch o := obj.(type) {
	case *v1alpha1.MarketplaceOffer:
		status = o.Status.DeepCopy()
	case *v1alpha1.Solution:
		status = o.Status.DeepCopy()
	}
	if err := c.Create(ctx, obj); err != nil {
		return err
	}
	switch o := obj.(type) {
	case *v1alpha1.MarketplaceOffer:
		o.Status = *status.(*v1alpha1.MarketplaceOfferStatus)
		o.Status.ObservedSpecDigest = objectSpecDigest(o.Spec)
	case *v1alpha1.Solution:
		o.Status = *status.(*v1alpha1.SolutionStatus)
		o.Status.ObservedSpecDigest = objectSpecDigest(o.Spec)
	}
	return c.Status().Update(ctx, obj)
}

// seededPair is pair i (workload.Offer and workload.Solution) with the
// finalizers and status of the template pair of its action. The names and
// IDs the template's status holds are replaced by pair i's, each by one
// of the same length, so the cache holds as many bytes as it would for
// pair i's own.
//
// The offer keeps its own offer ID but takes its template's draft
// content (listing, plans, co-sell, resell): status.draftDigest is the
// operator's digest of that content, which the bench cannot compute
// without the operator's conversion code, and a digest that differs from
// the spec's makes the operator write the draft again. Pair i's own
// content differs from the template's only in names and numbers of the
// same length (workload.Offer), so the object is the same size.
func seededPair(tpl *templates, i int) []client.Object {
	action := actionOf(i)
	to, ts := tpl.offers[action], tpl.sols[action]
	o, s := newOffer(i), newSolution(i)
	o.Spec.Listing, o.Spec.Plans, o.Spec.CoSell, o.Spec.Resell = to.Spec.Listing, to.Spec.Plans, to.Spec.CoSell, to.Spec.Resell

	// Names, then IDs, of the template pair and of pair i.
	replace := []string{to.Name, o.Name, ts.Name, s.Name}
	for _, id := range []string{to.Status.ProductID, ts.Status.ProductID, ts.Status.SupportRequestID} {
		if id != "" {
			replace = append(replace, id, renumber(id, i))
		}
	}
	for _, ref := range []*v1alpha1.SubmissionRef{to.Status.PreviewSubmission, to.Status.LiveSubmission} {
		if ref != nil && ref.ID != "" {
			replace = append(replace, ref.ID, renumber(ref.ID, i))
		}
	}
	r := strings.NewReplacer(replace...)
	substitute := func(from, into any) {
		data, _ := json.Marshal(from)
		_ = json.Unmarshal([]byte(r.Replace(string(data))), into)
	}
	substitute(to.Status, &o.Status)
	substitute(ts.Status, &s.Status)
	o.Finalizers, s.Finalizers = to.Finalizers, ts.Finalizers
	return []client.Object{o, s}
}

// renumber makes id unique to pair i without changing its length: its
// last eight characters become i in decimal (a GUID's last group has
// twelve hex digits; submission IDs are decimal).
func renumber(id string, i int) string {
	if len(id) < 8 {
		return id
	}
	return id[:len(id)-8] + fmt.Sprintf("%08d", i)
}

func sumFloat(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}

// seededMarkdown renders the seeded run's section of the results.
func seededMarkdown(r *seededResult) string {
	if r == nil || r.memory == nil {
		return ""
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.memory
	obj := float64(r.objects)
	p("## Settled memory at N = %d (seeded: %d MarketplaceOffers and %d Solutions)", r.n, r.n, r.n)
	p("")
	p("| N | objects | idle RSS | RSS after the collection | settled RSS | (settled - idle) RSS / object | idle heap in use | settled heap in use | (settled - idle) heap / object |")
	p("|---|---|---|---|---|---|---|---|---|")
	p("| %d | %d | %.1f MiB | %.1f MiB (%.2f KiB / object) | %.1f MiB (%.0f s) | %.2f KiB | %.1f MiB | %.1f MiB | %.2f KiB |", r.n, r.objects,
		float64(m.idleRSSKB)/1024, float64(m.gcRSSKB)/1024, float64(m.gcRSSKB-m.idleRSSKB)/obj, float64(m.settledRSSKB)/1024, m.returnedSecs,
		float64(m.settledRSSKB-m.idleRSSKB)/obj,
		m.idleHeap/(1<<20), m.settledHeap/(1<<20), (m.settledHeap-m.idleHeap)/1024/obj)
	p("")
	if m.idleRuntime != nil && m.settledRuntime != nil {
		p("Where the RSS per object goes, by the Go runtime's account (`go_memstats_*`; settled - idle, divided by the objects):")
		p("")
		p("| RSS | heap in use | heap free, kept (idle - released) | other runtime (stacks, GC and span metadata) | rest (binary, libraries; pages never touched) |")
		p("|---|---|---|---|---|")
		kib := func(k string) float64 { return (m.settledRuntime[k] - m.idleRuntime[k]) / 1024 / obj }
		rss := float64(m.settledRSSKB-m.idleRSSKB) / obj
		p("| %.2f KiB | %.2f KiB | %.2f KiB | %.2f KiB | %.2f KiB |", rss, kib("heap in use"), kib("heap free, kept"), kib("other runtime"),
			rss-kib("heap in use")-kib("heap free, kept")-kib("other runtime"))
		p("")
	}
	var writes []string
	for k, v := range r.api {
		writes = append(writes, fmt.Sprintf("%s %.0f", k, v))
	}
	var calls []string
	for k, v := range r.pcByRoute {
		calls = append(calls, fmt.Sprintf("%s: %d", k, v))
	}
	sweep := fmt.Sprintf("%.1f", r.sweepSecs)
	if !r.swept {
		sweep += fmt.Sprintf(" (not done: %.0f of %d reconciles)", r.reconciles, r.objects)
	}
	p("| template pairs to Ready (s) | seeding (s) | ready after start (s) | every object reconciled after start (s) | reconcile errors | API-server writes | by verb | Partner Center calls | by route |")
	p("|---|---|---|---|---|---|---|---|---|")
	p("| %.1f | %.1f | %.1f | %s | %.0f | %.0f | %s | %d | %s |", r.harvestSecs, r.seedSecs, r.readySecs, sweep, r.errors,
		sumFloat(r.api), joinSorted(writes, "-"), sum(r.pcByRoute), joinSorted(calls, "-"))
	p("")
	p("The operator starts on an empty cluster (idle baseline: `VmRSS` and heap in use 2 s after it is ready); %d pairs (Migrate, Merge, "+
		"Discard) go through their lifecycle and their status is read back as templates; the operator is killed (SIGKILL), the other "+
		"pairs are created with their template's finalizers and status (names and IDs substituted), and the same binary starts again. "+
		"Once it has reconciled every object and 5 s more, a heap profile with `?gc=1` forces a collection and `VmRSS` is read; the settled "+
		"`VmRSS` and heap in use are read once the Go runtime has returned to the OS the freed heap it keeps beyond its goal (`VmRSS` fell by "+
		"less than 1%% over 5 s; the seconds it took in brackets). The writes and calls are the restarted process's: a seeded status the operator did not consider settled would show "+
		"there. See test/bench/README.md.", templatePairs)
	p("")
	p("The seeded products do not exist in the simulator. The operator reads a settled offer back at its resync slot, spread by UID over "+
		"the resync interval (1 h by default) after it first reconciles it: at most %.0f of the %d offers (N × %.0f s from ready to the count / 1 h) "+
		"are due before the count, and each finds its product gone (`GET product/{id}` 404), which the operator reports in a status write and events. "+
		"Any other write or call means a seeded status the operator did not take as settled.", float64(r.n)*(r.windowSecs-r.readySecs)/3600, r.n, r.windowSecs-r.readySecs)
	p("")
	if len(m.top) > 0 {
		p("Heap in use at N = %d by function (`go tool pprof -top -sample_index=inuse_space`; flat, flat%%, sum%%, cum, cum%%, function):", r.n)
		p("")
		p("```")
		for _, l := range m.top {
			p("%s", l)
		}
		p("```")
		p("")
	}
	return b.String()
}

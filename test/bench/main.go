// Command bench measures the operator at scale (issue 6): convergence of N
// MarketplaceOffers plus N Solutions against a standalone Partner Center
// simulator, the floor a plain client-go loop needs for the same creates
// and minimal status writes, API-server writes and Partner Center calls
// per object against the lifecycle minimum, the operator's peak memory and
// reconcile latency, and convergence under a Partner Center limited to 20
// requests per second. See README.md in this folder; `make bench` runs it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/workload"
)

type config struct {
	sizes          []int
	throttleN      int
	throttleQPS    int
	operator       string
	qps            float64
	burst          int
	offerConc      int
	solConc        int
	createWorkers  int
	timeout        time.Duration
	throttleTimout time.Duration
	jobDelay       time.Duration
	out            string
	skipFloor      bool
	keep           bool
	operatorArgs   string
	workDir        string
}

func main() {
	var cfg config
	var sizes string
	flag.StringVar(&sizes, "n", "1000,5000", "Comma-separated N: N MarketplaceOffers plus N Solutions per run.")
	flag.IntVar(&cfg.throttleN, "throttle-n", 200, "N of the run against a Partner Center limited by --throttle-qps (0 skips it).")
	flag.IntVar(&cfg.throttleQPS, "throttle-qps", 20, "Requests per second the simulator allows in the throttled run (excess: 429 with Retry-After).")
	flag.StringVar(&cfg.operator, "operator", "bin/cosell-operator-bench", "The operator binary (make bench builds it).")
	flag.Float64Var(&cfg.qps, "kube-api-qps", 0, "The operator's --kube-api-qps (0: its default; negative: no client-side limit).")
	flag.IntVar(&cfg.burst, "kube-api-burst", 0, "The operator's --kube-api-burst (0: its default).")
	flag.IntVar(&cfg.offerConc, "offer-concurrency", 0, "The operator's --offer-concurrency (0: its default).")
	flag.IntVar(&cfg.solConc, "solution-concurrency", 0, "The operator's --solution-concurrency (0: its default).")
	flag.IntVar(&cfg.createWorkers, "create-workers", 32, "Goroutines creating objects (same in the operator and floor runs).")
	flag.DurationVar(&cfg.timeout, "timeout", 20*time.Minute, "Longest wait for convergence of one run.")
	flag.DurationVar(&cfg.throttleTimout, "throttle-timeout", 5*time.Minute, "Longest wait for convergence of the throttled run.")
	flag.DurationVar(&cfg.jobDelay, "job-delay", 0, "The simulator's --job-delay (configure jobs and going live).")
	flag.StringVar(&cfg.out, "out", "", "Markdown file for the results (default test/bench/results/<date>.md).")
	flag.BoolVar(&cfg.skipFloor, "skip-floor", false, "Skip the floor runs.")
	flag.DurationVar(&steadyPeriod, "steady-period", steadyPeriod, "Resync period of the steady-state run after each converged run (0 skips it).")
	flag.IntVar(&steadyPeriods, "steady-periods", steadyPeriods, "Periods the steady-state run watches.")
	flag.IntVar(&memoryN, "memory-n", memoryN, "N of the seeded settled-memory run: N offers and N Solutions seeded settled (0 skips it; see README.md).")
	flag.BoolVar(&cfg.keep, "keep", false, "Keep the work folder (logs, simulator store).")
	flag.StringVar(&cfg.operatorArgs, "operator-args", "", "More flags for the operator, e.g. --resync-interval=10m. Not its addresses: the bench picks them and logs the pprof one, for profiles during a run.")
	flag.Parse()
	ctrllog.SetLogger(logr.Discard())
	for _, s := range strings.Split(sizes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 99999 {
			fatalf("-n: %q is not a size between 1 and 99999", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, &cfg)
	cleanup()
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	cleanup()
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// operatorDefaults reads the defaults of the flags from the binary's -help.
func operatorDefaults(cfg *config) {
	out, _ := exec.Command(cfg.operator, "-help").CombinedOutput()
	text := string(out)
	get := func(flagName string) string {
		// Each flag's entry starts a line: "  -name type" (usage text
		// may name other flags).
		i := strings.Index(text, "\n  -"+flagName+" ")
		if i < 0 {
			return ""
		}
		rest := text[i:]
		j := strings.Index(rest, "(default ")
		if j < 0 {
			return ""
		}
		rest = rest[j+len("(default "):]
		return strings.TrimSpace(rest[:strings.IndexByte(rest, ')')])
	}
	if cfg.qps == 0 {
		cfg.qps, _ = strconv.ParseFloat(get("kube-api-qps"), 64)
	}
	if cfg.burst == 0 {
		cfg.burst, _ = strconv.Atoi(get("kube-api-burst"))
	}
	if cfg.offerConc == 0 {
		cfg.offerConc, _ = strconv.Atoi(get("offer-concurrency"))
	}
	if cfg.solConc == 0 {
		cfg.solConc, _ = strconv.Atoi(get("solution-concurrency"))
	}
}

func run(ctx context.Context, cfg *config) error {
	if _, err := os.Stat(cfg.operator); err != nil {
		return fmt.Errorf("operator binary %s: %w (build it with go build -o %s .)", cfg.operator, err, cfg.operator)
	}
	abs, _ := filepath.Abs(cfg.operator)
	cfg.operator = abs
	operatorDefaults(cfg)
	if cfg.qps == 0 || cfg.burst <= 0 || cfg.offerConc <= 0 || cfg.solConc <= 0 {
		return fmt.Errorf("could not read the operator's defaults; pass -kube-api-qps, -kube-api-burst, -offer-concurrency and -solution-concurrency")
	}
	dir, err := os.MkdirTemp("", "cosell-bench-")
	if err != nil {
		return err
	}
	cfg.workDir = dir
	if !cfg.keep {
		defer func() { _ = os.RemoveAll(dir) }()
	}
	logf("work folder %s; operator %s (kube-api-qps %g, burst %d, offer-concurrency %d, solution-concurrency %d)",
		dir, cfg.operator, cfg.qps, cfg.burst, cfg.offerConc, cfg.solConc)

	rep := &report{cfg: cfg, started: time.Now(), load: loadAverage()}
	for _, n := range cfg.sizes {
		if !cfg.skipFloor {
			logf("floor run, N=%d", n)
			f, err := floorRun(ctx, cfg, n)
			if err != nil {
				return fmt.Errorf("floor N=%d: %w", n, err)
			}
			rep.floors = append(rep.floors, f)
		}
		logf("operator run, N=%d", n)
		r, err := operatorRun(ctx, cfg, n, "", cfg.timeout)
		if err != nil {
			return fmt.Errorf("operator N=%d: %w", n, err)
		}
		rep.runs = append(rep.runs, r)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if cfg.throttleN > 0 {
		logf("throttled run, N=%d, Partner Center limited to %d requests/s", cfg.throttleN, cfg.throttleQPS)
		r, err := operatorRun(ctx, cfg, cfg.throttleN, fmt.Sprintf("qps=%d", cfg.throttleQPS), cfg.throttleTimout)
		if err != nil {
			return fmt.Errorf("throttled N=%d: %w", cfg.throttleN, err)
		}
		rep.throttled = r
	}
	if memoryN > 0 {
		logf("seeded settled-memory run, N=%d", memoryN)
		if rep.seeded, err = memoryRun(ctx, cfg, memoryN); err != nil {
			return fmt.Errorf("memory N=%d: %w", memoryN, err)
		}
	}
	rep.finished = time.Now()
	text := rep.markdown()
	fmt.Println(text)
	out := cfg.out
	if out == "" {
		out = filepath.Join(testenv.RepoRoot(), "test", "bench", "results", rep.started.Format("2006-01-02")+".md")
	}
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		return err
	}
	logf("results written to %s", out)
	return nil
}

// runResult is what one operator run measured.
type runResult struct {
	n, objects   int
	faults       string
	converged    bool
	seconds      float64
	createSecs   float64
	unconverged  int
	api          map[string]float64 // "VERB resource/subresource" -> count, operator API group and events
	pcRequests   map[string]int
	pcFaults     map[string]int
	hwmKB        int64
	heapInuseMax float64
	heapAllocMax float64
	latency      map[string][3]float64 // controller -> p50, p90, p99 (seconds)
	reconciles   map[string]float64    // controller/result -> count
	restart      *restartResult        // a restart of the settled operator (converged runs only)
	memory       *memoryResult         // settled memory against the idle baseline (converged runs only)
	cpu          machineCPU            // CPU time from the start of the creates to convergence
	windows      []int                 // over-limit (qps) requests per 10s window
	windowReqs   []int                 // all requests per 10s window
}

type floorResult struct {
	n          int
	seconds    float64
	createSecs float64
	writes     int
	cpu        machineCPU // CPU time from the start of the creates to the last write
}

func adminClient(cfg *rest.Config, qps float32, burst int) (client.Client, error) {
	c := rest.CopyConfig(cfg)
	c.QPS, c.Burst = qps, burst
	return client.New(c, client.Options{Scheme: scheme})
}

// grown is what each counter of after grew by since before, leaving out
// those that did not grow: the writes or calls made between two scrapes.
func grown[V int | float64](after, before map[string]V) map[string]V {
	d := map[string]V{}
	for k, v := range after {
		if v > before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

// counts are what the API server and the simulator counted so far: the
// API-server writes of the operator's kinds and events (apiWrites) and
// the Partner Center calls by route.
type counts struct {
	api map[string]float64
	pc  map[string]int
}

func readCounts(ctx context.Context, restCfg *rest.Config, simBase string) (counts, error) {
	api, err := apiWrites(ctx, restCfg)
	if err != nil {
		return counts{}, err
	}
	st, err := simStats(simBase)
	if err != nil {
		return counts{}, err
	}
	return counts{api: api, pc: st.Requests}, nil
}

// since is what was counted between before and c.
func (c counts) since(before counts) counts {
	return counts{api: grown(c.api, before.api), pc: grown(c.pc, before.pc)}
}

// readsAndWrites sums Partner Center calls by route into reads and writes.
func readsAndWrites(byRoute map[string]int) (reads, writes int) {
	for k, d := range byRoute {
		if isWriteRoute(k) {
			writes += d
		} else {
			reads += d
		}
	}
	return reads, writes
}

// apiWrites scrapes kube-apiserver's apiserver_request_total (as admin)
// and returns mutating requests of the operator's group and of events.
func apiWrites(ctx context.Context, cfg *rest.Config) (map[string]float64, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	raw, err := cs.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	ss, err := parseProm(strings.NewReader(string(raw)))
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, s := range ss {
		if s.name != "apiserver_request_total" {
			continue
		}
		l := s.labels
		switch l["verb"] {
		case "POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE":
		default:
			continue
		}
		if l["group"] != "marketplace.cosell.io" && l["resource"] != "events" {
			continue
		}
		key := l["verb"] + " " + l["resource"]
		if l["subresource"] != "" {
			key += "/" + l["subresource"]
		}
		out[key] += s.value
	}
	return out, nil
}

func simStats(base string) (*simulator.Stats, error) {
	resp, err := http.Get(base + "/simulator/stats")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var st simulator.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, err
	}
	return &st, nil
}

func sum(m map[string]int) int {
	t := 0
	for _, v := range m {
		t += v
	}
	return t
}

// operatorRun runs one measurement on a fresh control plane and simulator.
func operatorRun(ctx context.Context, cfg *config, n int, faults string, timeout time.Duration) (*runResult, error) {
	res := &runResult{n: n, objects: 2 * n, faults: faults}
	runDir := filepath.Join(cfg.workDir, fmt.Sprintf("run-%d-%s", n, strings.ReplaceAll(cmpOr(faults, "plain"), "=", "")))
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	env, restCfg, err := startPlane()
	if err != nil {
		return nil, err
	}
	defer stopPlane(env)

	// The simulator, alone in its process, seeded with N legacy solutions.
	seed := workload.Seed(n)
	seedFile := filepath.Join(runDir, "seed.yaml")
	if err := os.WriteFile(seedFile, seed, 0o644); err != nil {
		return nil, err
	}
	simPort, err := freePort()
	if err != nil {
		return nil, err
	}
	simBase := fmt.Sprintf("http://127.0.0.1:%d", simPort)
	simArgs := []string{"simulator", "--addr", fmt.Sprintf("127.0.0.1:%d", simPort), "--seed", seedFile,
		"--store", filepath.Join(runDir, "store"), "--certification-delay", "0s", "--merge-delay", "0s",
		"--job-delay", cfg.jobDelay.String()}
	if faults != "" {
		simArgs = append(simArgs, "--faults", faults)
	}
	sim, err := startProcess(filepath.Join(runDir, "simulator.log"), nil, cfg.operator, simArgs...)
	if err != nil {
		return nil, err
	}
	defer stopProcess(sim)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := waitHTTP(wctx, simBase+"/healthz"); err != nil {
		return nil, fmt.Errorf("simulator: %w (log in %s)", err, runDir)
	}

	// The operator, built binary, own process.
	kubeconfig := filepath.Join(runDir, "kubeconfig")
	if err := writeKubeconfig(restCfg, kubeconfig); err != nil {
		return nil, err
	}
	metricsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	probePort, err := freePort()
	if err != nil {
		return nil, err
	}
	pprofPort, err := freePort()
	if err != nil {
		return nil, err
	}
	pprofURL := fmt.Sprintf("http://127.0.0.1:%d", pprofPort)
	opArgs := []string{"--partner-center", simulator.APIURL(fmt.Sprintf("127.0.0.1:%d", simPort)),
		"--pprof-bind-address", fmt.Sprintf("127.0.0.1:%d", pprofPort),
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", metricsPort), "--metrics-secure=false",
		"--health-probe-bind-address", fmt.Sprintf("127.0.0.1:%d", probePort),
		"--kube-api-qps", fmt.Sprint(cfg.qps), "--kube-api-burst", fmt.Sprint(cfg.burst),
		"--offer-concurrency", fmt.Sprint(cfg.offerConc), "--solution-concurrency", fmt.Sprint(cfg.solConc),
		"--zap-devel=false"}
	opArgs = append(opArgs, strings.Fields(cfg.operatorArgs)...)
	op, err := startProcess(filepath.Join(runDir, "operator.log"), []string{"KUBECONFIG=" + kubeconfig}, cfg.operator, opArgs...)
	if err != nil {
		return nil, err
	}
	defer stopProcess(op)
	logf("operator N=%d: pprof at %s/debug/pprof/", n, pprofURL)
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	if err := waitHTTP(wctx, fmt.Sprintf("http://127.0.0.1:%d/readyz", probePort)); err != nil {
		return nil, fmt.Errorf("operator: %w (log in %s)", err, runDir)
	}
	if err := waitHTTP(wctx, metricsURL); err != nil {
		return nil, fmt.Errorf("operator metrics: %w (log in %s)", err, runDir)
	}
	// The idle baseline: ready, caches synced on an empty cluster.
	time.Sleep(2 * time.Second)
	idle := &memoryResult{idleRSSKB: procStatus(op.Process.Pid)["VmRSS"]}
	if ss, err := scrapeURL(metricsURL); err == nil {
		idle.idleHeap = value(ss, "go_memstats_heap_inuse_bytes", nil)
	}

	tr, err := startTracker(ctx, restCfg)
	if err != nil {
		return nil, err
	}
	defer tr.stop()
	before, err := apiWrites(ctx, restCfg)
	if err != nil {
		return nil, err
	}
	creator, err := adminClient(restCfg, 5000, 10000)
	if err != nil {
		return nil, err
	}

	// Sample memory, and the simulator's counters for the throttle windows.
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var mu sync.Mutex
	type point struct {
		at        time.Duration
		qps, reqs int
	}
	var points []point
	var wg sync.WaitGroup
	start, cpuStart := time.Now(), readMachineCPU(op.Process.Pid, sim.Process.Pid)
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 0; ; i++ {
			if faults != "" {
				if st, err := simStats(simBase); err == nil {
					mu.Lock()
					points = append(points, point{at: time.Since(start), qps: st.Faults["qps"], reqs: sum(st.Requests)})
					mu.Unlock()
				}
			}
			if i%2 == 0 {
				if ss, err := scrapeURL(metricsURL); err == nil {
					mu.Lock()
					res.heapInuseMax = max(res.heapInuseMax, value(ss, "go_memstats_heap_inuse_bytes", nil))
					res.heapAllocMax = max(res.heapAllocMax, value(ss, "go_memstats_heap_alloc_bytes", nil))
					mu.Unlock()
				}
			}
			select {
			case <-sampleCtx.Done():
				return
			case <-tick.C:
			}
		}
	})

	logf("N=%d: creating %d objects", n, 2*n)
	if err := createAll(ctx, creator, n, cfg.createWorkers, nil); err != nil {
		stopSampling()
		return nil, err
	}
	res.createSecs = time.Since(start).Seconds()
	logf("N=%d: created in %.1fs; waiting for all Ready", n, res.createSecs)
	wctx2, cancel2 := context.WithTimeout(ctx, timeout)
	defer cancel2()
	progress := time.NewTicker(15 * time.Second)
	defer progress.Stop()
	done := make(chan bool, 1)
	go func() { done <- tr.wait(wctx2, n) }()
wait:
	for {
		select {
		case ok := <-done:
			res.converged = ok
			break wait
		case <-progress.C:
			logf("N=%d: %.0fs: %d/%d offers and %d/%d solutions Ready", n, time.Since(start).Seconds(), tr.offers.Load(), n, tr.sols.Load(), n)
		}
	}
	res.seconds = time.Since(start).Seconds()
	res.cpu = readMachineCPU(op.Process.Pid, sim.Process.Pid).since(cpuStart)
	res.unconverged = 2*n - int(tr.offers.Load()+tr.sols.Load())
	logf("N=%d: %s after %.1fs (%d unconverged)", n, map[bool]string{true: "converged", false: "timed out"}[res.converged], res.seconds, res.unconverged)
	// Let trailing writes (events, last status patches) land, then count.
	time.Sleep(3 * time.Second)
	stopSampling()
	wg.Wait()

	after, err := apiWrites(ctx, restCfg)
	if err != nil {
		return nil, err
	}
	res.api = grown(after, before)
	st, err := simStats(simBase)
	if err != nil {
		return nil, err
	}
	res.pcRequests, res.pcFaults = st.Requests, st.Faults
	if ss, err := scrapeURL(metricsURL); err == nil {
		res.heapInuseMax = max(res.heapInuseMax, value(ss, "go_memstats_heap_inuse_bytes", nil))
		res.heapAllocMax = max(res.heapAllocMax, value(ss, "go_memstats_heap_alloc_bytes", nil))
		res.latency = map[string][3]float64{}
		res.reconciles = map[string]float64{}
		for _, c := range []string{"marketplaceoffer", "solution"} {
			m := map[string]string{"controller": c}
			res.latency[c] = [3]float64{
				quantile(ss, "controller_runtime_reconcile_time_seconds", m, 0.5),
				quantile(ss, "controller_runtime_reconcile_time_seconds", m, 0.9),
				quantile(ss, "controller_runtime_reconcile_time_seconds", m, 0.99),
			}
			for _, r := range []string{"success", "error", "requeue", "requeue_after"} {
				res.reconciles[c+"/"+r] = value(ss, "controller_runtime_reconcile_total", map[string]string{"controller": c, "result": r})
			}
		}
	}
	res.hwmKB = procStatus(op.Process.Pid)["VmHWM"]
	if res.converged && faults == "" {
		m, err := settledMemory(op.Process.Pid, pprofURL, metricsURL, runDir)
		if err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		m.idleRSSKB, m.idleHeap = idle.idleRSSKB, idle.idleHeap
		res.memory = m
		logf("N=%d: killing the settled operator and starting it again", n)
		if res.restart, err = restartRun(ctx, restCfg, creator, tr, simBase, n, op, runDir,
			[]string{"KUBECONFIG=" + kubeconfig}, opArgs, metricsURL, fmt.Sprintf("http://127.0.0.1:%d/readyz", probePort)); err != nil {
			return nil, fmt.Errorf("restart: %w", err)
		}
	}

	// Over-limit requests per 10s window since the first create.
	if faults != "" {
		mu.Lock()
		lastQPS, lastReqs, window := 0, 0, 0
		for _, p := range points {
			w := int(p.at / (10 * time.Second))
			for window < w {
				res.windows = append(res.windows, 0)
				res.windowReqs = append(res.windowReqs, 0)
				window++
			}
			if len(res.windows) == 0 {
				res.windows, res.windowReqs = []int{0}, []int{0}
			}
			res.windows[len(res.windows)-1] += p.qps - lastQPS
			res.windowReqs[len(res.windowReqs)-1] += p.reqs - lastReqs
			lastQPS, lastReqs = p.qps, p.reqs
		}
		mu.Unlock()
	}
	return res, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// floorRun creates the same objects and does the floor's status writes
// (floorWrites) with a client that has no client-side rate limit (the API
// server's priority and fairness only) and as many workers as the operator
// has, pipelined behind the creates as the operator's work is.
func floorRun(ctx context.Context, cfg *config, n int) (*floorResult, error) {
	env, restCfg, err := startPlane()
	if err != nil {
		return nil, err
	}
	defer stopPlane(env)
	creator, err := adminClient(restCfg, 5000, 10000)
	if err != nil {
		return nil, err
	}
	writer, err := adminClient(restCfg, -1, 0)
	if err != nil {
		return nil, err
	}
	res := &floorResult{n: n}
	created := make(chan client.Object, 4*n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start, cpuStart := time.Now(), readMachineCPU(0, 0)
	for range cfg.offerConc + cfg.solConc {
		wg.Go(func() {
			for obj := range created {
				if err := floorWrites(ctx, writer, obj); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("status of %s: %w", obj.GetName(), err)
					}
					mu.Unlock()
				}
			}
		})
	}
	err = createAll(ctx, creator, n, cfg.createWorkers, created)
	res.createSecs = time.Since(start).Seconds()
	close(created)
	wg.Wait()
	res.seconds = time.Since(start).Seconds()
	res.cpu = readMachineCPU(0, 0).since(cpuStart)
	if err != nil {
		return nil, err
	}
	if firstErr != nil {
		return nil, firstErr
	}
	o, s := minStatusWrites(n)
	res.writes = o + s
	logf("floor N=%d: %.1fs (creates %.1fs, %d status writes)", n, res.seconds, res.createSecs, res.writes)
	return res, nil
}

// report renders the results.
type report struct {
	cfg               *config
	started, finished time.Time
	load              string // load average when the run started
	runs              []*runResult
	floors            []*floorResult
	throttled         *runResult
	seeded            *seededResult
}

// commit names the commit the benchmark ran on, and says when the tree
// had uncommitted changes: a committed figure must come from committed code.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	c := strings.TrimSpace(string(out))
	if dirty, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(dirty) > 0 {
		c += " with uncommitted changes"
	}
	return c
}

// loadAverage is the machine's 1, 5 and 15 minute load average.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// pcMinimum is the lifecycle's minimum of Partner Center calls for n pairs
// (see README.md in this folder for the derivation).
func pcMinimum(n int) (offers, sols int) {
	migrate, merge, discard := mix(n)
	// Routes as the simulator's /simulator/stats labels them.
	const freshOffer = 20 // GET product; create: POST configure, GET configure/status, GET configure/detail;
	// co-sell: GET pi/products, 2 GET pi/product-sub, PUT pi/cosellListing; draft: GET resource-tree,
	// POST configure, GET configure/status; GET submissions; preview and live: POST configure,
	// GET configure/status, GET configure/detail, GET submission each
	const migratedOffer = 17 // the same without the create (the migration made the product)
	offers = (merge+discard)*freshOffer + migrate*migratedOffer
	sols = migrate*1 + discard*1 + merge*2 // the action's POST; a merge also reads the solution once it is merged
	return
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	goVersion := runtime.Version()
	if out, err := exec.Command("go", "version").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	p("# cosell-operator scale benchmark, %s", r.started.Format("2006-01-02 15:04 MST"))
	p("")
	p("Commit: %s. Machine: nproc %d, CPU %s, %s, load average %s at the start. Run took %s.",
		commit(), runtime.NumCPU(), cpuModel(), goVersion, r.load, r.finished.Sub(r.started).Round(time.Second))
	p("")
	p("Operator: built binary, own process, `--kube-api-qps %g --kube-api-burst %d --offer-concurrency %d --solution-concurrency %d`. "+
		"Simulator: own process, `--certification-delay 0s --merge-delay 0s --job-delay %s`. kube-apiserver (envtest, fresh per run): "+
		"`--max-requests-inflight 1600 --max-mutating-requests-inflight 800`. Workload per N: N MarketplaceOffers (target Live, pass "+
		"certification, co-sell ready) and N Solutions: a third Migrate into their offer, a third Merge into their offer once live, a third Discard. "+
		"Objects created pair by pair (a migrating Solution before its offer) by %d goroutines at unlimited client QPS.", r.cfg.qps, r.cfg.burst, r.cfg.offerConc, r.cfg.solConc, r.cfg.jobDelay, r.cfg.createWorkers)
	p("")
	p("## Convergence (apply to all Ready)")
	p("")
	p("| N | objects | creates done (s) | operator (s) | objects/s | floor (s) | floor objects/s | operator / floor |")
	p("|---|---|---|---|---|---|---|---|")
	for _, run := range r.runs {
		f := r.floorFor(run.n)
		fs, fr, ratio := "-", "-", "-"
		if f != nil {
			fs, fr, ratio = fmt.Sprintf("%.1f", f.seconds), fmt.Sprintf("%.0f", float64(2*f.n)/f.seconds), fmt.Sprintf("%.2f", run.seconds/f.seconds)
		}
		conv := fmt.Sprintf("%.1f", run.seconds)
		if !run.converged {
			conv += fmt.Sprintf(" (timed out, %d unconverged)", run.unconverged)
		}
		p("| %d | %d | %.1f | %s | %.0f | %s | %s | %s |", run.n, run.objects, run.createSecs, conv, float64(run.objects)/run.seconds, fs, fr, ratio)
	}
	p("")
	p("Floor: the same creates, then per object the minimal status writes (MarketplaceOffer 5: each of Partner Center's four asynchronous jobs recorded "+
		"before it is waited on, create, draft, preview and live submissions, then live; 4 for an offer a Solution migrates into, which has no create; "+
		"Solution 1, Merge 2: merge request recorded, then merged) by a plain client with no client-side rate limit (the API server's priority and fairness only) "+
		"and %d workers, pipelined behind the creates.", r.cfg.offerConc+r.cfg.solConc)
	p("")
	cores := float64(runtime.NumCPU())
	p("CPU time from the start of the creates to convergence (user + system seconds: /proc/<pid>/stat, and /proc/stat for the whole machine of %d cores; "+
		"busy share: machine CPU / (wall × cores)):", runtime.NumCPU())
	p("")
	p("| N | run | wall (s) | machine CPU (s) | busy share | kube-apiserver + etcd (s) | operator (s) | simulator (s) | bench process (s) |")
	p("|---|---|---|---|---|---|---|---|---|")
	for _, run := range r.runs {
		row := func(name string, wall float64, c machineCPU) {
			p("| %d | %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %.1f |", run.n, name, wall, c.busy, c.busy/(wall*cores), c.plane, c.operator, c.simulator, c.bench)
		}
		f := r.floorFor(run.n)
		if f != nil {
			row("floor", f.seconds, f.cpu)
		}
		row("operator", run.seconds, run.cpu)
		if f != nil && f.cpu.busy > 0 {
			p("| %d | operator / floor | %.2f | %.2f | | %.2f | | | |", run.n, run.seconds/f.seconds, run.cpu.busy/f.cpu.busy, run.cpu.plane/f.cpu.plane)
		}
	}
	p("")
	p("The bench process creates the objects in both runs, writes the floor's status and watches for Ready. " +
		"The simulator stands in for Partner Center, which runs elsewhere in production; here it shares the cores.")
	p("")
	p("## API-server writes per object (kube-apiserver `apiserver_request_total`, operator run, after minus before)")
	p("")
	p("| N | create/obj | status writes/obj | minimum status writes/obj | other writes of the kinds/obj | events/obj | all writes by verb |")
	p("|---|---|---|---|---|---|---|")
	for _, run := range r.runs {
		creates, status, other, events := 0.0, 0.0, 0.0, 0.0
		var keys []string
		for k, v := range run.api {
			keys = append(keys, fmt.Sprintf("%s %.0f", k, v))
			switch {
			case strings.Contains(k, "events"):
				events += v
			case strings.HasPrefix(k, "POST "):
				creates += v
			case strings.HasSuffix(k, "/status"):
				status += v
			default:
				other += v
			}
		}
		sort.Strings(keys)
		o, s := minStatusWrites(run.n)
		obj := float64(run.objects)
		p("| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s |", run.n, creates/obj, status/obj, float64(o+s)/obj, other/obj, events/obj, strings.Join(keys, ", "))
	}
	p("")
	p("## Partner Center calls per object (simulator `/simulator/stats` Requests)")
	p("")
	p("| N | calls | calls/object | lifecycle minimum/object | ratio | by route |")
	p("|---|---|---|---|---|---|")
	for _, run := range r.runs {
		total := sum(run.pcRequests)
		mo, ms := pcMinimum(run.n)
		minimum := float64(mo+ms) / float64(run.objects)
		p("| %d | %d | %.2f | %.2f | %.2f | %s |", run.n, total, float64(total)/float64(run.objects), minimum,
			float64(total)/float64(mo+ms), routes(run.pcRequests))
	}
	p("")
	p("Minimum per pair (see test/bench/README.md): a fresh offer 20 (find product; create: POST configure + job status + job detail; " +
		"co-sell tab: product lookup, branch, listing read + PUT; draft: resource-tree read + POST configure + job status; submission list; " +
		"preview and live: POST configure + job status + job detail + submission read each); an offer migrated into 17 (no create); " +
		"Migrate and Discard 1 (the action's POST answers the end state); Merge 2 (POST merge, then one read once support completed it).")
	p("")
	if lines := restartMarkdown(r.runs); len(lines) > 0 {
		p("## Restart of a settled operator (SIGKILL, then the same binary and flags)")
		p("")
		p("| N | objects | ready (s) | every object reconciled (s) | API-server writes | by verb | Partner Center writes | Partner Center reads | by route | " +
			"fresh offer to Ready during a restart's sweep (s) | fresh offer to Ready, idle (s) | busy / idle |")
		p("|---|---|---|---|---|---|---|---|---|---|---|---|")
		for _, l := range lines {
			p("%s", l)
		}
		p("")
		p("Times from the new process's start: /readyz answering, and controller_runtime_reconcile_total reaching the number of objects " +
			"(the informers' initial list enqueues each once). Writes and calls: after minus before, 5 s after that. " +
			"Fairness: the operator is killed again; a fresh offer (target Live) is created as soon as the next process is ready, while it reconciles " +
			"every settled object, and another once it is idle; their times from create to Ready, and the sweep's duration from the process start.")
		p("")
	}
	if lines := steadyMarkdown(r.runs); len(lines) > 0 {
		p("## Steady state with the drift resync on")
		p("")
		p("| N | offers | resync period × periods | Partner Center reads | reads / offer / period | writes | mean reads / window | max reads / window | max / mean | reads per window (a tenth of the period) | by route |")
		p("|---|---|---|---|---|---|---|---|---|---|---|")
		for _, l := range lines {
			p("%s", l)
		}
		p("")
		p("After the restart measurements, the settled operator is restarted with `--resync-interval` set to the period (a simulated day in minutes) " +
			"and the simulator's counters are read every tenth of a period. Offers: the N of the run plus the two fresh offers of the fairness measurement.")
		p("")
	}
	if len(r.runs) > 0 {
		big := r.runs[len(r.runs)-1]
		p("## Operator memory and reconcile latency (N = %d: %d MarketplaceOffers and %d Solutions)", big.n, big.n, big.n)
		p("")
		p("| N | peak RSS (VmHWM) | max heap in use | max heap alloc |")
		p("|---|---|---|---|")
		for _, run := range r.runs {
			p("| %d | %.1f MiB | %.1f MiB | %.1f MiB |", run.n, float64(run.hwmKB)/1024, run.heapInuseMax/(1<<20), run.heapAllocMax/(1<<20))
		}
		p("")
		if lines := memoryMarkdown(r.runs); len(lines) > 0 {
			p("Settled, after a forced garbage collection (the heap profile's `?gc=1`), against the idle baseline (ready, empty cluster). " +
				"RSS is read right after the collection, and once the Go runtime has returned to the OS the freed heap it keeps beyond its goal " +
				"(VmRSS fell by less than 1%% over 5 s; the seconds it took in brackets): the settled RSS. Heap in use is read then:")
			p("")
			p("| N | objects | idle RSS | RSS after the collection | settled RSS | (settled - idle) RSS / object | idle heap in use | settled heap in use | (settled - idle) heap / object |")
			p("|---|---|---|---|---|---|---|---|---|")
			for _, l := range lines {
				p("%s", l)
			}
			p("")
			big := r.runs[len(r.runs)-1]
			if big.memory != nil && len(big.memory.top) > 0 {
				p("Heap in use at N = %d by function (`go tool pprof -top -sample_index=inuse_space`; flat, flat%%, sum%%, cum, cum%%, function):", big.n)
				p("")
				p("```")
				for _, l := range big.memory.top {
					p("%s", l)
				}
				p("```")
				p("")
			}
		}
		p("| N | controller | reconciles (success / requeue_after / requeue / error) | p50 | p90 | p99 |")
		p("|---|---|---|---|---|---|")
		for _, run := range r.runs {
			for _, c := range []string{"marketplaceoffer", "solution"} {
				l := run.latency[c]
				p("| %d | %s | %.0f / %.0f / %.0f / %.0f | %s | %s | %s |", run.n, c, run.reconciles[c+"/success"], run.reconciles[c+"/requeue_after"],
					run.reconciles[c+"/requeue"], run.reconciles[c+"/error"], ms(l[0]), ms(l[1]), ms(l[2]))
			}
		}
		p("")
		p("Latency: `controller_runtime_reconcile_time_seconds` histogram quantiles (linear interpolation within buckets, as PromQL's histogram_quantile).")
		p("")
	}
	b.WriteString(seededMarkdown(r.seeded))
	if t := r.throttled; t != nil {
		p("## Partner Center limited to %s (excess answered 429 with Retry-After), N = %d", strings.TrimPrefix(t.faults, "qps=")+" requests/s", t.n)
		p("")
		p("| N | objects | time to converge (s) | requests | over the limit (429) | unconverged |")
		p("|---|---|---|---|---|---|")
		conv := fmt.Sprintf("%.1f", t.seconds)
		if !t.converged {
			conv += " (timed out)"
		}
		p("| %d | %d | %s | %d | %d | %d |", t.n, t.objects, conv, sum(t.pcRequests), t.pcFaults["qps"], t.unconverged)
		p("")
		p("Requests over the limit per 10 s window since the first create (all requests in brackets):")
		p("")
		var ws []string
		for i, w := range t.windows {
			ws = append(ws, fmt.Sprintf("%d-%ds: %d (%d)", i*10, i*10+10, w, t.windowReqs[i]))
		}
		p("%s", strings.Join(ws, " · "))
		p("")
		p("Partner Center calls by route: %s", routes(t.pcRequests))
		p("")
	}
	return b.String()
}

func (r *report) floorFor(n int) *floorResult {
	for _, f := range r.floors {
		if f.n == n {
			return f
		}
	}
	return nil
}

func ms(s float64) string {
	if s != s { // NaN
		return "-"
	}
	if s < 1 {
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.2f s", s)
}

func routes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

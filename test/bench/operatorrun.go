// One operator run: a fresh control plane and simulator, the objects
// created, convergence awaited and measured.

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cosell-operator/cosell-operator/test/workload"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// runResult is what one operator run measured.
type runResult struct {
	n, objects   int
	faults       string
	converged    bool
	seconds      float64
	createSecs   float64
	unconverged  int
	api          map[string]float64 // "VERB resource/subresource" -> count, operator API group and events
	events       map[string]int     // "Kind type reason" -> Events held at the end of the run
	eventsDrop   float64            // Normal events over the operator's --events-per-second budget
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
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sim, err := startRunSimulator(wctx, cfg, runDir, n, faults)
	if err != nil {
		return nil, err
	}
	defer stopProcess(sim.cmd)
	op, err := startRunOperator(wctx, cfg, runDir, restCfg, sim.port)
	if err != nil {
		return nil, err
	}
	defer stopProcess(op.cmd)
	logf("operator N=%d: pprof at %s/debug/pprof/", n, op.pprofURL)
	// The idle baseline: ready, caches synced on an empty cluster.
	time.Sleep(2 * time.Second)
	idle := &memoryResult{idleRSSKB: procStatus(op.cmd.Process.Pid)["VmRSS"]}
	if ss, err := scrapeURL(op.metricsURL); err == nil {
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
	if err := converge(ctx, cfg, res, sim, op, tr, creator, timeout); err != nil {
		return nil, err
	}
	if err := collect(ctx, restCfg, before, sim.base, op.metricsURL, res); err != nil {
		return nil, err
	}
	res.hwmKB = procStatus(op.cmd.Process.Pid)["VmHWM"]
	if res.converged && faults == "" {
		if err := settledAndRestarted(ctx, res, idle, op, restCfg, creator, tr, sim.base, runDir); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// runSimulator is the simulator of one run, alone in its process.
type runSimulator struct {
	cmd  *exec.Cmd
	port int
	base string
}

// startRunSimulator starts the simulator, seeded with N legacy solutions,
// and waits until it answers.
func startRunSimulator(ctx context.Context, cfg *config, runDir string, n int, faults string) (*runSimulator, error) {
	seedFile := filepath.Join(runDir, "seed.yaml")
	if err := os.WriteFile(seedFile, workload.Seed(n), 0o644); err != nil {
		return nil, err
	}
	simPort, err := freePort()
	if err != nil {
		return nil, err
	}
	simArgs := []string{"simulator", "--addr", fmt.Sprintf("127.0.0.1:%d", simPort), "--seed", seedFile,
		"--store", filepath.Join(runDir, "store"), "--certification-delay", "0s", "--merge-delay", "0s",
		"--job-delay", cfg.jobDelay.String()}
	if faults != "" {
		simArgs = append(simArgs, "--faults", faults)
	}
	cmd, err := startProcess(filepath.Join(runDir, "simulator.log"), nil, cfg.operator, simArgs...)
	if err != nil {
		return nil, err
	}
	sim := &runSimulator{cmd: cmd, port: simPort, base: fmt.Sprintf("http://127.0.0.1:%d", simPort)}
	if err := waitHTTP(ctx, sim.base+"/healthz"); err != nil {
		stopProcess(cmd)
		return nil, fmt.Errorf("simulator: %w (log in %s)", err, runDir)
	}
	return sim, nil
}

// startRunOperator starts the operator against the simulator on simPort
// (newOperator's flags, memoryrun.go) and waits until it is ready and
// serves its metrics.
func startRunOperator(ctx context.Context, cfg *config, runDir string, restCfg *rest.Config, simPort int) (*operatorProc, error) {
	op, err := newOperator(cfg, restCfg, runDir, simPort)
	if err != nil {
		return nil, err
	}
	if err := op.start(ctx, "operator.log"); err != nil {
		stopProcess(op.cmd)
		return nil, err
	}
	return op, nil
}

// simSample is one reading of the simulator's counters during a run.
type simSample struct {
	at        time.Duration
	qps, reqs int
}

// sampler reads the operator's heap every other second and, in a run with
// faults, the simulator's counters every second, for the throttle windows.
type sampler struct {
	mu     sync.Mutex
	points []simSample
	wg     sync.WaitGroup
	stop   context.CancelFunc
}

func startSampler(ctx context.Context, res *runResult, simBase, metricsURL string, start time.Time) *sampler {
	s := &sampler{}
	sampleCtx, stop := context.WithCancel(ctx)
	s.stop = stop
	s.wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 0; ; i++ {
			if res.faults != "" {
				if st, err := simStats(simBase); err == nil {
					s.mu.Lock()
					s.points = append(s.points, simSample{at: time.Since(start), qps: st.Faults["qps"], reqs: sum(st.Requests)})
					s.mu.Unlock()
				}
			}
			if i%2 == 0 {
				if ss, err := scrapeURL(metricsURL); err == nil {
					s.mu.Lock()
					res.eventsDrop = value(ss, "cosell_events_dropped_total", nil)
					res.heapInuseMax = max(res.heapInuseMax, value(ss, "go_memstats_heap_inuse_bytes", nil))
					res.heapAllocMax = max(res.heapAllocMax, value(ss, "go_memstats_heap_alloc_bytes", nil))
					s.mu.Unlock()
				}
			}
			select {
			case <-sampleCtx.Done():
				return
			case <-tick.C:
			}
		}
	})
	return s
}

// finish stops the sampling and fills in the over-limit requests per 10s
// window since the first create.
func (s *sampler) finish(res *runResult) {
	s.stop()
	s.wg.Wait()
	if res.faults == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lastQPS, lastReqs, window := 0, 0, 0
	for _, p := range s.points {
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
}

// converge creates the objects and waits until all are Ready or timeout
// passes, sampling as it goes.
func converge(ctx context.Context, cfg *config, res *runResult, sim *runSimulator, op *operatorProc, tr *tracker, creator client.Client, timeout time.Duration) error {
	n := res.n
	start, cpuStart := time.Now(), readMachineCPU(op.cmd.Process.Pid, sim.cmd.Process.Pid)
	smp := startSampler(ctx, res, sim.base, op.metricsURL, start)
	logf("N=%d: creating %d objects", n, 2*n)
	if err := createAll(ctx, creator, n, cfg.createWorkers, nil); err != nil {
		smp.stop()
		return err
	}
	res.createSecs = time.Since(start).Seconds()
	logf("N=%d: created in %.1fs; waiting for all Ready", n, res.createSecs)
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	progress := time.NewTicker(15 * time.Second)
	defer progress.Stop()
	done := make(chan bool, 1)
	go func() { done <- tr.wait(wctx, n) }()
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
	res.cpu = readMachineCPU(op.cmd.Process.Pid, sim.cmd.Process.Pid).since(cpuStart)
	res.unconverged = 2*n - int(tr.offers.Load()+tr.sols.Load())
	logf("N=%d: %s after %.1fs (%d unconverged)", n, map[bool]string{true: "converged", false: "timed out"}[res.converged], res.seconds, res.unconverged)
	// Let trailing writes (events, last status patches) land, then count.
	time.Sleep(3 * time.Second)
	smp.finish(res)
	return nil
}

// collect reads what the run cost: API-server writes, Partner Center
// calls, and the operator's heap, reconciles and their latency.
func collect(ctx context.Context, restCfg *rest.Config, before map[string]float64, simBase, metricsURL string, res *runResult) error {
	after, err := apiWrites(ctx, restCfg)
	if err != nil {
		return err
	}
	res.api = grown(after, before)
	st, err := simStats(simBase)
	if err != nil {
		return err
	}
	res.pcRequests, res.pcFaults = st.Requests, st.Faults
	if res.events, err = eventReasons(ctx, restCfg); err != nil {
		return err
	}
	ss, err := scrapeURL(metricsURL)
	if err != nil {
		return nil //nolint:nilerr // as before the split: the figures of a failed scrape stay empty
	}
	res.eventsDrop = value(ss, "cosell_events_dropped_total", nil)
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
	return nil
}

// settledAndRestarted measures the settled operator's memory against the
// idle baseline, then kills it and measures the restart.
func settledAndRestarted(ctx context.Context, res *runResult, idle *memoryResult, op *operatorProc, restCfg *rest.Config,
	creator client.Client, tr *tracker, simBase, runDir string) error {
	m, err := settledMemory(op.cmd.Process.Pid, op.pprofURL, op.metricsURL, runDir)
	if err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	m.idleRSSKB, m.idleHeap = idle.idleRSSKB, idle.idleHeap
	res.memory = m
	logf("N=%d: killing the settled operator and starting it again", res.n)
	if res.restart, err = restartRun(ctx, restCfg, creator, tr, simBase, res.n, op.cmd, runDir,
		op.env, op.args, op.metricsURL, op.readyURL); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

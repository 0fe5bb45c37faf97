// One operator run: a fresh control plane and simulator, the objects
// created, convergence awaited and measured.

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/test/workload"
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
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", metricsPort),
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

package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/test/workload"
)

// restartResult is what a restart of a settled operator cost: the
// writes and Partner Center calls of the new process, and how long it took
// to reconcile every object once.
type restartResult struct {
	api        map[string]float64 // API-server writes of the kinds and events, after minus before
	pcByRoute  map[string]int     // Partner Center calls, after minus before
	pcWrites   int
	pcReads    int
	readySecs  float64 // from the new process's start until /readyz answered
	sweepSecs  float64 // from the new process's start until it had reconciled as many times as there are objects
	reconciles float64 // reconciles by then
	swept      bool
	// A fresh offer created as soon as a second restarted process was
	// ready (while it reconciles every settled object), and one created
	// once that process was idle: time to Ready of each.
	busyOffer, idleOffer time.Duration
	busySweepSecs        float64 // the second restart's sweep, for context
	steady               *steadyResult
}

// restartRun kills the settled operator op (SIGKILL, no graceful
// shutdown), starts the same binary with the same flags, and measures
// what the new process does until it has reconciled every object once
// (each is enqueued by the informers' initial list), plus a few seconds
// for trailing writes. Then it measures fairness: it kills the new process
// too, and times a fresh offer created while the next one reconciles every
// settled object against one created once it is idle.
func restartRun(ctx context.Context, restCfg *rest.Config, c client.Client, tr *tracker, simBase string, n int, op *exec.Cmd, runDir string,
	env []string, opArgs []string, metricsURL, readyURL string) (*restartResult, error) {
	before, err := readCounts(ctx, restCfg, simBase)
	if err != nil {
		return nil, err
	}
	res := &restartResult{}
	op2, start, err := restart(ctx, op, filepath.Join(runDir, "operator-restarted.log"), env, opArgs, readyURL)
	if err != nil {
		return nil, err
	}
	res.readySecs = time.Since(start).Seconds()
	res.reconciles, res.swept = sweep(ctx, metricsURL, 2*n)
	res.sweepSecs = time.Since(start).Seconds()
	// Trailing writes (status patches, events) land within a few seconds.
	time.Sleep(5 * time.Second)

	after, err := readCounts(ctx, restCfg, simBase)
	if err != nil {
		return nil, err
	}
	d := after.since(before)
	res.api, res.pcByRoute = d.api, d.pc
	res.pcReads, res.pcWrites = readsAndWrites(res.pcByRoute)

	// Fairness: kill it again; a fresh offer created as soon as the next
	// process is ready competes with the sweep of every settled object.
	op3, start, err := restart(ctx, op2, filepath.Join(runDir, "operator-restarted-2.log"), env, opArgs, readyURL)
	if err != nil {
		return nil, err
	}
	defer stopProcess(op3)
	busy := make(chan error, 1)
	go func() {
		var err error
		res.busyOffer, err = tr.timeToReady(ctx, c, workload.Offer(benchNS, "bench-fresh-busy", n+1), "offer/bench-fresh-busy", 5*time.Minute)
		busy <- err
	}()
	_, _ = sweep(ctx, metricsURL, 2*n)
	res.busySweepSecs = time.Since(start).Seconds()
	if err := <-busy; err != nil {
		return nil, err
	}
	time.Sleep(2 * time.Second)
	if res.idleOffer, err = tr.timeToReady(ctx, c, workload.Offer(benchNS, "bench-fresh-idle", n+2), "offer/bench-fresh-idle", 5*time.Minute); err != nil {
		return nil, err
	}
	if steadyPeriod > 0 && supportsFlag(op.Path, "resync-interval") {
		args := append(append([]string(nil), opArgs...), "--resync-interval", steadyPeriod.String())
		op4, _, err := restart(ctx, op3, filepath.Join(runDir, "operator-steady.log"), env, args, readyURL)
		if err != nil {
			return nil, err
		}
		defer stopProcess(op4)
		if res.steady, err = steadyRun(ctx, simBase, n+2, steadyPeriod, steadyPeriods); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// restart kills op (SIGKILL, its whole process group) and starts the same
// binary with args, returning once /readyz answers, with when it started.
func restart(ctx context.Context, op *exec.Cmd, logFile string, env, args []string, readyURL string) (*exec.Cmd, time.Time, error) {
	pid := op.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; {
		if time.Now().After(deadline) {
			return nil, time.Time{}, fmt.Errorf("operator %d still running 10s after SIGKILL", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	start := time.Now()
	next, err := startProcess(logFile, env, op.Path, args...)
	if err != nil {
		return nil, start, err
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := waitHTTP(wctx, readyURL); err != nil {
		stopProcess(next)
		return nil, start, fmt.Errorf("restarted operator: %w (log in %s)", err, logFile)
	}
	return next, start, nil
}

// sweep waits until the operator at metricsURL has reconciled objects
// times (two minutes at most) and returns the count it saw.
func sweep(ctx context.Context, metricsURL string, objects int) (float64, bool) {
	deadline := time.Now().Add(2 * time.Minute)
	total := 0.0
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if ss, err := scrapeURL(metricsURL); err == nil {
			total = 0
			for _, c := range []string{"marketplaceoffer", "solution"} {
				for _, r := range []string{"success", "error", "requeue", "requeue_after"} {
					total += value(ss, "controller_runtime_reconcile_total", map[string]string{"controller": c, "result": r})
				}
			}
			if total >= float64(objects) {
				return total, true
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return total, false
}

// isWriteRoute tells a write from a read among the simulator's route
// labels ("POST configure 202").
func isWriteRoute(route string) bool {
	verb, _, _ := strings.Cut(route, " ")
	return verb != "GET" && verb != "HEAD"
}

// markdown renders the restart results of the runs that have one.
func restartMarkdown(runs []*runResult) []string {
	var lines []string
	for _, run := range runs {
		rs := run.restart
		if rs == nil {
			continue
		}
		writes := 0.0
		var keys []string
		for k, v := range rs.api {
			writes += v
			keys = append(keys, fmt.Sprintf("%s %.0f", k, v))
		}
		var routes []string
		for k, v := range rs.pcByRoute {
			routes = append(routes, fmt.Sprintf("%s: %d", k, v))
		}
		sweep := fmt.Sprintf("%.1f", rs.sweepSecs)
		if !rs.swept {
			sweep = fmt.Sprintf("%.1f (not done: %.0f of %d reconciles)", rs.sweepSecs, rs.reconciles, run.objects)
		}
		lines = append(lines, fmt.Sprintf("| %d | %d | %.1f | %s | %.0f | %s | %d | %d | %s | %.1f (sweep %.1f) | %.1f | %.2f |", run.n, run.objects, rs.readySecs, sweep,
			writes, joinSorted(keys, "-"), rs.pcWrites, rs.pcReads, joinSorted(routes, "-"),
			rs.busyOffer.Seconds(), rs.busySweepSecs, rs.idleOffer.Seconds(), rs.busyOffer.Seconds()/rs.idleOffer.Seconds()))
	}
	return lines
}

func joinSorted(s []string, empty string) string {
	if len(s) == 0 {
		return empty
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

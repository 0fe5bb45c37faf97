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
}

// restartRun kills the settled operator op (SIGKILL, no graceful
// shutdown), starts the same binary with the same flags, and measures
// what the new process does until it has reconciled every object once
// (each is enqueued by the informers' initial list), plus a few seconds
// for trailing writes.
func restartRun(ctx context.Context, restCfg *rest.Config, simBase string, n int, op *exec.Cmd, runDir string,
	env []string, opArgs []string, metricsURL, readyURL string) (*restartResult, error) {
	apiBefore, err := apiWrites(ctx, restCfg)
	if err != nil {
		return nil, err
	}
	simBefore, err := simStats(simBase)
	if err != nil {
		return nil, err
	}
	pid := op.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("operator %d still running 10s after SIGKILL", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}

	start := time.Now()
	op2, err := startProcess(filepath.Join(runDir, "operator-restarted.log"), env, op.Path, opArgs...)
	if err != nil {
		return nil, err
	}
	defer stopProcess(op2)
	res := &restartResult{}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := waitHTTP(wctx, readyURL); err != nil {
		return nil, fmt.Errorf("restarted operator: %w (log in %s)", err, runDir)
	}
	res.readySecs = time.Since(start).Seconds()
	for wctx.Err() == nil {
		if ss, err := scrapeURL(metricsURL); err == nil {
			total := 0.0
			for _, c := range []string{"marketplaceoffer", "solution"} {
				for _, r := range []string{"success", "error", "requeue", "requeue_after"} {
					total += value(ss, "controller_runtime_reconcile_total", map[string]string{"controller": c, "result": r})
				}
			}
			if res.reconciles = total; total >= float64(2*n) {
				res.sweepSecs, res.swept = time.Since(start).Seconds(), true
				break
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	if !res.swept {
		res.sweepSecs = time.Since(start).Seconds()
	}
	// Trailing writes (status patches, events) land within a few seconds.
	time.Sleep(5 * time.Second)

	apiAfter, err := apiWrites(ctx, restCfg)
	if err != nil {
		return nil, err
	}
	res.api = map[string]float64{}
	for k, v := range apiAfter {
		if d := v - apiBefore[k]; d > 0 {
			res.api[k] = d
		}
	}
	simAfter, err := simStats(simBase)
	if err != nil {
		return nil, err
	}
	res.pcByRoute = map[string]int{}
	for k, v := range simAfter.Requests {
		d := v - simBefore.Requests[k]
		if d <= 0 {
			continue
		}
		res.pcByRoute[k] = d
		if isWriteRoute(k) {
			res.pcWrites += d
		} else {
			res.pcReads += d
		}
	}
	return res, nil
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
		lines = append(lines, fmt.Sprintf("| %d | %d | %.1f | %s | %.0f | %s | %d | %d | %s |", run.n, run.objects, rs.readySecs, sweep,
			writes, joinSorted(keys, "-"), rs.pcWrites, rs.pcReads, joinSorted(routes, "-")))
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

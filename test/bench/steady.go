package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// The steady state: a settled operator with the drift resync at a short
// period (a simulated day in minutes), watched for a few periods.
var (
	steadyPeriod  = time.Minute
	steadyPeriods = 3
)

// steadyResult is what a settled operator read from Partner Center with
// the resync on.
type steadyResult struct {
	period       time.Duration
	periods      int
	offers       int
	reads        int
	writes       int
	window       time.Duration
	perWindow    []int // reads per window
	readsByRoute map[string]int
}

// steadyRun samples the simulator's request counters every second for
// periods resync periods and counts reads per offer per period and per
// window (a tenth of the period), to see whether resyncs bunch.
func steadyRun(ctx context.Context, simBase string, offers int, period time.Duration, periods int) (*steadyResult, error) {
	res := &steadyResult{period: period, periods: periods, offers: offers, window: period / 10}
	first, err := simStats(simBase)
	if err != nil {
		return nil, err
	}
	lastReads, _ := readsAndWrites(first.Requests)
	start := time.Now()
	next := start.Add(res.window)
	for end := start.Add(time.Duration(periods) * period); time.Now().Before(end); next = next.Add(res.window) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Until(next)):
		}
		st, err := simStats(simBase)
		if err != nil {
			return nil, err
		}
		r, _ := readsAndWrites(st.Requests)
		res.perWindow = append(res.perWindow, r-lastReads)
		lastReads = r
	}
	last, err := simStats(simBase)
	if err != nil {
		return nil, err
	}
	res.readsByRoute = grown(last.Requests, first.Requests)
	res.reads, res.writes = readsAndWrites(res.readsByRoute)
	return res, nil
}

// supportsFlag tells whether the binary's -help lists the flag.
func supportsFlag(binary, name string) bool {
	out, _ := exec.Command(binary, "-help").CombinedOutput()
	return strings.Contains(string(out), "\n  -"+name+" ")
}

func steadyMarkdown(runs []*runResult) []string {
	var lines []string
	for _, run := range runs {
		if run.restart == nil || run.restart.steady == nil {
			continue
		}
		st := run.restart.steady
		maxW, total := 0, 0
		for _, w := range st.perWindow {
			maxW = max(maxW, w)
			total += w
		}
		mean := float64(total) / float64(max(len(st.perWindow), 1))
		var routes []string
		for k, v := range st.readsByRoute {
			routes = append(routes, fmt.Sprintf("%s: %d", k, v))
		}
		ws := make([]string, len(st.perWindow))
		for i, w := range st.perWindow {
			ws[i] = fmt.Sprint(w)
		}
		lines = append(lines, fmt.Sprintf("| %d | %d | %s × %d | %d | %.2f | %d | %.1f | %d | %.2f | %s | %s |",
			run.n, st.offers, st.period, st.periods, st.reads, float64(st.reads)/float64(st.offers)/float64(st.periods), st.writes,
			mean, maxW, float64(maxW)/max(mean, 1e-9), strings.Join(ws, " "), joinSorted(routes, "-")))
	}
	return lines
}

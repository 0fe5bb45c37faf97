package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// memoryResult is the operator's memory once settled, against its idle
// baseline (ready, no object yet).
type memoryResult struct {
	idleRSSKB, settledRSSKB int64
	// gcRSSKB is VmRSS right after the forced collection; settledRSSKB
	// once the runtime stopped returning freed memory (awaitReturned),
	// returnedSecs later.
	gcRSSKB               int64
	returnedSecs          float64
	idleHeap, settledHeap float64 // go_memstats_heap_inuse_bytes, the settled one after a forced GC
	top                   []string
	profile               string // where the heap profile was saved
	// The Go runtime's account of its memory (runtimeMemory), idle and
	// settled; the idle one is filled by the runs that read it.
	idleRuntime, settledRuntime map[string]float64
}

// runtimeMemory splits the Go runtime's memory from the operator's
// metrics (go_memstats_*, bytes): "heap in use"; "heap free, kept" (idle
// heap spans not yet returned to the OS: resident after a collection until
// the scavenger releases them); "other runtime" (stacks, GC and span
// metadata: sys minus the heap's mappings). What RSS holds beyond their
// sum is the binary and shared libraries, minus mapped pages never touched.
func runtimeMemory(ss []sample) map[string]float64 {
	inuse := value(ss, "go_memstats_heap_inuse_bytes", nil)
	idle := value(ss, "go_memstats_heap_idle_bytes", nil)
	released := value(ss, "go_memstats_heap_released_bytes", nil)
	sys := value(ss, "go_memstats_sys_bytes", nil)
	return map[string]float64{"heap in use": inuse, "heap free, kept": idle - released, "other runtime": sys - inuse - idle}
}

// settledMemory forces a garbage collection through the heap profile
// endpoint (?gc=1), saves the profile in runDir, and reads the process's
// RSS right after it, then RSS and heap in use once the Go runtime has
// returned what it keeps beyond its goal (awaitReturned).
func settledMemory(pid int, pprofURL, metricsURL, runDir string) (*memoryResult, error) {
	resp, err := http.Get(pprofURL + "/debug/pprof/heap?gc=1")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("heap profile: %s", resp.Status)
	}
	file := filepath.Join(runDir, "heap.pb.gz")
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	res := &memoryResult{gcRSSKB: procStatus(pid)["VmRSS"], profile: file}
	res.settledRSSKB, res.returnedSecs = awaitReturned(pid)
	if ss, err := scrapeURL(metricsURL); err == nil {
		res.settledHeap = value(ss, "go_memstats_heap_inuse_bytes", nil)
		res.settledRuntime = runtimeMemory(ss)
	}
	// The profile's top entries by space in use (go tool pprof).
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=12", "-sample_index=inuse_space", file).Output()
	if err == nil {
		started := false
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "flat ") {
				started = true
				continue
			}
			if started && strings.TrimSpace(line) != "" {
				res.top = append(res.top, strings.Join(strings.Fields(line), " "))
			}
		}
	}
	return res, nil
}

// awaitReturned waits until VmRSS of pid has stopped falling: it fell by
// less than 1% over the last 5 s (at most 2 minutes). A collection frees
// the garbage of the start (the informers' lists, the first sweep's
// reconciles), but the Go runtime keeps freed heap resident and returns it
// to the OS in the background at a bounded pace (the scavenger), down to a
// little above its heap goal; until then RSS counts memory no object
// holds. It returns VmRSS then and the seconds waited.
func awaitReturned(pid int) (int64, float64) {
	start := time.Now()
	var rss []int64
	for {
		now := procStatus(pid)["VmRSS"]
		rss = append(rss, now)
		if n := len(rss); n > 5 && float64(rss[n-6]-now) < 0.01*float64(rss[n-6]) || time.Since(start) > 2*time.Minute {
			return now, time.Since(start).Seconds()
		}
		time.Sleep(time.Second)
	}
}

func memoryMarkdown(runs []*runResult) []string {
	var lines []string
	for _, run := range runs {
		m := run.memory
		if m == nil {
			continue
		}
		per := func(kb int64) float64 { return float64(kb) / float64(run.objects) }
		lines = append(lines, fmt.Sprintf("| %d | %d | %.1f MiB | %.1f MiB | %.1f MiB (%.0f s) | %.2f KiB | %.1f MiB | %.1f MiB | %.2f KiB |", run.n, run.objects,
			float64(m.idleRSSKB)/1024, float64(m.gcRSSKB)/1024, float64(m.settledRSSKB)/1024, m.returnedSecs, per(m.settledRSSKB-m.idleRSSKB),
			m.idleHeap/(1<<20), m.settledHeap/(1<<20), (m.settledHeap-m.idleHeap)/1024/float64(run.objects)))
	}
	return lines
}

// The results file: the commit, the machine and every run's figures as
// Markdown.

package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// report renders the results.
type report struct {
	cfg               *config
	started, finished time.Time
	load              string // load average when the run started
	commit            string // the commit, noted before the first run
	runs              []*runResult
	floors            []*floorResult
	throttled         *runResult
	seeded            *seededResult
}

// commit names the commit the benchmark runs on, and says when the tree
// has uncommitted changes, untracked files included (a new file the build
// picks up changes what is measured): a committed figure must come from
// committed code. run notes it before the first run, as make chaos does:
// HEAD after a run of many minutes may be another commit.
func commit(dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	c := strings.TrimSpace(string(out))
	if dirty, err := exec.Command("git", "-C", dir, "status", "--porcelain").Output(); err == nil && len(dirty) > 0 {
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
	const freshOffer = 22 // GET product; create: POST configure, GET configure/status, GET configure/detail;
	// co-sell: GET pi/products, 2 GET pi/product-sub, PUT pi/cosellListing; draft: GET resource-tree,
	// POST configure, GET configure/status; GET submissions; preview and live: GET submissions (the
	// busy check), POST configure, GET configure/status, GET configure/detail, GET submission each
	const migratedOffer = 19 // the same without the create (the migration made the product)
	offers = (merge+discard)*freshOffer + migrate*migratedOffer
	sols = migrate*1 + discard*1 + merge*2 // the action's POST; a merge also reads the solution once it is merged
	return
}

// printf writes one line of the results file.
type printf func(format string, args ...any)

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	for _, section := range []func(printf){r.header, r.convergence, r.cpuTime, r.apiWritesSection, r.pcCalls, r.restartSection, r.steadySection, r.memorySection} {
		section(p)
	}
	b.WriteString(seededMarkdown(r.seeded))
	r.throttledSection(p)
	return b.String()
}

// header is the title, the commit, the machine and the setup.
func (r *report) header(p printf) {
	goVersion := runtime.Version()
	if out, err := exec.Command("go", "version").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	p("# cosell-operator scale benchmark, %s", r.started.Format("2006-01-02 15:04 MST"))
	p("")
	p("Commit: %s. Machine: nproc %d, CPU %s, %s, load average %s at the start. Run took %s.",
		r.commit, runtime.NumCPU(), cpuModel(), goVersion, r.load, r.finished.Sub(r.started).Round(time.Second))
	p("")
	p("Operator: built binary, own process, `--kube-api-qps %g --kube-api-burst %d --offer-concurrency %d --solution-concurrency %d`. "+
		"Simulator: own process, `--certification-delay 0s --merge-delay 0s --job-delay %s`. kube-apiserver (envtest, fresh per run): "+
		"`--max-requests-inflight 1600 --max-mutating-requests-inflight 800`. Workload per N: N MarketplaceOffers (target Live, pass "+
		"certification, co-sell ready) and N Solutions: a third Migrate into their offer, a third Merge into their offer once live, a third Discard. "+
		"Objects created pair by pair (a migrating Solution before its offer) by %d goroutines at unlimited client QPS.", r.cfg.qps, r.cfg.burst, r.cfg.offerConc, r.cfg.solConc, r.cfg.jobDelay, r.cfg.createWorkers)
	p("")
}

// convergence compares each run with its floor.
func (r *report) convergence(p printf) {
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
}

// cpuTime is the CPU time of each run and floor, by process.
func (r *report) cpuTime(p printf) {
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
}

// apiWritesSection is the API-server writes per object.
func (r *report) apiWritesSection(p printf) {
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
	for _, run := range r.runs {
		if len(run.events) > 0 {
			p("Events held at the end of the N=%d run, by object kind, type and reason: %s. "+
				"Normal events over the operator's budget (--events-per-second, 20 a second by default, bursts of 200) are dropped: %.0f were, "+
				"so where the budget binds, events per object follow the run's duration, not the work.", run.n, byCount(run.events), run.eventsDrop)
			p("")
		}
	}
}

// byCount lists counts as "key: n", the largest first.
func byCount(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// pcCalls is the Partner Center calls per object against the lifecycle minimum.
func (r *report) pcCalls(p printf) {
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
	p("Minimum per pair (see test/bench/README.md): a fresh offer 22 (find product; create: POST configure + job status + job detail; " +
		"co-sell tab: product lookup, branch, listing read + PUT; draft: resource-tree read + POST configure + job status; submission list; " +
		"preview and live: submission list (the busy check) + POST configure + job status + job detail + submission read each); an offer migrated into 19 (no create); " +
		"Migrate and Discard 1 (the action's POST answers the end state); Merge 2 (POST merge, then one read once support completed it).")
	p("")
}

// restartSection is the restart of a settled operator.
func (r *report) restartSection(p printf) {
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
}

// steadySection is the steady state with the drift resync on.
func (r *report) steadySection(p printf) {
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
}

// memorySection is the operator's memory and reconcile latency.
func (r *report) memorySection(p printf) {
	if len(r.runs) == 0 {
		return
	}
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
	r.latency(p)
}

// latency is the reconciles and their latency quantiles per controller.
func (r *report) latency(p printf) {
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

// throttledSection is the run against a Partner Center limited in requests per second.
func (r *report) throttledSection(p printf) {
	t := r.throttled
	if t == nil {
		return
	}
	p("## Partner Center limited to %s (excess answered 429 with Retry-After), N = %d", strings.TrimPrefix(t.faults, "qps=")+" requests/s", t.n)
	p("")
	p("| N | objects | time to converge (s) | requests | over the limit (429) | unconverged | calls ÷ limit (s) | time ÷ (calls ÷ limit) | %% over the limit |")
	p("|---|---|---|---|---|---|---|---|---|")
	conv := fmt.Sprintf("%.1f", t.seconds)
	if !t.converged {
		conv += " (timed out)"
	}
	reqs, over := sum(t.pcRequests), t.pcFaults["qps"]
	floor, ratio, share := throttleFigures(t.faults, reqs, over, t.seconds)
	p("| %d | %d | %s | %d | %d | %d | %s | %s | %s |", t.n, t.objects, conv, reqs, over, t.unconverged, floor, ratio, share)
	p("")
	p("Calls ÷ limit: the requests the limit admitted (all requests less those over it) at the limit's rate, the least time the work can take; issue 26 item 7 asks for at most 1.05 × that with under 1%% of the requests over the limit.")
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

// throttleFigures are the throttled run's calls ÷ limit (the requests the
// limit admitted at its rate), its time against that, and the share of the
// requests over the limit, as table cells ("-" when unknown).
func throttleFigures(faults string, reqs, over int, seconds float64) (floor, ratio, share string) {
	floor, ratio, share = "-", "-", "-"
	if reqs > 0 {
		share = fmt.Sprintf("%.2f%%", 100*float64(over)/float64(reqs))
	}
	qps, err := strconv.ParseFloat(strings.TrimPrefix(faults, "qps="), 64)
	if err != nil || qps <= 0 || reqs <= over {
		return floor, ratio, share
	}
	secs := float64(reqs-over) / qps
	return fmt.Sprintf("%.1f", secs), fmt.Sprintf("%.3f", seconds/secs), share
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

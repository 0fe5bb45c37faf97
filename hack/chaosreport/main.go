// Command chaosreport writes test/chaos/RESULTS.md from the output of a
// passing `make chaos` (go test -v of test/chaos at full size): the commit
// it ran on, the machine, each chaos test's log and the figures its RESULT
// lines state. It writes nothing when a test failed or did not run, so the
// committed figures are always those of a whole, passing run.
//
//	go run ./hack/chaosreport -commit "$(paste -sd' ' tmp/chaos.commit)" -out test/chaos/RESULTS.md tmp/chaos.out
//
// The commit is the one the run was made on, which make chaos notes in
// tmp/chaos.commit before the run starts: HEAD after the run may be
// another.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// section is what RESULTS.md says about one chaos test besides its log.
type section struct {
	test  string
	title string
	about string // what the test does; no figures, which come from the log
	// note derives a paragraph from the test's log, "" when it has none.
	note func(t *testRun) string
	// minOffers is the full run's offer count: the test's first RESULT
	// line must name at least this many ("500 offers").
	minOffers int
}

// sections are the chaos tests whose figures RESULTS.md holds, in order.
var sections = []section{
	{test: "TestOperatorKills", title: "SIGKILLs",
		about: "The operator is killed (SIGKILL) at random intervals while it converges, and started again each time. " +
			"Afterwards Partner Center must hold exactly the work asked for: one product, one preview and one live " +
			"submission per offer, one action per solution.",
		note: killsNote, minOffers: 500},
	{test: "TestFaults", title: "Faults",
		about: "Partner Center (the simulator) answers with injected faults: random 429s and 5xx, dropped connections " +
			"and latency on every request. The latency floor is the time the run's requests take when the " +
			"operator's workers wait out each request's latency in parallel.",
		note: faultsNote, minOffers: 500},
	{test: "TestLeaderElection", title: "Leader election",
		about: "Two replicas run with leader election on short timings (`--leader-elect-lease-duration 6s " +
			"--leader-elect-renew-deadline 4s --leader-elect-retry-period 1s`); the leader is killed mid-convergence. " +
			"No replica may call Partner Center while none leads, and the other must take over within the bound.",
		minOffers: 500},
	{test: "TestChurn", title: "Churn",
		about: "Offers are deleted, declared again and moved between namespaces under SIGKILLs: a quarter is left alone, " +
			"a quarter deleted (deletionPolicy Orphan) and declared again in namespace `churn-b` with the adopt opt-in, " +
			"a quarter deleted and declared again in the same namespace, a quarter deleted for good with deletionPolicy " +
			"Delete. Afterwards the test reads Partner Center through the operator's adapter: at most one product per " +
			"offer ID, exactly one for every offer still declared, and for the deleted ones no product left on sale " +
			"and no never-published draft left.",
		minOffers: 200},
}

// testRun is one top-level test of the output.
type testRun struct {
	name    string
	lines   []string // from "=== RUN" to "--- PASS", the log dedented
	passed  bool
	elapsed string
	results []string // the RESULT lines, without "RESULT "
}

var (
	runLine    = regexp.MustCompile(`^=== RUN\s+(Test\w+)$`)
	endLine    = regexp.MustCompile(`^--- (PASS|FAIL|SKIP): (Test\w+) \(([0-9.]+s)\)$`)
	resultLine = regexp.MustCompile(`^\s*\S+_test\.go:\d+: RESULT (.*)$`)
	pkgLine    = regexp.MustCompile(`^ok\s+\S+/test/chaos\s+([0-9.]+s)`)
)

// parse splits go test -v output into its top-level tests, and returns
// the package's elapsed time from its final "ok" line ("" when it failed).
func parse(r io.Reader) ([]*testRun, string, error) {
	var runs []*testRun
	var cur *testRun
	pkgTime := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if m := runLine.FindStringSubmatch(line); m != nil {
			cur = &testRun{name: m[1]}
			runs = append(runs, cur)
		}
		if m := pkgLine.FindStringSubmatch(line); m != nil {
			pkgTime = m[1]
		}
		if cur == nil {
			continue
		}
		// go test indents a test's log by four spaces.
		cur.lines = append(cur.lines, strings.TrimPrefix(line, "    "))
		if m := resultLine.FindStringSubmatch(line); m != nil {
			cur.results = append(cur.results, m[1])
		}
		if m := endLine.FindStringSubmatch(line); m != nil && m[2] == cur.name {
			cur.passed, cur.elapsed = m[1] == "PASS", m[3]
			cur = nil
		}
	}
	return runs, pkgTime, sc.Err()
}

func main() {
	commit := flag.String("commit", "", `The commit the run was made on, with " with uncommitted changes" when the tree was dirty (required; make chaos notes it in tmp/chaos.commit).`)
	out := flag.String("out", "test/chaos/RESULTS.md", "The results file to write.")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: chaosreport [flags] <go test -v output of make chaos>\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *commit == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *commit, *out); err != nil {
		fmt.Fprintln(os.Stderr, "chaosreport:", err)
		os.Exit(1)
	}
}

func run(in, commit, out string) error {
	data, err := os.ReadFile(in) //nolint:gosec // the output file named on the command line
	if err != nil {
		return err
	}
	runs, pkgTime, err := parse(bytes.NewReader(data))
	if err != nil {
		return err
	}
	doc, err := render(runs, pkgTime, commit, machine())
	if err != nil {
		return fmt.Errorf("%s: %w; %s is left as it was", in, err, out)
	}
	return os.WriteFile(out, []byte(doc), 0o644) //nolint:gosec // a results file for Git, no secret in it
}

// render is RESULTS.md for a passing full-size run.
func render(runs []*testRun, pkgTime, commit, machine string) (string, error) {
	byName := map[string]*testRun{}
	for _, t := range runs {
		byName[t.name] = t
		if !t.passed {
			return "", fmt.Errorf("%s did not pass", t.name)
		}
	}
	if pkgTime == "" {
		return "", errors.New(`no "ok" line for test/chaos: the run failed or was cut short`)
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# Chaos results")
	p("")
	p("`make chaos` wrote this file from its own output (`CHAOS_FULL=1 go test -count=1 -v ./test/chaos/`,")
	p("kept in `tmp/chaos.out`) with `hack/chaosreport`, on the commit below.")
	p("`test/figures` fails when the code these figures measure changed after it.")
	p("")
	p("Commit: %s", commit)
	p("")
	p("Machine: %s. Whole go test run: %s, the operator's build and the control planes' starts included.", machine, pkgTime)
	p("")
	p("Setup of every test (test/chaos/harness_test.go): one kube-apiserver + etcd (envtest, `bin/k8s`), one")
	p("standalone simulator process (`cosell-operator simulator --certification-delay 0 --merge-delay 0`),")
	p("and the operator binary as its own process with its default flags. The objects: SaaS")
	p("MarketplaceOffers with target Live (test/workload: content that passes certification and is co-sell")
	p("ready) and as many Solutions: a third Migrate into their own offer, a third Merge into their (live)")
	p("offer, a third Discard.")
	p("")
	p("| Test | Result |")
	p("|---|---|")
	for _, s := range sections {
		t := byName[s.test]
		if t == nil {
			return "", fmt.Errorf("%s did not run", s.test)
		}
		results, err := fullSize(s, t)
		if err != nil {
			return "", err
		}
		t.results = results // the notes read the figures after the size
		p("| %s | %s |", s.test, strings.ReplaceAll(strings.Join(results, "; "), "|", `\|`))
	}
	for i, s := range sections {
		t := byName[s.test]
		p("")
		p("## %d. %s (%s, %s)", i+1, s.title, s.test, t.elapsed)
		p("")
		p("%s", s.about)
		if s.note != nil {
			if n := s.note(t); n != "" {
				p("")
				p("%s", n)
			}
		}
		p("")
		p("```")
		for _, l := range t.lines {
			p("%s", l)
		}
		p("```")
	}
	return b.String(), nil
}

var offersLine = regexp.MustCompile(`(\d+) offers`)

// fullSize checks that a test ran at full size: it printed RESULT lines,
// each says "full" (the size make chaos runs; the test decides it from its
// own sizes), and the first names at least the full run's offers. It
// returns the lines without that word.
func fullSize(s section, t *testRun) ([]string, error) {
	if len(t.results) == 0 {
		return nil, fmt.Errorf("%s printed no RESULT line: not a full-size run (CHAOS_FULL=1)", s.test)
	}
	out := make([]string, 0, len(t.results))
	for _, r := range t.results {
		size, rest, _ := strings.Cut(r, " ")
		if size != "full" {
			return nil, fmt.Errorf("%s: RESULT line %q is not from a full-size run (its first word is %q, not full): "+
				"run make chaos (CHAOS_FULL=1) without lowering the CHAOS_* sizes", s.test, r, size)
		}
		out = append(out, rest)
	}
	m := offersLine.FindStringSubmatch(out[0])
	if m == nil {
		return nil, fmt.Errorf("%s: RESULT line %q names no offer count", s.test, out[0])
	}
	if n, _ := strconv.Atoi(m[1]); n < s.minOffers {
		return nil, fmt.Errorf("%s ran %d offers, fewer than the full run's %d", s.test, n, s.minOffers)
	}
	return out, nil
}

var lastKill = regexp.MustCompile(`kill\s+(\d+) after \S+ up at\s+\S+: offers (\d+)/(\d+), solutions (\d+)/(\d+) done`)

// killsNote says how far the run had come at its last kill, from the
// test's kill lines.
func killsNote(t *testRun) string {
	var m []string
	for _, l := range t.lines {
		if k := lastKill.FindStringSubmatch(l); k != nil {
			m = k
		}
	}
	if m == nil {
		return ""
	}
	done := "every kill came while the operator converged"
	if m[2] == m[3] && m[4] == m[5] {
		done = "the run had converged before the last kill"
	}
	return fmt.Sprintf("At the last kill (kill %s), %s of %s offers and %s of %s solutions were done: %s.",
		m[1], m[2], m[3], m[4], m[5], done)
}

var floorLine = regexp.MustCompile(`^faults latency floor: (\d+) requests x (\S+) / (\d+) workers = (\S+); the run took ([0-9.]+) times it$`)

// faultsNote states the run against its latency floor.
func faultsNote(t *testRun) string {
	for _, r := range t.results {
		m := floorLine.FindStringSubmatch(r)
		if m == nil {
			continue
		}
		ratio, _ := strconv.ParseFloat(m[5], 64)
		verdict := "met"
		if ratio > 1.5 {
			verdict = "not met"
		}
		floor, _ := time.ParseDuration(m[4])
		return fmt.Sprintf("Here the floor is %s requests × %s over %s workers, %.0f s; the run took %s times it "+
			"(the goal: at most 1.5 times): %s.", m[1], m[2], m[3], floor.Seconds(), m[5], verdict)
	}
	return ""
}

// machine describes where the report is written, the run's machine:
// cores, CPU model, memory and Go.
func machine() string {
	model, mem := "unknown CPU", ""
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				mem = fmt.Sprintf(", %.0f GiB RAM", kb/(1<<20))
			}
		}
	}
	// make chaos runs the tests and this tool with the same go.
	return fmt.Sprintf("nproc %d, %s%s, %s %s/%s", runtime.NumCPU(), model, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

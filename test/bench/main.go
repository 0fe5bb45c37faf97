// Command bench measures the operator at scale (issue 6): convergence of N
// MarketplaceOffers plus N Solutions against a standalone Partner Center
// simulator, the floor a plain client-go loop needs for the same creates
// and minimal status writes, API-server writes and Partner Center calls
// per object against the lifecycle minimum, the operator's peak memory and
// reconcile latency, and convergence under a Partner Center limited to 5
// requests per second (-throttle-qps). See README.md in this folder; `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
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
	flag.IntVar(&cfg.throttleQPS, "throttle-qps", 5, "Requests per second the simulator allows in the throttled run (excess: 429 with Retry-After); issue 26 item 7's target is N=200 at 5.")
	flag.StringVar(&cfg.operator, "operator", "bin/cosell-operator-bench", "The operator binary (make bench builds it).")
	flag.Float64Var(&cfg.qps, "kube-api-qps", 0, "The operator's --kube-api-qps (0: its default; negative: no client-side limit).")
	flag.IntVar(&cfg.burst, "kube-api-burst", 0, "The operator's --kube-api-burst (0: its default).")
	flag.IntVar(&cfg.offerConc, "offer-concurrency", 0, "The operator's --offer-concurrency (0: its default).")
	flag.IntVar(&cfg.solConc, "solution-concurrency", 0, "The operator's --solution-concurrency (0: its default).")
	flag.IntVar(&cfg.createWorkers, "create-workers", 32, "Goroutines creating objects (same in the operator and floor runs).")
	flag.DurationVar(&cfg.timeout, "timeout", 20*time.Minute, "Longest wait for convergence of one run.")
	flag.DurationVar(&cfg.throttleTimout, "throttle-timeout", 25*time.Minute, "Longest wait for convergence of the throttled run (N=200 at 5 requests/s needs about 15 minutes: ~4,400 calls).")
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
	// The commit and the load, noted before anything runs.
	rep := &report{cfg: cfg, started: time.Now(), load: loadAverage(), commit: commit(testenv.RepoRoot())}
	logf("commit %s", rep.commit)
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

	if err := measure(ctx, cfg, rep); err != nil {
		return err
	}
	rep.finished = time.Now()
	return writeReport(cfg, rep)
}

// measure makes the runs: per size the floor and the operator run, then
// the throttled run and the seeded settled-memory run.
func measure(ctx context.Context, cfg *config, rep *report) error {
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
		var err error
		if rep.seeded, err = memoryRun(ctx, cfg, memoryN); err != nil {
			return fmt.Errorf("memory N=%d: %w", memoryN, err)
		}
	}
	return nil
}

// writeReport prints the results and writes them to their file.
func writeReport(cfg *config, rep *report) error {
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

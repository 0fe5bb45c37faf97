package simulator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr/funcr"
)

// Main runs the simulator alone until SIGINT or SIGTERM:
//
//	cosell-operator simulator --addr ADDR --seed FILE --store DIR \
//	    --certification-delay D --merge-delay D --job-delay D --live-delay D \
//	    --realistic --faults SPEC
//
// args are the arguments after the program name; a leading "simulator" is
// skipped.
func Main(args []string) error {
	if len(args) > 0 && args[0] == "simulator" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	var opts Options
	var verbose bool
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:8090", "Address to listen on.")
	fs.StringVar(&opts.SeedFile, "seed", "", "Seed file of partners and legacy solutions (default: the built-in seed).")
	fs.StringVar(&opts.StoreDir, "store", "", "Folder where the simulator keeps its state (default: a temporary folder removed on exit).")
	fs.DurationVar(&opts.CertificationDelay, "certification-delay", 5*time.Second, "How long certification of a preview submission takes.")
	fs.DurationVar(&opts.MergeDelay, "merge-delay", 5*time.Second, "How long partner support takes to complete a merge.")
	fs.DurationVar(&opts.JobDelay, "job-delay", 10*time.Millisecond, "How long configure jobs take.")
	fs.DurationVar(&opts.LiveDelay, "live-delay", 0, "How long a push to live takes (default: the job delay).")
	fs.BoolVar(&opts.Realistic, "realistic", false, "Realistic timings for benchmarks: certification 8h, jobs 2m, going live 2h, merges 72h, unless the delay flags are given.")
	fs.StringVar(&opts.Faults, "faults", "", "Faults to inject, e.g. 429=0.1,5xx=0.05,latency=200ms,drop=0.02,qps=20,seed=1.")
	fs.BoolVar(&verbose, "v", false, "Log every request.")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if opts.Realistic {
		// Delay flags not given take their realistic defaults (0 here).
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for name, d := range map[string]*time.Duration{"certification-delay": &opts.CertificationDelay,
			"merge-delay": &opts.MergeDelay, "job-delay": &opts.JobDelay, "live-delay": &opts.LiveDelay} {
			if !given[name] {
				*d = 0
			}
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("simulator: unexpected arguments %q", fs.Args())
	}
	verbosity := 0
	if verbose {
		verbosity = 1
	}
	opts.Logger = funcr.New(func(prefix, args string) { fmt.Fprintln(os.Stderr, prefix, args) }, funcr.Options{Verbosity: verbosity})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sim, err := New(opts)
	if err != nil {
		return err
	}
	if err := sim.Start(ctx); err != nil {
		_ = sim.Close()
		return err
	}
	fmt.Fprintln(os.Stderr, "Partner Center simulator serving", sim.URL())
	<-ctx.Done()
	return sim.Close()
}

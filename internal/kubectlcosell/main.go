// Package kubectlcosell is the kubectl plugin `kubectl cosell`: the
// operator's binary installed (copied or linked) on PATH as
// kubectl-cosell, which kubectl runs for `kubectl cosell ...`.
//
//	kubectl cosell export ...                      write an account's offers as MarketplaceOffer YAML (package export)
//	kubectl cosell plan -f FILE|DIR|- ...                 print what an apply would write to Partner Center (package plan)
//	kubectl cosell retry offer/NAME|solution/NAME  ask the operator to reconcile now
//	kubectl cosell trace offer/NAME|solution/NAME  print the chain down to Partner Center, as a tree
//
// It reads Kubernetes with the user's kubeconfig and kubectl's flags
// (--kubeconfig, --context, -n/--namespace and the rest of clientcmd's
// overrides) and Partner Center only through the HTTP adapter's read
// calls; the one write it makes is retry's annotation.
package kubectlcosell

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/plan"
)

// PluginName is the name kubectl looks for on PATH for `kubectl cosell`.
const PluginName = "kubectl-cosell"

// Invoked reports whether arg0 (os.Args[0]) names the plugin, so that main
// runs Main instead of the manager.
func Invoked(arg0 string) bool {
	return strings.TrimSuffix(filepath.Base(arg0), ".exe") == PluginName
}

// command is one subcommand of the plugin.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands are the plugin's subcommands, in the order help lists them. A
// new subcommand is one more entry.
func commands() []command {
	return []command{
		{"export", "export --partner-center URL --publisher ID [flags]",
			"Write an existing account's offers as MarketplaceOffer YAML (reads Partner Center only).", runExport},
		{"plan", "plan -f FILE|DIR|- --partner-center URL [--output json] [flags]",
			"Print what applying MarketplaceOffer manifests would write to Partner Center (reads only; exit 2 when something would change).", runPlan},
		{"retry", "retry offer/NAME|solution/NAME... [flags]",
			"Ask the operator to reconcile now, also a Stalled object (sets " + annotationName + ").", runRetry},
		{"trace", "trace offer/NAME|solution/NAME [flags]",
			"Print Solution -> MarketplaceOffer -> Partner Center product, submissions and jobs, with each one's state and what it waits for.", runTrace},
	}
}

// Main runs `kubectl cosell` with args (after the program name). --help of
// the plugin or of a subcommand prints help and returns nil.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			if errors.Is(err, pflag.ErrHelp) || errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q: the commands are %s", args[0], names())
}

func names() string {
	var n []string
	for _, c := range commands() {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}

func usage(w io.Writer) {
	_, _ = fmt.Fprintf(w, "kubectl cosell: cosell-operator's kubectl plugin.\n\nUsage:\n")
	for _, c := range commands() {
		_, _ = fmt.Fprintf(w, "  kubectl cosell %s\n      %s\n", c.usage, c.summary)
	}
	_, _ = fmt.Fprintf(w, "\nRun kubectl cosell COMMAND --help for a command's flags.\n")
}

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return plan.Main(ctx, args, stdout, stderr)
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return export.Main(ctx, args, stdout, stderr)
}

// newFlagSet is a subcommand's flag set: kubectl's flag syntax (flags
// before or after the arguments, -n), help to stdout.
func newFlagSet(c, use string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("kubectl cosell "+c, pflag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stdout, "Usage:\n  kubectl cosell %s\n\nFlags:\n%s", use, fs.FlagUsages())
	}
	return fs
}

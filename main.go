// Command cosell-operator reconciles Solution and MarketplaceOffer objects
// against Microsoft Partner Center.
//
//	cosell-operator [flags]            run the manager
//	cosell-operator local [flags]      run a local control plane and the manager on it (make run)
//	cosell-operator simulator [flags]  run the Partner Center simulator alone
//	cosell-operator export [flags]     write an existing account's offers as MarketplaceOffer YAML
//
// main wires flags, the manager, the Partner Center connection
// (internal/partnercenter/connect) and the controllers; the work lives in
// controllers/ and internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/client/config"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/internal/cmd/local"
	"github.com/cosell-operator/cosell-operator/internal/cmd/manager"
	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/kubectlcosell"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/connect"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/plan"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
}

func main() {
	// The heap is mostly the informer cache, which lives as long as the
	// process; Go's default GOGC=100 lets the process grow to twice that,
	// 25 to about a quarter more (docs: scale and reliability). GOGC in
	// the environment still wins, and GOMEMLIMIT (the Helm chart sets it
	// from the container's limit) bounds the total.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	os.Exit(command(os.Args[1:], os.Stdout, os.Stderr))
}

// command runs the subcommand of args and returns the exit status: 0 on
// success and for --help, 1 on an error.
func command(args []string, stdout, stderr io.Writer) int {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	var err error
	switch {
	case kubectlcosell.Invoked(os.Args[0]): // installed as kubectl-cosell: `kubectl cosell ...`
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = kubectlcosell.Main(ctx, args, stdout, stderr)
		stop()
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if errors.Is(err, plan.ErrChanges) { // kubectl cosell plan: changes exit 2
			return plan.ExitChanges
		}
		fmt.Fprintln(stderr, "kubectl-cosell:", err)
		return 1
	}
	switch sub {
	case "simulator":
		err = simulator.Main(args[1:])
	case "local":
		err = runLocal(args[1:], stderr)
	case "export":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = export.Main(ctx, args[1:], stdout, stderr)
		stop()
	case "plan":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return plan.Command(ctx, args[1:], stdout, stderr)
	default:
		err = runManager(args, stderr)
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "cosell-operator:", err)
	return 1
}

// runManager runs the manager against the cluster of the kubeconfig.
func runManager(args []string, stderr io.Writer) error {
	// --kubeconfig, read by ctrl.GetConfig.
	opts, err := parse("cosell-operator", args, stderr, ctrlconfig.RegisterFlags)
	if err != nil {
		return err
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("reading kubeconfig: %w", err)
	}
	return run(ctrl.SetupSignalHandler(), cfg, opts)
}

// runLocal runs the manager on a local control plane with the embedded
// simulator (make run), keeping all state under --local-dir.
func runLocal(args []string, stderr io.Writer) error {
	var f local.Flags
	opts, err := parse("cosell-operator local", args, stderr, f.Bind)
	if err != nil {
		return err
	}
	if opts.simulator.StoreDir == "" {
		opts.simulator.StoreDir = f.SimulatorStore()
	}
	crds, err := loadCRDs()
	if err != nil {
		return err
	}
	return local.Run(f, crds, simulator.APIURL(opts.simulator.Addr), stderr, ctrl.Log.WithName("local"),
		func(ctx context.Context, cfg *rest.Config) error { return run(ctx, cfg, opts) })
}

// run runs the manager with both controllers until ctx ends.
func run(ctx context.Context, cfg *rest.Config, opts options) error {
	cfg.QPS, cfg.Burst = float32(opts.kubeAPIQPS), opts.kubeAPIBurst
	mgr, err := manager.New(cfg, opts.manager)
	if err != nil {
		return err
	}
	conn, err := connect.New(ctx, connectOptions(mgr, opts))
	if err != nil {
		return err
	}
	if err := ingestion.RegisterMetrics(ctrlmetrics.Registry); err != nil {
		return fmt.Errorf("registering the Partner Center metrics: %w", err)
	}
	if err := connect.RegisterMetrics(ctrlmetrics.Registry, conn); err != nil {
		return fmt.Errorf("registering the Partner Center credential metrics: %w", err)
	}
	if err := setupControllers(ctx, mgr, conn, opts); err != nil {
		return err
	}
	err = mgr.Start(ctx)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// connectOptions are the Partner Center connection's options from the
// flags: the global Secret read through the manager's cache (which holds
// it alone), team Secrets uncached (a get by name).
func connectOptions(mgr ctrl.Manager, opts options) connect.Options {
	log := ctrl.Log.WithName("setup")
	teams := manager.SplitList(opts.teamNamespaces)
	if watched := manager.WatchedNamespaces(opts.manager.WatchNamespaces); watched != nil {
		for _, ns := range teams {
			if _, ok := watched[ns]; !ok && ns != connect.AllNamespaces {
				log.Info("a team namespace is not watched (--watch-namespaces): its objects are not reconciled", "namespace", ns)
			}
		}
	}
	return connect.Options{
		Endpoint: opts.partnerCenter, Simulator: opts.simulator, JobPollInterval: opts.jobPollInterval,
		Secret: opts.manager.CredentialsSecret, Reader: mgr.GetClient(),
		TeamNamespaces: teams, TeamSecret: opts.teamSecret, TeamReader: mgr.GetAPIReader(),
		// A burst of reconciles in one namespace reads its Secret once; a
		// rotation is picked up within this.
		SecretMaxAge: secretMaxAge, Log: log,
	}
}

// setupControllers registers both controllers, each backing off its own
// failures, sharing one event budget.
func setupControllers(ctx context.Context, mgr ctrl.Manager, conn *connect.Connector, opts options) error {
	if err := controllers.IndexFields(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}
	controllers.RegisterMetrics(mgr.GetClient())
	events := controllers.NewBoundedRecorder(mgr.GetEventRecorder("cosell-operator"), opts.eventsPerSecond, max(1, int(10*opts.eventsPerSecond)))
	deps := func(concurrency int) controllers.Dependencies {
		return controllers.Dependencies{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), PartnerCenter: conn, Recorder: events, Options: controllers.Options{
			Concurrency:       concurrency,
			StalledRecheck:    opts.stalledRecheckPeriod,
			ResyncInterval:    resyncOption(opts.resyncInterval),
			CredentialsSecret: opts.manager.CredentialsSecret,
			RateLimiter:       workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](opts.minRetryDelay, opts.maxRetryDelay),
		}}
	}
	return controllers.SetupWithManager(mgr, deps(opts.offerConcurrency), deps(opts.solutionConcurrency))
}

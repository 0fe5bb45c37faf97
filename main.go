// Command cosell-operator reconciles Solution and MarketplaceOffer objects
// against Microsoft Partner Center.
//
//	cosell-operator [flags]            run the manager
//	cosell-operator simulator [flags]  run the Partner Center simulator alone
//
// main wires flags and the manager only; the work lives in controllers/ and
// internal/.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	marketplacev1alpha1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(marketplacev1alpha1.AddToScheme(scheme))
}

// options are the manager's command-line flags (DESIGN.md section 7).
type options struct {
	metricsAddr          string
	metricsSecure        bool
	probeAddr            string
	leaderElect          bool
	leaderElectionID     string
	leaderElectionNS     string
	partnerCenter        string
	partnerCenterSecret  string
	simulatorAddr        string
	simulatorSeed        string
	simulatorStore       string
	simulatorCertDelay   time.Duration
	simulatorMergeDelay  time.Duration
	simulatorFaults      string
	solutionConcurrency  int
	offerConcurrency     int
	kubeAPIQPS           float64
	kubeAPIBurst         int
	minRetryDelay        time.Duration
	maxRetryDelay        time.Duration
	stalledRecheckPeriod time.Duration
}

func (o *options) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "Address the metrics endpoint binds to; 0 disables it.")
	fs.BoolVar(&o.metricsSecure, "metrics-secure", false, "Serve metrics over HTTPS behind Kubernetes authentication and authorization.")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	fs.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	fs.StringVar(&o.leaderElectionID, "leader-election-id", "cosell-operator.marketplace.cosell.io", "Name of the leader-election Lease.")
	fs.StringVar(&o.leaderElectionNS, "leader-election-namespace", "", "Namespace of the leader-election Lease (default: the pod's namespace).")
	fs.StringVar(&o.partnerCenter, "partner-center", "embedded", "Partner Center to use: 'embedded' runs the simulator in-process; otherwise the base URL of a Product Ingestion API (https://graph.microsoft.com/rp/product-ingestion or a standalone simulator).")
	fs.StringVar(&o.partnerCenterSecret, "partner-center-secret", "", "namespace/name of the Secret holding tenantId, clientId and clientSecret for Partner Center.")
	fs.StringVar(&o.simulatorAddr, "simulator-addr", "127.0.0.1:8090", "Loopback address the embedded simulator listens on.")
	fs.StringVar(&o.simulatorSeed, "simulator-seed", "", "Seed file of partners and legacy solutions for the embedded simulator (default: the built-in seed).")
	fs.StringVar(&o.simulatorStore, "simulator-store", "", "Folder where the embedded simulator keeps its state (default: a temporary folder).")
	fs.DurationVar(&o.simulatorCertDelay, "simulator-certification-delay", 5*time.Second, "How long the embedded simulator takes to certify a submission.")
	fs.DurationVar(&o.simulatorMergeDelay, "simulator-merge-delay", 5*time.Second, "How long the embedded simulator's partner support takes to complete a merge.")
	fs.StringVar(&o.simulatorFaults, "simulator-faults", "", "Faults the embedded simulator injects, e.g. 429=0.1,5xx=0.05,latency=200ms,drop=0.02,qps=20.")
	fs.IntVar(&o.solutionConcurrency, "solution-concurrency", 4, "Solutions reconciled at once.")
	fs.IntVar(&o.offerConcurrency, "offer-concurrency", 8, "MarketplaceOffers reconciled at once.")
	fs.Float64Var(&o.kubeAPIQPS, "kube-api-qps", 50, "Queries per second to the Kubernetes API server.")
	fs.IntVar(&o.kubeAPIBurst, "kube-api-burst", 100, "Burst of queries to the Kubernetes API server.")
	fs.DurationVar(&o.minRetryDelay, "min-retry-delay", 500*time.Millisecond, "First delay before retrying a failed reconcile.")
	fs.DurationVar(&o.maxRetryDelay, "max-retry-delay", 5*time.Minute, "Longest delay between retries of a failed reconcile.")
	fs.DurationVar(&o.stalledRecheckPeriod, "stalled-recheck-period", 10*time.Minute, "How often stalled objects are checked again.")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "simulator" {
		fmt.Fprintln(os.Stderr, "the simulator subcommand is not wired yet")
		os.Exit(2)
	}

	var opts options
	opts.bind(flag.CommandLine)
	zapOpts := zap.Options{Development: true}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	setupLog := ctrl.Log.WithName("setup")

	if err := run(opts); err != nil {
		setupLog.Error(err, "manager stopped")
		os.Exit(1)
	}
}

func run(opts options) error {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("reading kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = float32(opts.kubeAPIQPS), opts.kubeAPIBurst

	metricsOpts := metricsserver.Options{BindAddress: opts.metricsAddr, SecureServing: opts.metricsSecure}
	if opts.metricsSecure {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        opts.probeAddr,
		LeaderElection:                opts.leaderElect,
		LeaderElectionID:              opts.leaderElectionID,
		LeaderElectionNamespace:       opts.leaderElectionNS,
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	return mgr.Start(ctrl.SetupSignalHandler())
}

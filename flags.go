package main

import (
	"embed"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/internal/cmd/manager"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// secretMaxAge is how long a team's Secret, once read, serves its
// reconciles before it is read again.
const secretMaxAge = 10 * time.Second

// options are the manager's command-line flags (DESIGN.md, "Command
// line").
type options struct {
	manager              manager.Options
	simulator            simulator.Options
	partnerCenter        string
	partnerCenterSecret  string
	jobPollInterval      time.Duration
	solutionConcurrency  int
	offerConcurrency     int
	kubeAPIQPS           float64
	kubeAPIBurst         int
	minRetryDelay        time.Duration
	maxRetryDelay        time.Duration
	stalledRecheckPeriod time.Duration
	resyncInterval       time.Duration
	eventsPerSecond      float64
	teamNamespaces       string
	teamSecret           string
	zap                  zap.Options
}

func (o *options) bind(fs *flag.FlagSet) {
	m, s := &o.manager, &o.simulator
	fs.StringVar(&m.MetricsAddr, "metrics-bind-address", "0", "Address the metrics endpoint binds to, such as :8443; 0 (the default) disables it.")
	fs.BoolVar(&m.MetricsSecure, "metrics-secure", true, "Serve metrics over HTTPS behind Kubernetes authentication and authorization; false serves plain HTTP.")
	fs.StringVar(&m.ProbeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	fs.StringVar(&m.PprofAddr, "pprof-bind-address", "", "Address to serve Go's pprof profiles on (empty: off).")
	fs.BoolVar(&m.LeaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	fs.StringVar(&m.LeaderElectionID, "leader-election-id", "cosell-operator.marketplace.cosell.io", "Name of the leader-election Lease.")
	fs.StringVar(&m.LeaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader-election Lease (default: the pod's namespace).")
	fs.DurationVar(&m.LeaseDuration, "leader-elect-lease-duration", 15*time.Second, "How long a standby replica waits before taking over a lease that is not renewed.")
	fs.DurationVar(&m.RenewDeadline, "leader-elect-renew-deadline", 10*time.Second, "How long the leader keeps trying to renew its lease before it steps down.")
	fs.DurationVar(&m.RetryPeriod, "leader-elect-retry-period", 2*time.Second, "How often replicas try to acquire or renew the lease.")
	fs.StringVar(&o.partnerCenter, "partner-center", "embedded", "Partner Center to use: 'embedded' runs the simulator in-process, on loopback; otherwise the base URL of a Product Ingestion API (https://graph.microsoft.com/rp/product-ingestion or a standalone simulator). Tokens go only to Microsoft's API over https.")
	fs.StringVar(&o.partnerCenterSecret, "partner-center-secret", "", "namespace/name of the Secret holding tenantId, clientId and clientSecret (or useWorkloadIdentity: \"true\" instead of clientSecret) for Partner Center.")
	fs.DurationVar(&o.jobPollInterval, "partner-center-job-poll-interval", 0, "How long to wait between two reads of a Partner Center job or submission in progress (default: 1m for Microsoft's API, which asks for at most one poll a minute; 2s for a simulator).")
	fs.StringVar(&s.Addr, "simulator-addr", "127.0.0.1:8090", "Loopback address the embedded simulator listens on.")
	fs.StringVar(&s.SeedFile, "simulator-seed", "", "Seed file of partners and legacy solutions for the embedded simulator (default: the built-in seed).")
	fs.StringVar(&s.StoreDir, "simulator-store", "", "Folder where the embedded simulator keeps its state (default: a temporary folder).")
	fs.DurationVar(&s.CertificationDelay, "simulator-certification-delay", 5*time.Second, "How long the embedded simulator takes to certify a submission.")
	fs.DurationVar(&s.MergeDelay, "simulator-merge-delay", 5*time.Second, "How long the embedded simulator's partner support takes to complete a merge.")
	fs.BoolVar(&s.Realistic, "simulator-realistic", false, "Realistic timings in the embedded simulator, for benchmarks: certification 8h, jobs 2m, going live 2h, merges 72h, unless the delay flags are given.")
	fs.StringVar(&s.Faults, "simulator-faults", "", "Faults the embedded simulator injects, e.g. 429=0.1,5xx=0.05,latency=200ms,drop=0.02,qps=20.")
	fs.IntVar(&o.solutionConcurrency, "solution-concurrency", 4, "Solutions reconciled at once.")
	fs.IntVar(&o.offerConcurrency, "offer-concurrency", 16, "MarketplaceOffers reconciled at once.")
	fs.Float64Var(&o.kubeAPIQPS, "kube-api-qps", -1, "Queries per second to the Kubernetes API server; a negative value sets no client-side limit and leaves it to the API server's priority and fairness, as controller-runtime does by default.")
	fs.IntVar(&o.kubeAPIBurst, "kube-api-burst", 100, "Burst of queries to the Kubernetes API server, when --kube-api-qps is positive.")
	fs.DurationVar(&o.minRetryDelay, "min-retry-delay", 500*time.Millisecond, "First delay before retrying a failed reconcile.")
	fs.DurationVar(&o.maxRetryDelay, "max-retry-delay", 5*time.Minute, "Longest delay between retries of a failed reconcile.")
	fs.Float64Var(&o.eventsPerSecond, "events-per-second", 20, "Normal events recorded per second on average (bursts of ten times as many); more are dropped and counted in cosell_events_dropped_total. Warning events are always recorded.")
	fs.DurationVar(&o.stalledRecheckPeriod, "stalled-recheck-period", 10*time.Minute, "How often stalled objects are checked again.")
	fs.DurationVar(&o.resyncInterval, "resync-interval", controllers.DefaultResyncInterval, "How often each MarketplaceOffer is read back from Partner Center to find changes made outside the operator (each offer at its own moment of the period; an offer's spec.resyncInterval overrides it); 0 turns the resync off.")
	fs.StringVar(&m.WatchNamespaces, "watch-namespaces", "", "Comma-separated namespaces whose Solutions and MarketplaceOffers are reconciled (empty: all namespaces).")
	fs.StringVar(&o.teamNamespaces, "team-namespaces", "", "Comma-separated team namespaces, or * for all: each publishes with its own Partner Center credentials, the Secret --team-credentials-secret in that namespace, and never with the global one (docs: \"Sharing a cluster\"). Other namespaces use --partner-center-secret.")
	fs.StringVar(&o.teamSecret, "team-credentials-secret", "cosell-partner-center", "Name of the credentials Secret (tenantId, clientId, and clientSecret or useWorkloadIdentity) in each team namespace; the operator needs get on it (a Role with resourceNames), nothing more.")
	// Production logging (JSON, info level) unless --zap-devel.
	o.zap.BindFlags(fs)
}

// parse binds the manager's flags (and extra ones) to a new flag set,
// parses args and sets up logging.
func parse(name string, args []string, out io.Writer, extra func(*flag.FlagSet)) (options, error) {
	var opts options
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	opts.bind(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected arguments %q: the subcommands are local, simulator and export", fs.Args())
	}
	if opts.simulator.Realistic {
		// Delays not given take the simulator's realistic defaults (0 asks for them).
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if !given["simulator-certification-delay"] {
			opts.simulator.CertificationDelay = 0
		}
		if !given["simulator-merge-delay"] {
			opts.simulator.MergeDelay = 0
		}
	}
	if opts.partnerCenterSecret != "" {
		ns, name, _ := strings.Cut(opts.partnerCenterSecret, "/")
		if ns == "" || name == "" {
			return opts, fmt.Errorf("--partner-center-secret must be namespace/name; got %q", opts.partnerCenterSecret)
		}
		opts.manager.CredentialsSecret = &types.NamespacedName{Namespace: ns, Name: name}
	}
	opts.manager.Scheme = scheme
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts.zap)))
	return opts, nil
}

// resyncOption maps --resync-interval to controllers.Options, where zero
// means the default: 0 on the command line turns the resync off.
func resyncOption(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

//go:embed config/crd/bases/*.yaml
var crdFiles embed.FS

// loadCRDs reads the CRDs generated into config/crd/bases.
func loadCRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	paths, err := fs.Glob(crdFiles, "config/crd/bases/*.yaml")
	if err != nil {
		return nil, err
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, p := range paths {
		data, err := crdFiles.ReadFile(p)
		if err != nil {
			return nil, err
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}

// Command cosell-operator reconciles Solution and MarketplaceOffer objects
// against Microsoft Partner Center.
//
//	cosell-operator [flags]            run the manager
//	cosell-operator local [flags]      run a local control plane and the manager on it (make run)
//	cosell-operator simulator [flags]  run the Partner Center simulator alone
//	cosell-operator export [flags]     write an existing account's offers as MarketplaceOffer YAML
//
// main wires flags and the manager only; the work lives in controllers/ and
// internal/.
package main

import (
	"cmp"
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/client/config"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/internal/credentials"
	"github.com/cosell-operator/cosell-operator/internal/credentials/teams"
	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/kubectlcosell"
	"github.com/cosell-operator/cosell-operator/internal/local"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
}

// options are the manager's command-line flags (README.md, "Command
// line").
type options struct {
	metricsAddr          string
	metricsSecure        bool
	probeAddr            string
	pprofAddr            string
	leaderElect          bool
	leaderElectionID     string
	leaderElectionNS     string
	leaseDuration        time.Duration
	renewDeadline        time.Duration
	retryPeriod          time.Duration
	partnerCenter        string
	partnerCenterSecret  string
	jobPollInterval      time.Duration
	simulatorAddr        string
	simulatorSeed        string
	simulatorStore       string
	simulatorCertDelay   time.Duration
	simulatorMergeDelay  time.Duration
	simulatorRealistic   bool
	simulatorFaults      string
	solutionConcurrency  int
	offerConcurrency     int
	kubeAPIQPS           float64
	kubeAPIBurst         int
	minRetryDelay        time.Duration
	maxRetryDelay        time.Duration
	stalledRecheckPeriod time.Duration
	resyncInterval       time.Duration
	eventsPerSecond      float64
	watchNamespaces      string
	teamNamespaces       string
	teamSecret           string

	// credentialsSecret is --partner-center-secret parsed (by parse), or
	// nil when credentials do not come from a Secret.
	credentialsSecret *types.NamespacedName
}

func (o *options) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "Address the metrics endpoint binds to; 0 disables it.")
	fs.BoolVar(&o.metricsSecure, "metrics-secure", false, "Serve metrics over HTTPS behind Kubernetes authentication and authorization.")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address the health and readiness probes bind to.")
	fs.StringVar(&o.pprofAddr, "pprof-bind-address", "", "Address to serve Go's pprof profiles on (empty: off).")
	fs.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	fs.StringVar(&o.leaderElectionID, "leader-election-id", "cosell-operator.marketplace.cosell.io", "Name of the leader-election Lease.")
	fs.StringVar(&o.leaderElectionNS, "leader-election-namespace", "", "Namespace of the leader-election Lease (default: the pod's namespace).")
	fs.DurationVar(&o.leaseDuration, "leader-elect-lease-duration", 15*time.Second, "How long a standby replica waits before taking over a lease that is not renewed.")
	fs.DurationVar(&o.renewDeadline, "leader-elect-renew-deadline", 10*time.Second, "How long the leader keeps trying to renew its lease before it steps down.")
	fs.DurationVar(&o.retryPeriod, "leader-elect-retry-period", 2*time.Second, "How often replicas try to acquire or renew the lease.")
	fs.StringVar(&o.partnerCenter, "partner-center", "embedded", "Partner Center to use: 'embedded' runs the simulator in-process; otherwise the base URL of a Product Ingestion API (https://graph.microsoft.com/rp/product-ingestion or a standalone simulator).")
	fs.StringVar(&o.partnerCenterSecret, "partner-center-secret", "", "namespace/name of the Secret holding tenantId, clientId and clientSecret for Partner Center.")
	fs.DurationVar(&o.jobPollInterval, "partner-center-job-poll-interval", 0, "How long to wait between two reads of a Partner Center job or submission in progress (default: 1m for Microsoft's API, which asks for at most one poll a minute; 2s for a simulator).")
	fs.StringVar(&o.simulatorAddr, "simulator-addr", "127.0.0.1:8090", "Loopback address the embedded simulator listens on.")
	fs.StringVar(&o.simulatorSeed, "simulator-seed", "", "Seed file of partners and legacy solutions for the embedded simulator (default: the built-in seed).")
	fs.StringVar(&o.simulatorStore, "simulator-store", "", "Folder where the embedded simulator keeps its state (default: a temporary folder).")
	fs.DurationVar(&o.simulatorCertDelay, "simulator-certification-delay", 5*time.Second, "How long the embedded simulator takes to certify a submission.")
	fs.DurationVar(&o.simulatorMergeDelay, "simulator-merge-delay", 5*time.Second, "How long the embedded simulator's partner support takes to complete a merge.")
	fs.BoolVar(&o.simulatorRealistic, "simulator-realistic", false, "Realistic timings in the embedded simulator, for benchmarks: certification 8h, jobs 2m, going live 2h, merges 72h, unless the delay flags are given.")
	fs.StringVar(&o.simulatorFaults, "simulator-faults", "", "Faults the embedded simulator injects, e.g. 429=0.1,5xx=0.05,latency=200ms,drop=0.02,qps=20.")
	fs.IntVar(&o.solutionConcurrency, "solution-concurrency", 4, "Solutions reconciled at once.")
	fs.IntVar(&o.offerConcurrency, "offer-concurrency", 16, "MarketplaceOffers reconciled at once.")
	fs.Float64Var(&o.kubeAPIQPS, "kube-api-qps", -1, "Queries per second to the Kubernetes API server; a negative value sets no client-side limit and leaves it to the API server's priority and fairness, as controller-runtime does by default.")
	fs.IntVar(&o.kubeAPIBurst, "kube-api-burst", 100, "Burst of queries to the Kubernetes API server, when --kube-api-qps is positive.")
	fs.DurationVar(&o.minRetryDelay, "min-retry-delay", 500*time.Millisecond, "First delay before retrying a failed reconcile.")
	fs.DurationVar(&o.maxRetryDelay, "max-retry-delay", 5*time.Minute, "Longest delay between retries of a failed reconcile.")
	fs.Float64Var(&o.eventsPerSecond, "events-per-second", 20, "Normal events recorded per second on average (bursts of ten times as many); more are dropped and counted in cosell_events_dropped_total. Warning events are always recorded.")
	fs.DurationVar(&o.stalledRecheckPeriod, "stalled-recheck-period", 10*time.Minute, "How often stalled objects are checked again.")
	fs.DurationVar(&o.resyncInterval, "resync-interval", controllers.DefaultResyncInterval, "How often each MarketplaceOffer is read back from Partner Center to find changes made outside the operator (each offer at its own moment of the period; an offer's spec.resyncInterval overrides it); 0 turns the resync off.")
	fs.StringVar(&o.watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces whose Solutions and MarketplaceOffers are reconciled (empty: all namespaces).")
	fs.StringVar(&o.teamNamespaces, "team-namespaces", "", "Comma-separated team namespaces, or * for all: each publishes with its own Partner Center credentials, the Secret --team-credentials-secret in that namespace, and never with the global one (README.md, \"Sharing a cluster\"). Other namespaces use --partner-center-secret.")
	fs.StringVar(&o.teamSecret, "team-credentials-secret", "cosell-partner-center", "Name of the credentials Secret (tenantId, clientId, clientSecret) in each team namespace; the operator needs get on it (a Role with resourceNames), nothing more.")
}

func main() {
	// The heap is mostly the informer cache, which lives as long as the
	// process; Go's default GOGC=100 lets the process grow to twice that.
	// 25 keeps it near one and a quarter times. Little else is allocated
	// once objects settle, so collections stay rare; side by side at
	// N = 500 (make bench), 25 against 50 used the same CPU (19.2 s and
	// 19.7 s) and 3.6 MiB less peak RSS; settled at N = 3,000 (seeded),
	// 7.35 against 8.91 KiB of RSS per object. GOGC in the environment
	// still wins, and GOMEMLIMIT (the
	// Helm chart sets it from the container's limit) bounds the total.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	args := os.Args[1:]
	var err error
	switch {
	case kubectlcosell.Invoked(os.Args[0]): // installed as kubectl-cosell: `kubectl cosell ...`
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = kubectlcosell.Main(ctx, args, os.Stdout, os.Stderr)
		stop()
	case len(args) > 0 && args[0] == "simulator":
		err = simulator.Main(args[1:])
	case len(args) > 0 && args[0] == "local":
		err = runLocal(args[1:])
	case len(args) > 0 && args[0] == "export":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = export.Main(ctx, args[1:], os.Stdout, os.Stderr)
		stop()
	default:
		err = runManager(args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cosell-operator:", err)
		os.Exit(1)
	}
}

// parse binds the manager's flags (and extra ones) to a new flag set,
// parses args and sets up logging.
func parse(name string, args []string, extra func(*flag.FlagSet)) (options, error) {
	var opts options
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	opts.bind(fs)
	if extra != nil {
		extra(fs)
	}
	zapOpts := zap.Options{Development: true}
	zapOpts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected arguments %q: the subcommands are local, simulator and export", fs.Args())
	}
	if opts.simulatorRealistic {
		// Delays not given take the simulator's realistic defaults (0 asks for them).
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if !given["simulator-certification-delay"] {
			opts.simulatorCertDelay = 0
		}
		if !given["simulator-merge-delay"] {
			opts.simulatorMergeDelay = 0
		}
	}
	if opts.partnerCenterSecret != "" {
		ns, name, _ := strings.Cut(opts.partnerCenterSecret, "/")
		if ns == "" || name == "" {
			return opts, fmt.Errorf("--partner-center-secret must be namespace/name; got %q", opts.partnerCenterSecret)
		}
		opts.credentialsSecret = &types.NamespacedName{Namespace: ns, Name: name}
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	return opts, nil
}

// runManager runs the manager against the cluster of the kubeconfig.
func runManager(args []string) error {
	// --kubeconfig, read by ctrl.GetConfig.
	opts, err := parse("cosell-operator", args, ctrlconfig.RegisterFlags)
	if err != nil {
		return err
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("reading kubeconfig: %w", err)
	}
	return run(ctrl.SetupSignalHandler(), cfg, opts)
}

//go:embed config/crd/bases/*.yaml
var crdFiles embed.FS

// runLocal starts the local control plane of `make run`, installs the CRDs
// and runs the manager on it with the embedded simulator, keeping all
// state under --local-dir.
func runLocal(args []string) error {
	var dir, assets string
	opts, err := parse("cosell-operator local", args, func(fs *flag.FlagSet) {
		fs.StringVar(&dir, "local-dir", ".local", "Folder holding the local control plane's state (etcd data, simulator store, kubeconfig).")
		fs.StringVar(&assets, "assets", os.Getenv("KUBEBUILDER_ASSETS"), "Folder with etcd, kube-apiserver and kubectl (default: $KUBEBUILDER_ASSETS, else bin/k8s).")
		// A developer's machine: serve metrics and probes on loopback only.
		_ = fs.Set("metrics-bind-address", "127.0.0.1:8080")
		_ = fs.Set("health-probe-bind-address", "127.0.0.1:8081")
	})
	if err != nil {
		return err
	}
	if assets == "" {
		assets = filepath.Join("bin", "k8s")
	}
	if opts.simulatorStore == "" {
		opts.simulatorStore = filepath.Join(dir, local.SimulatorDir)
	}
	crds, err := loadCRDs()
	if err != nil {
		return err
	}
	log := ctrl.Log.WithName("local")
	cp, err := local.Start(local.Options{Dir: dir, Assets: assets, CRDs: crds})
	if err != nil {
		return err
	}
	defer func() {
		log.Info("stopping the local control plane; its state stays in " + dir)
		if err := cp.Stop(); err != nil {
			log.Error(err, "stopping the local control plane")
		}
	}()

	// The first Ctrl-C stops the operator, then the control plane; a second
	// one stops the control plane at once. etcd and kube-apiserver run in
	// process groups of their own, so no Ctrl-C reaches them directly.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	go func() {
		if _, ok := <-signals; !ok {
			return
		}
		log.Info("stopping; press Ctrl-C again to stop at once")
		cancel()
		if _, ok := <-signals; ok {
			_ = cp.Stop()
			os.Exit(1)
		}
	}()
	kubectl, _ := filepath.Abs(filepath.Join(assets, "kubectl"))
	fmt.Fprintf(os.Stderr, `
The local control plane is up; the operator starts now with the embedded Partner Center simulator
(Product Ingestion API at http://%s/rp/product-ingestion). State: %s (make clean-local wipes it).
In another shell:

  export KUBECONFIG=%s
  alias kubectl=%s
  kubectl apply -f config/samples/
  kubectl get cosell -w

Ctrl-C stops everything.

`, opts.simulatorAddr, dir, cp.Kubeconfig, kubectl)
	return run(ctx, cp.Config, opts)
}

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

// run runs the manager with both controllers until ctx ends.
func run(ctx context.Context, cfg *rest.Config, opts options) error {
	cfg.QPS, cfg.Burst = float32(opts.kubeAPIQPS), opts.kubeAPIBurst
	secret := opts.credentialsSecret

	// The cache holds only what the controllers read: the two kinds and,
	// when credentials come from a Secret, that one Secret (so RBAC need
	// not grant Secrets beyond it). managedFields are dropped and repeated
	// status strings shared to save memory (stripForCache).
	cacheOpts := cache.Options{DefaultTransform: stripForCache, DefaultNamespaces: watchedNamespaces(opts.watchNamespaces)}
	if secret != nil {
		cacheOpts.ByObject = map[client.Object]cache.ByObject{
			&corev1.Secret{}: {
				Namespaces: map[string]cache.Config{secret.Namespace: {}},
				Field:      fields.OneTermEqualSelector("metadata.name", secret.Name),
			},
		}
	}

	metricsOpts := metricsserver.Options{BindAddress: opts.metricsAddr, SecureServing: opts.metricsSecure}
	if opts.metricsSecure {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Cache:                         cacheOpts,
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        opts.probeAddr,
		PprofBindAddress:              opts.pprofAddr,
		LeaderElection:                opts.leaderElect,
		LeaderElectionID:              opts.leaderElectionID,
		LeaderElectionNamespace:       opts.leaderElectionNS,
		LeaseDuration:                 &opts.leaseDuration,
		RenewDeadline:                 &opts.renewDeadline,
		RetryPeriod:                   &opts.retryPeriod,
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

	pc, err := partnerCenter(ctx, mgr, opts)
	if err != nil {
		return err
	}
	if err := ingestion.RegisterMetrics(ctrlmetrics.Registry); err != nil {
		return fmt.Errorf("registering the Partner Center metrics: %w", err)
	}
	if err := teams.RegisterMetrics(ctrlmetrics.Registry, pc.router); err != nil {
		return fmt.Errorf("registering the Partner Center credential metrics: %w", err)
	}
	if err := controllers.IndexFields(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}
	controllers.RegisterMetrics(mgr.GetClient())
	// Each controller backs off its own failures.
	controllerOpts := func(concurrency int) controllers.Options {
		return controllers.Options{
			Concurrency:       concurrency,
			StalledRecheck:    opts.stalledRecheckPeriod,
			ResyncInterval:    resyncOption(opts.resyncInterval),
			CredentialsSecret: secret,
			RateLimiter:       workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](opts.minRetryDelay, opts.maxRetryDelay),
		}
	}
	offerOpts, solutionOpts := controllerOpts(opts.offerConcurrency), controllerOpts(opts.solutionConcurrency)
	// One event budget for both controllers.
	events := controllers.NewBoundedRecorder(mgr.GetEventRecorder("cosell-operator"), opts.eventsPerSecond, max(1, int(10*opts.eventsPerSecond)))
	if err := (&controllers.MarketplaceOfferReconciler{Dependencies: controllers.Dependencies{
		Client: mgr.GetClient(), PartnerCenter: pc.connector(), Recorder: events, Options: offerOpts,
	}}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the MarketplaceOffer controller: %w", err)
	}
	if err := (&controllers.SolutionReconciler{Dependencies: controllers.Dependencies{
		Client: mgr.GetClient(), PartnerCenter: pc.connector(), Recorder: events, Options: solutionOpts,
	}}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the Solution controller: %w", err)
	}
	return mgr.Start(ctx)
}

// stripForCache drops what the controllers never read from cached objects:
// managedFields and kubectl's last-applied-configuration annotation, which
// repeats the whole spec of every object applied with kubectl apply. The
// status strings that repeat across objects are kept once
// (controllers.ShareCachedStrings).
func stripForCache(in any) (any, error) {
	in, err := cache.TransformStripManagedFields()(in)
	if obj, ok := in.(client.Object); ok && err == nil {
		if a := obj.GetAnnotations(); a[corev1.LastAppliedConfigAnnotation] != "" {
			delete(a, corev1.LastAppliedConfigAnnotation)
			obj.SetAnnotations(a)
		}
		controllers.ShareCachedStrings(obj)
	}
	return in, err
}

// watchedNamespaces is the cache's DefaultNamespaces for --watch-namespaces:
// nil (every namespace) when the flag is empty.
func watchedNamespaces(list string) map[string]cache.Config {
	var namespaces map[string]cache.Config
	for ns := range strings.SplitSeq(list, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			if namespaces == nil {
				namespaces = map[string]cache.Config{}
			}
			namespaces[ns] = cache.Config{}
		}
	}
	return namespaces
}

// readers are what partnerCenter needs of the manager: the cached client
// (the global credentials Secret is in its cache) and the uncached reader
// (team Secrets).
type readers interface {
	GetClient() client.Client
	GetAPIReader() client.Reader
}

// partnerCenterClients are what partnerCenter builds: the client the
// controllers hold and, with --team-namespaces, the router it is (for its
// metrics; nil otherwise).
type partnerCenterClients struct {
	client partnercenter.Client
	router *teams.Router
}

// connector is how the controllers reach Partner Center: through the
// router when there is one (team namespaces), else the one client.
func (c partnerCenterClients) connector() partnercenter.Connector {
	if c.router != nil {
		return c.router.Connector()
	}
	return partnercenter.Static(c.client)
}

// partnerCenter builds the Partner Center client: the embedded simulator
// (started here, on loopback) reached through the HTTP adapter, so the
// operator runs the same code path as against the real API; or the real
// API (or a standalone simulator) at a base URL, with credentials from a
// Secret. With --team-namespaces, that client serves the other namespaces
// and each team namespace gets its own (teams.Router).
func partnerCenter(ctx context.Context, mgr readers, opts options) (partnerCenterClients, error) {
	baseURL := opts.partnerCenter
	var credential credentials.FromSecretData = ingestion.CredentialFromSecretData
	if opts.partnerCenter == "embedded" {
		sim, err := simulator.New(simulator.Options{
			Addr: opts.simulatorAddr, SeedFile: opts.simulatorSeed, StoreDir: opts.simulatorStore,
			CertificationDelay: opts.simulatorCertDelay, MergeDelay: opts.simulatorMergeDelay, Faults: opts.simulatorFaults,
			Realistic: opts.simulatorRealistic,
		})
		if err != nil {
			return partnerCenterClients{}, fmt.Errorf("creating the embedded Partner Center simulator: %w", err)
		}
		if err := sim.Start(ctx); err != nil {
			return partnerCenterClients{}, fmt.Errorf("starting the embedded Partner Center simulator on %s: %w", opts.simulatorAddr, err)
		}
		go func() {
			<-ctx.Done()
			_ = sim.Close()
		}()
		ctrl.Log.WithName("setup").Info("embedded Partner Center simulator started", "url", sim.URL())
		// The embedded simulator needs no token: team Secrets are checked
		// for their keys, and no credential is built.
		baseURL, credential = sim.URL(), nil
	}
	host, ok := ingestion.HostOfURL(baseURL)
	if !ok {
		return partnerCenterClients{}, fmt.Errorf("--partner-center must be 'embedded' or the base URL of a Product Ingestion API, such as https://graph.microsoft.com/rp/product-ingestion; got %q", opts.partnerCenter)
	}
	// A retry after a failure that must wait longer than half a second (a
	// long backoff after 5xx answers or dropped connections) goes back to
	// the workqueue instead of holding a worker idle
	// (controllers/reconcile.go requeues it after that wait); shorter
	// backoffs, and a 429's Retry-After, are waited out in place, unless
	// the pacer has learned that the 429s are noise: they then go back
	// to the workqueue too (ingestion.Pacer.Noise).
	base := ingestion.Options{BaseURL: baseURL, JobPollInterval: opts.jobPollInterval, MaxRetryWait: 500 * time.Millisecond}
	teamNamespaces := splitList(opts.teamNamespaces)

	// The global client, with its own pacer.
	pacer := &ingestion.Pacer{}
	global := base
	global.HTTPClient = &http.Client{Transport: pacer}
	global.Observer = teams.Observer(teams.GlobalLabel, nil)
	var globalClient partnercenter.Client
	hasGlobal := true
	switch secret := opts.credentialsSecret; {
	case opts.partnerCenter == "embedded":
	case secret != nil:
		global.Credential = &credentials.Secret{Reader: mgr.GetClient(), Key: *secret, Build: ingestion.CredentialFromSecretData}
	case host.NeedsCredentials && len(teamNamespaces) == 0:
		return partnerCenterClients{}, fmt.Errorf("the real Partner Center needs credentials: set --partner-center-secret to namespace/name of a Secret with tenantId, clientId and clientSecret, or --team-namespaces")
	case host.NeedsCredentials:
		// Only team namespaces have credentials; the others are refused
		// (teams.CodeNoCredentials).
		hasGlobal = false
	}
	if hasGlobal {
		c, err := ingestion.New(global)
		if err != nil {
			return partnerCenterClients{}, err
		}
		globalClient = c
	}
	if len(teamNamespaces) == 0 {
		return partnerCenterClients{client: globalClient}, nil
	}

	router, err := teams.New(teams.Options{
		Reader:          mgr.GetAPIReader(),
		SecretName:      opts.teamSecret,
		Namespaces:      teamNamespaces,
		Default:         globalClient,
		DefaultPacer:    pacer,
		NewClient:       teams.IngestionClient(base, credential),
		JobPollInterval: cmp.Or(opts.jobPollInterval, host.JobPollInterval),
		// A burst of reconciles in one namespace reads its Secret once; a
		// rotation is picked up within this.
		SecretMaxAge: 10 * time.Second,
	})
	if err != nil {
		return partnerCenterClients{}, fmt.Errorf("--team-namespaces: %w", err)
	}
	log := ctrl.Log.WithName("setup")
	log.Info("team namespaces publish with their own Partner Center credentials",
		"namespaces", teamNamespaces, "secret", opts.teamSecret, "globalCredential", globalClient != nil)
	if watched := watchedNamespaces(opts.watchNamespaces); watched != nil {
		for _, ns := range teamNamespaces {
			if _, ok := watched[ns]; !ok && ns != teams.AllNamespaces {
				log.Info("a team namespace is not watched (--watch-namespaces): its objects are not reconciled", "namespace", ns)
			}
		}
	}
	return partnerCenterClients{client: router, router: router}, nil
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(list string) []string {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// resyncOption maps --resync-interval to controllers.Options, where zero
// means the default: 0 on the command line turns the resync off.
func resyncOption(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

package controllers_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

var (
	env    *testenv.Environment
	scheme = runtime.NewScheme()
	// k8s reads and writes directly, bypassing any cache.
	k8s client.Client
)

func TestMain(m *testing.M) {
	flag.Parse()
	// A fuzz worker runs only the fuzz target, which needs no API server;
	// starting one per worker would leave etcd processes behind.
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		os.Exit(m.Run())
	}
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapLevel())))
	var err error
	env, err = testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	k8s, err = client.New(env.Config, client.Options{Scheme: scheme})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = env.Stop()
	os.Exit(code)
}

// operator is a running manager with both reconcilers, talking to a
// simulator through the HTTP adapter: the operator's own code path.
type operator struct {
	sim    *simulator.Simulator
	pc     partnercenter.Client
	cancel context.CancelFunc
	done   chan error
}

type simOptions struct {
	certificationDelay time.Duration
	mergeDelay         time.Duration
	seed               string
	store              string
	// noOCPGTM switches the simulator's OCP GTM extension off, as
	// Microsoft's hosts are.
	noOCPGTM bool
}

// startSimulator starts a simulator with a store of its own.
func startSimulator(t *testing.T, o simOptions) *simulator.Simulator {
	t.Helper()
	if o.store == "" {
		o.store = t.TempDir()
	}
	sim, err := simulator.New(simulator.Options{
		Addr: "127.0.0.1:0", SeedFile: o.seed, StoreDir: o.store,
		CertificationDelay: o.certificationDelay, MergeDelay: o.mergeDelay, NoOCPGTM: o.noOCPGTM,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// startOperator runs the manager against sim until the test ends or stop.
// It watches only namespace ns (and any more namespaces), so that objects
// of earlier tests, whose products live in their own simulators, stay out
// of its way.
func startOperator(t *testing.T, sim *simulator.Simulator, ns string, more ...string) *operator {
	t.Helper()
	return startOperatorWith(t, sim, testOptions(), ns, more...)
}

// testOptions are the reconcilers' options in these tests: short rechecks
// and polls.
func testOptions() controllers.Options {
	return controllers.Options{Concurrency: 4, StalledRecheck: 2 * time.Second, MinPoll: 50 * time.Millisecond, MaxPoll: time.Second}
}

// startOperatorWith is startOperator with the reconcilers' options opts.
func startOperatorWith(t *testing.T, sim *simulator.Simulator, opts controllers.Options, ns string, more ...string) *operator {
	t.Helper()
	return startOperatorPC(t, sim, ingestion.Options{}, opts, ns, more...)
}

// startOperatorPC is startOperatorWith with the adapter's options pcOpts
// (BaseURL and JobPollInterval are set here).
func startOperatorPC(t *testing.T, sim *simulator.Simulator, pcOpts ingestion.Options, opts controllers.Options, ns string, more ...string) *operator {
	t.Helper()
	pcOpts.BaseURL, pcOpts.JobPollInterval = sim.URL(), 100*time.Millisecond
	pc, err := ingestion.New(pcOpts)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:  scheme,
		Cache:   cache.Options{DefaultNamespaces: namespaces(ns, more...)},
		Metrics: metricsserver.Options{BindAddress: "0"},
		// Several managers run one after another in a test binary.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := controllers.IndexFields(ctx, mgr.GetFieldIndexer()); err != nil {
		t.Fatal(err)
	}
	deps := controllers.Dependencies{
		Client: mgr.GetClient(), PartnerCenter: partnercenter.Static(pc), Recorder: mgr.GetEventRecorder("cosell-operator"), Options: opts,
	}
	if err := controllers.SetupWithManager(mgr, deps, deps); err != nil {
		t.Fatal(err)
	}
	op := &operator{sim: sim, pc: pc, cancel: cancel, done: make(chan error, 1)}
	go func() { op.done <- mgr.Start(ctx) }()
	t.Cleanup(op.stop)
	return op
}

func namespaces(ns string, more ...string) map[string]cache.Config {
	m := map[string]cache.Config{ns: {}}
	for _, n := range more {
		m[n] = cache.Config{}
	}
	return m
}

func (o *operator) stop() {
	if o.cancel == nil {
		return
	}
	o.cancel()
	if err := <-o.done; err != nil {
		fmt.Fprintln(os.Stderr, "manager stopped:", err)
	}
	o.cancel = nil
}

func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "cosell-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func zapLevel() zapcore.Level {
	if os.Getenv("TEST_VERBOSE") != "" {
		return -1
	}
	return 2
}

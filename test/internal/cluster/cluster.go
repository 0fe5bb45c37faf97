// Package cluster starts what the end-to-end tests under test/ share: a
// control plane with the CRDs (internal/testenv), a client of it, and the
// operator's reconcilers in one manager against a Partner Center client the
// test chooses.
package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/controllers/offer"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// Cluster is a started control plane; t's cleanup stops it.
type Cluster struct {
	Config *rest.Config
	Scheme *runtime.Scheme
	// Client reads and writes as a user would (no cache).
	Client client.Client
}

// Start starts a control plane and creates namespace in it.
func Start(ctx context.Context, t *testing.T, g gomega.Gomega, namespace string) *Cluster {
	t.Helper()
	env, err := testenv.Start()
	g.Expect(err).NotTo(gomega.HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })
	ctrl.SetLogger(logr.Discard())
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
	c, err := client.New(env.Config, client.Options{Scheme: scheme})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(gomega.Succeed())
	return &Cluster{Config: env.Config, Scheme: scheme, Client: c}
}

// Operator says which reconcilers RunOperator starts and how.
type Operator struct {
	// Concurrency is each reconciler's.
	Concurrency int
	// Solutions adds the Solution reconciler to the MarketplaceOffer one.
	Solutions bool
}

// RunOperator runs the reconcilers against pc, with the short stall
// recheck and polls the tests wait on, until ctx ends or t is done.
func (c *Cluster) RunOperator(ctx context.Context, t *testing.T, g gomega.Gomega, pc partnercenter.Client, op Operator) {
	t.Helper()
	mgr, err := ctrl.NewManager(c.Config, ctrl.Options{Scheme: c.Scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		// One manager per test or subtest, and -count=N, in one binary.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)}})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	mctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	g.Expect(controllers.IndexFields(mctx, mgr.GetFieldIndexer())).To(gomega.Succeed())
	deps := controllers.Dependencies{Client: mgr.GetClient(), PartnerCenter: partnercenter.Static(pc),
		Recorder: mgr.GetEventRecorder("cosell-operator"),
		Options:  controllers.Options{Concurrency: op.Concurrency, StalledRecheck: 2 * time.Second, MinPoll: 50 * time.Millisecond, MaxPoll: time.Second}}
	if op.Solutions {
		g.Expect(controllers.SetupWithManager(mgr, deps, deps)).To(gomega.Succeed())
	} else {
		g.Expect(offer.NewController(deps).SetupWithManager(mgr)).To(gomega.Succeed())
	}
	go func() { _ = mgr.Start(mctx) }()
}

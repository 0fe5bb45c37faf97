//go:build adoption

// The second half of issue 12's round trip, the acceptance test of the
// adoption work (issue 11): the exported files are applied to a control
// plane, the operator adopts every offer, and Partner Center sees no write
// at all while every object becomes Ready. It is behind the build tag
// adoption because today's operator submits every adopted Preview or Live
// offer again (see "Adoption" in internal/export/doc.go). Measured on
// 2026-12-02: 26 writes for the 24 offers, which is a preview and a live
// job for each of the 10 live offers, a preview job for each of the 5
// preview offers and one for the stop-sold offer (refused: it stays
// Stalled); the draft comparison wrote nothing, for the 8 draft offers and
// for the 2 live offers with a newer draft (exported --from draft) alike.
// Issue 11 removes the tag. Run it with
//
//	KUBEBUILDER_ASSETS=... go test -tags adoption ./test/roundtrip/
package roundtrip_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

func TestAdoptionWritesNothing(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// --from draft: the spec is what the operator compares with, so a
	// live offer with a newer draft is adopted as it stands too.
	e := exportEstate(ctx, t, g, export.FromDraft)

	env, err := testenv.Start()
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })
	ctrl.SetLogger(logr.Discard())
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
	k8s, err := client.New(env.Config, client.Options{Scheme: scheme})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "estate"}})).To(Succeed())

	// kubectl apply, as a person would after reading each file's comment:
	// the offer types whose listing has no published shape get a listing
	// (which the operator cannot write, so it causes no call).
	for _, s := range e.seeded {
		data, err := os.ReadFile(filepath.Join(e.dir, s.OfferID+".yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		var o v1.MarketplaceOffer
		g.Expect(yaml.UnmarshalStrict(data, &o)).To(Succeed())
		if !published(s.OfferType) {
			o.Spec.Listing = v1.OfferListing{Title: s.Name, Summary: "Filled in by hand.", Description: "Filled in by hand from Partner Center."}
		}
		g.Expect(k8s.Create(ctx, &o)).To(Succeed(), s.OfferID)
	}

	// The operator, through the same adapter, its writes counted.
	w := &writes{next: http.DefaultTransport}
	pc, err := ingestion.New(ingestion.Options{BaseURL: e.sim.URL(), JobPollInterval: 50 * time.Millisecond, HTTPClient: &http.Client{Transport: w}})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { t.Logf("writes to Partner Center during adoption: %d", w.n.Load()) }()
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}})
	g.Expect(err).NotTo(HaveOccurred())
	mctx, stop := context.WithCancel(ctx)
	defer stop()
	g.Expect(controllers.IndexFields(mctx, mgr.GetFieldIndexer())).To(Succeed())
	opts := controllers.Options{Concurrency: 4, StalledRecheck: 2 * time.Second, MinPoll: 50 * time.Millisecond, MaxPoll: time.Second}
	g.Expect((&controllers.MarketplaceOfferReconciler{Dependencies: controllers.Dependencies{Client: mgr.GetClient(), PartnerCenter: pc,
		Recorder: mgr.GetEventRecorder("cosell-operator"), Options: opts}}).SetupWithManager(mgr)).To(Succeed())
	go func() { _ = mgr.Start(mctx) }()

	g.Eventually(func(g Gomega) {
		var list v1.MarketplaceOfferList
		g.Expect(k8s.List(ctx, &list, client.InNamespace("estate"))).To(Succeed())
		g.Expect(list.Items).To(HaveLen(len(e.seeded)))
		for _, o := range list.Items {
			g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1.ReadyCondition)).To(BeTrue(), "%s: %v", o.Name, o.Status.Conditions)
		}
	}).WithTimeout(2 * time.Minute).WithPolling(200 * time.Millisecond).Should(Succeed())
	g.Expect(w.n.Load()).To(BeZero(), "adoption wrote to Partner Center")
}

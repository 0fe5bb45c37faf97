// The second half of issue 12's round trip: the exported files are
// applied to a control plane, the operator adopts every offer, and
// Partner Center sees no write at all while every object becomes Ready.
// The adopt phase (controllers/offer/adopt.go) records the
// published submissions whose version equals the spec, so that certify
// and goLive make no call; the 2 live offers with a newer draft (exported
// --from draft) keep it unpublished and the stop-sold offer stays stopped.
// Measured before the adopt phase (2026-12-02): 26 writes for the 24
// offers, a preview and a live job for each of the 10 live offers, a
// preview job for each of the 5 preview offers and one for the stop-sold
// offer.
package roundtrip_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/export/seedtest"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/test/internal/cluster"
)

func TestAdoptionWritesNothing(t *testing.T) {
	for _, from := range []export.From{
		// --from draft: the spec equals the draft, so a live offer with
		// a newer draft keeps that draft unpublished.
		export.FromDraft,
		// the default, --from live: the spec equals the live version, so
		// the newer draft is neither overwritten nor published.
		export.FromLive,
	} {
		t.Run(string(from), func(t *testing.T) { adoptEstate(t, from) })
	}
}

func adoptEstate(t *testing.T, from export.From) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := exportEstate(ctx, t, g, from)

	cl := cluster.Start(ctx, t, g, "estate")
	k8s := cl.Client

	// kubectl apply, as a person would after reading each file's comment:
	// export leaves out what the offer type keeps in Partner Center and
	// declares it.
	for _, s := range e.seeded {
		data, err := os.ReadFile(filepath.Join(e.dir, s.OfferID+".yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		var o v1.MarketplaceOffer
		g.Expect(yaml.UnmarshalStrict(data, &o)).To(Succeed())
		g.Expect(o.Spec.OfferTypeRefusals()).To(BeEmpty(), s.OfferID)
		g.Expect(k8s.Create(ctx, &o)).To(Succeed(), s.OfferID)
	}

	// The operator, through the same adapter, its writes counted.
	w := &writes{next: http.DefaultTransport}
	pc, err := ingestion.New(ingestion.Options{BaseURL: e.sim.URL(), JobPollInterval: 50 * time.Millisecond, HTTPClient: &http.Client{Transport: w}})
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { t.Logf("writes to Partner Center during adoption: %d", w.n.Load()) }()
	cl.RunOperator(ctx, t, g, pc, cluster.Operator{Concurrency: 4})

	g.Eventually(func(g Gomega) {
		var list v1.MarketplaceOfferList
		g.Expect(k8s.List(ctx, &list, client.InNamespace("estate"))).To(Succeed())
		g.Expect(list.Items).To(HaveLen(len(e.seeded)))
		for _, o := range list.Items {
			g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1.ReadyCondition)).To(BeTrue(), "%s: %v", o.Name, o.Status.Conditions)
		}
	}).WithTimeout(2 * time.Minute).WithPolling(200 * time.Millisecond).Should(Succeed())
	g.Expect(w.n.Load()).To(BeZero(), "adoption wrote to Partner Center")

	// What adoption left as it found it is reported.
	for _, s := range e.seeded {
		var o v1.MarketplaceOffer
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "estate", Name: s.OfferID}, &o)).To(Succeed())
		adopted := meta.FindStatusCondition(o.Status.Conditions, v1.AdoptedCondition)
		g.Expect(adopted).NotTo(BeNil(), s.OfferID)
		g.Expect(adopted.Status).To(Equal(metav1.ConditionTrue), s.OfferID)
		switch s.Stage {
		case seedtest.LiveNewerDraft:
			g.Expect(adopted.Reason).To(Equal(v1.ReasonUnpublishedDraft), s.OfferID)
			g.Expect(adopted.Message).To(ContainSubstring("listing.summary"), s.OfferID)
			g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1.LiveCondition)).To(BeTrue(), s.OfferID)
		case seedtest.StopSold:
			g.Expect(adopted.Reason).To(Equal(v1.ReasonSaleStopped), s.OfferID)
			live := meta.FindStatusCondition(o.Status.Conditions, v1.LiveCondition)
			g.Expect(live).NotTo(BeNil(), s.OfferID)
			g.Expect(live.Status).To(Equal(metav1.ConditionFalse), s.OfferID)
			g.Expect(live.Reason).To(Equal(v1.ReasonSaleStopped), s.OfferID)
		case seedtest.Live:
			g.Expect(adopted.Reason).To(Equal(v1.ReasonSucceeded), s.OfferID)
			g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1.LiveCondition)).To(BeTrue(), s.OfferID)
			g.Expect(o.Status.Phase).To(Equal(v1.PhaseLive), s.OfferID)
		case seedtest.Preview:
			g.Expect(adopted.Reason).To(Equal(v1.ReasonSucceeded), s.OfferID)
			g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1.CertifiedCondition)).To(BeTrue(), s.OfferID)
			g.Expect(o.Status.Phase).To(Equal(v1.PhasePreview), s.OfferID)
		}
	}
}

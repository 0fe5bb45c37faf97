package controllers

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// offerRig is a MarketplaceOfferReconciler over a fake API client and
// the map-backed Partner Center fake, for the tests of both kinds
// together (the offer package's own tests have offerHarness).
type offerRig struct {
	r   *MarketplaceOfferReconciler
	key types.NamespacedName
}

func newOfferRig(t *testing.T, offer *v1alpha1.MarketplaceOffer, f pc.Client, others ...client.Object) *offerRig {
	t.Helper()
	c := ctrltest.FakeClient(NewWithT(t), append(others, offer)...)
	r := &MarketplaceOfferReconciler{Dependencies: reconcile.Dependencies{Client: c, PartnerCenter: pc.Static(f),
		Recorder: events.NewFakeRecorder(100), Clock: clocktesting.NewFakePassiveClock(metav1.Now().Time)}}
	r.Options.Defaults()
	return &offerRig{r: r, key: client.ObjectKeyFromObject(offer)}
}

// reconcile runs one reconcile and returns the object as stored.
func (h *offerRig) reconcile(g Gomega) (ctrl.Result, *v1alpha1.MarketplaceOffer) {
	res, err := h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
	g.Expect(err).NotTo(HaveOccurred())
	got := &v1alpha1.MarketplaceOffer{}
	g.Expect(h.r.Get(context.Background(), h.key, got)).To(Succeed())
	return res, got
}

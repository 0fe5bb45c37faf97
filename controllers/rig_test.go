package controllers

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
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
	r := &MarketplaceOfferReconciler{Dependencies: ctrltest.Deps(ctrltest.FakeClient(NewWithT(t), append(others, offer)...), f)}
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

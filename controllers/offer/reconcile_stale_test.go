package offer

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// A reconcile that started from a copy older than the object's last status
// write (a lagging cache) must not write its conclusions over that status:
// with 32 workers, such a reconcile found the product this object had just
// created, took it for someone else's and stalled it as AdoptionRequired.
func TestStatusPatchFromAStaleCopyIsRefused(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	offer := ctrltest.DraftOffer()
	c := ctrltest.FakeClient(g, offer)
	r := &MarketplaceOfferReconciler{Dependencies: reconcile.Dependencies{Client: c}}
	k := r

	stale := &v1alpha1.MarketplaceOffer{}
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(offer), stale)).To(Succeed())
	// Another reconcile records the product meanwhile.
	fresh := stale.DeepCopy()
	fresh.Status.ProductID = "product-1"
	g.Expect(c.Status().Update(ctx, fresh)).To(Succeed())

	// The stale reconcile's conclusion.
	base, obj := stale.DeepCopy(), stale.DeepCopy()
	reconcile.SetCondition(&obj.Status.Conditions, obj.Generation, v1alpha1.ReadyCondition, false, v1alpha1.ReasonAdoptionRequired, "not ours")
	err := reconcile.PatchStatus(ctx, c, base, obj, k)
	g.Expect(apierrors.IsConflict(err)).To(BeTrue(), "got %v", err)

	got := &v1alpha1.MarketplaceOffer{}
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(offer), got)).To(Succeed())
	g.Expect(got.Status.ProductID).To(Equal("product-1"))
	g.Expect(got.Status.Conditions).NotTo(ContainElement(HaveField("Reason", v1alpha1.ReasonAdoptionRequired)))

	// From the fresh copy, the same patch goes through.
	base, obj = got.DeepCopy(), got.DeepCopy()
	reconcile.SetCondition(&obj.Status.Conditions, obj.Generation, v1alpha1.ReadyCondition, true, v1alpha1.ReasonSucceeded, "fine")
	g.Expect(reconcile.PatchStatus(ctx, c, base, obj, k)).To(Succeed())
}

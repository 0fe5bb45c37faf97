package solution

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// A Solution stalled on a lapsed membership is rechecked as soon as the
// reconcile-requested-at annotation changes, without editing its spec,
// and status.lastHandledReconcileAt echoes the request. Before, a renewed
// membership was noticed only on the slow stalled timer, and nothing said
// whether a request was handled.
func TestReconcileRequestedAtRechecksAStalledSolutionAndEchoesIt(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso", Generation: 1},
		Spec:       v1alpha1.SolutionSpec{SolutionID: "ocp-contoso", PartnerID: "4871234", Action: v1alpha1.ActionDiscard},
	}
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso"})
	f.Prereqs["4871234"] = pc.Prerequisites{MembershipValid: false, MarketplaceAccount: true}
	r := newSolutionReconciler(g, f, sol)
	key := client.ObjectKeyFromObject(sol)
	reconcileOnce := func() *v1alpha1.Solution {
		_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: key})
		g.Expect(err).NotTo(HaveOccurred())
		got := &v1alpha1.Solution{}
		g.Expect(r.Get(ctx, key, got)).To(Succeed())
		return got
	}

	got := reconcileOnce()
	g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonMembershipInvalid))
	g.Expect(got.Status.LastHandledReconcileAt).To(BeEmpty())

	// The partner renews the membership; someone asks for a reconcile now.
	delete(f.Prereqs, "4871234")
	old := got.DeepCopy()
	got.Annotations = map[string]string{v1alpha1.ReconcileRequestedAtAnnotation: "2026-12-02T09:30:00Z"}
	g.Expect(r.Update(ctx, got)).To(Succeed())
	g.Expect(got.Generation).To(Equal(old.Generation), "no spec edit")
	g.Expect(reconcile.OperatorAnnotationChanged.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: got})).To(BeTrue(), "the update wakes the reconciler")

	got = reconcileOnce()
	g.Expect(got.Status.LastHandledReconcileAt).To(Equal("2026-12-02T09:30:00Z"))
	g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonSucceeded))
	g.Expect(got.Status.State).To(Equal(v1alpha1.StateDiscarded))
}

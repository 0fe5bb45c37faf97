package controllers

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakeclient "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// Which updates wake the reconciler: a new generation was handled by the
// generation predicate; of annotations, only the operator's own count.
func TestOperatorAnnotationChangedPredicate(t *testing.T) {
	obj := func(ann map[string]string) *v1alpha1.Solution {
		return &v1alpha1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "s", Generation: 1, Annotations: ann}}
	}
	req := v1alpha1.ReconcileRequestedAtAnnotation
	for _, tc := range []struct {
		name     string
		old, new map[string]string
		want     bool
	}{
		{"reconcile requested", nil, map[string]string{req: "2026-12-02T09:00:00Z"}, true},
		{"reconcile requested again", map[string]string{req: "a"}, map[string]string{req: "b"}, true},
		{"adopt opt-in", nil, map[string]string{v1alpha1.AdoptAnnotation: "true"}, true},
		{"opt-in removed", map[string]string{v1alpha1.AdoptAnnotation: "true"}, nil, true},
		{"same request", map[string]string{req: "a"}, map[string]string{req: "a", "other": "x"}, false},
		{"someone else's annotation", nil, map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(operatorAnnotationChanged.Update(event.UpdateEvent{ObjectOld: obj(tc.old), ObjectNew: obj(tc.new)})).To(Equal(tc.want))
		})
	}
}

// A Solution stalled on a lapsed membership is rechecked as soon as the
// reconcile-requested-at annotation changes, without editing its spec,
// and status.lastHandledReconcileAt echoes the request. Before, a renewed
// membership was noticed only on the slow stalled timer, and nothing said
// whether a request was handled.
func TestReconcileRequestedAtRechecksAStalledSolutionAndEchoesIt(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	scheme := runtime.NewScheme()
	g.Expect(v1alpha1.AddToScheme(scheme)).To(Succeed())
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso", Generation: 1},
		Spec:       v1alpha1.SolutionSpec{SolutionID: "ocp-contoso", PartnerID: "4871234", Action: v1alpha1.ActionDiscard},
	}
	b := fakeclient.NewClientBuilder().WithScheme(scheme).WithStatusSubresource(&v1alpha1.Solution{}).WithObjects(sol)
	g.Expect(IndexFields(ctx, builderIndexer{b})).To(Succeed())
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso"})
	f.Prereqs["4871234"] = pc.Prerequisites{MembershipValid: false, MarketplaceAccount: true}
	r := &SolutionReconciler{Dependencies: Dependencies{Client: b.Build(), PartnerCenter: pc.Static(f), Recorder: events.NewFakeRecorder(100),
		Clock: clocktesting.NewFakePassiveClock(metav1.Now().Time)}}
	r.Options.defaults()
	key := client.ObjectKeyFromObject(sol)
	reconcile := func() *v1alpha1.Solution {
		_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: key})
		g.Expect(err).NotTo(HaveOccurred())
		got := &v1alpha1.Solution{}
		g.Expect(r.Get(ctx, key, got)).To(Succeed())
		return got
	}

	got := reconcile()
	g.Expect(readyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonMembershipInvalid))
	g.Expect(got.Status.LastHandledReconcileAt).To(BeEmpty())

	// The partner renews the membership; someone asks for a reconcile now.
	delete(f.Prereqs, "4871234")
	old := got.DeepCopy()
	got.Annotations = map[string]string{v1alpha1.ReconcileRequestedAtAnnotation: "2026-12-02T09:30:00Z"}
	g.Expect(r.Update(ctx, got)).To(Succeed())
	g.Expect(got.Generation).To(Equal(old.Generation), "no spec edit")
	g.Expect(operatorAnnotationChanged.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: got})).To(BeTrue(), "the update wakes the reconciler")

	got = reconcile()
	g.Expect(got.Status.LastHandledReconcileAt).To(Equal("2026-12-02T09:30:00Z"))
	g.Expect(readyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonSucceeded))
	g.Expect(got.Status.State).To(Equal(v1alpha1.StateDiscarded))
}

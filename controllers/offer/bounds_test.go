package offer

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakeclient "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

func TestCutAtWord(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"fits", "short message", 32, "short message"},
		{"exactly", "abcd", 4, "abcd"},
		{"at a word", "the draft was refused by Partner Center", 20, "the draft was…"},
		{"no space late enough", "supercalifragilistic expialidocious", 12, "supercali…"},
		{"never inside a character", "ééééé", 8, "éé…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			got := reconcile.CutAtWord(tc.in, tc.n)
			g.Expect(got).To(Equal(tc.want))
			g.Expect(len(got)).To(BeNumerically("<=", tc.n))
			g.Expect(utf8.ValidString(got)).To(BeTrue())
		})
	}
}

// An oversized reconcile request is echoed within the field's bound, and
// the echo still changes when the value does, even past the bound.
func TestBoundedEchoFitsAndFollowsTheValue(t *testing.T) {
	g := NewWithT(t)
	g.Expect(reconcile.BoundedEcho("2026-12-07T07:00:00Z")).To(Equal("2026-12-07T07:00:00Z"))
	long := strings.Repeat("é", 300)
	a, b := reconcile.BoundedEcho(long+"a"), reconcile.BoundedEcho(long+"b")
	g.Expect(len(a)).To(BeNumerically("<=", reconcile.MaxReconcileEcho))
	g.Expect(utf8.ValidString(a)).To(BeTrue())
	g.Expect(a).NotTo(Equal(b), "values that differ past the bound echo differently")
	g.Expect(a).To(HavePrefix("ééé"))
}

// Flux's reconcile.fluxcd.io/requestedAt wakes the reconciler, is echoed
// in status.lastHandledReconcileAt as Flux's tools expect, and asks for a
// retry like the operator's own annotation; with both set, the later
// request counts, and the choice does not swing between reconciles.
func TestFluxRequestedAtIsHonouredAndEchoed(t *testing.T) {
	g := NewWithT(t)
	obj := func(ann map[string]string) *v1alpha1.Solution {
		return &v1alpha1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "s", Generation: 1, Annotations: ann}}
	}
	flux := map[string]string{reconcile.FluxRequestedAtAnnotation: "2026-12-07T07:00:00.1Z"}
	g.Expect(reconcile.OperatorAnnotationChanged.Update(event.UpdateEvent{ObjectOld: obj(nil), ObjectNew: obj(flux)})).To(BeTrue())

	var last string
	ctx := reconcile.HandleReconcileRequest(context.Background(), obj(flux), &last)
	g.Expect(last).To(Equal("2026-12-07T07:00:00.1Z"))
	g.Expect(reconcile.RetryRequested(ctx)).To(BeTrue())
	g.Expect(reconcile.RetryRequested(reconcile.HandleReconcileRequest(context.Background(), obj(flux), &last))).To(BeFalse(), "handled once")

	both := map[string]string{reconcile.FluxRequestedAtAnnotation: "2026-12-07T07:00:00.1Z", v1alpha1.ReconcileRequestedAtAnnotation: "2026-12-07T08:00:00Z"}
	g.Expect(reconcile.RetryRequested(reconcile.HandleReconcileRequest(context.Background(), obj(both), &last))).To(BeTrue())
	g.Expect(last).To(Equal("2026-12-07T08:00:00Z"))
	g.Expect(reconcile.RetryRequested(reconcile.HandleReconcileRequest(context.Background(), obj(both), &last))).To(BeFalse(), "no swing back to Flux's value")
}

// Event notes are cut to the API server's bound.
func TestEventNotesAreBounded(t *testing.T) {
	g := NewWithT(t)
	rec := events.NewFakeRecorder(1)
	reconcile.Eventf(rec, &v1alpha1.Solution{}, "Warning", "Stalled", "Reconcile", "%s", strings.Repeat("refused ", 1000))
	note := strings.SplitN(<-rec.Events, " ", 3)[2]
	g.Expect(len(note)).To(BeNumerically("<=", reconcile.MaxEventNote))
	g.Expect(note).To(HaveSuffix("refused…"))
}

// Status writes cut condition messages to metav1.Condition's bound.
func TestBoundConditions(t *testing.T) {
	g := NewWithT(t)
	sol := &v1alpha1.Solution{}
	sol.Status.Conditions = []metav1.Condition{{Type: v1alpha1.ReadyCondition, Message: strings.Repeat("x ", 40000)}}
	reconcile.BoundConditions(sol)
	g.Expect(len(sol.Status.Conditions[0].Message)).To(BeNumerically("<=", reconcile.MaxConditionMessage))
}

// A finalizer is added under the object's resource version: when another
// controller added its own finalizer since the copy was read, the patch is
// refused (and retried on a fresh copy) instead of dropping the other's.
func TestFinalizerPatchKeepsAnotherControllersFinalizer(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	scheme := runtime.NewScheme()
	g.Expect(v1alpha1.AddToScheme(scheme)).To(Succeed())
	offer := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "o"},
		Spec: v1alpha1.MarketplaceOfferSpec{DeletionPolicy: v1alpha1.DeletionPolicyDelete}}
	c := fakeclient.NewClientBuilder().WithScheme(scheme).WithObjects(offer).Build()
	stale := &v1alpha1.MarketplaceOffer{}
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(offer), stale)).To(Succeed())

	other := stale.DeepCopy()
	other.Finalizers = append(other.Finalizers, "example.com/other")
	g.Expect(c.Update(ctx, other)).To(Succeed())

	r := &MarketplaceOfferReconciler{Dependencies: reconcile.Dependencies{Client: c}}
	err := reconcile.EnsureFinalizer(ctx, c, stale, r)
	g.Expect(err).To(HaveOccurred(), "the stale copy's patch is refused")
	got := &v1alpha1.MarketplaceOffer{}
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(offer), got)).To(Succeed())
	g.Expect(got.Finalizers).To(ContainElement("example.com/other"))

	g.Expect(reconcile.EnsureFinalizer(ctx, c, got, r)).To(Succeed(), "a fresh copy gets it")
	g.Expect(c.Get(ctx, client.ObjectKeyFromObject(offer), got)).To(Succeed())
	g.Expect(got.Finalizers).To(ConsistOf("example.com/other", OfferFinalizer))
}

// Package ctrltest holds the test helpers the tests of both kinds
// (controllers/offer, controllers/solution) and of their wiring use: test
// objects, condition expectations, and a fake API client with the
// operator's field indexes.
package ctrltest

import (
	"context"

	"github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakeclient "sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// BuilderIndexer registers the reconcilers' field indexes on a fake client.
type BuilderIndexer struct{ B *fakeclient.ClientBuilder }

// IndexField registers the index on the builder.
func (i BuilderIndexer) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	i.B.WithIndex(obj, field, fn)
	return nil
}

// DraftOffer is a SaaS offer with target Draft.
func DraftOffer() *v1alpha1.MarketplaceOffer {
	return &v1alpha1.MarketplaceOffer{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "contoso-analytics", Generation: 1},
		Spec: v1alpha1.MarketplaceOfferSpec{OfferID: "contoso-analytics", OfferType: v1alpha1.OfferType("SoftwareAsAService"),
			PublisherID: "contoso", Target: v1alpha1.TargetDraft,
			Listing:                v1alpha1.OfferListing{Title: "Contoso Analytics", Summary: "Real-time analytics for retail."},
			ManagedInPartnerCenter: v1alpha1.ManagedInPartnerCenter("SoftwareAsAService")},
	}
}

// MakeProduct creates a product in the fake as someone else would: the
// create job is started and read until it completed.
func MakeProduct(g gomega.Gomega, f *fake.Client, offerID, offerType string) *pc.Product {
	ctx := context.Background()
	job, err := f.CreateProduct(ctx, pc.ProductSpec{OfferID: offerID, OfferType: offerType, Name: offerID})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	p, err := f.FindProduct(ctx, offerID)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	f.Calls = map[string]int{}
	return p
}

// StalledCondition expects o to be Stalled and not Ready, and returns
// its Stalled condition.
func StalledCondition(g gomega.Gomega, o *v1alpha1.MarketplaceOffer) *metav1.Condition {
	c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(c).NotTo(gomega.BeNil(), "Stalled condition")
	g.Expect(c.Status).To(gomega.Equal(metav1.ConditionTrue))
	g.Expect(meta.IsStatusConditionFalse(o.Status.Conditions, v1alpha1.ReadyCondition)).To(gomega.BeTrue(), "Ready=False")
	return c
}

// WantCondition is what a status function should leave of one condition;
// nil means the condition keeps what it had.
type WantCondition struct {
	Status    metav1.ConditionStatus
	Reason    string
	InMessage string
}

// ExpectCondition expects conds to hold condType as want says, for
// generation gen; with want nil, as before.
func ExpectCondition(g gomega.Gomega, conds []metav1.Condition, condType string, gen int64, want *WantCondition, before *metav1.Condition) {
	got := meta.FindStatusCondition(conds, condType)
	if want == nil {
		if before == nil {
			g.Expect(got).To(gomega.BeNil())
			return
		}
		g.Expect(*got).To(gomega.Equal(*before), "%s untouched", condType)
		return
	}
	g.Expect(got).NotTo(gomega.BeNil(), condType)
	g.Expect(got.Status).To(gomega.Equal(want.Status), "%s: %s", got.Reason, got.Message)
	g.Expect(got.Reason).To(gomega.Equal(want.Reason))
	g.Expect(got.Message).To(gomega.ContainSubstring(want.InMessage))
	g.Expect(got.ObservedGeneration).To(gomega.Equal(gen))
}

// Earlier is a condition a previous reconcile left.
func Earlier(condType string) metav1.Condition {
	return metav1.Condition{Type: condType, Status: metav1.ConditionFalse, Reason: "Earlier", Message: "from before", ObservedGeneration: 1}
}

// KstatusOf computes what kstatus (kubectl wait, Flux, Argo CD's generic
// check) reads from the object.
func KstatusOf(g gomega.Gomega, obj runtime.Object) status.Status {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.Expect(err).NotTo(gomega.HaveOccurred())
	res, err := status.Compute(&unstructured.Unstructured{Object: u})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	return res.Status
}

// MigrateSolution is a Solution migrating into the offer offerName.
func MigrateSolution(offerName string) *v1alpha1.Solution {
	return &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-analytics", Generation: 1},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMigrate,
			Migrate: &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: offerName}}},
	}
}

// FakeClient is a fake API client holding objs, with the status
// subresource of both kinds and the operator's field indexes.
func FakeClient(g gomega.Gomega, objs ...client.Object) client.Client {
	scheme := runtime.NewScheme()
	g.Expect(v1alpha1.AddToScheme(scheme)).To(gomega.Succeed())
	b := fakeclient.NewClientBuilder().WithScheme(scheme).
		WithStatusSubresource(&v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}).WithObjects(objs...)
	g.Expect(reconcile.IndexFields(context.Background(), BuilderIndexer{B: b})).To(gomega.Succeed())
	return b.Build()
}

// Deps are a reconciler's dependencies over the API client c and the
// Partner Center client f: a fake event recorder, a fake clock at now and
// the default options.
func Deps(c client.Client, f pc.Client) reconcile.Dependencies {
	d := reconcile.Dependencies{Client: c, PartnerCenter: pc.Static(f), Recorder: events.NewFakeRecorder(100),
		Clock: clocktesting.NewFakePassiveClock(metav1.Now().Time)}
	d.Options.Defaults()
	return d
}

// Rig is one kind's controller as the tests drive it: one reconcile at a
// time of one object, read back after each; its dependencies at hand.
type Rig[O reconcile.Object] struct {
	*reconcile.Dependencies
	C   *reconcile.Controller[O]
	Key types.NamespacedName
}

// NewRig is a rig of controller c reconciling the object named key.
func NewRig[O reconcile.Object](c *reconcile.Controller[O], key types.NamespacedName) *Rig[O] {
	return &Rig[O]{Dependencies: c.Kind.Deps(), C: c, Key: key}
}

// Reconcile runs one reconcile of the rig's object, expects no error, and
// returns the object as stored.
func (r *Rig[O]) Reconcile(g gomega.Gomega) (ctrl.Result, O) {
	return ReconcileOnce(g, r.C, r.Key)
}

// ReconcileOnce runs one reconcile of the object named key through c,
// expects no error, and returns the object as stored.
func ReconcileOnce[O reconcile.Object](g gomega.Gomega, c *reconcile.Controller[O], key types.NamespacedName) (ctrl.Result, O) {
	ctx := context.Background()
	res, err := c.Reconcile(ctx, ctrl.Request{NamespacedName: key})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	got := c.Kind.NewObject()
	g.Expect(c.Kind.Deps().Client.Get(ctx, key, got)).To(gomega.Succeed())
	return res, got
}

package offer

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// OfferFinalizer holds a MarketplaceOffer with deletionPolicy Delete until
// its offer has been deleted or its sale stopped in Partner Center.
const OfferFinalizer = "marketplace.cosell.io/offer-cleanup"

// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// NewController is the MarketplaceOffer controller: the shared skeleton
// (controllers/reconcile) running the offer's opening, then its phases
// (phases.go) or, on deletion, its clean-up (delete.go).
func NewController(deps reconcile.Dependencies) *reconcile.Controller[*v1alpha1.MarketplaceOffer] {
	return reconcile.NewController[*v1alpha1.MarketplaceOffer](&MarketplaceOfferReconciler{Dependencies: deps})
}

// The reconciler is the MarketplaceOffer's part of the shared skeleton: a
// reconcile.Kind, and a Finalizer, Resyncer, StatusObserver and Forgetter.
var (
	_ reconcile.Kind[*v1alpha1.MarketplaceOffer]           = &MarketplaceOfferReconciler{}
	_ reconcile.Finalizer[*v1alpha1.MarketplaceOffer]      = &MarketplaceOfferReconciler{}
	_ reconcile.Resyncer[*v1alpha1.MarketplaceOffer]       = &MarketplaceOfferReconciler{}
	_ reconcile.StatusObserver[*v1alpha1.MarketplaceOffer] = &MarketplaceOfferReconciler{}
	_ reconcile.Forgetter                                  = &MarketplaceOfferReconciler{}
)

func (*MarketplaceOfferReconciler) NewObject() *v1alpha1.MarketplaceOffer {
	return &v1alpha1.MarketplaceOffer{}
}
func (r *MarketplaceOfferReconciler) Deps() *reconcile.Dependencies { return &r.Dependencies }

// Watch: a Solution migrating into or merged into an offer wakes it: the
// offer adopts the migrated draft and lists merged solutions. Deleting an
// offer wakes the others declaring its offer ID.
func (r *MarketplaceOfferReconciler) Watch(b *builder.Builder) *builder.Builder {
	b = watchOfferIDOwners(b, r.Client)
	return b.Watches(&v1alpha1.Solution{}, handler.EnqueueRequestsFromMapFunc(OffersOfSolution),
		builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, solutionStateChanged, solutionStalledChanged)))
}

func (*MarketplaceOfferReconciler) Suspended(o *v1alpha1.MarketplaceOffer) bool {
	return o.Spec.Suspend
}
func (*MarketplaceOfferReconciler) SpecDigest(o *v1alpha1.MarketplaceOffer) string {
	return offerSpecDigest(o)
}
func (r *MarketplaceOfferReconciler) Reconcile(ctx context.Context, o *v1alpha1.MarketplaceOffer) error {
	return r.reconcileOffer(ctx, o)
}
func (*MarketplaceOfferReconciler) ReadyMessage(o *v1alpha1.MarketplaceOffer) string {
	return readyMessage(o)
}
func (*MarketplaceOfferReconciler) StatusOf(o *v1alpha1.MarketplaceOffer) any { return &o.Status }

// StatusPatched records the metrics of a status change (metrics.go).
func (*MarketplaceOfferReconciler) StatusPatched(old, cur *v1alpha1.MarketplaceOffer) {
	observeOffer(old, cur)
}

// Finalizer: only deletionPolicy Delete needs one: Orphan leaves Partner
// Center alone, so deleting the object must not wait for the operator.
func (*MarketplaceOfferReconciler) Finalizer() string { return OfferFinalizer }
func (*MarketplaceOfferReconciler) WantsFinalizer(o *v1alpha1.MarketplaceOffer) bool {
	return o.Spec.DeletionPolicy == v1alpha1.DeletionPolicyDelete
}
func (r *MarketplaceOfferReconciler) Finalize(ctx context.Context, o *v1alpha1.MarketplaceOffer) error {
	return r.finalizeOffer(ctx, o)
}

// ResyncAfter is how long a settled offer waits for its resync (drift.go).
func (r *MarketplaceOfferReconciler) ResyncAfter(o *v1alpha1.MarketplaceOffer) time.Duration {
	return r.resyncAfter(o)
}

// Forget drops the resync schedule of an offer that no longer exists.
func (r *MarketplaceOfferReconciler) Forget(key types.NamespacedName) { r.resyncs.forget(key) }

// OffersOfSolution maps a Solution to the offer it references.
func OffersOfSolution(_ context.Context, obj client.Object) []ctrl.Request {
	sol, ok := obj.(*v1alpha1.Solution)
	if !ok {
		return nil
	}
	if name := reconcile.OfferRefName(sol); name != "" {
		return []ctrl.Request{{NamespacedName: types.NamespacedName{Namespace: sol.Namespace, Name: name}}}
	}
	return nil
}

// solutionStateChanged passes Solution updates whose state changed.
var solutionStateChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*v1alpha1.Solution)
		n, ok2 := e.ObjectNew.(*v1alpha1.Solution)
		return ok1 && ok2 && o.Status.State != n.Status.State
	},
}

func offerSpecDigest(o *v1alpha1.MarketplaceOffer) string {
	spec := o.Spec
	spec.Suspend = false
	return reconcile.ObjectSpecDigest(spec)
}

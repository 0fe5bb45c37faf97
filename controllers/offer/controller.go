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

// MarketplaceOfferReconciler takes MarketplaceOffers through draft,
// certification, preview and live in Partner Center.
type MarketplaceOfferReconciler struct {
	reconcile.Dependencies
	// resyncs is when each offer's next resync is due (drift.go).
	resyncs resyncSchedule
	// deferred counts the retries deferred to the workqueue (controllers/reconcile).
	deferred reconcile.DeferredRetries
}

// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// SetupWithManager registers the reconciler; the field indexes must exist
// (see reconcile.IndexFields).
func (r *MarketplaceOfferReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return reconcile.SetupWithManager(mgr, r, r.kind())
}

// Reconcile runs the shared opening (controllers/reconcile), then the
// offer's phases (phases.go) or, on deletion, its clean-up (delete.go).
func (r *MarketplaceOfferReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcile.Reconcile(ctx, req, r.kind(), &r.deferred)
}

func (r *MarketplaceOfferReconciler) kind() kind { return kind{r} }

// kind is the MarketplaceOffer's part of the shared skeleton: a
// reconcile.Kind, and a Finalizer, Resyncer, StatusObserver and Forgetter.
type kind struct{ r *MarketplaceOfferReconciler }

var (
	_ reconcile.Kind[*v1alpha1.MarketplaceOffer]           = kind{}
	_ reconcile.Finalizer[*v1alpha1.MarketplaceOffer]      = kind{}
	_ reconcile.Resyncer[*v1alpha1.MarketplaceOffer]       = kind{}
	_ reconcile.StatusObserver[*v1alpha1.MarketplaceOffer] = kind{}
	_ reconcile.Forgetter                                  = kind{}
)

func (kind) Name() string                          { return "marketplaceoffer" }
func (kind) NewObject() *v1alpha1.MarketplaceOffer { return &v1alpha1.MarketplaceOffer{} }
func (kind) NewList() client.ObjectList            { return &v1alpha1.MarketplaceOfferList{} }
func (k kind) Deps() *reconcile.Dependencies       { return &k.r.Dependencies }

// Watch: a Solution migrating into or merged into an offer wakes it: the
// offer adopts the migrated draft and lists merged solutions. Deleting an
// offer wakes the others declaring its offer ID.
func (k kind) Watch(b *builder.Builder) *builder.Builder {
	b = watchOfferIDOwners(b, k.r.Client)
	return b.Watches(&v1alpha1.Solution{}, handler.EnqueueRequestsFromMapFunc(OffersOfSolution),
		builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, solutionStateChanged, solutionStalledChanged)))
}

func (kind) Suspended(o *v1alpha1.MarketplaceOffer) bool    { return o.Spec.Suspend }
func (kind) SpecDigest(o *v1alpha1.MarketplaceOffer) string { return offerSpecDigest(o) }
func (k kind) Reconcile(ctx context.Context, o *v1alpha1.MarketplaceOffer) error {
	return k.r.reconcileOffer(ctx, o)
}
func (kind) ReadyMessage(o *v1alpha1.MarketplaceOffer) string { return readyMessage(o) }
func (kind) Status(o *v1alpha1.MarketplaceOffer) any          { return &o.Status }

// StatusPatched records the metrics of a status change (metrics.go).
func (kind) StatusPatched(old, cur *v1alpha1.MarketplaceOffer) { observeOffer(old, cur) }

// Finalizer: only deletionPolicy Delete needs one: Orphan leaves Partner
// Center alone, so deleting the object must not wait for the operator.
func (kind) Finalizer() string { return OfferFinalizer }
func (kind) WantsFinalizer(o *v1alpha1.MarketplaceOffer) bool {
	return o.Spec.DeletionPolicy == v1alpha1.DeletionPolicyDelete
}
func (k kind) Finalize(ctx context.Context, o *v1alpha1.MarketplaceOffer) error {
	return k.r.finalizeOffer(ctx, o)
}

// ResyncAfter is how long a settled offer waits for its resync (drift.go).
func (k kind) ResyncAfter(o *v1alpha1.MarketplaceOffer) time.Duration { return k.r.resyncAfter(o) }

// Forget drops the resync schedule of an offer that no longer exists.
func (k kind) Forget(key types.NamespacedName) { k.r.resyncs.forget(key) }

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

package offer

import (
	"context"

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
	// resyncs is when each offer's next resync is due (marketplaceoffer_drift.go).
	resyncs resyncSchedule
	// deferred counts the retries deferred to the workqueue (reconcile.go).
	deferred reconcile.DeferredRetries
}

// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// SetupWithManager registers the reconciler; the field indexes must exist
// (see IndexFields).
func (r *MarketplaceOfferReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return reconcile.SetupWithManager(mgr, r, r.kind())
}

// Reconcile runs the shared opening (reconcile.go), then the offer's
// phases (marketplaceoffer_phases.go) or, on deletion, its clean-up
// (marketplaceoffer_delete.go).
func (r *MarketplaceOfferReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcile.ReconcileObject(ctx, req, r.kind())
}

func (r *MarketplaceOfferReconciler) kind() *reconcile.Kind[*v1alpha1.MarketplaceOffer] {
	return &reconcile.Kind[*v1alpha1.MarketplaceOffer]{
		Name:      "marketplaceoffer",
		NewObject: func() *v1alpha1.MarketplaceOffer { return &v1alpha1.MarketplaceOffer{} },
		NewList:   func() client.ObjectList { return &v1alpha1.MarketplaceOfferList{} },
		// A Solution migrating into or merged into an offer wakes it: the
		// offer adopts the migrated draft and lists merged solutions.
		// Deleting an offer wakes the others declaring its offer ID.
		Watches: func(b *builder.Builder) *builder.Builder {
			b = watchOfferIDOwners(b, r.Client)
			return b.Watches(&v1alpha1.Solution{}, handler.EnqueueRequestsFromMapFunc(OffersOfSolution),
				builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, solutionStateChanged, solutionStalledChanged)))
		},
		Client: r.Client, Connector: r.PartnerCenter, Clock: &r.Clock, Options: &r.Options, Deferred: &r.deferred,

		Finalizer: OfferFinalizer,
		// Only deletionPolicy Delete needs a finalizer: Orphan leaves
		// Partner Center alone, so deleting the object must not wait for
		// the operator.
		WantsFinalizer:         func(o *v1alpha1.MarketplaceOffer) bool { return o.Spec.DeletionPolicy == v1alpha1.DeletionPolicyDelete },
		Finalize:               r.finalizeOffer,
		Suspended:              func(o *v1alpha1.MarketplaceOffer) bool { return o.Spec.Suspend },
		Reconcile:              r.reconcileOffer,
		ReadyMessage:           readyMessage,
		Status:                 func(o *v1alpha1.MarketplaceOffer) any { return &o.Status },
		ObservedGeneration:     func(o *v1alpha1.MarketplaceOffer) *int64 { return &o.Status.ObservedGeneration },
		LastHandledReconcileAt: func(o *v1alpha1.MarketplaceOffer) *string { return &o.Status.LastHandledReconcileAt },
		SpecDigest:             offerSpecDigest,
		ObservedSpecDigest:     func(o *v1alpha1.MarketplaceOffer) *string { return &o.Status.ObservedSpecDigest },
		StatusPatched: func(old, cur *v1alpha1.MarketplaceOffer) {
			recordOfferTransitions(r.Recorder, old, cur)
			observeOffer(old, cur)
		},
		ResyncAfter: r.resyncAfter,
		Forget:      r.resyncs.forget,
	}
}

// offersOfSolution maps a Solution to the offer it references.
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

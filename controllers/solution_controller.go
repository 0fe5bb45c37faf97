package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// SolutionReconciler carries out the decision about each legacy solution:
// merge, migrate, discard, or undo a discard.
type SolutionReconciler struct {
	Dependencies

	prerequisites prerequisitesCache
	// deferred counts the retries deferred to the workqueue (reconcile.go).
	deferred deferredRetries
}

// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=solutions,verbs=get;list;watch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=solutions/status,verbs=get;update;patch

// SetupWithManager registers the reconciler; the field indexes must exist
// (see IndexFields).
func (r *SolutionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return setupWithManager(mgr, r, r.kind())
}

// Reconcile runs the shared opening (reconcile.go), then the Solution's
// phases (solution_phases.go). Deleting a Solution changes nothing in
// Partner Center: it has no finalizer.
func (r *SolutionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcileObject(ctx, req, r.kind())
}

func (r *SolutionReconciler) kind() *kind[*v1alpha1.Solution] {
	return &kind[*v1alpha1.Solution]{
		name:      "solution",
		newObject: func() *v1alpha1.Solution { return &v1alpha1.Solution{} },
		newList:   func() client.ObjectList { return &v1alpha1.SolutionList{} },
		// An offer that appears, gets its product or goes live wakes the
		// Solutions waiting on it.
		watches: func(b *builder.Builder) *builder.Builder {
			return b.Watches(&v1alpha1.MarketplaceOffer{}, handler.EnqueueRequestsFromMapFunc(r.solutionsOfOffer),
				builder.WithPredicates(offerProgressed))
		},
		client: r.Client, partnerCenter: r.PartnerCenter, connector: r.Connector, clock: &r.Clock, options: &r.Options, deferred: &r.deferred,

		suspended:              func(s *v1alpha1.Solution) bool { return s.Spec.Suspend },
		reconcile:              r.reconcileSolution,
		readyMessage:           solutionReadyMessage,
		status:                 func(s *v1alpha1.Solution) any { return &s.Status },
		observedGeneration:     func(s *v1alpha1.Solution) *int64 { return &s.Status.ObservedGeneration },
		lastHandledReconcileAt: func(s *v1alpha1.Solution) *string { return &s.Status.LastHandledReconcileAt },
		specDigest:             solutionSpecDigest,
		observedSpecDigest:     func(s *v1alpha1.Solution) *string { return &s.Status.ObservedSpecDigest },
		statusPatched:          func(old, cur *v1alpha1.Solution) { recordSolutionTransitions(r.Recorder, old, cur) },
	}
}

// solutionsOfOffer maps an offer to the Solutions that reference it.
func (r *SolutionReconciler) solutionsOfOffer(ctx context.Context, obj client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	for _, index := range []string{migrateOfferIndex, mergeOfferIndex} {
		var sols v1alpha1.SolutionList
		if err := r.List(ctx, &sols, client.InNamespace(obj.GetNamespace()), client.MatchingFields{index: obj.GetName()}); err != nil {
			logf.FromContext(ctx).Error(err, "listing Solutions of an offer", "offer", obj.GetName())
			continue
		}
		for _, s := range sols.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: s.Namespace, Name: s.Name}})
		}
	}
	return reqs
}

// offerProgressed passes offer events that a waiting Solution cares about:
// creation, deletion, a new product ID, a change of liveness or its spec,
// the migration it holds or a first submission (a Migrate refuses a
// submitted offer). Its other stages change nothing for a Solution, and
// are not passed: each would be a reconcile of every Solution naming it.
var offerProgressed = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*v1alpha1.MarketplaceOffer)
		n, ok2 := e.ObjectNew.(*v1alpha1.MarketplaceOffer)
		if !ok1 || !ok2 {
			return false
		}
		return o.Generation != n.Generation || o.Status.ProductID != n.Status.ProductID ||
			isLive(o) != isLive(n) || o.Status.MigratedFrom != n.Status.MigratedFrom ||
			submitted(o) != submitted(n)
	},
}

// isLive reports whether the offer's Live condition is True.
func isLive(o *v1alpha1.MarketplaceOffer) bool {
	return meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.LiveCondition)
}

// submitted reports whether the offer has ever been submitted.
func submitted(o *v1alpha1.MarketplaceOffer) bool {
	return o.Status.PreviewSubmission != nil || o.Status.LiveSubmission != nil
}

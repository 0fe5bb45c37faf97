package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// SolutionReconciler carries out the decision about each legacy solution:
// merge, migrate, discard, or undo a discard.
type SolutionReconciler struct {
	client.Client
	PartnerCenter partnercenter.Client
	Recorder      recorder.EventRecorder
	Clock         clock.PassiveClock
	Options       Options

	prerequisites prerequisitesCache
}

// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=solutions,verbs=get;list;watch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=solutions/status,verbs=get;update;patch

// SetupWithManager registers the reconciler; the field indexes must exist
// (see IndexFields).
func (r *SolutionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	b, err := newController(mgr, setup{
		name: "solution", object: &v1alpha1.Solution{},
		list:   func() client.ObjectList { return &v1alpha1.SolutionList{} },
		client: r.Client, partnerCenter: r.PartnerCenter, clock: &r.Clock, options: &r.Options,
	})
	if err != nil {
		return err
	}
	// An offer that appears, gets its product or goes live wakes the
	// Solutions waiting on it.
	return b.Watches(&v1alpha1.MarketplaceOffer{}, handler.EnqueueRequestsFromMapFunc(r.solutionsOfOffer),
		builder.WithPredicates(offerProgressed)).
		Complete(r)
}

// Reconcile runs the shared opening (reconcile.go), then the Solution's
// phases (solution_phases.go). Deleting a Solution changes nothing in
// Partner Center: it has no finalizer.
func (r *SolutionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcileObject(ctx, r.Client, &r.Options, req.NamespacedName, &v1alpha1.Solution{}, &kindHooks[*v1alpha1.Solution]{
		suspended:    func(s *v1alpha1.Solution) bool { return s.Spec.Suspend },
		reconcile:    r.reconcileSolution,
		readyMessage: solutionReadyMessage,
		status:       func(s *v1alpha1.Solution) any { return &s.Status },
		setObservedGeneration: func(s *v1alpha1.Solution, gen int64) {
			s.Status.ObservedGeneration = gen
		},
		statusPatched: func(old, cur *v1alpha1.Solution) { recordSolutionTransitions(r.Recorder, old, cur) },
	})
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
// creation, deletion, a new product ID, a change of liveness or its spec.
var offerProgressed = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*v1alpha1.MarketplaceOffer)
		n, ok2 := e.ObjectNew.(*v1alpha1.MarketplaceOffer)
		if !ok1 || !ok2 {
			return false
		}
		return o.Generation != n.Generation || o.Status.ProductID != n.Status.ProductID ||
			o.Status.LiveURL != n.Status.LiveURL || o.Status.Phase != n.Status.Phase
	},
}

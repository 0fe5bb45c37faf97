package solution

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=solutions,verbs=get;list;watch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=solutions/status,verbs=get;update;patch

// NewController is the Solution controller: the shared skeleton
// (controllers/reconcile) running the Solution's phases (phases.go).
// Deleting a Solution changes nothing in Partner Center: it has no
// finalizer.
func NewController(deps reconcile.Dependencies) *reconcile.Controller[*v1alpha1.Solution] {
	return reconcile.NewController[*v1alpha1.Solution](&SolutionReconciler{Dependencies: deps})
}

// The reconciler is the Solution's part of the shared skeleton.
var _ reconcile.Kind[*v1alpha1.Solution] = &SolutionReconciler{}

func (*SolutionReconciler) NewObject() *v1alpha1.Solution   { return &v1alpha1.Solution{} }
func (r *SolutionReconciler) Deps() *reconcile.Dependencies { return &r.Dependencies }

// Watch: an offer that appears, gets its product or goes live wakes the
// Solutions waiting on it.
func (r *SolutionReconciler) Watch(b *builder.Builder) *builder.Builder {
	return b.Watches(&v1alpha1.MarketplaceOffer{}, handler.EnqueueRequestsFromMapFunc(r.solutionsOfOffer),
		builder.WithPredicates(offerProgressed))
}

func (*SolutionReconciler) Suspended(s *v1alpha1.Solution) bool    { return s.Spec.Suspend }
func (*SolutionReconciler) SpecDigest(s *v1alpha1.Solution) string { return solutionSpecDigest(s) }
func (r *SolutionReconciler) Reconcile(ctx context.Context, s *v1alpha1.Solution) error {
	return r.reconcileSolution(ctx, s)
}
func (*SolutionReconciler) ReadyMessage(s *v1alpha1.Solution) string { return solutionReadyMessage(s) }
func (*SolutionReconciler) StatusOf(s *v1alpha1.Solution) any        { return &s.Status }

// Transition is the event of a change of the Solution's state.
func (*SolutionReconciler) Transition(old, cur *v1alpha1.Solution) (reason, note string) {
	if old.Status.State != cur.Status.State && cur.Status.State != "" {
		return string(cur.Status.State), "Partner Center reports the solution " + string(cur.Status.State)
	}
	return "", ""
}

// solutionsOfOffer maps an offer to the Solutions that reference it.
func (r *SolutionReconciler) solutionsOfOffer(ctx context.Context, obj client.Object) []ctrl.Request {
	var reqs []ctrl.Request
	for _, index := range []string{reconcile.MigrateOfferIndex, reconcile.MergeOfferIndex} {
		var sols v1alpha1.SolutionList
		if err := r.List(ctx, &sols, client.InNamespace(obj.GetNamespace()), client.MatchingFields{index: obj.GetName()}); err != nil {
			logf.FromContext(ctx).Error(err, "listing Solutions of an offer", "offer", obj.GetName())
			continue
		}
		for _, s := range sols.Items {
			reqs = append(reqs, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: s.Namespace, Name: s.Name}})
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

func solutionSpecDigest(s *v1alpha1.Solution) string {
	spec := s.Spec
	spec.Suspend = false
	return reconcile.ObjectSpecDigest(spec)
}

// reconcileSolution runs the Solution's phases in order, then sets its
// conditions from what they found.
func (r *SolutionReconciler) reconcileSolution(ctx context.Context, sol *v1alpha1.Solution) error {
	s := &solutionScope{sol: sol}
	if err := r.ownSolution(ctx, s); err != nil {
		return err
	}
	pc, err := r.PartnerCenter.Connect(ctx, sol.Namespace)
	if err != nil {
		err = reconcile.PartnerCenterError(err)
		setSolutionConditions(s)
		return err
	}
	run := &solutionRun{SolutionReconciler: r, pc: pc}
	if !servesMigration(pc) {
		return run.handOff(ctx, s) // handoff.go
	}
	return run.reconcile(ctx, s)
}

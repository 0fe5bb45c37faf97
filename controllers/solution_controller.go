package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
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
	if r.PartnerCenter == nil {
		return fmt.Errorf("SolutionReconciler needs a Partner Center client")
	}
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	r.Options.defaults()
	b := ctrl.NewControllerManagedBy(mgr).
		For(&v1.Solution{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// An offer that appears, gets its product or goes live wakes the
		// Solutions waiting on it.
		Watches(&v1.MarketplaceOffer{}, handler.EnqueueRequestsFromMapFunc(r.solutionsOfOffer),
			builder.WithPredicates(offerProgressed))
	if s := r.Options.CredentialsSecret; s != nil {
		b = b.Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.notReadySolutions), builder.WithPredicates(isSecret(*s)))
	}
	return b.WithOptions(controller.Options{MaxConcurrentReconciles: max(r.Options.Concurrency, 1), RateLimiter: r.Options.RateLimiter}).
		Named("solution").
		Complete(r)
}

// Reconcile follows the same opening as the offer reconciler.
func (r *SolutionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	sol := &v1.Solution{}
	if err := r.Get(ctx, req.NamespacedName, sol); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	// Deleting a Solution changes nothing in Partner Center: no finalizer.
	if !sol.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	base := sol.DeepCopy()
	gen := sol.Generation
	defer func() {
		if err := r.patchStatus(ctx, base, sol); err != nil && retErr == nil {
			retErr = err
		}
	}()
	if sol.Spec.Suspend {
		summarizeSuspended(&sol.Status.Conditions, gen)
		sol.Status.ObservedGeneration = gen
		return ctrl.Result{}, nil
	}
	markStale(&sol.Status.Conditions, gen)

	err := r.reconcileSolution(ctx, sol)
	o := classify(err, v1.ReasonPartnerCenterError)
	summarize(&sol.Status.Conditions, gen, o, solutionReadyMessage(sol))
	if o.kind != outcomeError {
		sol.Status.ObservedGeneration = gen
	}
	switch o.kind {
	case outcomeError:
		logf.FromContext(ctx).Info("Partner Center call failed; retrying with backoff", "error", err.Error())
		return ctrl.Result{}, err
	case outcomeStalled:
		return ctrl.Result{RequeueAfter: jitter(r.Options.StalledRecheck)}, nil
	case outcomeWaiting:
		return ctrl.Result{RequeueAfter: o.after}, nil
	}
	return ctrl.Result{}, nil
}

func (r *SolutionReconciler) patchStatus(ctx context.Context, base, sol *v1.Solution) error {
	if equality.Semantic.DeepEqual(base.Status, sol.Status) {
		return nil
	}
	if err := r.Status().Patch(ctx, sol, client.MergeFrom(base)); err != nil {
		return client.IgnoreNotFound(err)
	}
	recordSolutionTransitions(r.Recorder, base, sol)
	return nil
}

func solutionReadyMessage(sol *v1.Solution) string {
	st := &sol.Status
	switch st.State {
	case v1.StateMigrated:
		return fmt.Sprintf("migrated into draft offer %s (product %s)", st.Offer, st.ProductID)
	case v1.StateMerged:
		return fmt.Sprintf("merged into %s (support request %s)", st.Offer, st.SupportRequestID)
	case v1.StateDiscarded:
		return "discarded; change spec.action to undo"
	}
	return string(st.State)
}

// solutionsOfOffer maps an offer to the Solutions that reference it.
func (r *SolutionReconciler) solutionsOfOffer(ctx context.Context, obj client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	for _, index := range []string{migrateOfferIndex, mergeOfferIndex} {
		var sols v1.SolutionList
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
		o, ok1 := e.ObjectOld.(*v1.MarketplaceOffer)
		n, ok2 := e.ObjectNew.(*v1.MarketplaceOffer)
		if !ok1 || !ok2 {
			return false
		}
		return o.Generation != n.Generation || o.Status.ProductID != n.Status.ProductID ||
			o.Status.LiveURL != n.Status.LiveURL || o.Status.Phase != n.Status.Phase
	},
}

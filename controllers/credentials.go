package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// A change of the Partner Center credentials Secret wakes every object that
// is not Ready: a rotated or fixed secret may be what it was waiting for.

// isSecret passes events of the one Secret named key.
func isSecret(key types.NamespacedName) predicate.Predicate {
	return predicate.NewPredicateFuncs(func(o client.Object) bool {
		return o.GetNamespace() == key.Namespace && o.GetName() == key.Name
	})
}

func (r *MarketplaceOfferReconciler) notReadyOffers(ctx context.Context, _ client.Object) []reconcile.Request {
	var list v1.MarketplaceOfferList
	if err := r.List(ctx, &list); err != nil {
		logf.FromContext(ctx).Error(err, "listing MarketplaceOffers to wake after a credentials change")
		return nil
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		reqs = appendNotReady(reqs, &list.Items[i], list.Items[i].Status.Conditions)
	}
	return reqs
}

func (r *SolutionReconciler) notReadySolutions(ctx context.Context, _ client.Object) []reconcile.Request {
	var list v1.SolutionList
	if err := r.List(ctx, &list); err != nil {
		logf.FromContext(ctx).Error(err, "listing Solutions to wake after a credentials change")
		return nil
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		reqs = appendNotReady(reqs, &list.Items[i], list.Items[i].Status.Conditions)
	}
	return reqs
}

func appendNotReady(reqs []reconcile.Request, obj client.Object, conds []metav1.Condition) []reconcile.Request {
	if meta.IsStatusConditionTrue(conds, v1.ReadyCondition) {
		return reqs
	}
	return append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
}

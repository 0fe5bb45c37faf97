package reconcile

import (
	"unique"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// ShareCachedStrings makes the strings the operator writes into every
// object's status, and that repeat from object to object, one copy in the
// informer cache instead of one per object: the conditions (type, status,
// reason and message: offers of the same shape carry the same DraftSynced
// and CoSellReady messages, several hundred bytes each), the phase or
// state, and the namespace. The manager's cache transform calls it on each
// object it stores (main.go). Cached objects are never modified in place
// (the reconcilers work on copies), and equal strings are interchangeable,
// so nothing reads differently; a string no object holds any more is
// collected (package unique keeps only weak references). Spec text is
// left alone: it is the user's, and rarely repeats across offers.
func ShareCachedStrings(obj client.Object) {
	if ns := obj.GetNamespace(); ns != "" {
		obj.SetNamespace(share(ns))
	}
	switch o := obj.(type) {
	case *v1alpha1.MarketplaceOffer:
		shareConditions(o.Status.Conditions)
		o.Status.Phase = share(o.Status.Phase)
	case *v1alpha1.Solution:
		shareConditions(o.Status.Conditions)
		o.Status.State = share(o.Status.State)
	}
}

func shareConditions(conds []metav1.Condition) {
	for i := range conds {
		c := &conds[i]
		c.Type, c.Status, c.Reason, c.Message = share(c.Type), share(c.Status), share(c.Reason), share(c.Message)
	}
}

// share returns the one copy of s that every caller of share gets.
func share[S ~string](s S) S {
	if s == "" {
		return s
	}
	return unique.Make(s).Value()
}

package reconcile

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// A change of the global Partner Center credentials Secret wakes every
// object that is not Ready: a rotated or fixed secret may be what it was
// waiting for. A team namespace's Secret is read by the Connector
// (partnercenter.Connector, wired in main.go) uncached, never watched: an
// object stalled for want of it is checked again on the stalled timer, or
// at once with the reconcile-requested-at annotation.

// credentialsStalled is the stall of a Partner Center error that says the
// namespace's credentials are missing, unreadable or incomplete
// (partnercenter.IsCredentials), or nil for any other error.
func credentialsStalled(err error) error {
	if !partnercenter.IsCredentials(err) {
		return nil
	}
	msg := err.Error()
	var pcErr *partnercenter.Error
	if errors.As(err, &pcErr) && pcErr.Message != "" {
		msg = pcErr.Message
	}
	return Stalled(v1alpha1.ReasonCredentialsUnavailable, "%s", msg)
}

// watchCredentials adds the watch of the credentials Secret key, when
// there is one, waking the objects of newList's kind that are not Ready.
func watchCredentials(b *builder.Builder, c client.Reader, key *types.NamespacedName, newList func() client.ObjectList) *builder.Builder {
	if key == nil {
		return b
	}
	return b.Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(notReady(c, newList)),
		builder.WithPredicates(isSecret(*key)))
}

// isSecret passes events of the one Secret named key.
func isSecret(key types.NamespacedName) predicate.Predicate {
	return predicate.NewPredicateFuncs(func(o client.Object) bool {
		return o.GetNamespace() == key.Namespace && o.GetName() == key.Name
	})
}

// notReady maps any event to every object of newList's kind that is not
// Ready.
func notReady(c client.Reader, newList func() client.ObjectList) handler.MapFunc {
	return func(ctx context.Context, _ client.Object) []reconcile.Request {
		list := newList()
		if err := c.List(ctx, list); err != nil {
			logf.FromContext(ctx).Error(err, "listing objects to wake after a credentials change")
			return nil
		}
		var reqs []reconcile.Request
		_ = meta.EachListItem(list, func(item runtime.Object) error {
			obj, ok := item.(Object)
			if ok && !meta.IsStatusConditionTrue(obj.GetConditions(), v1alpha1.ReadyCondition) {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
			}
			return nil
		})
		return reqs
	}
}

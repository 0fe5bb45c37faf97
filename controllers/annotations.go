package controllers

import (
	"context"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// The operator's annotations (api/v1alpha1/annotations.go): a change of
// any of them triggers a reconcile, and a request to reconcile now is
// echoed in status once handled.

// operatorAnnotationChanged passes updates that add, change or remove an
// annotation under v1alpha1.AnnotationPrefix, such as a new
// reconcile-requested-at value or the adopt opt-in. Other annotations
// (kubectl's last-applied configuration, tools' bookkeeping) do not wake
// the reconciler.
var operatorAnnotationChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		if e.ObjectOld == nil || e.ObjectNew == nil {
			return false
		}
		return !operatorAnnotationsEqual(e.ObjectOld.GetAnnotations(), e.ObjectNew.GetAnnotations())
	},
}

func operatorAnnotationsEqual(a, b map[string]string) bool {
	for _, m := range [][2]map[string]string{{a, b}, {b, a}} {
		for k, v := range m[0] {
			if w, ok := m[1][k]; strings.HasPrefix(k, v1alpha1.AnnotationPrefix) && (!ok || w != v) {
				return false
			}
		}
	}
	return true
}

// handleReconcileRequest records that the reconcile asked for by the
// reconcile-requested-at annotation was handled: lastHandled (the kind's
// status.lastHandledReconcileAt) takes the annotation's value. When the
// value is new, the returned context says so (retryRequested): the
// phases then retry, once, what Partner Center refused and what would
// otherwise be retried only after an edit of the spec.
func handleReconcileRequest(ctx context.Context, obj client.Object, lastHandled *string) context.Context {
	v, ok := obj.GetAnnotations()[v1alpha1.ReconcileRequestedAtAnnotation]
	if !ok {
		return ctx
	}
	isNew := v != *lastHandled
	*lastHandled = v
	if !isNew {
		return ctx
	}
	return context.WithValue(ctx, retryRequestedKey{}, true)
}

type retryRequestedKey struct{}

// retryRequested reports whether the reconcile of ctx handles a new value
// of the reconcile-requested-at annotation. Only that one reconcile sees
// it: a refusal repeated by the retry stays until the next request, so a
// refused draft, certification or go-live is retried once per request,
// never in a loop.
func retryRequested(ctx context.Context) bool {
	v, _ := ctx.Value(retryRequestedKey{}).(bool)
	return v
}

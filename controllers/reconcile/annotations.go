package reconcile

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

// OperatorAnnotationChanged passes updates that add, change or remove an
// annotation under v1alpha1.AnnotationPrefix, such as a new
// reconcile-requested-at value or the adopt opt-in. Other annotations
// (kubectl's last-applied configuration, tools' bookkeeping) do not wake
// the reconciler.
var OperatorAnnotationChanged = predicate.Funcs{
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
			ours := strings.HasPrefix(k, v1alpha1.AnnotationPrefix) || k == FluxRequestedAtAnnotation
			if w, ok := m[1][k]; ours && (!ok || w != v) {
				return false
			}
		}
	}
	return true
}

// FluxRequestedAtAnnotation is Flux's request for a reconcile now (set by
// `flux reconcile` and by Flux's notification receivers). The operator
// honours it like its own reconcile-requested-at annotation and echoes it
// in status.lastHandledReconcileAt, where Flux's tools look for it.
const FluxRequestedAtAnnotation = "reconcile.fluxcd.io/requestedAt"

// requestedAt is the reconcile request that annotations hold: the value
// of the reconcile-requested-at annotation or of Flux's requestedAt. When
// both are set, the greater value counts (both are timestamps in RFC 3339
// form by convention, so the later request), so that the choice does not
// swing between the two from one reconcile to the next.
func requestedAt(annotations map[string]string) (string, bool) {
	ours, okOurs := annotations[v1alpha1.ReconcileRequestedAtAnnotation]
	flux, okFlux := annotations[FluxRequestedAtAnnotation]
	switch {
	case okOurs && okFlux:
		return max(ours, flux), true
	case okFlux:
		return flux, true
	}
	return ours, okOurs
}

// HandleReconcileRequest records that the reconcile asked for by the
// reconcile-requested-at annotation (or Flux's, see requestedAt) was
// handled: lastHandled (the kind's status.lastHandledReconcileAt) takes
// the annotation's value, cut to its bound with a digest of the whole
// (boundedEcho). When the value is new, the returned context says so
// (retryRequested): the phases then retry, once, what Partner Center
// refused and what would otherwise be retried only after an edit of the
// spec.
func HandleReconcileRequest(ctx context.Context, obj client.Object, lastHandled *string) context.Context {
	v, ok := requestedAt(obj.GetAnnotations())
	if !ok {
		return ctx
	}
	echo := BoundedEcho(v)
	isNew := echo != *lastHandled
	*lastHandled = echo
	if !isNew {
		return ctx
	}
	return context.WithValue(ctx, retryRequestedKey{}, true)
}

type retryRequestedKey struct{}

// RetryRequested reports whether the reconcile of ctx handles a new value
// of the reconcile-requested-at annotation. Only that one reconcile sees
// it: a refusal repeated by the retry stays until the next request, so a
// refused draft, certification or go-live is retried once per request,
// never in a loop.
func RetryRequested(ctx context.Context) bool {
	v, _ := ctx.Value(retryRequestedKey{}).(bool)
	return v
}

package reconcile

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// Which updates wake the reconciler: a new generation was handled by the
// generation predicate; of annotations, only the operator's own count.
func TestOperatorAnnotationChangedPredicate(t *testing.T) {
	obj := func(ann map[string]string) *v1alpha1.Solution {
		return &v1alpha1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "s", Generation: 1, Annotations: ann}}
	}
	req := v1alpha1.ReconcileRequestedAtAnnotation
	for _, tc := range []struct {
		name     string
		old, new map[string]string
		want     bool
	}{
		{"reconcile requested", nil, map[string]string{req: "2026-12-02T09:00:00Z"}, true},
		{"reconcile requested again", map[string]string{req: "a"}, map[string]string{req: "b"}, true},
		{"adopt opt-in", nil, map[string]string{v1alpha1.AdoptAnnotation: "true"}, true},
		{"opt-in removed", map[string]string{v1alpha1.AdoptAnnotation: "true"}, nil, true},
		{"same request", map[string]string{req: "a"}, map[string]string{req: "a", "other": "x"}, false},
		{"someone else's annotation", nil, map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(OperatorAnnotationChanged.Update(event.UpdateEvent{ObjectOld: obj(tc.old), ObjectNew: obj(tc.new)})).To(Equal(tc.want))
		})
	}
}

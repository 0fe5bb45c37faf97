package reconcile

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// ReadyOf is the status of the Ready condition, for the metrics of both
// kinds: True, False or Unknown.
func ReadyOf(conds []metav1.Condition) string {
	if c := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition); c != nil {
		return string(c.Status)
	}
	return "Unknown"
}

// BoolValue is 1 for true, else 0, for a gauge.
func BoolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

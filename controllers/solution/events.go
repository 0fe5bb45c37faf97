package solution

import (
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

func recordSolutionTransitions(rec recorder.EventRecorder, old, cur *v1alpha1.Solution) {
	if rec == nil {
		return
	}
	stateChanged := old.Status.State != cur.Status.State && cur.Status.State != ""
	if stateChanged {
		reconcile.Eventf(rec, cur, "Normal", string(cur.Status.State), "Reconcile", "Partner Center reports the solution %s", cur.Status.State)
	}
	reconcile.RecordConditionTransitions(rec, cur, old.Status.Conditions, cur.Status.Conditions, !stateChanged)
}

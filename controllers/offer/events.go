package offer

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

func recordOfferTransitions(rec recorder.EventRecorder, old, cur *v1alpha1.MarketplaceOffer) {
	if rec == nil {
		return
	}
	phaseChanged := old.Status.Phase != cur.Status.Phase && cur.Status.Phase != ""
	if phaseChanged {
		reconcile.Eventf(rec, cur, "Normal", "Phase"+string(cur.Status.Phase), "Reconcile", "%s", phaseNote(cur))
	}
	reconcile.RecordConditionTransitions(rec, cur, old.Status.Conditions, cur.Status.Conditions, !phaseChanged)
}

func phaseNote(o *v1alpha1.MarketplaceOffer) string {
	if c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.ReadyCondition); c != nil && c.Message != "" {
		return "phase " + string(o.Status.Phase) + ": " + c.Message
	}
	return "phase " + string(o.Status.Phase)
}

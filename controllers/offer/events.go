package offer

import (
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// Transition is the event of a change of the offer's phase.
func (*MarketplaceOfferReconciler) Transition(old, cur *v1alpha1.MarketplaceOffer) (reason, note string) {
	if old.Status.Phase != cur.Status.Phase && cur.Status.Phase != "" {
		return "Phase" + string(cur.Status.Phase), phaseNote(cur)
	}
	return "", ""
}

func phaseNote(o *v1alpha1.MarketplaceOffer) string {
	if c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.ReadyCondition); c != nil && c.Message != "" {
		return "phase " + string(o.Status.Phase) + ": " + c.Message
	}
	return "phase " + string(o.Status.Phase)
}

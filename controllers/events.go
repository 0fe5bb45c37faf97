package controllers

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// Events are recorded on transitions and recoveries only, never on every
// requeue: a change of phase or state, and a change of Ready or Stalled.
// One status change records at most one Normal event: a phase or state
// event carries Ready's message, so a separate Ready event would repeat it.

func recordOfferTransitions(rec recorder.EventRecorder, old, cur *v1alpha1.MarketplaceOffer) {
	if rec == nil {
		return
	}
	phaseChanged := old.Status.Phase != cur.Status.Phase && cur.Status.Phase != ""
	if phaseChanged {
		eventf(rec, cur, "Normal", "Phase"+string(cur.Status.Phase), "Reconcile", "%s", phaseNote(cur))
	}
	recordConditionTransitions(rec, cur, old.Status.Conditions, cur.Status.Conditions, !phaseChanged)
}

func phaseNote(o *v1alpha1.MarketplaceOffer) string {
	if c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.ReadyCondition); c != nil && c.Message != "" {
		return "phase " + string(o.Status.Phase) + ": " + c.Message
	}
	return "phase " + string(o.Status.Phase)
}

func recordSolutionTransitions(rec recorder.EventRecorder, old, cur *v1alpha1.Solution) {
	if rec == nil {
		return
	}
	stateChanged := old.Status.State != cur.Status.State && cur.Status.State != ""
	if stateChanged {
		eventf(rec, cur, "Normal", string(cur.Status.State), "Reconcile", "Partner Center reports the solution %s", cur.Status.State)
	}
	recordConditionTransitions(rec, cur, old.Status.Conditions, cur.Status.Conditions, !stateChanged)
}

// recordConditionTransitions emits a Warning when an object stalls and a
// Normal event when it recovers from a stall or, with readyEvent, when it
// becomes Ready.
func recordConditionTransitions(rec recorder.EventRecorder, obj client.Object, old, cur []metav1.Condition, readyEvent bool) {
	was := meta.FindStatusCondition(old, v1alpha1.StalledCondition)
	now := meta.FindStatusCondition(cur, v1alpha1.StalledCondition)
	switch {
	case now != nil && (was == nil || was.Reason != now.Reason || was.Message != now.Message):
		eventf(rec, obj, "Warning", now.Reason, "Reconcile", "%s", now.Message)
	case now == nil && was != nil:
		eventf(rec, obj, "Normal", "Recovered", "Reconcile", "no longer stalled (was %s)", was.Reason)
	}
	if readyEvent && meta.IsStatusConditionTrue(cur, v1alpha1.ReadyCondition) && !meta.IsStatusConditionTrue(old, v1alpha1.ReadyCondition) {
		c := meta.FindStatusCondition(cur, v1alpha1.ReadyCondition)
		eventf(rec, obj, "Normal", "Ready", "Reconcile", "%s", c.Message)
	}
}

// eventf records an event whose note, formatted from format and args, is
// cut to the API server's bound (bounds.go), so that no note is refused.
func eventf(rec recorder.EventRecorder, obj runtime.Object, eventtype, reason, action, format string, args ...any) {
	if rec == nil {
		return
	}
	rec.Eventf(obj, nil, eventtype, reason, action, "%s", cutAtWord(fmt.Sprintf(format, args...), maxEventNote))
}

package reconcile

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

// recordTransitions records the events of a status change: a Normal
// event with reason and note when the kind's own phase or state changed
// (reason is "" when it did not), then those of the conditions (Ready's
// only when no such event was recorded).
func recordTransitions(rec recorder.EventRecorder, old, cur Object, reason, note string) {
	if rec == nil {
		return
	}
	if reason != "" {
		Eventf(rec, cur, "Normal", reason, "Reconcile", "%s", note)
	}
	recordConditionTransitions(rec, cur, old.GetConditions(), cur.GetConditions(), reason == "")
}

// recordConditionTransitions emits a Warning when an object stalls and a
// Normal event when it recovers from a stall or, with readyEvent, when it
// becomes Ready.
func recordConditionTransitions(rec recorder.EventRecorder, obj client.Object, old, cur []metav1.Condition, readyEvent bool) {
	was := meta.FindStatusCondition(old, v1alpha1.StalledCondition)
	now := meta.FindStatusCondition(cur, v1alpha1.StalledCondition)
	switch {
	case now != nil && (was == nil || was.Reason != now.Reason || was.Message != now.Message):
		Eventf(rec, obj, "Warning", now.Reason, "Reconcile", "%s", now.Message)
	case now == nil && was != nil:
		Eventf(rec, obj, "Normal", "Recovered", "Reconcile", "no longer stalled (was %s)", was.Reason)
	}
	if readyEvent && meta.IsStatusConditionTrue(cur, v1alpha1.ReadyCondition) && !meta.IsStatusConditionTrue(old, v1alpha1.ReadyCondition) {
		c := meta.FindStatusCondition(cur, v1alpha1.ReadyCondition)
		Eventf(rec, obj, "Normal", "Ready", "Reconcile", "%s", c.Message)
	}
}

// Eventf records an event whose note, formatted from format and args, is
// cut to the API server's bound (bounds.go), so that no note is refused.
func Eventf(rec recorder.EventRecorder, obj runtime.Object, eventtype, reason, action, format string, args ...any) {
	if rec == nil {
		return
	}
	rec.Eventf(obj, nil, eventtype, reason, action, "%s", CutAtWord(fmt.Sprintf(format, args...), MaxEventNote))
}

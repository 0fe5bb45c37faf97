package reconcile

import (
	"fmt"
	"math/rand/v2"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// summarize sets the kstatus conditions (Ready, Reconciling, Stalled) of an
// object of generation gen from the outcome of a reconcile. readyMessage is
// Ready's message when the outcome is done. It does no I/O.
//
// Reconciling and Stalled are abnormal-true: present only while True.
func summarize(conds *[]metav1.Condition, gen int64, o outcome, readyMessage string) {
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(conds, metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen})
	}
	switch o.kind {
	case outcomeDone:
		set(v1alpha1.ReadyCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, readyMessage)
		meta.RemoveStatusCondition(conds, v1alpha1.ReconcilingCondition)
		meta.RemoveStatusCondition(conds, v1alpha1.StalledCondition)
	case outcomeStalled:
		set(v1alpha1.ReadyCondition, metav1.ConditionFalse, o.Reason, o.message)
		set(v1alpha1.StalledCondition, metav1.ConditionTrue, o.Reason, o.message)
		meta.RemoveStatusCondition(conds, v1alpha1.ReconcilingCondition)
	case outcomeWaiting, outcomeError:
		set(v1alpha1.ReadyCondition, metav1.ConditionFalse, o.Reason, o.message)
		set(v1alpha1.ReconcilingCondition, metav1.ConditionTrue, o.Reason, o.message)
		meta.RemoveStatusCondition(conds, v1alpha1.StalledCondition)
	}
}

// markStale turns Ready off at once for a generation not yet handled, so
// that `kubectl wait --for=condition=Ready` never returns on stale truth.
func markStale(conds *[]metav1.Condition, gen int64) {
	if c := meta.FindStatusCondition(*conds, v1alpha1.ReadyCondition); c != nil && c.ObservedGeneration == gen {
		return
	}
	meta.SetStatusCondition(conds, metav1.Condition{
		Type: v1alpha1.ReadyCondition, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonProgressing,
		Message: "reconciling a new generation", ObservedGeneration: gen,
	})
}

// SetCondition sets a domain condition for generation gen.
func SetCondition(conds *[]metav1.Condition, gen int64, t string, status bool, reason, format string, args ...any) {
	s := metav1.ConditionFalse
	if status {
		s = metav1.ConditionTrue
	}
	msg := format
	if len(args) > 0 {
		msg = sprintf(format, args...)
	}
	meta.SetStatusCondition(conds, metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen})
}

// PollAfter is how long to wait before asking Partner Center again about
// something that started elapsed ago: a quarter of its age, between min
// and max, with 10% jitter so that many objects do not poll in step.
func PollAfter(elapsed, minDelay, maxDelay time.Duration) time.Duration {
	d := min(max(elapsed/4, minDelay), maxDelay)
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// jitter spreads periodic rechecks by up to 10%.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

var sprintf = fmt.Sprintf

// ReadyReason is the reason of the Ready condition, or "".
func ReadyReason(conds []metav1.Condition) string {
	if c := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition); c != nil {
		return c.Reason
	}
	return ""
}

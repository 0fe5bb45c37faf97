package reconcile

import (
	"errors"
	"fmt"
	"time"
)

// StalledError means a person must act: the spec, a reference or Partner
// Center's state has to change. The object gets Stalled=True and is checked
// again on a slow timer and on related changes; the error is not returned to
// the workqueue, so it does not back off into silence nor spin.
type StalledError struct {
	reason  string
	Message string
}

func (e *StalledError) Error() string { return e.Message }

func Stalled(reason, format string, args ...any) error {
	return &StalledError{reason: reason, Message: fmt.Sprintf(format, args...)}
}

// WaitError means progress depends on something that will happen by itself:
// certification, a merge request, another object. The object stays
// Reconciling=True and is requeued after the given delay, without an error.
// A zero delay waits for a watch event only.
type WaitError struct {
	Reason  string
	Message string
	After   time.Duration
}

func (e *WaitError) Error() string { return e.Message }

func Waiting(after time.Duration, reason, format string, args ...any) error {
	return &WaitError{Reason: reason, Message: fmt.Sprintf(format, args...), After: after}
}

// outcome classifies what a reconcile ended with, for the status summary.
type outcome struct {
	// kind is one of outcomeDone, outcomeWaiting, outcomeStalled, outcomeError.
	kind    outcomeKind
	Reason  string
	message string
	after   time.Duration
}

type outcomeKind int

const (
	outcomeDone outcomeKind = iota
	outcomeWaiting
	outcomeStalled
	outcomeError
)

// Classify turns the error a reconcile returned into an outcome. Errors
// that are neither stalled nor waiting are transient: they go back to the
// workqueue, whose rate limiter backs off.
func Classify(err error, errorReason string) outcome {
	var st *StalledError
	var wt *WaitError
	switch {
	case err == nil:
		return outcome{kind: outcomeDone}
	case errors.As(err, &st):
		return outcome{kind: outcomeStalled, Reason: st.reason, message: st.Message}
	case errors.As(err, &wt):
		return outcome{kind: outcomeWaiting, Reason: wt.Reason, message: wt.Message, after: wt.After}
	default:
		return outcome{kind: outcomeError, Reason: errorReason, message: err.Error()}
	}
}

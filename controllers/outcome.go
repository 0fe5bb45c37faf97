package controllers

import (
	"errors"
	"fmt"
	"time"
)

// stalledError means a person must act: the spec, a reference or Partner
// Center's state has to change. The object gets Stalled=True and is checked
// again on a slow timer and on related changes; the error is not returned to
// the workqueue, so it does not back off into silence nor spin.
type stalledError struct {
	reason  string
	message string
}

func (e *stalledError) Error() string { return e.message }

func stalled(reason, format string, args ...any) error {
	return &stalledError{reason: reason, message: fmt.Sprintf(format, args...)}
}

// waitError means progress depends on something that will happen by itself:
// certification, a merge request, another object. The object stays
// Reconciling=True and is requeued after the given delay, without an error.
// A zero delay waits for a watch event only.
type waitError struct {
	reason  string
	message string
	after   time.Duration
}

func (e *waitError) Error() string { return e.message }

func waiting(after time.Duration, reason, format string, args ...any) error {
	return &waitError{reason: reason, message: fmt.Sprintf(format, args...), after: after}
}

// outcome classifies what a reconcile ended with, for the status summary.
type outcome struct {
	// kind is one of outcomeDone, outcomeWaiting, outcomeStalled, outcomeError.
	kind    outcomeKind
	reason  string
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

// classify turns the error a reconcile returned into an outcome. Errors
// that are neither stalled nor waiting are transient: they go back to the
// workqueue, whose rate limiter backs off.
func classify(err error, errorReason string) outcome {
	var st *stalledError
	var wt *waitError
	switch {
	case err == nil:
		return outcome{kind: outcomeDone}
	case errors.As(err, &st):
		return outcome{kind: outcomeStalled, reason: st.reason, message: st.message}
	case errors.As(err, &wt):
		return outcome{kind: outcomeWaiting, reason: wt.reason, message: wt.message, after: wt.after}
	default:
		return outcome{kind: outcomeError, reason: errorReason, message: err.Error()}
	}
}

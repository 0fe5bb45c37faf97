package partnercenter

import (
	"errors"
	"fmt"
	"time"
)

// Class says what the caller should do about an error.
type Class string

const (
	// ClassTransient errors may succeed when retried after a backoff:
	// throttling, 5xx, timeouts, dropped connections.
	ClassTransient Class = "Transient"
	// ClassConflict errors mean the request clashes with state Partner
	// Center holds, for example an in-progress submission already exists or
	// the product exists already. Re-read state, then decide.
	ClassConflict Class = "Conflict"
	// ClassNotFound errors mean the addressed resource does not exist.
	ClassNotFound Class = "NotFound"
	// ClassTerminal errors will fail again until a person changes the
	// request or Partner Center's state: validation, permissions.
	ClassTerminal Class = "Terminal"
	// ClassUnsupported errors mean the adapter cannot do the operation at
	// all, such as the OCP GTM migration operations that have no public API.
	ClassUnsupported Class = "Unsupported"
)

// Partner Center error codes the controllers act on.
const (
	// CodeInProgressSubmission: a submission of the product is in progress.
	CodeInProgressSubmission = "inProgressSubmissionExists"
	// CodeNoChanges: the draft holds nothing not already submitted.
	CodeNoChanges = "noChangesToSubmit"
	// CodeProductExists: a product with that external ID exists already.
	CodeProductExists = "productAlreadyExists"
)

// CodeOf returns Partner Center's error code carried by err, or "".
func CodeOf(err error) string {
	var pcErr *Error
	if errors.As(err, &pcErr) {
		return pcErr.Code
	}
	return ""
}

// Error is an error reported by Partner Center or by an adapter on its
// behalf. It keeps Partner Center's own code and message.
type Error struct {
	Class Class
	// Op is the port operation, such as "SubmitPreview".
	Op string
	// StatusCode is the HTTP status, when there was a response.
	StatusCode int
	// Code and Message are Partner Center's error code and message.
	Code    string
	Message string
	// RetryAfter is how long Partner Center asked the caller to wait.
	RetryAfter time.Duration
	// Details are Partner Center's detail items, if any.
	Details []FeedbackItem
	// Err is the underlying error, for network failures.
	Err error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	s := "partner center"
	if e.Op != "" {
		s += " " + e.Op
	}
	if e.StatusCode != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Code != "" {
		s += ": " + e.Code
	}
	if msg != "" {
		s += ": " + msg
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err. Errors that are not *Error (a cancelled
// context, say) are transient.
func ClassOf(err error) Class {
	var pcErr *Error
	if errors.As(err, &pcErr) {
		return pcErr.Class
	}
	return ClassTransient
}

// IsNotFound reports whether err means the resource does not exist.
func IsNotFound(err error) bool { return err != nil && ClassOf(err) == ClassNotFound }

// IsConflict reports whether err is a conflict with Partner Center's state.
func IsConflict(err error) bool { return err != nil && ClassOf(err) == ClassConflict }

// IsTerminal reports whether err will not go away by retrying.
func IsTerminal(err error) bool {
	if err == nil {
		return false
	}
	c := ClassOf(err)
	return c == ClassTerminal || c == ClassUnsupported
}

// IsTransient reports whether err may go away by retrying.
func IsTransient(err error) bool { return err != nil && ClassOf(err) == ClassTransient }

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
	// Center holds, for example the product is locked by a submission in
	// progress (productLocked) or in a state that refuses the request
	// (invalidState). Re-read state, then decide.
	ClassConflict Class = "Conflict"
	// ClassNotFound errors mean the addressed resource does not exist.
	ClassNotFound Class = "NotFound"
	// ClassTerminal errors will fail again until a person changes the
	// request or Partner Center's state: validation, permissions.
	ClassTerminal Class = "Terminal"
	// ClassUnsupported errors mean the adapter cannot do the operation at
	// this Partner Center at all, such as the OCP GTM migration operations
	// that have no public API, or the co-sell tab of an offer type the
	// Partner Ingestion API does not serve. The message says what to do in
	// Partner Center instead.
	ClassUnsupported Class = "Unsupported"
)

// Partner Center's inner-error codes, the enum of the published
// inner-error schema (https://product-ingestion.azureedge.net/schema/inner-error/2022-03-01-preview2).
// A failed job's errors and a 4xx answer's details carry them.
const (
	CodeBusinessValidation      = "businessValidationError"
	CodeCollectionLimitExceeded = "collectionLimitExceeded"
	CodeInvalidID               = "invalidId"
	CodeInvalidEntityStatus     = "invalidEntityStatus"
	CodeInvalidRequest          = "invalidRequest"
	CodeInvalidResource         = "invalidResource"
	CodeInvalidState            = "invalidState"
	CodeNotDeployed             = "notDeployed"
	CodeNotSupported            = "notSupported"
	CodeOperationCanceled       = "operationCanceled"
	CodeProductLocked           = "productLocked"
	CodeResourceNotFound        = "resourceNotFound"
	CodeSchemaValidation        = "schemaValidationError"
)

// ClassOfCode is the class of a failure carrying a published inner-error
// code: the state of the product stands in the way (invalidState,
// invalidEntityStatus, productLocked, notDeployed: re-read it, then decide),
// the resource is gone (resourceNotFound), the operation was cancelled
// (retry), or the request is wrong (every other code: a person must change
// it).
func ClassOfCode(code string) Class {
	switch code {
	case CodeInvalidState, CodeInvalidEntityStatus, CodeProductLocked, CodeNotDeployed:
		return ClassConflict
	case CodeResourceNotFound:
		return ClassNotFound
	case CodeOperationCanceled:
		return ClassTransient
	}
	return ClassTerminal
}

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
	// Deferred means the adapter handed the error back before its last
	// attempt instead of waiting RetryAfter in the caller's goroutine: the
	// call is to be made again after RetryAfter, and nothing failed yet.
	Deferred bool
	// Details are Partner Center's detail items, if any.
	Details []FeedbackItem
	// Credentials marks an error of the caller's credentials, raised
	// before any request (a Secret missing, unreadable or incomplete, no
	// credential for the namespace): a person must create or grant
	// something, which Message says. IsCredentials reports it.
	Credentials bool
	// Applied marks a Conflict the adapter raised after an ambiguous
	// failure (a timeout, a dropped connection, a 5xx) when it read back
	// that the request took effect: unlike a busy product, something was
	// done. TookEffect reports it.
	Applied bool
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

// IsCredentials reports whether err says the namespace's Partner Center
// credentials are missing or unusable (Error.Credentials).
func IsCredentials(err error) bool {
	var pcErr *Error
	return errors.As(err, &pcErr) && pcErr.Credentials
}

// TookEffect reports whether err says the request took effect though its
// answer was lost (Error.Applied).
func TookEffect(err error) bool {
	var pcErr *Error
	return errors.As(err, &pcErr) && pcErr.Applied
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

// RetryDeferred returns how long to wait before making a call again whose
// retry the adapter deferred to the caller (Error.Deferred), or zero.
func RetryDeferred(err error) time.Duration {
	var pcErr *Error
	if errors.As(err, &pcErr) && pcErr.Deferred && pcErr.Class == ClassTransient {
		return pcErr.RetryAfter
	}
	return 0
}

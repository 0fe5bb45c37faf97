package ingestion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Classification, in one place:
//
//   - 400, 422 and other 4xx (validation, bad request): Terminal.
//   - 401, 403: Terminal; the message says to check the credentials and role.
//   - 404, 410: NotFound.
//   - 409, or any 4xx carrying a conflict code: Conflict.
//   - 408, 429 (with Retry-After), 5xx, timeouts, dropped connections: Transient.
//   - A 2xx answer that is truncated or not JSON: Transient (see decodeInto).
//   - A 2xx answer of the wrong shape or lacking required fields, or larger
//     than wire.MaxBodyBytes: Terminal, since the same server will answer
//     the same way again.
//   - A failed configure job is not an error of the call that reads it: the
//     job comes back with its inner errors (pc.Job.Errors), and
//     pc.ClassOfCode classifies their published codes.

const credentialsHint = "check the Partner Center credentials Secret (tenantId, clientId, clientSecret) " +
	"and that the app registration is a user of the Partner Center account with the Manager or Developer role"

// classifyStatus is the class of an error response: by HTTP status, and
// for another 4xx by the published inner-error code it carries (such as
// productLocked or invalidState, a Conflict).
func classifyStatus(status int, code string, details []wire.InnerError) pc.Class {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return pc.ClassTransient
	case status == http.StatusConflict:
		return pc.ClassConflict
	case status == http.StatusNotFound, status == http.StatusGone:
		return pc.ClassNotFound
	}
	class := pc.ClassTerminal
	codes := []string{code}
	for _, d := range details {
		codes = append(codes, d.Code)
	}
	for _, c := range codes {
		if pc.ClassOfCode(c) == pc.ClassConflict {
			class = pc.ClassConflict
		}
	}
	return class
}

// responseError turns a non-2xx answer into an error, keeping Partner
// Center's code, message and details.
func responseError(op string, status int, header http.Header, data []byte, now time.Time) *pc.Error {
	e := &pc.Error{Op: op, StatusCode: status}
	var er wire.ErrorResponse
	if json.Unmarshal(data, &er) == nil && (er.Error.Code != "" || er.Error.Message != "") {
		e.Code, e.Message = er.Error.Code, er.Error.Message
		e.Details = Feedback(er.Error.Details)
	} else {
		// The Partner Ingestion API's swagger declares string error bodies.
		var text string
		if json.Unmarshal(data, &text) != nil {
			text = string(data)
		}
		e.Message = http.StatusText(status)
		if snippet := printable([]byte(text), 200); snippet != "" {
			e.Message += ": " + snippet
		}
	}
	e.Class = classifyStatus(status, e.Code, er.Error.Details)
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if d, ok := parseRetryAfter(header.Get("Retry-After"), now); ok {
			e.RetryAfter = d
		}
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		e.Message = strings.TrimSuffix(e.Message, ".") + ": " + credentialsHint
	}
	return e
}

// printable returns up to n bytes of a non-JSON error body, one line, for
// the message of a proxy's or gateway's error page.
func printable(data []byte, n int) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, string(data[:min(len(data), n)]))
	return strings.Join(strings.Fields(s), " ")
}

// networkError is the error of an attempt without a (whole) answer.
func networkError(ctx context.Context, op string, status int, err error, timeout time.Duration) *pc.Error {
	e := &pc.Error{Class: pc.ClassTransient, Op: op, StatusCode: status, Err: err}
	switch {
	case ctx.Err() != nil:
		e.Message = "the call was abandoned: " + ctx.Err().Error()
	case errors.Is(err, context.DeadlineExceeded):
		e.Message = fmt.Sprintf("no answer within the request timeout of %s", timeout)
	default:
		e.Message = "connection failed: " + err.Error()
	}
	return e
}

// tokenError is the error of acquiring a token. Entra ID refusing the
// credentials is terminal (a person must fix the Secret; its change wakes
// the controllers); anything else, such as a network failure, is transient.
// The message never carries the credential's values: Entra ID does not echo
// the secret, and errors built by CredentialFromSecretData name only keys.
func tokenError(ctx context.Context, op string, err error) *pc.Error {
	var pcErr *pc.Error
	if errors.As(err, &pcErr) {
		cp := *pcErr
		cp.Op, cp.Err = op, err
		if err != error(pcErr) { //nolint:errorlint // identity: is err itself the *pc.Error, or a wrapper of it?
			cp.Message = err.Error() // keep the wrapper's context, such as the Secret's name
		}
		return &cp
	}
	var authErr *azidentity.AuthenticationFailedError
	if errors.As(err, &authErr) && authErr.RawResponse != nil {
		s := authErr.RawResponse.StatusCode
		if s >= 400 && s < 500 && s != http.StatusTooManyRequests && s != http.StatusRequestTimeout {
			return &pc.Error{Class: pc.ClassTerminal, Op: op, StatusCode: s, Code: "authenticationFailed",
				Message: "Entra ID refused the client credentials: " + credentialsHint, Err: err}
		}
		// The message of an AuthenticationFailedError dumps Entra ID's
		// whole answer, which has no place in a status condition and may
		// echo the request; only its status is kept.
		e := &pc.Error{Class: pc.ClassTransient, Op: op, StatusCode: s,
			Message: fmt.Sprintf("Entra ID answered HTTP %d %s while issuing a token", s, http.StatusText(s)), Err: err}
		if d, ok := parseRetryAfter(authErr.RawResponse.Header.Get("Retry-After"), time.Now()); ok {
			e.RetryAfter = d
		}
		if ctx.Err() != nil {
			e.Message = "the call was abandoned while acquiring a token: " + ctx.Err().Error()
		}
		return e
	}
	if ctx.Err() != nil {
		return &pc.Error{Class: pc.ClassTransient, Op: op, Message: "the call was abandoned while acquiring a token: " + ctx.Err().Error(), Err: err}
	}
	return &pc.Error{Class: pc.ClassTransient, Op: op, Message: "acquiring an Entra ID token: " + err.Error(), Err: err}
}

// gaveUp marks the last transient error of a call whose attempts ran out;
// it keeps the last status, code and message.
func gaveUp(last *pc.Error, attempts int) *pc.Error {
	cp := *last
	cp.Message = fmt.Sprintf("%s (gave up after %d attempts)", last.Message, attempts)
	return &cp
}

// contractError reports an answer that breaks the wire contract: a missing
// required field or a value of no known meaning. Terminal: the same server
// answers the same way again.
func contractError(op string, format string, args ...any) *pc.Error {
	return &pc.Error{Class: pc.ClassTerminal, Op: op,
		Message: "unexpected answer from Partner Center: " + fmt.Sprintf(format, args...)}
}

// invalidRequest reports a request refused before any call.
func invalidRequest(op string, format string, args ...any) *pc.Error {
	return &pc.Error{Class: pc.ClassTerminal, Op: op, Message: fmt.Sprintf(format, args...)}
}

// Feedback flattens inner errors (and their nested details) into feedback
// items; a detail without a resourceId inherits its parent's. A refused
// certification without per-resource details is one item
// (certification.go).
func Feedback(errs []wire.InnerError) []pc.FeedbackItem {
	if item, ok := certificationRefusal(errs); ok {
		return []pc.FeedbackItem{item}
	}
	var out []pc.FeedbackItem
	var walk func(errs []wire.InnerError, resource string)
	walk = func(errs []wire.InnerError, resource string) {
		for _, e := range errs {
			r := resource
			if e.ResourceID != nil && !e.ResourceID.IsZero() {
				r = e.ResourceID.String()
			}
			out = append(out, pc.FeedbackItem{Code: e.Code, Resource: r, Message: e.Message})
			walk(e.Details, r)
		}
	}
	walk(errs, "")
	return out
}

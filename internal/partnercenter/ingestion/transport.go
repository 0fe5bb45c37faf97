package ingestion

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// maxRetryAfterSeconds keeps a hostile Retry-After from overflowing a
// Duration; the result is capped by Options.MaxRetryAfter anyway.
const maxRetryAfterSeconds = 24 * 60 * 60

// do sends one port operation's request, retrying transient failures, and
// decodes a 2xx answer into out (nil discards it). in, when not nil, is
// sent as JSON. Every error is a *pc.Error.
func (c *Client) do(ctx context.Context, op, method, url string, in, out any) error {
	return c.call(ctx, Scope, op, method, url, in, out, true)
}

// doScoped is do with the token scope of the API called.
func (c *Client) doScoped(ctx context.Context, scope, op, method, url string, in, out any) error {
	return c.call(ctx, scope, op, method, url, in, out, true)
}

// doOnce is do for a request that is not idempotent (POST configure:
// Microsoft does not document it so, and a second request can start a
// second job). It is sent again only when the first surely did not reach
// Partner Center (no connection was made) or was refused unhandled (429);
// after any other failure (a timeout, a connection dropped once sent, a
// 5xx, a cut answer) the error wraps errAmbiguous, and the caller finds
// out whether the request took effect before sending it again.
func (c *Client) doOnce(ctx context.Context, op, method, url string, in, out any) error {
	return c.call(ctx, Scope, op, method, url, in, out, false)
}

// errAmbiguous marks the failure of a request that is not idempotent and
// may have taken effect.
type errAmbiguous struct{ cause error }

func (e errAmbiguous) Error() string {
	return "the request may have taken effect: " + e.cause.Error()
}

func (e errAmbiguous) Unwrap() error { return e.cause }

// isAmbiguous reports whether err is the failure of a request that may
// have taken effect.
func isAmbiguous(err error) bool { return errors.As(err, new(errAmbiguous)) }

// ambiguous marks err as errAmbiguous, keeping its class and message.
func ambiguous(err *pc.Error) *pc.Error {
	cp := *err
	cause := error(err)
	cp.Err = errAmbiguous{cause: cause}
	return &cp
}

// unsent reports whether a failed attempt surely left Partner Center
// untouched: no connection was made, or Partner Center throttled it.
func unsent(err *pc.Error) bool {
	if err.StatusCode == http.StatusTooManyRequests {
		return true
	}
	var op *net.OpError
	return err.StatusCode == 0 && errors.As(err.Err, &op) && op.Op == "dial"
}

// call sends the request; idempotent says whether it may be sent again
// after an ambiguous failure.
func (c *Client) call(ctx context.Context, scope, op, method, url string, in, out any, idempotent bool) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &pc.Error{Class: pc.ClassTerminal, Op: op, Message: "encoding the request: " + err.Error(), Err: err}
		}
		body = b
	}
	for attempt := 1; ; attempt++ {
		data, status, err := c.attempt(ctx, scope, op, method, url, body)
		if err == nil {
			derr := decodeInto(op, status, data, out)
			var pe *pc.Error
			if !idempotent && errors.As(derr, &pe) && pe.Class == pc.ClassTransient {
				return ambiguous(pe) // a cut answer of a request Partner Center took
			}
			return derr
		}
		if err.Class != pc.ClassTransient {
			return err
		}
		if !idempotent && !unsent(err) {
			return ambiguous(err)
		}
		if ctx.Err() != nil {
			return err
		}
		if attempt >= c.opts.MaxAttempts {
			return gaveUp(err, attempt)
		}
		wait := c.backoff(attempt)
		if err.RetryAfter > 0 {
			wait = min(err.RetryAfter, c.opts.MaxRetryAfter)
		}
		if c.opts.MaxRetryWait > 0 && wait > c.opts.MaxRetryWait && c.mayDefer(err) {
			// Waiting would hold the caller idle for longer than it
			// allows: hand the error back, deferred, with the wait it
			// needs.
			deferred := *err
			deferred.Deferred = true
			if deferred.RetryAfter <= 0 {
				deferred.RetryAfter = wait
			}
			return &deferred
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			// Waiting would outlive the caller: hand the error back now so
			// that it can requeue after RetryAfter instead.
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// mayDefer reports whether the retry of err may go back to the caller
// (Options.MaxRetryWait): any but a 429 under a Pacer that does not take
// 429s for noise (Pacer.Noise). A 429 is Partner Center asking to slow
// down, and each caller waiting its Retry-After out in place is how the
// callers slow down together; the pacer cannot tell a limit from random
// 429s before it has seen a few windows, and deferring every 429 sent
// more of a limited run's requests over the limit than waiting did.
// Once the pacer has learned that the 429s come whatever the rate, waiting
// would only hold the caller idle.
func (c *Client) mayDefer(err *pc.Error) bool {
	p, paced := c.http.Transport.(*Pacer)
	return err.StatusCode != http.StatusTooManyRequests || !paced || p.Noise()
}

// attempt sends the request once, within RequestTimeout, and returns the
// body of a 2xx answer.
func (c *Client) attempt(ctx context.Context, scope, op, method, url string, body []byte) ([]byte, int, *pc.Error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, url, rd)
	if err != nil {
		return nil, 0, &pc.Error{Class: pc.ClassTerminal, Op: op, Message: "building the request: " + err.Error(), Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if scope == wire.CoSellScope {
		// Microsoft's client sends If-Match: * on every request of the
		// submission API (wire/submission.go).
		req.Header.Set(wire.IfMatchHeader, wire.IfMatchAny)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.opts.Credential != nil {
		tok, err := c.opts.Credential.GetToken(actx, policy.TokenRequestOptions{Scopes: []string{scope}})
		if err != nil {
			return nil, 0, tokenError(ctx, op, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.Token)
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(op, 0, time.Since(start))
		return nil, 0, networkError(ctx, op, 0, err, c.opts.RequestTimeout)
	}
	defer func() { _ = resp.Body.Close() }()
	data, readErr := readBody(resp.Body)
	c.observe(op, resp.StatusCode, time.Since(start))

	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case errors.Is(readErr, errBodyTooLarge{}) && ok:
		return nil, resp.StatusCode, &pc.Error{Class: pc.ClassTerminal, Op: op, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("Partner Center's answer exceeds %d bytes", wire.MaxBodyBytes), Err: readErr}
	case readErr != nil && !errors.Is(readErr, errBodyTooLarge{}):
		return nil, resp.StatusCode, networkError(ctx, op, resp.StatusCode, readErr, c.opts.RequestTimeout)
	case ok:
		return data, resp.StatusCode, nil
	}
	return nil, resp.StatusCode, responseError(op, resp.StatusCode, resp.Header, data, time.Now())
}

func (c *Client) observe(op string, status int, d time.Duration) {
	ObserveRequest(op, status, d)
	if c.opts.Observer != nil {
		c.opts.Observer(op, status, d)
	}
}

// backoff is the full-jitter exponential backoff before attempt+1:
// uniform in [0, min(MaxBackoff, MinBackoff·2^(attempt-1))].
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.opts.MaxBackoff
	if shift := attempt - 1; shift < 32 {
		if d := c.opts.MinBackoff << shift; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling + 1)
}

// errBodyTooLarge is returned by readBody for a body over wire.MaxBodyBytes.
// A comparable struct rather than a sentinel variable: no package state.
type errBodyTooLarge struct{}

func (errBodyTooLarge) Error() string {
	return fmt.Sprintf("body exceeds %d bytes", wire.MaxBodyBytes)
}

// readBody reads at most wire.MaxBodyBytes; a longer body is an error, so
// that a broken or hostile server cannot exhaust memory.
func readBody(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, wire.MaxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > wire.MaxBodyBytes {
		return data[:wire.MaxBodyBytes], errBodyTooLarge{}
	}
	return data, nil
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date. A date in the past means no wait.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, maxRetryAfterSeconds)) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return min(d, maxRetryAfterSeconds*time.Second), true
	}
	return 0, false
}

// decodeInto decodes a 2xx body. Malformed JSON (a truncated answer) is
// transient: the next try is likely whole. JSON of the wrong shape is
// terminal: the server speaks another contract, and retrying cannot help.
func decodeInto(op string, status int, data []byte, out any) error {
	if out == nil {
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &pc.Error{Class: pc.ClassTransient, Op: op, StatusCode: status,
			Message: "Partner Center's answer is empty where JSON was expected"}
	}
	err := json.Unmarshal(data, out)
	if err == nil {
		return nil
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &pc.Error{Class: pc.ClassTransient, Op: op, StatusCode: status,
			Message: "Partner Center's answer is not valid JSON (truncated?): " + err.Error(), Err: err}
	}
	return &pc.Error{Class: pc.ClassTerminal, Op: op, StatusCode: status,
		Message: "Partner Center's answer does not match the expected shape: " + err.Error(), Err: err}
}

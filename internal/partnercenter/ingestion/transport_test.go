package ingestion

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

func asPC(g *WithT, err error) *pc.Error {
	var e *pc.Error
	g.Expect(errors.As(err, &e)).To(BeTrue(), "error %v is not a *partnercenter.Error", err)
	return e
}

func TestNewValidatesBaseURL(t *testing.T) {
	g := NewWithT(t)
	for url, want := range map[string]string{
		"":                          "empty",
		"ftp://example.com/x":       "https://",
		"https:///no-host":          "no host",
		"https://u:p@example.com/x": "user information",
		"https://example.com/x?a=b": "query",
		"::not a url":               "not a URL",
	} {
		_, err := New(Options{BaseURL: url})
		g.Expect(err).To(MatchError(ContainSubstring(want)), url)
	}
	c, err := New(Options{BaseURL: "https://graph.microsoft.com/rp/product-ingestion/"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.endpoint(nil, "product", "a/b")).To(Equal(
		"https://graph.microsoft.com/rp/product-ingestion/product/a%2Fb?%24version=" + wire.ReadVersion))
	g.Expect(c.opts.MaxAttempts).To(Equal(DefaultMaxAttempts))
	g.Expect(c.opts.RequestTimeout).To(Equal(DefaultRequestTimeout))
}

func TestRetryAfterHonoured(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, codeThrottled, "slow down")
			return
		}
		writeJSON(w, http.StatusOK, product("p1", "offer-1"))
	})
	start := time.Now()
	p, err := c.GetProduct(context.Background(), "p1")
	elapsed := time.Since(start)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID).To(Equal("p1"))
	g.Expect(s.count()).To(Equal(2))
	g.Expect(elapsed).To(BeNumerically(">=", 950*time.Millisecond))
	g.Expect(elapsed).To(BeNumerically("<", 2500*time.Millisecond))
}

func TestRetryAfterCappedAndDeadline(t *testing.T) {
	g := NewWithT(t)
	throttle := func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "3600")
		writeError(w, http.StatusTooManyRequests, codeThrottled, "slow down")
	}
	// Capped at MaxRetryAfter: three attempts within well under a second.
	c, s := newClient(t, throttle, func(o *Options) { o.MaxRetryAfter = 20 * time.Millisecond; o.MaxAttempts = 3 })
	start := time.Now()
	_, err := c.GetProduct(context.Background(), "p1")
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Second))
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTransient))
	g.Expect(e.StatusCode).To(Equal(429))
	g.Expect(e.Code).To(Equal(codeThrottled))
	g.Expect(e.RetryAfter).To(Equal(time.Hour))
	g.Expect(s.count()).To(Equal(3))

	// A wait that would outlive the caller's deadline returns at once, with
	// RetryAfter for the caller to requeue by.
	c, s = newClient(t, throttle)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start = time.Now()
	_, err = c.GetProduct(ctx, "p1")
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Second))
	g.Expect(asPC(g, err).RetryAfter).To(Equal(time.Hour))
	g.Expect(s.count()).To(Equal(1))
}

// TestMaxRetryWait: a retry that needs a longer wait than MaxRetryWait is
// not waited for in the call; the error comes back at once with the wait
// in RetryAfter. Shorter waits are retried inline, and zero keeps every
// retry inline.
func TestMaxRetryWait(t *testing.T) {
	throttleOnce := func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, codeThrottled, "slow down")
			return
		}
		writeJSON(w, http.StatusOK, product("p1", "offer-1"))
	}
	failTwice := func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 3 {
			writeError(w, http.StatusServiceUnavailable, "serviceBusy", "busy")
			return
		}
		writeJSON(w, http.StatusOK, product("p1", "offer-1"))
	}
	cases := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, n int)
		opts    func(*Options)
		// wantStatus is the status of the returned error; 0: success.
		wantStatus int
		wantCount  int
		// retryAfter checks the returned error's RetryAfter.
		retryAfter  types.GomegaMatcher
		waitsInline bool
	}{{
		name:       "a Retry-After over the cap returns at once (no pacer)",
		handler:    throttleOnce,
		opts:       func(o *Options) { o.MaxRetryWait, o.HTTPClient = 250*time.Millisecond, &http.Client{} },
		wantStatus: http.StatusTooManyRequests, wantCount: 1,
		retryAfter: Equal(time.Second),
	}, {
		name:      "a Retry-After under the cap is waited out in the call",
		handler:   throttleOnce,
		opts:      func(o *Options) { o.MaxRetryWait = 2 * time.Second },
		wantCount: 2, waitsInline: true,
	}, {
		name:      "zero waits every Retry-After out in the call, as before",
		handler:   throttleOnce,
		opts:      func(o *Options) {},
		wantCount: 2, waitsInline: true,
	}, {
		name: "a Retry-After capped by MaxRetryAfter under the cap is retried inline",
		handler: func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "3600")
			writeError(w, http.StatusTooManyRequests, codeThrottled, "slow down")
		},
		opts:      func(o *Options) { o.MaxRetryAfter = 20 * time.Millisecond; o.MaxRetryWait = 250 * time.Millisecond },
		wantCount: 4, wantStatus: http.StatusTooManyRequests,
		retryAfter: Equal(time.Hour),
	}, {
		name:    "a 429 under a pacer is waited out in the call",
		handler: throttleOnce,
		opts: func(o *Options) {
			o.MaxRetryWait, o.HTTPClient = 250*time.Millisecond, &http.Client{Transport: &Pacer{}}
		},
		wantCount: 2, waitsInline: true,
	}, {
		name:    "a 429 under a pacer that learned 429s as noise returns at once with its Retry-After",
		handler: throttleOnce,
		opts: func(o *Options) {
			o.MaxRetryWait, o.HTTPClient = 250*time.Millisecond, &http.Client{Transport: &Pacer{noise: 0.1}}
		},
		wantStatus: http.StatusTooManyRequests, wantCount: 1,
		retryAfter: Equal(time.Second),
	}, {
		name:      "a 5xx whose backoff is under the cap is retried inline",
		handler:   failTwice,
		opts:      func(o *Options) { o.MaxRetryWait = 250 * time.Millisecond }, // backoff 1-5 ms
		wantCount: 3,
	}, {
		name:    "a 5xx whose backoff is over the cap returns at once with the backoff as RetryAfter",
		handler: failTwice,
		opts: func(o *Options) {
			// The jittered backoff is uniform in [0, 1h]: over 1µs but
			// once in billions.
			o.MinBackoff, o.MaxBackoff, o.MaxRetryWait = time.Hour, time.Hour, time.Microsecond
		},
		wantStatus: http.StatusServiceUnavailable, wantCount: 1,
		retryAfter: And(BeNumerically(">", time.Microsecond), BeNumerically("<=", time.Hour)),
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			c, s := newClient(t, tc.handler, tc.opts)
			// A deadline, so that a call that does wait an hour fails
			// instead of hanging.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := c.GetProduct(ctx, "p1")
			elapsed := time.Since(start)
			g.Expect(s.count()).To(Equal(tc.wantCount))
			if tc.waitsInline {
				g.Expect(elapsed).To(BeNumerically(">=", 950*time.Millisecond), "waited out the Retry-After")
			} else {
				g.Expect(elapsed).To(BeNumerically("<", 900*time.Millisecond), "no wait of a second")
			}
			if tc.wantStatus == 0 {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			e := asPC(g, err)
			g.Expect(e.Class).To(Equal(pc.ClassTransient))
			g.Expect(e.StatusCode).To(Equal(tc.wantStatus))
			g.Expect(e.RetryAfter).To(tc.retryAfter)
			g.Expect(e.Deferred).To(Equal(tc.wantCount == 1), "deferred unless the attempts ran out")
			g.Expect(pc.RetryDeferred(err) > 0).To(Equal(e.Deferred))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	g := NewWithT(t)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"0":                             0,
		" 7 ":                           7 * time.Second,
		"99999999999999":                maxRetryAfterSeconds * time.Second,
		"Thu, 02 Jan 2025 03:04:35 GMT": 30 * time.Second,
		"Thu, 02 Jan 2025 03:00:00 GMT": 0,
	} {
		d, ok := parseRetryAfter(h, now)
		g.Expect(ok).To(BeTrue(), h)
		g.Expect(d).To(Equal(want), h)
	}
	for _, h := range []string{"", "-3", "soon", "1.5"} {
		_, ok := parseRetryAfter(h, now)
		g.Expect(ok).To(BeFalse(), h)
	}
}

func TestBackoffOn5xxThenSuccess(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 3 {
			writeError(w, 500+n, codeInternal, "try again")
			return
		}
		writeJSON(w, http.StatusOK, product("p1", "offer-1"))
	})
	p, err := c.GetProduct(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.OfferID).To(Equal("offer-1"))
	g.Expect(s.count()).To(Equal(3))
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeError(w, http.StatusServiceUnavailable, "serviceBusy", "busy")
	})
	_, err := c.GetProduct(context.Background(), "p1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTransient))
	g.Expect(e.Op).To(Equal("GetProduct"))
	g.Expect(e.StatusCode).To(Equal(503))
	g.Expect(e.Code).To(Equal("serviceBusy"))
	g.Expect(e.Message).To(ContainSubstring("busy"))
	g.Expect(e.Message).To(ContainSubstring("gave up after 4 attempts"))
	g.Expect(s.count()).To(Equal(4))
}

func TestBackoffBounds(t *testing.T) {
	g := NewWithT(t)
	c, err := New(Options{BaseURL: "http://x", MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	for attempt := 1; attempt < 100; attempt++ {
		d := c.backoff(attempt)
		g.Expect(d).To(BeNumerically(">=", 0))
		g.Expect(d).To(BeNumerically("<=", min(50*time.Millisecond, 10*time.Millisecond<<min(attempt-1, 10))))
	}
}

func TestClassification(t *testing.T) {
	cases := []struct {
		status   int
		code     string
		class    pc.Class
		attempts int
	}{
		{400, codeBadRequest, pc.ClassTerminal, 1},
		{422, "validation", pc.ClassTerminal, 1},
		{401, codeUnauthorized, pc.ClassTerminal, 1},
		{403, "forbidden", pc.ClassTerminal, 1},
		{404, codeNotFound, pc.ClassNotFound, 1},
		{405, "", pc.ClassTerminal, 1},
		{409, pc.CodeInvalidState, pc.ClassConflict, 1},
		{400, pc.CodeProductLocked, pc.ClassConflict, 1},
		{400, pc.CodeSchemaValidation, pc.ClassTerminal, 1},
		{408, "", pc.ClassTransient, 4},
		{429, codeThrottled, pc.ClassTransient, 4},
		{500, codeInternal, pc.ClassTransient, 4},
		{502, "", pc.ClassTransient, 4},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status)+"/"+tc.code, func(t *testing.T) {
			g := NewWithT(t)
			c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if tc.code == "" {
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte("<html>\n<b>gateway\x00 says no</b></html>"))
					return
				}
				writeError(w, tc.status, tc.code, "partner center says no")
			})
			_, err := c.GetProduct(context.Background(), "p1")
			e := asPC(g, err)
			g.Expect(e.Class).To(Equal(tc.class))
			g.Expect(e.StatusCode).To(Equal(tc.status))
			g.Expect(e.Code).To(Equal(tc.code))
			g.Expect(s.count()).To(Equal(tc.attempts))
			if tc.code == "" {
				g.Expect(e.Message).To(HavePrefix(http.StatusText(tc.status) + ": <html> <b>gateway says no"))
			} else {
				g.Expect(e.Message).To(HavePrefix("partner center says no"))
			}
			if tc.status == 401 || tc.status == 403 {
				g.Expect(e.Message).To(ContainSubstring("check the Partner Center credentials"))
			}
		})
	}
}

func TestErrorDetailsKept(t *testing.T) {
	g := NewWithT(t)
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, http.StatusBadRequest, wire.ErrorResponse{Error: wire.ErrorBody{Code: codeBadRequest, Message: "invalid",
			Details: []wire.InnerError{{Code: pc.CodeSchemaValidation, ResourceID: &wire.Reference{DurableID: "listing/p1/public/main/default/en-us"}, Message: "shorten the title"}}}})
	})
	_, err := c.GetProduct(context.Background(), "p1")
	e := asPC(g, err)
	g.Expect(e.Details).To(Equal([]pc.FeedbackItem{{Code: pc.CodeSchemaValidation, Resource: "listing/p1/public/main/default/en-us", Message: "shorten the title"}}))
	g.Expect(pc.IsTerminal(err)).To(BeTrue())
}

func TestContextDeadlineRespected(t *testing.T) {
	g := NewWithT(t)
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}, func(o *Options) { o.RequestTimeout = 10 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetProduct(ctx, "p1")
	g.Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second))
	g.Expect(pc.IsTransient(err)).To(BeTrue())
	g.Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue())
}

func TestRequestTimeoutPerAttempt(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			<-r.Context().Done() // the first attempt hangs until the client gives up on it
			return
		}
		writeJSON(w, http.StatusOK, product("p1", "offer-1"))
	}, func(o *Options) { o.RequestTimeout = 100 * time.Millisecond })
	p, err := c.GetProduct(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID).To(Equal("p1"))
	g.Expect(s.count()).To(Equal(2))
}

func TestDroppedConnectionRetried(t *testing.T) {
	g := NewWithT(t)
	var statuses []int
	var mu sync.Mutex
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		writeJSON(w, http.StatusOK, product("p1", "offer-1"))
	}, func(o *Options) {
		o.Observer = func(op string, status int, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			statuses = append(statuses, status)
		}
	})
	_, err := c.GetProduct(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.count()).To(Equal(2))
	mu.Lock()
	defer mu.Unlock()
	g.Expect(statuses).To(Equal([]int{0, 200}))
}

func TestDroppedConnectionMidBody(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		// Promise more than is sent, then drop the connection.
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":\"product/p1\"")
		_ = buf.Flush()
		_ = conn.Close()
	})
	_, err := c.GetProduct(context.Background(), "p1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTransient))
	g.Expect(s.count()).To(Equal(4))
}

func TestNoRetryOn4xx(t *testing.T) {
	for _, status := range []int{400, 404, 409} {
		g := NewWithT(t)
		c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
			writeError(w, status, "x", "no")
		})
		_, err := c.GetProduct(context.Background(), "p1")
		g.Expect(err).To(HaveOccurred())
		g.Expect(s.count()).To(Equal(1), "status %d", status)
	}
}

func TestOversizedBody(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"id":"product/p1","alias":"`))
		_, _ = w.Write([]byte(strings.Repeat("a", wire.MaxBodyBytes)))
		_, _ = w.Write([]byte(`"}`))
	})
	_, err := c.GetProduct(context.Background(), "p1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTerminal))
	g.Expect(e.Message).To(ContainSubstring("exceeds"))
	g.Expect(s.count()).To(Equal(1))
}

func TestMalformedAnswers(t *testing.T) {
	cases := map[string]struct {
		body  string
		class pc.Class
		want  string
	}{
		"truncated":     {`{"id":"product/p1","identity":{"exter`, pc.ClassTransient, "not valid JSON"},
		"empty":         {``, pc.ClassTransient, "empty"},
		"not json":      {`<html>oops</html>`, pc.ClassTransient, "not valid JSON"},
		"wrong types":   {`{"id":42,"identity":"offer"}`, pc.ClassTerminal, "expected shape"},
		"array":         {`[1,2,3]`, pc.ClassTerminal, "expected shape"},
		"missing id":    {`{"identity":{"externalId":"offer-1"}}`, pc.ClassTerminal, "product with id"},
		"deleted":       {`{"id":"product/p1","identity":{"externalId":"offer-1"},"lifecycleState":"deleted"}`, pc.ClassNotFound, "was deleted"},
		"nested ref id": {`{"id":"product/p1/x"}`, pc.ClassTerminal, "product with id"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := c.GetProduct(context.Background(), "p1")
			e := asPC(g, err)
			g.Expect(e.Class).To(Equal(tc.class))
			g.Expect(e.Op).To(Equal("GetProduct"))
			g.Expect(e.Message).To(ContainSubstring(tc.want))
			g.Expect(s.count()).To(Equal(1))
		})
	}
}

func TestMissingJobID(t *testing.T) {
	g := NewWithT(t)
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, http.StatusAccepted, wire.ConfigureStatus{JobStatus: wire.StatusRunning})
	})
	_, err := c.StopSale(context.Background(), "p1", "1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTerminal))
	g.Expect(e.Message).To(ContainSubstring("without a jobId"))
}

func TestVersionAndSchemaSent(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, http.StatusAccepted, wire.ConfigureStatus{JobID: "j1", JobStatus: wire.StatusRunning, JobResult: wire.ResultPending})
	})
	_, err := c.ConfigureDraft(context.Background(), "p1", "AzureVirtualMachine", pc.Draft{Plans: []pc.Plan{{ID: "basic", Pricing: "Free"}}})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.GetJob(context.Background(), "j1")
	g.Expect(err).NotTo(HaveOccurred())
	reqs := s.requests()
	g.Expect(reqs).To(HaveLen(3))
	for _, r := range reqs {
		want := wire.ReadVersion // a read asks the newest version the adapter writes
		if r.Method == http.MethodPost {
			want = wire.Version // as every documented write
		}
		g.Expect(r.Query.Get("$version")).To(Equal(want), "%s %s", r.Method, r.Path)
	}
	g.Expect(reqs[0].Method).To(Equal(http.MethodGet))
	g.Expect(reqs[0].Path).To(Equal("resource-tree/product/p1"), "the draft is read before it is updated")
	g.Expect(reqs[0].Query.Get("targetType")).To(Equal("draft"))
	reqs = reqs[1:]
	g.Expect(reqs[0].Method).To(Equal(http.MethodPost))
	g.Expect(reqs[0].Path).To(Equal("configure"))
	g.Expect(reqs[0].Header.Get("Content-Type")).To(Equal("application/json"))
	g.Expect(reqs[1].Path).To(Equal("configure/j1/status"))

	var body map[string]any
	g.Expect(json.Unmarshal(reqs[0].Body, &body)).To(Succeed())
	g.Expect(body["$schema"]).To(Equal(wire.SchemaOf(wire.KindConfigure)))
	resources := body["resources"].([]any)
	g.Expect(resources).To(HaveLen(5)) // listing, plan, plan-listing, price, reseller
	for _, r := range resources {
		g.Expect(wire.KindOf(r.(map[string]any)["$schema"].(string))).NotTo(BeEmpty())
	}
}

func TestObserverCalled(t *testing.T) {
	g := NewWithT(t)
	type call struct {
		op     string
		status int
	}
	var mu sync.Mutex
	var calls []call
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeError(w, 500, codeInternal, "oops")
			return
		}
		writeError(w, 404, codeNotFound, "no such product")
	}, func(o *Options) {
		o.Observer = func(op string, status int, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			g.Expect(d).To(BeNumerically(">", 0))
			calls = append(calls, call{op, status})
		}
	})
	_, err := c.GetProduct(context.Background(), "p1")
	g.Expect(pc.IsNotFound(err)).To(BeTrue())
	mu.Lock()
	defer mu.Unlock()
	g.Expect(calls).To(Equal([]call{{"GetProduct", 500}, {"GetProduct", 404}}))
}

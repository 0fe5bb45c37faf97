package ingestion

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Pacer is the transport of the Partner Center client. It
// sends requests straight through until Partner Center throttles: when more
// than pacerThrottledShare of the answers in a window are 429, it paces all
// workers together below the rate Partner Center admitted, holds every
// request back for the Retry-After of the throttled answers, and then raises
// the rate by a twentieth per window until throttling starts again (additive
// probing, multiplicative back-off). Each request's own retry still honours
// its Retry-After (the HTTP adapter does that); the pacer makes the workers
// honour it together, so that requests over the limit fall instead of
// every worker finding the limit on its own. Occasional 429s (under
// pacerThrottledShare) do not slow anyone down.
type Pacer struct {
	// Next sends the requests; nil means http.DefaultTransport.
	Next http.RoundTripper

	mu       sync.Mutex
	rate     float64 // requests per second; 0 means not pacing
	tokens   float64
	last     time.Time
	pause    time.Time // no request leaves before this
	winStart time.Time
	winOK    int
	win429   int
	retry    time.Duration // longest Retry-After in the window
}

const (
	pacerWindow         = 2 * time.Second
	pacerThrottledShare = 0.15
	pacerMinRate        = 1.0
)

// RoundTrip implements http.RoundTripper.
func (p *Pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	if d := p.reserve(time.Now()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-req.Context().Done():
			t.Stop()
			return nil, req.Context().Err()
		case <-t.C:
		}
	}
	next := p.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err == nil {
		p.observe(time.Now(), resp)
	}
	return resp, err
}

// reserve takes a token and returns how long the request must wait.
func (p *Pacer) reserve(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := now
	if p.pause.After(t) {
		t = p.pause
	}
	if p.rate > 0 {
		burst := max(1, p.rate/10)
		if t.After(p.last) {
			p.tokens = min(burst, p.tokens+t.Sub(p.last).Seconds()*p.rate)
			p.last = t
		}
		p.tokens--
		if p.tokens < 0 {
			t = t.Add(time.Duration(-p.tokens / p.rate * float64(time.Second)))
		}
	}
	return t.Sub(now)
}

// observe counts an answer and, once per window, adapts the rate.
func (p *Pacer) observe(now time.Time, resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if resp.StatusCode == http.StatusTooManyRequests {
		p.win429++
		if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
			p.retry = max(p.retry, min(time.Duration(secs)*time.Second, time.Minute))
		}
	} else {
		p.winOK++
	}
	if p.winStart.IsZero() {
		p.winStart = now
	}
	elapsed := now.Sub(p.winStart)
	if elapsed < pacerWindow {
		return
	}
	total := p.winOK + p.win429
	admitted := float64(p.winOK) / elapsed.Seconds()
	switch {
	case total >= 10 && float64(p.win429) > pacerThrottledShare*float64(total):
		// Throttled: pace below what Partner Center admitted, after its Retry-After.
		target := max(pacerMinRate, 0.9*admitted)
		if p.rate == 0 || target < p.rate {
			p.rate = target
		} else {
			p.rate = max(pacerMinRate, 0.9*p.rate)
		}
		p.tokens = 0
		if resume := now.Add(p.retry); resume.After(p.pause) {
			p.pause = resume
		}
	case p.rate > 0:
		p.rate *= 1.05
		if p.rate > 4*admitted+10 { // far above the demand: stop pacing
			p.rate = 0
		}
	}
	p.winStart, p.winOK, p.win429, p.retry = now, 0, 0, 0
}

package ingestion

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func answer(code int, retryAfter string) *http.Response {
	r := &http.Response{StatusCode: code, Header: http.Header{}}
	if retryAfter != "" {
		r.Header.Set("Retry-After", retryAfter)
	}
	return r
}

// feed sends one window of answers at perSecond, okShare of them 2xx.
func feed(p *Pacer, start time.Time, perSecond, n int, okEvery int) time.Time {
	t := start
	for i := range n {
		t = t.Add(time.Second / time.Duration(perSecond))
		if okEvery > 0 && i%okEvery == 0 {
			p.observe(t, answer(http.StatusOK, ""))
		} else {
			p.observe(t, answer(http.StatusTooManyRequests, "1"))
		}
	}
	return t
}

func TestPacerLeavesUnthrottledTrafficAlone(t *testing.T) {
	g := NewWithT(t)
	p := &Pacer{}
	now := feed(p, time.Unix(0, 0), 100, 300, 1) // all 2xx
	g.Expect(p.reserve(now)).To(BeZero())
	// Occasional 429s, under the throttled share, slow nobody down.
	now = feed(p, now, 100, 300, 1)
	p.observe(now, answer(http.StatusTooManyRequests, "1"))
	g.Expect(p.reserve(now)).To(BeZero())
}

func TestPacerHonoursRetryAfterTogetherThenProbesUpwards(t *testing.T) {
	g := NewWithT(t)
	p := &Pacer{}
	// 100 answers/s of which a half are 429: Partner Center admits ~50/s.
	now := feed(p, time.Unix(0, 0), 100, 201, 2) // one window
	g.Expect(p.rate).To(BeNumerically("~", 0.9*50, 5), "paces below the admitted rate")

	// Everyone waits out the Retry-After, then requests are spaced.
	first := p.reserve(now)
	g.Expect(first).To(BeNumerically(">=", 900*time.Millisecond))
	var last time.Duration
	for range 20 {
		last = p.reserve(now)
	}
	g.Expect(last-first).To(BeNumerically(">", 300*time.Millisecond), "20 requests at ~45/s take ~0.4s")

	// Windows without throttling raise the rate a twentieth at a time, and
	// pacing stops once the rate is far above the demand.
	rate := p.rate
	now = feed(p, now, 40, 100, 1)
	g.Expect(p.rate).To(BeNumerically(">", rate))
	for range 30 {
		now = feed(p, now, 5, 20, 1)
	}
	g.Expect(p.rate).To(BeZero())
	g.Expect(p.reserve(now.Add(time.Minute))).To(BeZero())
}

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
			p.observe(t, answer(http.StatusOK, ""), p.epoch)
		} else {
			p.observe(t, answer(http.StatusTooManyRequests, "1"), p.epoch)
		}
	}
	return t
}

// throttle sends answers at 100/s, half of them 429, until the pacer
// decides to test a pace.
func throttle(g *WithT, p *Pacer, start time.Time) time.Time {
	t := start
	for i := 0; !p.testing; i++ {
		g.Expect(i).To(BeNumerically("<", 300), "no decision after 3s of 50%% 429s")
		t = feed(p, t, 100, 2, 2)
	}
	return t
}

func TestPacerLeavesUnthrottledTrafficAlone(t *testing.T) {
	g := NewWithT(t)
	p := &Pacer{}
	now := feed(p, time.Unix(0, 0), 100, 300, 1) // all 2xx
	g.Expect(p.reserveWait(now)).To(BeZero())
	// Occasional 429s, under the throttled share, slow nobody down.
	now = feed(p, now, 100, 300, 1)
	p.observe(now, answer(http.StatusTooManyRequests, "1"), p.epoch)
	g.Expect(p.reserveWait(now)).To(BeZero())
}

func TestPacerHonoursRetryAfterTogetherThenHoldsUnderTheLimit(t *testing.T) {
	g := NewWithT(t)
	p := &Pacer{}
	// 100 answers/s of which a half are 429: Partner Center admits ~50/s.
	now := throttle(g, p, time.Unix(0, 0))
	g.Expect(p.rate).To(BeNumerically("~", pacerBelow*50, 2), "tests below the admitted rate")

	// Everyone waits out the Retry-After, then requests are spaced.
	first := p.reserveWait(now)
	g.Expect(first).To(BeNumerically(">=", 900*time.Millisecond))
	var last time.Duration
	for range 20 {
		last = p.reserveWait(now)
	}
	g.Expect(last-first).To(BeNumerically(">", 300*time.Millisecond), "20 requests at ~45/s take ~0.4s")

	// Answers to requests sent before the decision do not judge it.
	stale := p.epoch - 1
	for range 200 {
		now = now.Add(10 * time.Millisecond)
		p.observe(now, answer(http.StatusTooManyRequests, "1"), stale)
	}
	g.Expect(p.testing).To(BeTrue())

	// The next window tests the decision: paced below the admitted rate,
	// the 429s stop, so the limit is confirmed and the rate held just
	// under it.
	rate := p.rate
	now = feed(p, now.Add(time.Second), 40, 100, 1)
	g.Expect(p.throttled).To(Equal(1))
	g.Expect(p.rate).To(BeNumerically("~", rate*pacerHold/pacerBelow, 1e-9))
	held := p.rate
	g.Expect(p.hold).To(Equal(pacerConfirmHold))
	for p.hold > 0 {
		now = feed(p, now, 50, 100, 1) // one window each
	}
	g.Expect(p.rate).To(Equal(held), "held for pacerConfirmHold")

	// Windows in which the pace held nobody back: the demand is under it,
	// so pacing stops.
	for range pacerIdleWindows {
		now = feed(p, now, 50, 100, 1)
	}
	g.Expect(p.rate).To(BeZero())
	g.Expect(p.reserveWait(now.Add(time.Minute))).To(BeZero())
}

func TestPacerProbesUpwardsWhileThePaceHoldsWorkersBack(t *testing.T) {
	g := NewWithT(t)
	p := &Pacer{}
	now := throttle(g, p, time.Unix(0, 0))
	now = feed(p, now.Add(time.Second), 40, 100, 1)
	for p.hold > 0 {
		now = feed(p, now, 20, 40, 1)
	}
	rate := p.rate
	// Demand above the pace: workers wait for their slots, and nobody is
	// throttled, so the pacer probes upwards a window: by pacerFarProbe
	// while under the rate admitted when it was throttled (the pace is
	// pacerHold of it), by pacerProbe above. Two windows' time at most
	// sees one judged, wherever the last one ended.
	for range int(2 * rate * 2 * pacerWindow.Seconds()) {
		now = now.Add(time.Second / time.Duration(2*rate))
		p.reserve(now)
		p.reserve(now)
		p.observe(now, answer(http.StatusOK, ""), p.epoch)
	}
	g.Expect(p.rate).To(BeNumerically(">", rate))
	g.Expect(p.rate).To(BeNumerically("<=", rate*pacerFarProbe*pacerFarProbe))
}

// reserveWait is reserve without the epoch.
func (p *Pacer) reserveWait(now time.Time) time.Duration {
	d, _ := p.reserve(now)
	return d
}

// TestPacerTestGoesOnUntilItTells: a limit that the demand barely exceeds
// is answered with few 429s (here 6%). Over one test window of 100 answers
// a fall from 6% to none is within chance, so the test goes on instead of
// taking the limit for noise, and confirms it once the fall is beyond
// chance.
func TestPacerTestGoesOnUntilItTells(t *testing.T) {
	g := NewWithT(t)
	p := &Pacer{}
	now := time.Unix(0, 0)
	for i := 0; !p.testing; i++ {
		g.Expect(i).To(BeNumerically("<", 200), "6%% of 429s over a window start a test")
		now = now.Add(20 * time.Millisecond)
		if i%17 == 0 {
			p.observe(now, answer(http.StatusTooManyRequests, "1"), p.epoch)
		} else {
			p.observe(now, answer(http.StatusOK, ""), p.epoch)
		}
	}
	rate := p.rate
	now = feed(p, now.Add(time.Second), 40, pacerMinSample+1, 1) // no 429 at all
	g.Expect(p.testing).To(BeTrue(), "a fall from 6%% to none over 100 answers does not tell yet")
	g.Expect(p.noise).To(BeZero())
	g.Expect(p.rate).To(Equal(rate))
	for i := 0; p.testing; i++ {
		g.Expect(i).To(BeNumerically("<", pacerMaxTest), "the test ends by pacerMaxTest answers")
		now = feed(p, now, 40, 1, 1)
	}
	g.Expect(p.throttled).To(Equal(1), "the limit is confirmed")
	g.Expect(p.rate).To(BeNumerically("~", rate*pacerHold/pacerBelow, 1e-9))
}

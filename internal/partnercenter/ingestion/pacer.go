package ingestion

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Pacer is the transport of the Partner Center client. It makes all workers
// honour Partner Center's throttling together instead of each finding the
// limit on its own, and it tells a rate limit apart from 429s that have
// nothing to do with the rate.
//
// Microsoft publishes no rate limit for the Product Ingestion API, only
// Partner Center's general rule that a throttled request is answered 429
// with Retry-After. So the pacer learns the limit from the answers, one
// window (pacerWindow) at a time:
//
//   - Unpaced, requests go straight through. When the share of 429s in a
//     window rises above what is usual (the noise, below), the pacer paces
//     every worker together just under the rate Partner Center admitted in
//     that window (between its first and its last 429, where a limit's
//     bucket is empty, rather than over a burst the bucket held), and holds
//     every request back for the window's longest Retry-After.
//   - The next window tests that decision; it goes on (up to pacerMaxTest
//     answers) until the share of 429s has either stayed where it was or
//     fallen by more than chance allows, since a limit that the demand
//     barely exceeds is answered with few 429s. Under a real limit, sending
//     below the admitted rate makes the 429s (nearly) stop: the limit is confirmed
//     and the rate is held for pacerHoldWindows before it probes upwards by
//     pacerProbe a window; the first window that is throttled again while
//     probing sets the rate back under what was admitted.
//   - When pacing did not make the 429s stop, they were not caused by the
//     rate (an overloaded backend answers some requests 429 whatever the
//     rate): the pacer goes back to the rate it had and learns that share as
//     the noise, so that the same share does not slow anyone down again. The
//     noise decays when the 429s do.
//   - A window whose 429s are too many for chance even with 10% noise
//     (overwhelming) is judged as soon as its throttled span tells the
//     admitted rate, without waiting for a full sample: workers that start
//     far above a limit would otherwise each meet it again after their
//     first Retry-After.
//
// Once the pacer has learned that a share of the 429s come whatever the
// rate (Noise), the client hands such a 429 back to its caller to requeue
// instead of holding the caller idle for its Retry-After (Client.mayDefer);
// under a limit, or while a decision is tested, each one is waited out in
// place, which is how the callers slow down together.
//
// Callers that do not wait out a Retry-After themselves (they requeue the
// throttled work and go on with other work, see Options.MaxRetryWait) keep
// sending into an exhausted limit until the window is judged; when, within
// one Retry-After, the 429s are three in four answers and more than twice
// the most requests ever in flight (which callers that wait never reach),
// the pacer holds them all back for the Retry-After at once.
//
// Each request's own retry still honours its Retry-After (the HTTP adapter
// does that, up to Options.MaxRetryWait).
type Pacer struct {
	// Next sends the requests; nil means http.DefaultTransport.
	Next http.RoundTripper

	mu     sync.Mutex
	rate   float64 // requests per second; 0 means not pacing
	tokens float64
	last   time.Time
	pause  time.Time // no request leaves before this

	winStart time.Time
	winOK    int
	win429   int
	retry    time.Duration // longest Retry-After in the window
	// first429 and last429 are when the window's first and last 429 came
	// back, okFirst429 and okLast429 how many answers of the window were
	// not 429 by then.
	first429, last429     time.Time
	okFirst429, okLast429 int
	// inflight counts the requests sent and not yet answered, peak the
	// most there ever were. burstOK and burst429 count the answers since
	// burstStart, at most one Retry-After ago.
	inflight, peak    int
	burstOK, burst429 int
	burstStart        time.Time
	// winWaited counts the requests of the window the pace held back.
	winWaited int
	// epoch counts the pacing decisions; a request carries the one it was
	// sent under.
	epoch int

	noise     float64 // share of 429s that pacing did not remove
	testing   bool    // the last window was throttled; this one tests the decision
	tested    float64 // the 429 share that started the test
	testedN   int     // and the answers it was taken over
	known     float64 // the rate of the last confirmed limit
	idle      int     // calm windows in a row in which the pace held nobody back
	before    float64 // the rate before the test (0: unpaced)
	hold      int     // windows left before probing upwards
	throttled int     // windows that confirmed a limit (for tests and metrics)
}

const (
	pacerWindow = 2 * time.Second
	// A window lasts pacerWindow, longer when needed to hold pacerMinSample
	// answers (a share of fewer tells little), but never past pacerMaxWindow;
	// one with under pacerFewest answers is not judged.
	pacerMinSample = 100
	pacerMaxWindow = 30 * time.Second
	pacerFewest    = 10
	// pacerNoisePrior is the share of 429s chance is allowed to explain
	// in a window judged before it holds pacerMinSample answers
	// (overwhelming).
	pacerNoisePrior = 0.1
	// pacerNoisy is the least learned noise at which Noise lets callers
	// requeue a 429's work rather than wait out its Retry-After.
	pacerNoisy = 0.05
	// A window that tests a decision and cannot tell the 429s' fall from
	// chance yet goes on up to pacerMaxTest answers (or pacerMaxWindow).
	pacerMaxTest = 4 * pacerMinSample
	// pacerThrottledSpan is how long the throttled part of a window (from
	// its first to its last 429) must last, with pacerFewest answers that
	// were not 429 in it, to tell the admitted rate.
	pacerThrottledSpan = time.Second
	// pacerBrake: see observe.
	pacerBrake = 10
	// pacerIdleWindows calm windows in a row in which the pace held nobody
	// back end the pacing: the demand is under it.
	pacerIdleWindows = 5
	// pacerMargin is the least rise of the share of 429s above the noise
	// that counts as throttled.
	pacerMargin = 0.02
	// pacerBelow is where the pacer sets the rate to test a throttled
	// window, as a share of the rate Partner Center admitted in it: far
	// enough under a limit that a token bucket refills, so that the test
	// is clean. pacerHold is where it holds the rate once the limit is
	// confirmed.
	pacerBelow = 0.9
	pacerHold  = 0.95
	// pacerSame: a test window whose share of 429s is at least this share
	// of the throttled window's says that pacing changed nothing.
	pacerSame        = 0.75
	pacerHoldWindows = 15
	pacerProbe       = 1.02
	pacerMinRate     = 1.0
)

// RoundTrip implements http.RoundTripper.
func (p *Pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	d, epoch := p.reserve(time.Now())
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-req.Context().Done():
			t.Stop()
			p.observe(time.Now(), nil, epoch) // never sent
			return nil, req.Context().Err()
		case <-t.C:
		}
	}
	next := p.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		p.observe(time.Now(), nil, epoch)
	} else {
		p.observe(time.Now(), resp, epoch)
	}
	return resp, err
}

// Noise reports whether the pacer takes the 429s it meets now for noise:
// it paces nobody and tests no decision, and it learned that a share of
// at least pacerNoisy of the answers are 429s whatever the rate. A caller
// may then requeue a 429's work and go on with other work instead of
// waiting out its Retry-After in place (Client.mayDefer): slowing down
// would not make those 429s stop.
func (p *Pacer) Noise() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate == 0 && !p.testing && p.noise >= pacerNoisy
}

// Rate returns the rate the pacer holds the workers to, in requests per
// second; 0 when it is not pacing.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// reserve takes a token and returns how long the request must wait, and
// the epoch of the pacing decision it was sent under.
func (p *Pacer) reserve(now time.Time) (time.Duration, int) {
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
			p.winWaited++
			t = t.Add(time.Duration(-p.tokens / p.rate * float64(time.Second)))
		}
	}
	p.inflight++
	p.peak = max(p.peak, p.inflight)
	return t.Sub(now), p.epoch
}

// observe counts the answer to a request sent under epoch (nil when none
// came) and, once per window, adapts the rate. Answers to requests sent
// before the last decision tell nothing of it and are not counted.
func (p *Pacer) observe(now time.Time, resp *http.Response, epoch int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight = max(0, p.inflight-1)
	if resp == nil || epoch != p.epoch {
		return
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if p.win429 == 0 {
			p.first429, p.okFirst429 = now, p.winOK
		}
		p.last429, p.okLast429 = now, p.winOK
		p.win429++
		var retry time.Duration
		if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
			retry = min(time.Duration(secs)*time.Second, time.Minute)
			p.retry = max(p.retry, retry)
		}
		if now.Sub(p.burstStart) > retry {
			p.burstStart, p.burstOK, p.burst429 = now, 0, 0
		}
		// Within one Retry-After, a caller that waits it out is answered
		// 429 about once; more than twice as many 429s as requests were
		// ever in flight (and than pacerBrake), three in four answers, say
		// that the callers send again without waiting (they requeue and go
		// on with other work) into a limit. Hold them all back for the
		// Retry-After now rather than at the window's end.
		if p.burst429++; p.burst429 > 2*max(p.peak, pacerBrake) && p.burst429 > 3*p.burstOK {
			if resume := now.Add(retry); resume.After(p.pause) {
				p.pause = resume
			}
			p.burstStart, p.burstOK, p.burst429 = now, 0, 0
		}
	} else {
		p.winOK++
		p.burstOK++
	}
	if p.winStart.IsZero() {
		p.winStart = now
	}
	// A window is judged after pacerWindow once it holds pacerMinSample
	// answers (or after pacerMaxWindow), or, when its 429s are
	// overwhelming, as soon as its throttled span can tell the admitted
	// rate: at a start into an exhausted limit, every worker would
	// otherwise meet it again after its Retry-After. That judgment waits
	// for an answer after the last 429: answers to requests the limit
	// admitted just before it may come back after it.
	elapsed, total := now.Sub(p.winStart), p.winOK+p.win429
	throttled, okThrottled := p.last429.Sub(p.first429), p.okLast429-p.okFirst429
	tells := p.win429 > 1 && throttled >= pacerThrottledSpan && okThrottled >= pacerFewest
	early := tells && now.After(p.last429) && total < pacerMinSample && p.overwhelming(total)
	if !early && (elapsed < pacerWindow || (total < pacerMinSample && elapsed < pacerMaxWindow)) {
		return
	}
	if total >= pacerFewest {
		// The rate Partner Center admitted: over the window or, when that
		// is long enough to tell, between its first and its last 429. A
		// limit's bucket is empty at both, so what it admitted in between
		// is its rate whatever the workers sent, while before the first
		// 429 it may have let a burst through.
		admitted := float64(p.winOK) / elapsed.Seconds()
		if tells {
			admitted = float64(okThrottled) / throttled.Seconds()
		}
		if early {
			// From the first 429 to now counts those late answers too. It
			// is low when the workers then sat out their Retry-Afters,
			// while the span is low when they came back into the limit
			// just before now; neither counts more than the limit let
			// through since its bucket was empty, so the higher is closer.
			admitted = max(admitted, float64(p.winOK-p.okFirst429)/now.Sub(p.first429).Seconds())
		}
		last := total >= pacerMaxTest || elapsed >= pacerMaxWindow
		if !p.adapt(now, float64(p.win429)/float64(total), total, admitted, last) {
			return // the test goes on until it tells
		}
	}
	p.winStart, p.winOK, p.win429, p.retry, p.winWaited = now, 0, 0, 0, 0
	p.first429, p.last429, p.okFirst429, p.okLast429 = time.Time{}, time.Time{}, 0, 0
}

// adapt judges one window: share is its share of 429s, n its answers,
// admitted the rate of answers that were not 429. A window that tests a
// decision and does not tell yet goes on (adapt returns false) unless it
// is the last one the test may have.
func (p *Pacer) adapt(now time.Time, share float64, n int, admitted float64, last bool) bool {
	excess := share - p.noise
	if p.testing {
		// Pacing below the admitted rate did not remove the 429s when the
		// share stayed (nearly) where it was or, unpaced before, did not
		// fall by more than chance allows. (Paced before, the pacer was
		// probing above a limit it had found: a fall means that limit.)
		same := share >= pacerSame*p.tested
		chance := p.before == 0 && p.tested-share < 3*p.spread(share, n)
		if chance && !same && !last {
			return false
		}
		p.testing = false
		if same || chance {
			// Not a limit: learn the share as noise and undo the decision.
			p.noise = max(p.noise, share)
			p.rate, p.pause = p.before, time.Time{}
			if p.rate > 0 && p.known > 0 {
				p.rate = min(p.rate, p.known) // not back above a known limit
			}
			p.epoch++
			return true
		}
		// A limit: hold just under it.
		p.throttled++
		p.rate *= pacerHold / pacerBelow
		p.hold, p.known = pacerHoldWindows, p.rate
		return true
	}
	if excess > p.significant(n) {
		p.testing, p.tested, p.testedN, p.before, p.idle = true, share, n, p.rate, 0
		p.epoch++
		// Under the rate that was admitted, plus what the noise took.
		target := max(pacerMinRate, pacerBelow*admitted/(1-min(p.noise, 0.5)))
		if p.rate == 0 && p.known > 0 {
			// Back from an idle spell: not above the limit found last time,
			// whatever a burst let through.
			target = min(target, p.known)
		}
		if p.rate == 0 || target < p.rate {
			p.rate = target
		}
		if resume := now.Add(p.retry); resume.After(p.pause) {
			p.pause = resume
		}
		// No burst when the pause ends: the limit's bucket is empty too.
		p.tokens, p.last = 0, now
		if p.pause.After(now) {
			p.last = p.pause
		}
		return true
	}
	// A calm window tells the noise: unpaced, or held under a confirmed
	// limit, every 429 is noise. While probing upwards, the noise may only
	// fall, since a slow rise can be the probe passing the limit.
	probing := p.rate > 0 && p.hold == 0
	if fresh := 0.7*p.noise + 0.3*share; !probing || fresh < p.noise {
		p.noise = fresh
	}
	if p.rate == 0 {
		return true
	}
	if p.hold > 0 {
		p.hold--
		return true
	}
	if p.winWaited == 0 {
		// The pace held nobody back: once that lasts, the demand is under
		// it and there is nothing to learn by pacing.
		if p.idle++; p.idle >= pacerIdleWindows {
			p.rate, p.idle = 0, 0
		}
		return true
	}
	p.idle = 0
	p.rate *= pacerProbe
	return true
}

// spread is the standard deviation of the difference between the share
// that started a test and share, over n answers.
func (p *Pacer) spread(share float64, n int) float64 {
	pooled := (p.tested*float64(p.testedN) + share*float64(n)) / float64(p.testedN+n)
	return math.Sqrt(pooled * (1 - pooled) * (1/float64(p.testedN) + 1/float64(n)))
}

// overwhelming reports whether the window's 429s, n answers so far, are
// too many for chance even if the noise were pacerNoisePrior: a window
// short of pacerMinSample answers is then judged at once, rather than
// left to run on into an exhausted limit while it gathers them.
func (p *Pacer) overwhelming(n int) bool {
	if n < pacerFewest || p.testing {
		return false
	}
	p0 := max(p.noise, pacerNoisePrior)
	return float64(p.win429)/float64(n) > p0+4*math.Sqrt(p0*(1-p0)/float64(n))
}

// significant is how far above the noise the share of 429s in a window of n
// answers must be to tell a limit from chance: four standard deviations of
// the noise's share, and never less than pacerMargin.
func (p *Pacer) significant(n int) float64 {
	return max(pacerMargin, 4*math.Sqrt(p.noise*(1-p.noise)/float64(n)))
}

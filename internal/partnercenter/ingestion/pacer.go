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
//     every request back for the window's longest Retry-After. Requests
//     already held back at the old pace take a new slot under the new one
//     (resume): each decision takes effect at once.
//   - The next window tests that decision; it goes on (up to pacerMaxTest
//     answers) until the share of 429s has either stayed where it was or
//     fallen by more than chance allows, since a limit that the demand
//     barely exceeds is answered with few 429s. Under a real limit, sending
//     below the admitted rate makes the 429s (nearly) stop: the limit is
//     confirmed and the rate held at pacerHold of the rate estimated for
//     pacerConfirmHold windows. A test window whose 429s fell but go on
//     beyond chance says that the estimate was too high: the pace goes
//     under what that window admitted, and is tested again (retest).
//   - The pace then probes upwards a window at a time while it holds
//     workers back: by pacerFarProbe under a limit only estimated, by
//     pacerProbe near one measured, faster after many probes that met
//     nothing (probeStep); a far probe's window is calm as soon as it
//     holds 2*pacerFewest answers and no 429 (farCalm). A probe that
//     meets the limit (429s beyond the noise) keeps the pace until the
//     window's throttled span measures the limit's rate (measured), then
//     steps just under it (pacerHoldMeasured) and holds for
//     pacerHoldWindows (stepBack): no pause, no test.
//   - When pacing did not make the 429s stop, they were not caused by the
//     rate (an overloaded backend answers some requests 429 whatever the
//     rate): the pacer goes back to the rate it had and learns that share as
//     the noise, so that the same share does not slow anyone down again. The
//     noise decays when the 429s do. With noise, a probe that meets the
//     limit starts a test instead of measuring it.
//   - A window whose 429s are too many for chance even with 10% noise
//     (overwhelming) is judged as soon as its throttled span tells the
//     admitted rate, without waiting for a full sample: workers that start
//     far above a limit would otherwise each meet it again after their
//     first Retry-After. When its 429s came all at once, within a tenth of
//     their Retry-After (the workers' first burst into the limit), it is
//     judged at once, on the guess that the limit admits what it let
//     through per Retry-After (early); probing corrects the guess.
//
// How close this keeps to a limit is measured in virtual time against a
// token bucket as the simulator's qps fault (TestPacerCloseToTheLimit):
// Microsoft publishes neither a limit nor its shape for this API.
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
	probes    int     // probes in a row that met no limit
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
	// pacerProbeMargin is pacerMargin while probing above a confirmed
	// limit.
	pacerProbeMargin = 0.005
	// pacerBurstSigmas: see early.
	pacerBurstSigmas = 6
	// pacerBelow is where the pacer sets the rate to test a throttled
	// window, as a share of the rate Partner Center admitted in it: far
	// enough under a limit that a token bucket refills, so that the test
	// is clean. pacerHold is where it holds the rate once a test confirmed
	// the limit, as a share of that rate, which was estimated roughly.
	pacerBelow = 0.9
	pacerHold  = 1.0
	// pacerSame: a test window whose share of 429s is at least this share
	// of the throttled window's says that pacing changed nothing.
	pacerSame = 0.75
	// pacerHoldWindows: windows held under a limit measured (stepBack)
	// before probing upwards again.
	pacerHoldWindows = 30
	// pacerProbe is the probe near a limit measured: with a limit's burst
	// of a second or so it meets the limit within a few windows, at most a
	// few percent over it.
	pacerProbe = 1.01
	// pacerFarProbe is the probe after pacerFar probes in a row met no
	// limit (with a limit's burst of a second or so, pacerFar probes of
	// pacerProbe would have met it by then, unless it rose) and under a
	// limit only estimated; see probeStep. pacerMaxProbe caps a probe.
	pacerFar      = 8
	pacerFarProbe = 1.03
	pacerMaxProbe = 1.5
	// pacerHoldMeasured is pacerHold for a limit measured (stepBack).
	pacerHoldMeasured = 0.99
	// pacerMeasure: see measured.
	pacerMeasure = 60
	// pacerConfirmHold is pacerHoldWindows for a limit confirmed by a
	// test, which paced under a rate estimated roughly.
	pacerConfirmHold = 0
	pacerMinRate     = 1.0
)

// RoundTrip implements http.RoundTripper.
func (p *Pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	d, epoch := p.reserve(time.Now())
	for d > 0 {
		t := time.NewTimer(d)
		select {
		case <-req.Context().Done():
			t.Stop()
			p.observe(time.Now(), nil, epoch) // never sent
			return nil, req.Context().Err()
		case <-t.C:
		}
		d, epoch = p.resume(time.Now(), epoch)
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
	p.inflight++
	p.peak = max(p.peak, p.inflight)
	return p.slot(now), p.epoch
}

// resume is called when a request held back under epoch is due. When a
// decision came since, its slot was given under a pace that no longer
// holds (the new decision may hold everyone back, or pace them slower):
// it takes a slot under the new pace and returns how long to wait for it.
// Without that, every request already held back would go out at the old
// pace, on top of the new one's.
func (p *Pacer) resume(now time.Time, epoch int) (time.Duration, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if epoch == p.epoch {
		return 0, epoch
	}
	return p.slot(now), p.epoch
}

// slot takes a token and returns how long the request must wait for it.
func (p *Pacer) slot(now time.Time) time.Duration {
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
	return t.Sub(now)
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
		p.count429(now, resp)
	} else {
		p.winOK++
		p.burstOK++
	}
	if p.winStart.IsZero() {
		p.winStart = now
	}
	admitted, last, due := p.due(now)
	if !due {
		return
	}
	if total := p.winOK + p.win429; total >= pacerFewest {
		if !p.adapt(now, float64(p.win429)/float64(total), total, admitted, last) {
			return // the test goes on until it tells
		}
	}
	p.winStart, p.winOK, p.win429, p.retry, p.winWaited = now, 0, 0, 0, 0
	p.first429, p.last429, p.okFirst429, p.okLast429 = time.Time{}, time.Time{}, 0, 0
}

// count429 counts a 429 in the window, notes its Retry-After and brakes
// callers that do not wait it out.
func (p *Pacer) count429(now time.Time, resp *http.Response) {
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
}

// due reports whether the window is to be judged now, with the rate
// Partner Center admitted in it and whether it is the last answer a test
// may wait for.
//
// A window is judged after pacerWindow once it holds pacerMinSample
// answers (or after pacerMaxWindow); a window whose 429s are overwhelming
// at once (see early).
func (p *Pacer) due(now time.Time) (admitted float64, last, due bool) {
	elapsed, total := now.Sub(p.winStart), p.winOK+p.win429
	admitted, tells := p.admitted(elapsed)
	if guess, ok := p.early(now, elapsed, total); ok {
		return guess, false, true
	}
	last = total >= pacerMaxTest || elapsed >= pacerMaxWindow
	if p.testing && tells && p.stillOver(total) {
		return admitted, last, true
	}
	if elapsed < pacerWindow {
		return admitted, last, false
	}
	return admitted, last, total >= pacerMinSample || elapsed >= pacerMaxWindow || p.farCalm(total)
}

// farCalm reports whether a window of n answers is judged calm before it
// holds pacerMinSample: while probing far (probeStep) under a limit only
// estimated or long unmet, a window without a single 429 needs no more
// answers to say so, and at a low limit a full window would take the
// pace many minutes to climb to it.
func (p *Pacer) farCalm(n int) bool {
	return !p.testing && p.rate > 0 && p.hold == 0 && p.probes >= pacerFar && p.win429 == 0 && n >= 2*pacerFewest
}

// stillOver reports whether a test window whose throttled span tells the
// admitted rate says already that the pace tested is over a limit: its
// 429s fell from the share that started the test (so a limit, not noise;
// only a full window may say that they did not fall) but are still beyond
// chance. The test goes on under that rate at once (retest) rather than
// send into the limit until the window is full.
func (p *Pacer) stillOver(n int) bool {
	share := float64(p.win429) / float64(n)
	return share < pacerSame*p.tested && share-p.noise > p.significant(n, false)
}

// admitted is the rate Partner Center admitted in the window: over the
// window or, when that is long enough to tell, between its first and its
// last 429. A limit's bucket is empty at both, so what it admitted in
// between is its rate whatever the workers sent, while before the first
// 429 it may have let a burst through.
func (p *Pacer) admitted(elapsed time.Duration) (float64, bool) {
	throttled, okThrottled := p.last429.Sub(p.first429), p.okLast429-p.okFirst429
	if p.win429 > 1 && throttled >= pacerThrottledSpan && okThrottled >= pacerFewest {
		return float64(okThrottled) / throttled.Seconds(), true
	}
	return float64(p.winOK) / max(elapsed, time.Millisecond).Seconds(), false
}

// early reports whether a window whose 429s are overwhelming is judged
// now, before it holds pacerMinSample answers, and the admitted rate it
// tells: at a start into an exhausted limit, every worker would otherwise
// meet it again after its Retry-After.
//
// When the throttled span tells the admitted rate, the window is judged
// at the first answer after the last 429 (answers to requests the limit
// admitted just before it may come back after it), counting from the
// first 429 to now: that is low when the workers then sat out their
// Retry-Afters, the span is low when they came back into the limit just
// before now, and neither counts more than the limit let through since
// its bucket was empty, so the higher is closer.
//
// When it does not, an unpaced window whose 429s are far too many for
// chance (pacerBurstSigmas) is judged at once, the workers' first burst
// into the limit: Partner Center admitted the window's answers that were
// not 429 and asks the rest to come back after the Retry-After, which is
// the rate it is taken for until the test tells more.
func (p *Pacer) early(now time.Time, elapsed time.Duration, total int) (float64, bool) {
	if total >= pacerMinSample || !p.overwhelming(total, 4) {
		return 0, false
	}
	// Half the answers that tell a window's admitted rate tell an
	// overwhelmed one's well enough: each second more costs a 429 per
	// worker, and the test that follows corrects an estimate too high
	// (retest), probing one too low.
	throttled, ok := p.last429.Sub(p.first429), p.okLast429-p.okFirst429
	if p.win429 > 1 && throttled >= pacerThrottledSpan && ok >= pacerFewest/2 {
		if !now.After(p.last429) {
			return 0, false
		}
		return min(float64(ok)/throttled.Seconds(), float64(p.winOK-p.okFirst429)/now.Sub(p.first429).Seconds()), true
	}
	if p.rate > 0 || p.retry == 0 || now.Sub(p.first429) > p.retry/10 || total < 2*pacerFewest || !p.overwhelming(total, pacerBurstSigmas) {
		return 0, false
	}
	return float64(p.winOK) / (elapsed + p.retry).Seconds(), true
}

// adapt judges one window: share is its share of 429s, n its answers,
// admitted the rate of answers that were not 429. A window that tests a
// decision and does not tell yet goes on (adapt returns false) unless it
// is the last one the test may have.
func (p *Pacer) adapt(now time.Time, share float64, n int, admitted float64, last bool) bool {
	if p.testing {
		return p.judgeTest(now, share, n, admitted, last)
	}
	// Paced under a confirmed limit, a 429 most likely means the limit,
	// not chance: one alone is let pass.
	paced := p.rate > 0 && p.known > 0
	probing := paced && p.hold == 0
	if excess := share - p.noise; excess > p.significant(n, paced) && (!paced || p.win429 > 1) {
		if probing && p.noise < pacerNoisy {
			if p.measured() {
				p.stepBack(now)
				return true
			}
			if n < pacerMaxTest {
				return false // the window goes on until it tells the limit
			}
		}
		p.startTest(now, share, n, admitted)
		return true
	}
	p.calm(share, probing)
	return true
}

// judgeTest judges the window that tests a decision. Pacing below the
// admitted rate did not remove the 429s when the share stayed (nearly)
// where it was or, unpaced before, did not fall by more than chance
// allows. (Paced before, the pacer was probing above a limit it had
// found: a fall means that limit.)
func (p *Pacer) judgeTest(now time.Time, share float64, n int, admitted float64, last bool) bool {
	same := share >= pacerSame*p.tested
	chance := p.before == 0 && !p.fell(share, n)
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
	if share-p.noise > p.significant(n, true) && p.win429 > 1 {
		// A limit, and the pace is still above it (the rate admitted was
		// over-estimated): test again under the rate admitted now.
		p.retest(now, share, n, admitted)
		return true
	}
	// A limit: hold just under it. The rate tested was under a rough
	// estimate of the limit: probes go far until they meet it, where
	// stepBack measures it.
	p.throttled++
	p.rate *= pacerHold / pacerBelow
	p.hold, p.known, p.probes = pacerConfirmHold, p.rate, pacerFar
	return true
}

// retest paces under the rate admitted in a test window that was still
// throttled and tests that against the window's share of 429s: if the
// share does not fall this time, it is noise.
func (p *Pacer) retest(now time.Time, share float64, n int, admitted float64) {
	p.testing, p.tested, p.testedN = true, share, n
	p.rate = max(pacerMinRate, min(p.rate*pacerBelow, pacerBelow*admitted/(1-min(p.noise, 0.5))))
	p.holdBack(now)
}

// fell reports whether a share of 429s over n answers is below the one
// that started the test by more than chance allows.
func (p *Pacer) fell(share float64, n int) bool {
	return share < pacerSame*p.tested && p.tested-share >= 3*p.spread(share, n)
}

// startTest paces every worker together just under the rate that was
// admitted in a throttled window and holds them back for its longest
// Retry-After; the next window tests that decision.
func (p *Pacer) startTest(now time.Time, share float64, n int, admitted float64) {
	p.testing, p.tested, p.testedN, p.before, p.idle, p.probes = true, share, n, p.rate, 0, 0
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
	p.holdBack(now)
}

// holdBack starts a new pace: it holds every request back for the
// window's longest Retry-After. No burst when the pause ends: the limit's
// bucket is empty too. The slots given before are forgotten: their
// requests take new ones when due (resume), and the answers to requests
// sent before tell nothing of the new pace.
func (p *Pacer) holdBack(now time.Time) {
	p.epoch++
	if resume := now.Add(p.retry); resume.After(p.pause) {
		p.pause = resume
	}
	p.tokens, p.last = 0, latest(now, p.pause)
}

// measured reports whether the window's throttled span tells the
// limit's rate: pacerMeasure answers that were not 429 between its first
// and its last 429, when the limit's bucket was empty at both, say its
// rate to within one answer.
func (p *Pacer) measured() bool {
	return p.last429.Sub(p.first429) >= pacerThrottledSpan && p.okLast429-p.okFirst429 >= pacerMeasure
}

// stepBack: a probe above a confirmed limit met it again, and the window
// measured it (measured): the pace goes just under the least rate that
// the count allows and holds there for pacerHoldWindows. No test and no
// pause: the limit is known, and the workers throttled wait their
// Retry-After out.
func (p *Pacer) stepBack(now time.Time) {
	span, ok := p.last429.Sub(p.first429), p.okLast429-p.okFirst429
	p.rate = max(pacerMinRate, pacerHoldMeasured*float64(ok-1)/span.Seconds())
	p.hold, p.known, p.idle, p.probes = pacerHoldWindows, p.rate, 0, 0
	p.throttled++
	// Requests held back at the old pace take new slots (resume), and
	// answers to those sent before tell nothing of the new one.
	p.epoch++
	p.tokens, p.last = 0, now
}

// calm learns from a window that was not throttled. It tells the noise:
// unpaced, or held under a confirmed limit, every 429 is noise. While
// probing upwards, the noise may only fall, since a slow rise can be the
// probe passing the limit.
func (p *Pacer) calm(share float64, probing bool) {
	if fresh := 0.7*p.noise + 0.3*share; !probing || fresh < p.noise {
		p.noise = fresh
	}
	if p.rate == 0 {
		return
	}
	if p.hold > 0 {
		p.hold--
		return
	}
	if p.winWaited == 0 {
		// The pace held nobody back: once that lasts, the demand is under
		// it and there is nothing to learn by pacing.
		if p.idle++; p.idle >= pacerIdleWindows {
			p.rate, p.idle = 0, 0
		}
		return
	}
	p.idle = 0
	if p.win429 > 0 && p.noise < pacerNoisy {
		return // a 429 where there is no noise: the limit is near
	}
	// Probes are small near a limit measured, larger under one only
	// estimated (judgeTest) and after pacerFar of them met no limit (it
	// rose, or noise hid it): they reach it in fewer windows.
	p.probes++
	p.rate *= 1 + p.probeStep()
}

// probeStep is how far the next probe goes: pacerProbe-1 near a limit
// measured, pacerFarProbe-1 after pacerFar probes in a row met no limit
// (or under a limit only estimated, judgeTest), and twice as far every
// pacerFar/2 probes after 2*pacerFar of them: a limit far above the one
// found (it rose, or the estimate was far too low) is reached in tens of
// windows rather than hundreds, and the pace that meets it is at most
// one step over. Not with noise: it blurs the limit's 429s, and a pace
// far over a limit would go on unseen.
func (p *Pacer) probeStep() float64 {
	if p.probes <= pacerFar {
		return pacerProbe - 1
	}
	step := pacerFarProbe - 1
	if k := p.probes - 2*pacerFar; k > 0 && p.noise < pacerNoisy {
		step *= math.Pow(2, float64(2*k)/pacerFar)
	}
	return min(step, pacerMaxProbe-1)
}

// spread is the standard deviation of the difference between the share
// that started a test and share, over n answers.
func (p *Pacer) spread(share float64, n int) float64 {
	pooled := (p.tested*float64(p.testedN) + share*float64(n)) / float64(p.testedN+n)
	return math.Sqrt(pooled * (1 - pooled) * (1/float64(p.testedN) + 1/float64(n)))
}

// overwhelming reports whether the window's 429s, n answers so far, are
// more than sigmas standard deviations above what chance gives even if
// the noise were pacerNoisePrior: a window short of pacerMinSample
// answers may then be judged at once (early), rather than left to run on
// into an exhausted limit while it gathers them.
func (p *Pacer) overwhelming(n int, sigmas float64) bool {
	if n < pacerFewest || p.testing {
		return false
	}
	p0 := max(p.noise, pacerNoisePrior)
	return float64(p.win429)/float64(n) > p0+sigmas*math.Sqrt(p0*(1-p0)/float64(n))
}

// significant is how far above the noise the share of 429s in a window of n
// answers must be to tell a limit from chance: four standard deviations of
// the noise's share, and never less than pacerMargin (pacerProbeMargin
// while probing above a confirmed limit, where the limit, not chance, is
// what a 429 most likely means).
func (p *Pacer) significant(n int, probing bool) float64 {
	margin := pacerMargin
	if probing {
		margin = pacerProbeMargin
	}
	return max(margin, 4*math.Sqrt(p.noise*(1-p.noise)/float64(n)))
}

// latest is the latest of ts.
func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

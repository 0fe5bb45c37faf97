package simulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// faultSpec is a parsed fault specification:
// "429=P,5xx=P,latency=DURATION,drop=P,dropafter=P,qps=N,seed=N".
// Probabilities are in [0,1]; their sum must not exceed 1 because one draw
// per request picks at most one of drop, dropafter, 429 and 5xx. drop
// closes the connection before the request is handled (it changes
// nothing); dropafter handles it and then closes the connection instead of
// answering (it takes effect, and the client cannot know).
type faultSpec struct {
	p429, p5xx, pDrop, pDropAfter float64
	latency                       time.Duration
	qps                           float64
	seed                          uint64
	seeded                        bool
}

// parseFaults parses a fault spec; an empty spec injects nothing. Errors name
// the bad term.
func parseFaults(spec string) (faultSpec, error) {
	var f faultSpec
	seen := map[string]bool{}
	for term := range strings.SplitSeq(spec, ",") {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		key, val, ok := strings.Cut(term, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || val == "" {
			return faultSpec{}, fmt.Errorf("fault term %q: want KIND=VALUE", term)
		}
		if seen[key] {
			return faultSpec{}, fmt.Errorf("fault term %q: %s is given twice", term, key)
		}
		seen[key] = true
		if err := f.setTerm(term, key, val); err != nil {
			return faultSpec{}, err
		}
	}
	if sum := f.p429 + f.p5xx + f.pDrop + f.pDropAfter; sum > 1 {
		return faultSpec{}, fmt.Errorf("fault spec %q: 429, 5xx, drop and dropafter add up to %g, more than 1", spec, sum)
	}
	return f, nil
}

// setTerm sets one KIND=VALUE term of a fault spec.
func (f *faultSpec) setTerm(term, key, val string) error {
	prob := func(dst *float64) error {
		p, err := strconv.ParseFloat(val, 64)
		if err != nil || p < 0 || p > 1 || math.IsNaN(p) {
			return fmt.Errorf("fault term %q: %s wants a probability between 0 and 1", term, key)
		}
		*dst = p
		return nil
	}
	var err error
	switch key {
	case "429":
		err = prob(&f.p429)
	case "5xx":
		err = prob(&f.p5xx)
	case "drop":
		err = prob(&f.pDrop)
	case "dropafter":
		err = prob(&f.pDropAfter)
	case "latency":
		f.latency, err = time.ParseDuration(val)
		if err != nil || f.latency < 0 {
			err = fmt.Errorf("fault term %q: latency wants a duration such as 200ms", term)
		}
	case "qps":
		f.qps, err = strconv.ParseFloat(val, 64)
		if err != nil || f.qps <= 0 || math.IsInf(f.qps, 0) || math.IsNaN(f.qps) {
			err = fmt.Errorf("fault term %q: qps wants a positive number of requests per second", term)
		}
	case "seed":
		f.seed, err = strconv.ParseUint(val, 10, 64)
		if err != nil {
			err = fmt.Errorf("fault term %q: seed wants a non-negative integer", term)
		}
		f.seeded = true
	default:
		err = fmt.Errorf("fault term %q: unknown fault %q (want 429, 5xx, latency, drop, dropafter, qps or seed)", term, key)
	}
	return err
}

// Fault kinds, the keys of Stats.Faults.
const (
	faultNone = ""
	fault429  = "429"
	fault5xx  = "5xx"
	faultDrop = "drop"
	// faultDropAfter is counted once the request was handled.
	faultDropAfter = "dropafter"
	faultQPS       = "qps"
	faultLatency   = "latency"
)

// faultDecision is what to do to one request.
type faultDecision struct {
	kind       string
	status     int // for 429 and 5xx
	retryAfter int // seconds, for 429
}

// faults injects faults into the API surfaces. It is safe for concurrent use.
type faults struct {
	mu     sync.Mutex
	spec   faultSpec
	raw    string
	rng    *rand.Rand
	tokens float64
	last   time.Time
}

// set replaces the spec, restarting the random sequence (from the seed, when
// given) and filling the QPS bucket.
func (f *faults) set(raw string) error {
	spec, err := parseFaults(raw)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	seed := spec.seed
	if !spec.seeded {
		seed = rand.Uint64()
	}
	f.spec, f.raw = spec, strings.TrimSpace(raw)
	f.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// The bucket starts full: its burst, at least one request, even when
	// qps is below 1.
	f.tokens, f.last = math.Max(1, spec.qps), time.Time{}
	return nil
}

func (f *faults) current() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.raw
}

// admit takes a token from the QPS bucket. When it is empty it returns how
// long until the next token.
func (f *faults) admit(now time.Time) (bool, time.Duration) {
	qps := f.spec.qps
	if qps <= 0 {
		return true, 0
	}
	burst := math.Max(1, qps)
	if !f.last.IsZero() {
		f.tokens = math.Min(burst, f.tokens+now.Sub(f.last).Seconds()*qps)
	}
	f.last = now
	if f.tokens >= 1 {
		f.tokens--
		return true, 0
	}
	// A tiny qps puts the next token centuries away: cap the wait so that
	// it fits a Duration (and a Retry-After) instead of overflowing.
	secs := math.Min((1-f.tokens)/qps, maxQPSWait.Seconds())
	return false, time.Duration(secs * float64(time.Second))
}

// maxQPSWait caps the Retry-After of an empty QPS bucket.
const maxQPSWait = 24 * time.Hour

// decide picks the fault for one request and the latency to add before it.
func (f *faults) decide(now time.Time) (faultDecision, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ok, wait := f.admit(now); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		return faultDecision{kind: faultQPS, status: 429, retryAfter: max(1, secs)}, 0
	}
	s := f.spec
	if s.p429+s.p5xx+s.pDrop+s.pDropAfter == 0 {
		return faultDecision{}, s.latency
	}
	u := f.rng.Float64()
	if u >= 1-s.pDropAfter {
		// Drawn from the top of [0,1), so that adding dropafter to a
		// seeded spec leaves the other faults where they fell.
		return faultDecision{kind: faultDropAfter}, s.latency
	}
	switch {
	case u < s.pDrop:
		return faultDecision{kind: faultDrop}, s.latency
	case u < s.pDrop+s.p429:
		return faultDecision{kind: fault429, status: 429, retryAfter: 1}, s.latency
	case u < s.pDrop+s.p429+s.p5xx:
		status := 503
		if u >= s.pDrop+s.p429+s.p5xx/2 {
			status = 500
		}
		return faultDecision{kind: fault5xx, status: status}, s.latency
	}
	return faultDecision{}, s.latency
}

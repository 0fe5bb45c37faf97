// Package chaos_test runs the operator binary as a separate process against
// a real API server (envtest) and a standalone Partner Center simulator, and
// checks that no crash, fault or failover makes it do work twice or leave
// work undone:
//
//   - TestOperatorKills SIGKILLs the operator at random moments (at least 20
//     times) while it converges N MarketplaceOffers and N Solutions.
//   - TestFaults runs the same objects against a simulator that injects
//     429s, 5xx, latency and dropped connections.
//   - TestLeaderElection runs two replicas with --leader-elect, SIGKILLs the
//     leader mid-convergence and measures the takeover.
//   - TestChurn (churn_test.go) deletes offers, declares them again in the
//     same namespace or in another one (with the adopt opt-in), and deletes
//     others for good with deletionPolicy Delete, all while SIGKILLing the
//     operator; then it reads Partner Center: one product per offer ID,
//     owned by one object, and nothing left on sale or in draft for the
//     deleted ones.
//
// Each asserts and prints every object's end state and the simulator's
// counters: one product, one preview and one live submission per offer; one
// migration, merge request or discard per solution.
//
// `make test` runs a short variant (100+100 objects, 20 kills at 0.2-1s; 15+15
// objects under faults; 100+100 for the failover). `make chaos` sets
// CHAOS_FULL=1: 500+500 objects everywhere (200 offers for the churn, 40
// in the short run) and kill intervals of 0.2-3s. Knobs:
// CHAOS_N, CHAOS_FAULT_N, CHAOS_LE_N, CHAOS_CHURN_N (object counts), CHAOS_KILLS,
// CHAOS_MAX_INTERVAL, CHAOS_FAULTS (fault spec), CHAOS_SEED (the random
// kill schedule), CHAOS_OPERATOR_ARGS (extra manager flags), CHAOS_RACE=1
// (build the operator with -race). go test -short skips the package.
package chaos_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kill schedule and sizes of the short (make test) and full (make chaos) runs.
func sizes() (n, faultN, leN, kills int, maxInterval, converge time.Duration) {
	n, faultN, leN, kills, maxInterval, converge = 100, 15, 100, 20, time.Second, 4*time.Minute
	if full() {
		n, faultN, leN, maxInterval, converge = 500, 500, 500, 3*time.Second, 20*time.Minute
	}
	return envInt("CHAOS_N", n), envInt("CHAOS_FAULT_N", faultN), envInt("CHAOS_LE_N", leN), envInt("CHAOS_KILLS", kills),
		envDuration("CHAOS_MAX_INTERVAL", maxInterval), envDuration("CHAOS_CONVERGE_TIMEOUT", converge)
}

const minInterval = 200 * time.Millisecond

// The full size (make chaos): what hack/chaosreport accepts for
// test/chaos/RESULTS.md.
const (
	fullN           = 500
	fullKills       = 20
	fullMaxInterval = 3 * time.Second
	fullChurnN      = 200
)

// runSize is the first word of every RESULT line: "full" when the test ran
// at make chaos's size (CHAOS_FULL=1, and no knob set below that size),
// else "short". hack/chaosreport refuses a RESULT line that is not "full",
// so a short run is never written up as the results.
func runSize(atFullSize bool) string {
	if full() && atFullSize {
		return "full"
	}
	return "short"
}

// TestOperatorKills SIGKILLs the operator at random moments and restarts it
// each time, then lets it converge.
func TestOperatorKills(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos: skipped in -short mode")
	}
	n, _, _, kills, maxInterval, converge := sizes()
	rng := newRand(t)
	s := startSimulator(t, "kills", n, "")
	createObjects(t, n)
	log := filepath.Join(workDir, "kills", "operator.log")

	t.Logf("running the operator; %d SIGKILLs at random intervals of %s-%s", kills, minInterval, maxInterval)
	start := time.Now()
	op := startOperator(t, "operator", log, s)
	convergedDuringKills := time.Duration(0)
	for k := 1; k <= kills; k++ {
		up := minInterval + time.Duration(rng.Int64N(int64(maxInterval-minInterval)+1))
		time.Sleep(up)
		if op.exited() {
			failed = true
			t.Fatalf("the operator exited by itself (%v) before kill %d:\n%s", op.err, k, tail(log, 6000))
		}
		op.kill()
		p, err := observe(context.Background())
		if err != nil {
			t.Logf("kill %2d after %5s up (listing failed: %v)", k, up.Round(time.Millisecond), err)
		} else {
			t.Logf("kill %2d after %5s up at %6s: %s", k, up.Round(time.Millisecond), time.Since(start).Round(100*time.Millisecond), p)
			if p.all() && convergedDuringKills == 0 {
				convergedDuringKills = time.Since(start)
			}
		}
		op = startOperator(t, "operator", log, s)
	}
	lastKill := time.Since(start)
	if convergedDuringKills > 0 {
		t.Logf("NOTE: everything was done %s into the run, before the last kill; raise CHAOS_N to kill mid-convergence", convergedDuringKills.Round(time.Millisecond))
	}
	after := awaitConvergence(t, converge, log, s.log)
	total := time.Since(start)

	// Running on a while longer must not do anything more.
	time.Sleep(2 * time.Second)
	op.stop(10 * time.Second)
	checkEndState(t, n)
	st := s.stats(t)
	checkStats(t, st, n)
	size := runSize(n >= fullN && kills >= fullKills && maxInterval >= fullMaxInterval)
	t.Logf("RESULT %s kills: %d offers + %d solutions, %d SIGKILLs over %s (intervals %s-%s); converged %s after the last kill, %s in all; %d Partner Center requests",
		size, n, n, kills, lastKill.Round(time.Millisecond), minInterval, maxInterval, after.Round(time.Millisecond), total.Round(time.Millisecond), sum(st.Requests))
}

// TestFaults converges the objects against a simulator injecting faults.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos: skipped in -short mode")
	}
	_, n, _, _, _, converge := sizes()
	faults := os.Getenv("CHAOS_FAULTS")
	if faults == "" {
		// dropafter: the request takes effect and its answer is lost, so
		// a write sent again blind would make a second job.
		faults = "429=0.1,5xx=0.1,latency=200ms,drop=0.02,dropafter=0.01,seed=1"
	}
	s := startSimulator(t, "faults", n, faults)
	createObjects(t, n)
	log := filepath.Join(workDir, "faults", "operator.log")
	op := startOperator(t, "operator", log, s)
	took := awaitConvergence(t, converge, log, s.log)
	time.Sleep(2 * time.Second)
	if op.exited() {
		failed = true
		t.Errorf("the operator exited by itself (%v):\n%s", op.err, tail(log, 6000))
	}
	op.stop(10 * time.Second)
	checkEndState(t, n)
	st := s.stats(t)
	checkStats(t, st, n)
	checkOneJobPerWrite(t, st, n)
	size := runSize(n >= fullN)
	t.Logf("RESULT %s faults %q: %d offers + %d solutions converged in %s; faults met: %v (%d in all, over %d requests)",
		size, faults, n, n, took.Round(time.Millisecond), st.Faults, sum(st.Faults), sum(st.Requests))
	if floor := latencyFloor(faults, sum(st.Requests)); floor > 0 {
		t.Logf("RESULT %s faults latency floor: %d requests x %s / %d workers = %s; the run took %.2f times it",
			size, sum(st.Requests), faultLatency(faults), operatorWorkers, floor.Round(time.Second), took.Seconds()/floor.Seconds())
	}
}

// operatorWorkers is how many objects the operator reconciles at once with
// its defaults (main.go: --offer-concurrency 16, --solution-concurrency 4).
const operatorWorkers = 16 + 4

// faultLatency is the latency term of a fault spec, zero without one.
func faultLatency(faults string) time.Duration {
	for term := range strings.SplitSeq(faults, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(term), "latency="); ok {
			d, err := time.ParseDuration(v)
			if err == nil {
				return d
			}
		}
	}
	return 0
}

// latencyFloor is the least time the operator's workers could take to
// make requests requests that each spend the spec's latency: requests x
// latency / workers. Zero when the spec adds no latency.
func latencyFloor(faults string, requests int) time.Duration {
	return time.Duration(requests) * faultLatency(faults) / operatorWorkers
}

// TestLeaderElection runs two replicas, SIGKILLs the leader mid-convergence
// and measures how long the other takes to hold the Lease and resume.
func TestLeaderElection(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos: skipped in -short mode")
	}
	_, _, n, _, _, converge := sizes()
	help := helpText()
	// Short leases when the manager has the flags; else the defaults of
	// controller-runtime (15s, 10s, 2s).
	lease, renew, retry := 15*time.Second, 10*time.Second, 2*time.Second
	// --zap-devel: the replicas log at debug level, where the event
	// recorder writes "<holderIdentity> became leader", which tells which
	// replica holds the Lease (acquired).
	le := []string{"--leader-elect", "--leader-election-namespace", namespace, "--zap-devel"}
	if strings.Contains(help, "-leader-elect-lease-duration") {
		lease, renew, retry = envDuration("CHAOS_LEASE", 6*time.Second), envDuration("CHAOS_RENEW", 4*time.Second), envDuration("CHAOS_RETRY", time.Second)
		le = append(le, "--leader-elect-lease-duration", lease.String(), "--leader-elect-renew-deadline", renew.String(),
			"--leader-elect-retry-period", retry.String())
	} else {
		t.Logf("the manager has no --leader-elect-lease-duration flags; using the defaults")
	}
	// The standby tries every retry period (with jitter up to 1.2x); it takes
	// over once the record it last saw is lease-old. A retry period from the
	// last renewal to the standby's observation, and one from expiry to its
	// next try, plus slack for a loaded machine (make test runs packages in
	// parallel on two cores; takeovers measured 6.1-8.0s with a 6s lease).
	bound := lease + 2*time.Duration(float64(retry)*1.2) + 2500*time.Millisecond
	t.Logf("lease %s, renew deadline %s, retry period %s; takeover must take at most %s", lease, renew, retry, bound)

	s := startSimulator(t, "leader", n, "")
	createObjects(t, n)
	dir := filepath.Join(workDir, "leader")
	logs := map[string]string{"a": filepath.Join(dir, "replica-a.log"), "b": filepath.Join(dir, "replica-b.log")}
	start := time.Now()
	replicas := map[string]*proc{
		"a": startOperator(t, "replica-a", logs["a"], s, le...),
		"b": startOperator(t, "replica-b", logs["b"], s, le...),
	}
	ctx := context.Background()

	// The leader: the Lease's holder, and the replica that logged acquiring it.
	var holder, leader string
	eventually(t, time.Minute, 100*time.Millisecond, "a replica holds the Lease", func() bool {
		holder, _ = leaseHolder(ctx)
		leader = acquired(logs, holder)
		return holder != "" && leader != ""
	})
	standby := map[string]string{"a": "b", "b": "a"}[leader]
	t.Logf("replica-%s leads after %s (holderIdentity %s); replica-%s stands by", leader, time.Since(start).Round(time.Millisecond), holder, standby)

	// Mid-convergence: some, not all, objects done.
	var before progress
	eventually(t, converge, 250*time.Millisecond, "a quarter of the objects done", func() bool {
		before, _ = observe(ctx)
		return before.done() >= (before.offers+before.solutions)/4
	})
	if before.all() {
		t.Logf("NOTE: everything was done before the kill; raise CHAOS_LE_N")
	}
	killAt := time.Now()
	replicas[leader].kill()
	t.Logf("SIGKILL replica-%s at %s: %s", leader, killAt.Sub(start).Round(time.Millisecond), before)
	// Requests the killed leader had in flight land within moments; from
	// then on until takeover, no replica leads and none may call.
	time.Sleep(300 * time.Millisecond)
	reqBefore := sum(s.stats(t).Requests)

	// Takeover: another holder. The requests counted while no replica
	// led are those read before a Lease read that still named the killed
	// leader: the standby had not acquired it when they were counted.
	var newHolder string
	reqLeaderless := reqBefore
	eventually(t, 3*bound, 20*time.Millisecond, "the standby takes over the Lease", func() bool {
		reqs := sum(s.stats(t).Requests)
		newHolder, _ = leaseHolder(ctx)
		if newHolder == "" || newHolder == holder {
			reqLeaderless = reqs
			return false
		}
		return true
	})
	takeover := time.Since(killAt)
	reqAtTakeover := sum(s.stats(t).Requests)
	leaderless := reqLeaderless - reqBefore
	t.Logf("replica-%s holds the Lease %s after the kill (holderIdentity %s); Partner Center requests while no replica led (kill+300ms until the last Lease read naming the killed leader): %d",
		standby, takeover.Round(time.Millisecond), newHolder, leaderless)
	if leaderless > 0 {
		failed = true
		t.Errorf("%d Partner Center requests were made while no replica led (after the leader's kill, before the standby held the Lease): "+
			"a replica that does not lead must not call Partner Center", leaderless)
	}

	// Resumption: the first Partner Center request after takeover, and the
	// first object done after the kill.
	var firstRequest, firstDone time.Duration
	eventually(t, converge, 50*time.Millisecond, "work resumes", func() bool {
		if firstRequest == 0 && sum(s.stats(t).Requests) > reqAtTakeover {
			firstRequest = time.Since(killAt)
		}
		if firstDone == 0 {
			if p, err := observe(ctx); err == nil && p.done() > before.done() {
				firstDone = time.Since(killAt)
			}
		}
		return firstRequest > 0 && (firstDone > 0 || before.all())
	})
	eventually(t, 10*time.Second, 100*time.Millisecond, "the standby logs that it became the leader", func() bool {
		return acquired(logs, newHolder) == standby
	})
	t.Logf("after the kill: first Partner Center request at %s, first object done at %s", firstRequest.Round(time.Millisecond), firstDone.Round(time.Millisecond))
	if takeover > bound {
		failed = true
		t.Errorf("takeover took %s, more than %s (lease %s + 2 retry periods with jitter + 2.5s)", takeover.Round(time.Millisecond), bound, lease)
	}

	// The killed replica comes back as a standby; it must not redo anything.
	replicas[leader] = startOperator(t, "replica-"+leader, logs[leader], s, le...)
	awaitConvergence(t, converge, logs["a"], logs["b"], s.log)
	converged := time.Since(killAt)
	time.Sleep(2 * time.Second)
	if h, _ := leaseHolder(ctx); h != newHolder {
		t.Errorf("the Lease moved again to %q", h)
	}
	for _, p := range replicas {
		p.stop(10 * time.Second)
	}
	checkEndState(t, n)
	st := s.stats(t)
	checkStats(t, st, n)
	t.Logf("RESULT %s leader election: %d offers + %d solutions, 2 replicas; leader SIGKILLed with %d/%d objects done; "+
		"takeover %s (bound %s; lease %s, renew %s, retry %s); first request %s, first object done %s after the kill; "+
		"%d requests while no replica led; converged %s after the kill",
		runSize(n >= fullN), n, n, before.done(), before.offers+before.solutions, takeover.Round(time.Millisecond), bound, lease, renew, retry,
		firstRequest.Round(time.Millisecond), firstDone.Round(time.Millisecond), leaderless, converged.Round(time.Millisecond))
}

func helpText() string { return operatorHelp }

// acquired names the replica whose log says it became the leader as
// holder (the leader-election event names the holder identity), or "".
func acquired(logs map[string]string, holder string) string {
	for name, path := range logs {
		b, err := os.ReadFile(path)
		if err == nil && holder != "" && strings.Contains(string(b), holder+" became leader") {
			return name
		}
	}
	return ""
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout, every time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			failed = true
			t.Fatalf("timed out after %s waiting until %s", timeout, what)
		}
		time.Sleep(every)
	}
}

func TestLatencyFloor(t *testing.T) {
	for _, tc := range []struct {
		faults   string
		requests int
		want     time.Duration
	}{
		{"429=0.1,5xx=0.1,latency=200ms,drop=0.02,seed=1", 12000, 120 * time.Second}, // 16 + 4 workers
		{"latency=1s", 24, 1200 * time.Millisecond},
		{"429=0.1,seed=1", 12000, 0},
		{"latency=soon", 12000, 0},
	} {
		if got := latencyFloor(tc.faults, tc.requests); got != tc.want {
			t.Errorf("latencyFloor(%q, %d) = %s, want %s", tc.faults, tc.requests, got, tc.want)
		}
	}
}

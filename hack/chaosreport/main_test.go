package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// output is go test -v output of a full-size run, cut short: the four
// chaos tests, a test without figures, and the package's "ok" line.
const output = `=== RUN   TestOperatorKills
    harness_test.go:171: random seed 17 (set CHAOS_SEED to repeat)
    chaos_test.go:82: kill  1 after 692ms up at  800ms: offers 0/500, solutions 5/500 done [offer:none=500]
    chaos_test.go:82: kill  2 after 2.471s up at   3.6s: offers 56/500, solutions 350/500 done [offer:Live=56]
    chaos_test.go:101: simulator invariants:
              products per offer                   min=1 max=1 total=500 over 500
    chaos_test.go:102: RESULT full kills: 500 offers + 500 solutions, 2 SIGKILLs over 3.2s (intervals 200ms-3s); converged 23.225s after the last kill, 26s in all; 11324 Partner Center requests
--- PASS: TestOperatorKills (66.34s)
=== RUN   TestFaults
    chaos_test.go:130: RESULT full faults "429=0.1,latency=200ms": 500 offers + 500 solutions converged in 3m46.358s; faults met: map[429:1674] (1674 in all, over 16276 requests)
    chaos_test.go:133: RESULT full faults latency floor: 16276 requests x 200ms / 20 workers = 2m43s; the run took 1.39 times it
--- PASS: TestFaults (234.96s)
=== RUN   TestLeaderElection
    chaos_test.go:275: RESULT full leader election: 500 offers + 500 solutions, 2 replicas; takeover 6.989s (bound 10.9s)
--- PASS: TestLeaderElection (63.84s)
=== RUN   TestLatencyFloor
--- PASS: TestLatencyFloor (0.00s)
=== RUN   TestChurn
    churn_test.go:134: RESULT full churn: 200 offers, 20 SIGKILLs; converged 3.809s after the last kill; 5754 Partner Center requests
--- PASS: TestChurn (41.97s)
PASS
ok  	github.com/cosell-operator/cosell-operator/test/chaos	418.212s
`

func TestRenderPassingRun(t *testing.T) {
	runs, pkgTime, err := parse(strings.NewReader(output))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 5 || pkgTime != "418.212s" {
		t.Fatalf("parsed %d tests and package time %q, want 5 and 418.212s", len(runs), pkgTime)
	}
	doc, err := render(runs, pkgTime, "0123456789012345678901234567890123456789", "nproc 2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nCommit: 0123456789012345678901234567890123456789\n",
		"Whole go test run: 418.212s",
		"## 1. SIGKILLs (TestOperatorKills, 66.34s)",
		"## 4. Churn (TestChurn, 41.97s)",
		// The log, dedented by go test's four spaces; continuation lines keep theirs.
		"\nchaos_test.go:82: kill  2 after 2.471s",
		"\n          products per offer ",
		"At the last kill (kill 2), 56 of 500 offers and 350 of 500 solutions were done: every kill came while the operator converged.",
		"Here the floor is 16276 requests × 200ms over 20 workers, 163 s; the run took 1.39 times it (the goal: at most 1.5 times): met.",
		"| TestLeaderElection | leader election: 500 offers + 500 solutions, 2 replicas; takeover 6.989s (bound 10.9s) |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("RESULTS.md lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "TestLatencyFloor") {
		t.Error("a test without figures got a section")
	}
}

func TestRefusesAnIncompleteRun(t *testing.T) {
	for name, out := range map[string]string{
		"a failed test":               strings.Replace(output, "--- PASS: TestFaults", "--- FAIL: TestFaults", 1),
		"no ok line":                  strings.Replace(output, "ok  \tgithub.com", "FAIL\tgithub.com", 1),
		"a test missing":              output[strings.Index(output, "=== RUN   TestFaults"):],
		"a test without RESULT lines": strings.Replace(output, "RESULT full churn", "churn", 1),
		"a test cut short":            output[:strings.Index(output, "--- PASS: TestChurn")],
		"a test with FAIL:":           strings.Replace(output, "--- PASS: TestLatencyFloor", "--- FAIL: TestLatencyFloor", 1),
	} {
		t.Run(name, func(t *testing.T) {
			runs, pkgTime, err := parse(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := render(runs, pkgTime, "c", "m"); err == nil {
				t.Fatal("rendered results of an incomplete run")
			}
		})
	}
}

// TestRefusesAShortRun: every chaos test prints RESULT lines at any size;
// a run that is not full size (CHAOS_FULL unset, or a size lowered) must
// not be written up as the results.
func TestRefusesAShortRun(t *testing.T) {
	for name, out := range map[string]string{
		"a short RESULT line":          strings.Replace(output, "RESULT full faults latency", "RESULT short faults latency", 1),
		"a RESULT line naming no size": strings.Replace(output, "RESULT full churn", "RESULT churn", 1),
		"fewer offers than full":       strings.Replace(output, "RESULT full kills: 500 offers", "RESULT full kills: 100 offers", 1),
		"fewer churn offers than full": strings.Replace(output, "RESULT full churn: 200 offers", "RESULT full churn: 40 offers", 1),
	} {
		t.Run(name, func(t *testing.T) {
			runs, pkgTime, err := parse(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := render(runs, pkgTime, "c", "m"); err == nil {
				t.Fatal("rendered results of a short run")
			}
		})
	}
}

// A refused run leaves the results file as it was.
func TestRunKeepsTheFileOnRefusal(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "chaos.out"), filepath.Join(dir, "RESULTS.md")
	if err := os.WriteFile(in, []byte(strings.Replace(output, "--- PASS: TestChurn", "--- FAIL: TestChurn", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte("earlier figures\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, "c", out); err == nil || !strings.Contains(err.Error(), "TestChurn did not pass") {
		t.Fatalf("run = %v, want a refusal naming TestChurn", err)
	}
	if data, _ := os.ReadFile(out); string(data) != "earlier figures\n" {
		t.Fatalf("the results file became %q", data)
	}
	if err := os.WriteFile(in, []byte(output), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, "c", out); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(out); !strings.HasPrefix(string(data), "# Chaos results\n") {
		t.Fatalf("the results file was not written: %q", data)
	}
}

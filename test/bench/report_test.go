package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUntrackedFileMakesTreeDirty: a new file the build picks up changes
// what is measured, so a tree with an untracked file is not clean.
func TestUntrackedFileMakesTreeDirty(t *testing.T) {
	dir := t.TempDir()
	gitIn := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitIn("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gitIn("add", "a.go")
	gitIn("commit", "-q", "-m", "a")
	if c := commit(dir); len(c) != 40 || strings.Contains(c, "uncommitted") {
		t.Fatalf("clean tree: commit = %q", c)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.go"), []byte("package a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := commit(dir); !strings.HasSuffix(c, " with uncommitted changes") {
		t.Fatalf("untracked file: commit = %q, want it called dirty", c)
	}
	if c := commit(t.TempDir()); !strings.HasPrefix(c, "unknown") {
		t.Fatalf("outside git: commit = %q", c)
	}
}

// TestThrottleFigures: calls ÷ limit counts the requests the limit
// admitted, not those it answered 429.
func TestThrottleFigures(t *testing.T) {
	floor, ratio, share := throttleFigures("qps=5", 4450, 50, 924)
	if floor != "880.0" || ratio != "1.050" || share != "1.12%" {
		t.Fatalf("throttleFigures = %q, %q, %q; want 880.0, 1.050, 1.12%%", floor, ratio, share)
	}
	if floor, ratio, _ := throttleFigures("", 10, 0, 1); floor != "-" || ratio != "-" {
		t.Fatalf("no limit: %q, %q; want -, -", floor, ratio)
	}
}

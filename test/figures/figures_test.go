// Package figures checks that the committed benchmark and chaos figures
// come from the committed code: each results file names the commit it ran
// on, and every change since then to what the figures measure makes them
// stale. A results file without a "Commit: <sha>" line fails: its figures
// cannot be traced to code. Outside a git checkout or in a shallow clone
// the history is missing: the test skips, except in CI (CI=true), where
// it fails (.ci/run deepens a shallow clone first).
package figures

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// measured lists, per results file, the code its figures depend on: the
// reconcilers, the Partner Center adapter and its pacer, the simulator the
// runs drive, the manager's wiring and flags, and the harness itself.
// Tests of those packages do not change a figure; the chaos harness is
// itself a test.
var measured = map[string][]string{
	"test/bench/results": {
		"controllers", "internal/partnercenter", "internal/simulator", "internal/credentials", "internal/cmd",
		"main.go", "flags.go", "api", "test/bench/*.go", "test/workload",
		":(exclude)*_test.go", ":(exclude)**/testdata/fuzz/**",
	},
	"test/chaos/RESULTS.md": {
		"controllers", "internal/partnercenter", "internal/simulator", "internal/credentials", "internal/cmd",
		"main.go", "flags.go", "api", "test/workload", "test/chaos/*_test.go",
		":(exclude)controllers/*_test.go", ":(exclude)internal/**/*_test.go", ":(exclude)api/**/*_test.go", ":(exclude)**/testdata/fuzz/**",
	},
}

var commitLine = regexp.MustCompile(`(?m)^Commit: ([0-9a-f]{40})\b(.*)$`)

func TestFiguresComeFromTheCommittedCode(t *testing.T) {
	root := testenv.RepoRoot()
	_, statErr := os.Stat(filepath.Join(root, ".git"))
	shallow := statErr == nil && git(t, root, "rev-parse", "--is-shallow-repository") == "true"
	if skip, err := history(statErr == nil, shallow, os.Getenv("CI") == "true"); err != nil {
		t.Fatal(err)
	} else if skip != "" {
		t.Skip(skip)
	}
	for results, paths := range measured {
		t.Run(results, func(t *testing.T) {
			file := newest(t, filepath.Join(root, results))
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ran, err := commitOf(data)
			if err != nil {
				t.Fatalf("%s: %v", rel(root, file), err)
			}
			changed := git(t, root, append([]string{"log", "-1", "--format=%H", "--"}, paths...)...)
			if changed == "" {
				return
			}
			if exec.Command("git", "-C", root, "merge-base", "--is-ancestor", changed, ran).Run() != nil {
				subject := git(t, root, "log", "-1", "--format=%h %s", changed)
				t.Errorf("%s ran on %.12s, but %s changed what it measures since; rerun it (see its README or the Makefile) and commit the new figures",
					rel(root, file), ran, subject)
			}
		})
	}
}

// history decides what to do when the history the test reads is missing:
// skip with a reason on a developer's copy, fail in CI, where a skip
// would pass the check unseen.
func history(isGit, shallow, ci bool) (skip string, err error) {
	switch {
	case !isGit && ci:
		return "", errors.New("CI=true but the tree is not a git checkout: the commits the figures ran on cannot be compared")
	case !isGit:
		return "not a git checkout: the commits the figures ran on cannot be compared", nil
	case shallow && ci:
		return "", errors.New("CI=true but the clone is shallow: it lacks the history this test reads; clone in full (.ci/run runs git fetch --unshallow)")
	case shallow:
		return "a shallow clone lacks the history this test reads; run it in a full clone (git fetch --unshallow)", nil
	}
	return "", nil
}

// commitOf is the commit a results file names on its "Commit: <sha>" line.
// No such line, or a run on a tree with uncommitted changes, is an error:
// such figures cannot be traced to committed code.
func commitOf(data []byte) (string, error) {
	m := commitLine.FindSubmatch(data)
	if m == nil {
		return "", errors.New(`names no commit (no "Commit: <40-hex sha>" line): figures that cannot be traced to code; rerun it on a clean checkout`)
	}
	if strings.Contains(string(m[2]), "uncommitted") {
		return "", errors.New("ran on a tree with uncommitted changes; rerun it on a clean checkout")
	}
	return string(m[1]), nil
}

// newest is the file itself, or the newest Markdown file of a folder of
// dated results (names sort by date).
func newest(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() {
		return path
	}
	files, err := filepath.Glob(filepath.Join(path, "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no results in %s", path)
	}
	sort.Strings(files)
	return files[len(files)-1]
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func rel(root, path string) string {
	r, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	return r
}

package figures

import (
	"strings"
	"testing"
)

// TestResultsFileWithoutCommitFails: a results file that names no commit
// states figures no code can be traced to; it fails instead of passing.
func TestResultsFileWithoutCommitFails(t *testing.T) {
	for name, data := range map[string]string{
		"no Commit line":      "# Chaos results\n\nMachine: nproc 2\n",
		"unknown commit":      "Commit: unknown (not a git checkout)\n",
		"uncommitted changes": "Commit: 0123456789abcdef0123456789abcdef01234567 with uncommitted changes\n",
		"short sha":           "Commit: 0123456789ab\n",
	} {
		if _, err := commitOf([]byte(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, data := range []string{
		"Commit: 0123456789abcdef0123456789abcdef01234567\n",
		"x\nCommit: 0123456789abcdef0123456789abcdef01234567. Machine: nproc 2\n",
	} {
		if got, err := commitOf([]byte(data)); err != nil || !strings.HasPrefix(got, "0123456789abcdef") {
			t.Errorf("commitOf(%q) = %q, %v", data, got, err)
		}
	}
}

// TestMissingHistoryFailsInCI: in CI a shallow clone or a copy outside
// git fails instead of skipping; on a developer's copy it skips.
func TestMissingHistoryFailsInCI(t *testing.T) {
	for _, c := range []struct {
		isGit, shallow, ci bool
		skip, fail         bool
	}{
		{isGit: true},
		{isGit: true, ci: true},
		{isGit: true, shallow: true, skip: true},
		{isGit: true, shallow: true, ci: true, fail: true},
		{skip: true},
		{ci: true, fail: true},
	} {
		skip, err := history(c.isGit, c.shallow, c.ci)
		if (err != nil) != c.fail || (skip != "") != c.skip {
			t.Errorf("history(git %v, shallow %v, CI %v) = %q, %v; want skip %v, fail %v", c.isGit, c.shallow, c.ci, skip, err, c.skip, c.fail)
		}
	}
}

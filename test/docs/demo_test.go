package docs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/internal/localrun"
)

const (
	commandTimeout = 5 * time.Minute // one command of the demo, a watch included
	pollEvery      = 2 * time.Second // a watch's listing, again
)

// step is one command of the demo and what the README says it prints.
type step struct {
	where  string
	cmd    command
	expect string // an output or error block after it
	fails  bool   // the block is an error block: the command must fail
}

// demoSteps reads the README's demo: its sh blocks cut into commands, each
// output or error block attached to the command before it.
func demoSteps(blocks []block) ([]step, error) {
	var steps []step
	for _, b := range blocks {
		if !b.demo || b.marker == markSkip {
			continue
		}
		switch {
		case b.marker == markOutput || b.marker == markError:
			if len(steps) == 0 || steps[len(steps)-1].expect != "" {
				return nil, fmt.Errorf("%s: an %s block must follow an sh block's command that has none yet", b, b.marker)
			}
			steps[len(steps)-1].expect, steps[len(steps)-1].fails = b.body, b.marker == markError
		case b.lang == "sh" || b.lang == "bash":
			cmds, err := splitCommands(b.body)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b, err)
			}
			for _, c := range cmds {
				steps = append(steps, step{where: b.String(), cmd: c})
			}
		case b.lang == "yaml" || b.lang == "yml":
			return nil, fmt.Errorf("%s: the demo runs sh blocks; apply this YAML from one (a heredoc) or mark it <!-- docs-test: skip: <why> -->", b)
		}
	}
	if len(steps) == 0 {
		return nil, errors.New("README.md's demo has no sh block")
	}
	return steps, nil
}

// TestReadmeDemo runs the README's demo as written, in a folder that looks
// like a checkout (the repository's files, bin/k8s, and .local the state
// of `make run`): `make run` starts what it starts (`cosell-operator
// local`, on free ports), every other command runs in bash with the
// exports and aliases of the commands before it, and each output the README
// shows is checked.
func TestReadmeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: starts a local control plane and the operator")
	}
	blocks, err := readBlocks(testenv.RepoRoot(), "README.md")
	if err != nil {
		t.Fatal(err)
	}
	steps, err := demoSteps(blocks)
	if err != nil {
		t.Fatal(err)
	}
	g := NewWithT(t)
	s := newSession(t)
	for _, st := range steps {
		t.Logf("%s: %s", st.where, firstLine(st.cmd.text))
		switch {
		case strings.TrimSpace(stripComment(st.cmd.text)) == "make run":
			s.run.Launch(g, "")
		case isWatch(st.cmd.text):
			s.watch(g, st)
		default:
			s.exec(st)
		}
	}
}

// session is the demo's second shell: a checkout-like folder, and the
// exports and aliases made so far.
type session struct {
	t       *testing.T
	root    string
	env     []string
	prelude []string
	run     *localrun.Env
}

func newSession(t *testing.T) *session {
	t.Helper()
	root := t.TempDir()
	repo := testenv.RepoRoot()
	entries, err := os.ReadDir(repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		if name := ent.Name(); name != ".local" && name != "bin" {
			if err := os.Symlink(filepath.Join(repo, name), filepath.Join(root, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := localrun.New(t, filepath.Join(root, ".local"))
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(run.Assets, filepath.Join(root, "bin", "k8s")); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "KUBECONFIG" && k != "PWD" && k != "HOME" {
			env = append(env, kv)
		}
	}
	// Until the README exports its own, kubectl reaches no cluster.
	env = append(env, "HOME="+t.TempDir(), "PWD="+root, "KUBECONFIG="+filepath.Join(root, "no-kubeconfig-exported-yet"))
	return &session{t: t, root: root, env: env, prelude: []string{"shopt -s expand_aliases"}, run: run}
}

// bash prepares the command in bash, after the session's exports and
// aliases, in its own process group.
func (s *session) bash(ctx context.Context, text string) *exec.Cmd {
	script := strings.Join(append(append([]string{}, s.prelude...), text), "\n")
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir, cmd.Env = s.root, s.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// exec runs one command to its end and checks its exit and output.
func (s *session) exec(st step) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := s.bash(ctx, st.cmd.text).CombinedOutput()
	s.t.Logf("%s", out)
	switch {
	case st.fails && err == nil:
		s.t.Fatalf("%s: %q must fail, as the README shows", st.where, firstLine(st.cmd.text))
	case !st.fails && err != nil:
		s.t.Fatalf("%s: %q failed (%v):\n%s", st.where, firstLine(st.cmd.text), err, out)
	}
	if st.expect != "" {
		if err := matchOutput(st.expect, string(out)); err != nil {
			s.t.Fatalf("%s: %q does not print what the README shows: %v", st.where, firstLine(st.cmd.text), err)
		}
	}
	if setsState(st.cmd.text) {
		s.prelude = append(s.prelude, st.cmd.text)
	}
}

// watch runs a kubectl watch until what the README shows after it holds,
// read from the same listing without the watch, then stops it as a person
// does (Ctrl-C). The watch must still be running and have shown every row.
func (s *session) watch(g *WithT, st step) {
	g.Expect(st.expect).NotTo(BeEmpty(), "%s: a watch needs an output block after it, which says when it has settled", st.where)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	var out syncBuffer
	cmd := s.bash(ctx, st.cmd.text)
	cmd.Stdout, cmd.Stderr = &out, &out
	g.Expect(cmd.Start()).To(Succeed())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	list := withoutWatch(st.cmd.text)
	var last string
	g.Eventually(func() error {
		select {
		case err := <-done:
			return StopTrying(fmt.Sprintf("the watch ended (%v):\n%s", err, out.String()))
		default:
		}
		o, err := s.bash(ctx, list).CombinedOutput()
		if last = string(o); err != nil {
			return fmt.Errorf("%s(%s)", o, err.Error())
		}
		return matchOutput(st.expect, last)
	}, commandTimeout, pollEvery).Should(Succeed(), "%s: %q never showed what the README shows; last listing:\n%s", st.where, list, last)
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	if err := <-done; err != nil {
		s.t.Logf("the watch, interrupted: %v", err)
	}
	s.t.Logf("the watch printed:\n%s", out.String())
	for _, name := range tableNames(st.expect) {
		g.Expect(out.String()).To(ContainSubstring(name), "%s: the watch never showed %s", st.where, name)
	}
}

// tableNames are the NAME cells of an expected table.
func tableNames(table string) []string {
	var names []string
	for _, line := range strings.Split(table, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "NAME" {
			names = append(names, f[0])
		}
	}
	return names
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

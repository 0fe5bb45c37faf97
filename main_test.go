package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/cmd/local"
)

func TestSimulatorRealisticLeavesGivenDelaysAlone(t *testing.T) {
	g := NewWithT(t)
	opts, err := parse("cosell-operator", []string{"--simulator-realistic", "--simulator-merge-delay=1h"}, io.Discard, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.simulator.Realistic).To(BeTrue())
	g.Expect(opts.simulator.CertificationDelay).To(BeZero(), "not given: the simulator's realistic certification delay")
	g.Expect(opts.simulator.MergeDelay).To(Equal(time.Hour), "given: kept")

	opts, err = parse("cosell-operator", nil, io.Discard, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.simulator.CertificationDelay).To(Equal(5*time.Second), "the demo default")
}

// The binary without flags runs as in production: no metrics endpoint
// (and HTTPS behind Kubernetes authentication and authorization once an
// address is given), production logging. `local` keeps a developer's
// defaults.
func TestBinaryDefaultsAreProductionDefaults(t *testing.T) {
	g := NewWithT(t)
	opts, err := parse("cosell-operator", nil, io.Discard, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.manager.MetricsAddr).To(Equal("0"), "metrics off")
	g.Expect(opts.manager.MetricsSecure).To(BeTrue(), "metrics, once on, secured")
	g.Expect(opts.zap.Development).To(BeFalse(), "production logging")
	g.Expect(opts.zap.Level).To(BeNil(), "zap's production level (info), not debug")

	opts, err = parse("cosell-operator", []string{"--zap-devel"}, io.Discard, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.zap.Development).To(BeTrue())

	var lf local.Flags
	opts, err = parse("cosell-operator local", nil, io.Discard, lf.Bind)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.manager.MetricsAddr).To(Equal("127.0.0.1:8080"))
	g.Expect(opts.manager.MetricsSecure).To(BeFalse())
	g.Expect(opts.manager.ProbeAddr).To(Equal("127.0.0.1:8081"))
	g.Expect(opts.zap.Development).To(BeTrue(), "make run logs for a developer")
}

// --help of every subcommand prints its flags and exits 0.
func TestHelpOfEverySubcommandExitsZero(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"local", "--help"}, {"simulator", "--help"}, {"export", "--help"}, {"export", "-h"}} {
		g := NewWithT(t)
		var stdout, stderr bytes.Buffer
		code := command(args, &stdout, &stderr)
		g.Expect(code).To(BeZero(), "%v: %s", args, stderr.String())
	}
	g := NewWithT(t)
	g.Expect(command([]string{"--no-such-flag"}, io.Discard, io.Discard)).To(Equal(1))
}

// Ctrl-C of `make run` (the local subcommand) stops the operator and the
// control plane and ends with status 0, so that make reports no error.
func TestLocalStopsWithStatusZeroOnSIGINT(t *testing.T) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); assets == "" || err != nil {
		t.Skip("KUBEBUILDER_ASSETS names no kube-apiserver")
	}
	g := NewWithT(t)
	bin := filepath.Join(t.TempDir(), "cosell-operator")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	g.Expect(build.Run()).To(Succeed())

	out := &syncBuffer{}
	cmd := exec.Command(bin, "local", "--local-dir", t.TempDir(), "--assets", assets,
		"--simulator-addr", "127.0.0.1:0", "--metrics-bind-address", "0", "--health-probe-bind-address", "0")
	cmd.Stdout, cmd.Stderr = out, out
	g.Expect(cmd.Start()).To(Succeed())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	g.Eventually(out.String, 90*time.Second, 100*time.Millisecond).Should(ContainSubstring("Starting workers"))

	g.Expect(cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		g.Expect(err).NotTo(HaveOccurred(), "exit status after Ctrl-C; output:\n%s", out.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("still running a minute after SIGINT; output:\n%s", out.String())
	}
	g.Expect(out.String()).NotTo(ContainSubstring("cosell-operator: "), "an error was reported")
	g.Expect(strings.Count(out.String(), "stopping the local control plane")).To(Equal(1))
}

// syncBuffer is a bytes.Buffer safe for a writing process and a reading
// test.
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

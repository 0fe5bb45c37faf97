package local

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestStopLeftoversStopsOnlyRecordedControlPlaneProcesses starts a stand-in
// "etcd" (a copy of sleep) as an earlier crashed run would have left it,
// and a recorded PID that is no longer a control-plane process.
func TestStopLeftoversStopsOnlyRecordedControlPlaneProcesses(t *testing.T) {
	g := NewWithT(t)
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	dir := t.TempDir()
	data, err := os.ReadFile(sleep)
	g.Expect(err).NotTo(HaveOccurred())
	etcd := filepath.Join(dir, "etcd")
	g.Expect(os.WriteFile(etcd, data, 0o700)).To(Succeed())
	leftover := exec.Command(etcd, "60")
	g.Expect(leftover.Start()).To(Succeed())
	exited := make(chan struct{})
	go func() { _ = leftover.Wait(); close(exited) }()
	t.Cleanup(func() { _ = leftover.Process.Kill() })

	other := exec.Command(sleep, "60") // not named etcd or kube-apiserver
	g.Expect(other.Start()).To(Succeed())
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })

	g.Eventually(func() bool { _, name, ok := procStat(leftover.Process.Pid); return ok && name == "etcd" }).Should(BeTrue())
	pids := strconv.Itoa(leftover.Process.Pid) + "\n" + strconv.Itoa(other.Process.Pid) + "\n"
	g.Expect(os.WriteFile(filepath.Join(dir, pidsFile), []byte(pids), 0o600)).To(Succeed())

	g.Expect(stopLeftovers(dir)).To(Succeed())
	g.Eventually(exited, 5*time.Second).Should(BeClosed(), "the recorded etcd is stopped")
	g.Expect(alive(other.Process.Pid)).To(BeTrue(), "a recorded PID that is no control-plane process is left alone")
	g.Expect(filepath.Join(dir, pidsFile)).NotTo(BeAnExistingFile())
}

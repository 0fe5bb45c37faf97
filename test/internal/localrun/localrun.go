// Package localrun runs the operator the way `make run` does (the `local`
// subcommand: etcd, kube-apiserver, the CRDs, the manager and the embedded
// Partner Center simulator in one process tree) for black-box tests that
// drive it with the real kubectl binary: test/e2e and test/docs.
package localrun

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/internal/proc"
)

// Timeouts are generous: the machine is small and shared with other tests.
const (
	// WaitTimeout bounds kubectl wait and Eventually on convergence.
	WaitTimeout  = 90 * time.Second
	startTimeout = 90 * time.Second // control plane up and answering
	stopTimeout  = 20 * time.Second // clean exit after SIGINT
	poll         = 500 * time.Millisecond
)

// Env is one local run's folder, ports and binaries.
type Env struct {
	T *testing.T
	// Bin is the operator binary; Assets the folder of etcd,
	// kube-apiserver and kubectl; Root the repository.
	Bin, Assets, Root string
	// Dir is the --local-dir; Kubeconfig is the kubeconfig local writes
	// there.
	Dir, Kubeconfig string
	// SimAddr, Metrics and Probe are the simulator's, the metrics' and
	// the health probes' loopback addresses.
	SimAddr, Metrics, Probe string
	// LogPath collects the output of every operator started.
	LogPath string
	// ExtraArgs are appended to local's flags (e.g. shorter delays).
	ExtraArgs []string
	current   *Operator
}

// New builds the operator and prepares a run in dir (the --local-dir). The
// operator's log is printed if the test fails.
func New(t *testing.T, dir string, extraArgs ...string) *Env {
	t.Helper()
	assets, err := testenv.Assets()
	if err != nil {
		t.Fatal(err)
	}
	if assets, err = filepath.Abs(assets); err != nil {
		t.Fatal(err)
	}
	e := &Env{
		T: t, Bin: proc.BuildOperator(t), Assets: assets, Root: testenv.RepoRoot(),
		Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"),
		SimAddr: proc.FreeAddr(t), Metrics: proc.FreeAddr(t), Probe: proc.FreeAddr(t),
		LogPath: filepath.Join(t.TempDir(), "operator.log"), ExtraArgs: extraArgs,
	}
	t.Cleanup(e.dumpLogOnFailure)
	return e
}

// Operator is one `cosell-operator local` child process.
type Operator struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd.Wait returns
	err  error         // cmd.Wait's result, once done is closed
	// ControlPlane are etcd and kube-apiserver, started by the child in
	// their own process groups (so not reached by signalling the child's).
	ControlPlane map[int]string
	logOffset    int64 // where its output starts in the log
}

// LocalArgs are the arguments of `cosell-operator local` on these
// addresses.
func (e *Env) LocalArgs(simAddr, metrics, probe string) []string {
	return append([]string{"local",
		"--local-dir", e.Dir,
		"--assets", e.Assets,
		"--simulator-addr", simAddr,
		"--metrics-bind-address", metrics,
		"--health-probe-bind-address", probe,
	}, e.ExtraArgs...)
}

// Current is the operator started last.
func (e *Env) Current() *Operator { return e.current }

// start runs `cosell-operator local` in its own process group, its output
// appended to the log file. A cleanup stops it (and its control plane) if
// the test ends with it running.
func (e *Env) start() *Operator {
	t := e.T
	t.Helper()
	logFile, err := os.OpenFile(e.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	offset, _ := logFile.Seek(0, io.SeekEnd)
	fmt.Fprintf(logFile, "\n===== %s: starting cosell-operator local =====\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(e.Bin, e.LocalArgs(e.SimAddr, e.Metrics, e.Probe)...)
	cmd.Dir = e.Root
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the operator: %v", err)
	}
	op := &Operator{t: t, cmd: cmd, done: make(chan struct{}), ControlPlane: map[int]string{}, logOffset: offset}
	go func() {
		op.err = cmd.Wait()
		close(op.done)
	}()
	e.current = op
	// Cleanups run last-registered first: the objects are printed while
	// the operator still runs, then it is stopped.
	t.Cleanup(op.Kill)
	t.Cleanup(func() { e.dumpObjectsOnFailure(op) })
	return op
}

// Launch starts the operator and waits until its control plane answers
// kubectl. The ports were free when picked, but another test may have taken
// one since: then it picks new ones and starts again. staleKubeconfig is
// the previous run's kubeconfig, which must be rewritten first.
func (e *Env) Launch(g *gomega.WithT, staleKubeconfig string) *Operator {
	for attempt := 1; ; attempt++ {
		op := e.start()
		if e.waitForAPI(g, op, staleKubeconfig) {
			return op
		}
		log := e.logOf(op)
		g.Expect(log).To(gomega.ContainSubstring("address already in use"), "the operator exited: %v\n%s", op.err, log)
		g.Expect(attempt).To(gomega.BeNumerically("<", 3), "ports taken at every attempt:\n%s", log)
		e.T.Logf("a port was taken; starting again on other ports")
		e.SimAddr, e.Metrics, e.Probe = proc.FreeAddr(e.T), proc.FreeAddr(e.T), proc.FreeAddr(e.T)
	}
}

// waitForAPI waits for a kubeconfig other than stale (the previous run's)
// and for `kubectl get cosell` to answer with it, then records the
// operator's control-plane processes. It returns false if the operator
// exited instead.
func (e *Env) waitForAPI(g *gomega.WithT, op *Operator, stale string) bool {
	g.Eventually(func(g gomega.Gomega) {
		if op.Exited() {
			return
		}
		data, err := os.ReadFile(e.Kubeconfig)
		g.Expect(err).NotTo(gomega.HaveOccurred())
		g.Expect(string(data)).NotTo(gomega.Equal(stale), "kubeconfig not rewritten yet")
		e.Kubectl(g, "get", "cosell")
	}, startTimeout, poll).Should(gomega.Succeed(), "the local control plane answers kubectl")
	if op.Exited() {
		return false
	}
	g.Eventually(func(g gomega.Gomega) {
		op.ControlPlane = controlPlaneOf(op.cmd.Process.Pid)
		g.Expect(op.ControlPlane).To(gomega.ConsistOf("etcd", "kube-apiserver"))
	}, startTimeout, poll).Should(gomega.Succeed())
	return true
}

// logOf is what op wrote to the log.
func (e *Env) logOf(op *Operator) string {
	data, _ := os.ReadFile(e.LogPath)
	if op.logOffset <= int64(len(data)) {
		data = data[op.logOffset:]
	}
	return string(data)
}

// Kubectl runs the real kubectl against the local control plane and
// returns its standard output; a failure fails g.
func (e *Env) Kubectl(g gomega.Gomega, args ...string) string {
	out, err := e.RunKubectl(args...)
	g.ExpectWithOffset(1, err).NotTo(gomega.HaveOccurred(), "kubectl %s", strings.Join(args, " "))
	return out
}

// RunKubectl runs kubectl in namespace default and returns its standard
// output, or an error carrying its standard error.
func (e *Env) RunKubectl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(e.Assets, "kubectl"), append([]string{"--namespace", "default"}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+e.Kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s%s", err, stderr.String(), stdout.String())
	}
	return stdout.String(), nil
}

// dumpObjectsOnFailure prints the objects and events while the operator
// (and so its control plane) still runs.
func (e *Env) dumpObjectsOnFailure(op *Operator) {
	if !e.T.Failed() || op.Exited() {
		return
	}
	out, err := e.RunKubectl("get", "cosell", "-o", "yaml")
	e.T.Logf("kubectl get cosell -o yaml (%v):\n%s", err, out)
	out, err = e.RunKubectl("get", "events", "--sort-by=.lastTimestamp")
	e.T.Logf("kubectl get events (%v):\n%s", err, out)
}

// dumpLogOnFailure prints the operator's log. It is registered before any
// operator starts, so it runs after their cleanups have stopped them.
func (e *Env) dumpLogOnFailure() {
	if !e.T.Failed() {
		return
	}
	log, err := os.ReadFile(e.LogPath)
	e.T.Logf("operator log %s (%v):\n%s", e.LogPath, err, log)
}

// Exited says whether the operator process has ended.
func (op *Operator) Exited() bool {
	select {
	case <-op.done:
		return true
	default:
		return false
	}
}

// Interrupt sends SIGINT (Ctrl-C) and expects a clean exit in time.
func (op *Operator) Interrupt(g *gomega.WithT) {
	g.Expect(op.cmd.Process.Signal(os.Interrupt)).To(gomega.Succeed())
	select {
	case <-op.done:
	case <-time.After(stopTimeout):
		g.Expect(fmt.Errorf("no exit within %s of SIGINT", stopTimeout)).NotTo(gomega.HaveOccurred())
	}
	g.Expect(op.err).NotTo(gomega.HaveOccurred(), "exit status after SIGINT")
}

// Kill stops the operator if it still runs: SIGINT, then SIGKILL to its
// process group and to its control plane, which runs in groups of its own.
func (op *Operator) Kill() {
	if !op.Exited() {
		for pid, name := range controlPlaneOf(op.cmd.Process.Pid) {
			op.ControlPlane[pid] = name
		}
		_ = op.cmd.Process.Signal(os.Interrupt)
		select {
		case <-op.done:
		case <-time.After(stopTimeout):
			op.t.Errorf("the operator did not exit within %s of SIGINT; killing it", stopTimeout)
			_ = syscall.Kill(-op.cmd.Process.Pid, syscall.SIGKILL)
			<-op.done
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for pid, name := range op.ControlPlane {
		for alive(pid, name) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if alive(pid, name) {
			op.t.Errorf("%s (pid %d) outlived the operator; killing it", name, pid)
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// ExpectGone asserts that the control-plane processes have exited.
func ExpectGone(g *gomega.WithT, procs map[int]string) {
	g.Expect(procs).NotTo(gomega.BeEmpty())
	g.Eventually(func() []string {
		var left []string
		for pid, name := range procs {
			if alive(pid, name) {
				left = append(left, fmt.Sprintf("%s (pid %d)", name, pid))
			}
		}
		return left
	}, 10*time.Second, 100*time.Millisecond).Should(gomega.BeEmpty(), "control-plane processes left behind")
}

// controlPlaneOf lists the etcd and kube-apiserver children of pid.
func controlPlaneOf(pid int) map[int]string {
	out := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, ent := range entries {
		child, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		ppid, name, ok := procStat(child)
		if !ok || ppid != pid {
			continue
		}
		if name == "etcd" || name == "kube-apiserver" {
			out[child] = name
		}
	}
	return out
}

// alive says whether pid still runs the named program (not a zombie).
func alive(pid int, name string) bool {
	_, comm, ok := procStat(pid)
	if !ok || comm != name {
		return false
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if state, found := strings.CutPrefix(sc.Text(), "State:"); found {
			return !strings.HasPrefix(strings.TrimSpace(state), "Z")
		}
	}
	return false
}

// procStat reads the parent pid and command name of pid from /proc.
func procStat(pid int) (ppid int, comm string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return 0, "", false
	}
	fields := strings.Fields(s[end+1:]) // state ppid ...
	if len(fields) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(fields[1])
	return ppid, s[open+1 : end], err == nil
}

var columnStart = regexp.MustCompile(`\S+`)

// ParseTables reads kubectl's table output (one table per kind for
// `kubectl get cosell`) into rows keyed by NAME, with the kind's group
// suffix dropped: "marketplaceoffer/contoso-analytics". Columns are cut at
// the header's offsets, so empty cells are read as "". A row before any
// header is an error.
func ParseTables(out string) (map[string]map[string]string, error) {
	rows := map[string]map[string]string{}
	var header []string
	var starts []int
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "NAME ") {
			header, starts = nil, nil
			for _, m := range columnStart.FindAllStringIndex(line, -1) {
				header = append(header, line[m[0]:m[1]])
				starts = append(starts, m[0])
			}
			continue
		}
		if len(header) == 0 {
			return nil, fmt.Errorf("a row before any header in:\n%s", out)
		}
		row := cells(line, header, starts)
		rows[shortName(row["NAME"])] = row
	}
	return rows, nil
}

// cells cuts a table line at the header's column offsets.
func cells(line string, header []string, starts []int) map[string]string {
	row := map[string]string{}
	for i, col := range header {
		from, to := min(starts[i], len(line)), len(line)
		if i+1 < len(starts) {
			to = min(starts[i+1], len(line))
		}
		row[col] = strings.TrimSpace(line[from:to])
	}
	return row
}

// shortName drops the group of "kind.group/name".
func shortName(name string) string {
	if kind, rest, found := strings.Cut(name, "/"); found {
		kind, _, _ = strings.Cut(kind, ".")
		return kind + "/" + rest
	}
	return name
}

// MustParseTables is ParseTables failing g on a malformed table.
func MustParseTables(g gomega.Gomega, out string) map[string]map[string]string {
	rows, err := ParseTables(out)
	g.ExpectWithOffset(1, err).NotTo(gomega.HaveOccurred())
	return rows
}

// ExpectRow checks some columns of one row.
func ExpectRow(g gomega.Gomega, rows map[string]map[string]string, name string, want map[string]string) {
	row, ok := rows[name]
	g.ExpectWithOffset(1, ok).To(gomega.BeTrue(), "no row %s in %v", name, rows)
	for col, v := range want {
		g.ExpectWithOffset(1, row).To(gomega.HaveKeyWithValue(col, v), "%s column %s", name, col)
	}
}

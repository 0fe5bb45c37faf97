package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// children are the processes the bench started; cleanup stops them all.
var (
	childrenMu sync.Mutex
	children   = map[*exec.Cmd]bool{}
	planes     = map[*envtest.Environment]bool{}
)

// freePort picks a random free loopback port, never one of the well-known
// development ports (8080, 8081, 8090).
func freePort() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if port != 8080 && port != 8081 && port != 8090 {
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port")
}

// startProcess starts a child in its own process group that dies with the
// bench (Pdeathsig), logging to logFile.
func startProcess(logFile string, env []string, name string, args ...string) (*exec.Cmd, error) {
	f, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, err
	}
	childrenMu.Lock()
	children[cmd] = true
	childrenMu.Unlock()
	go func() { _ = cmd.Wait(); _ = f.Close() }()
	return cmd, nil
}

// stopProcess sends SIGTERM, waits up to 10s, then SIGKILLs the group.
func stopProcess(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	childrenMu.Lock()
	delete(children, cmd)
	childrenMu.Unlock()
	pid := cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		if cmd.ProcessState != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// cleanup stops every child process and control plane still running.
func cleanup() {
	childrenMu.Lock()
	cmds := make([]*exec.Cmd, 0, len(children))
	for c := range children {
		cmds = append(cmds, c)
	}
	envs := make([]*envtest.Environment, 0, len(planes))
	for e := range planes {
		envs = append(envs, e)
	}
	childrenMu.Unlock()
	for _, c := range cmds {
		stopProcess(c)
	}
	for _, e := range envs {
		stopPlane(e)
	}
}

// startPlane starts etcd and kube-apiserver (from the envtest assets that
// hack/k8s-assets.sh builds) with the CRDs installed. kube-apiserver's
// in-flight limits are raised above the defaults (400 read-only, 200
// mutating) so that the bench measures the operator, not API Priority and
// Fairness queueing of the bench's own creator.
func startPlane() (*envtest.Environment, *rest.Config, error) {
	assets, err := testenv.Assets()
	if err != nil {
		return nil, nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(testenv.RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	api := env.ControlPlane.GetAPIServer()
	api.Configure().Set("max-requests-inflight", "1600").Set("max-mutating-requests-inflight", "800")
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("starting the control plane from %s: %w", assets, err)
	}
	childrenMu.Lock()
	planes[env] = true
	childrenMu.Unlock()
	return env, cfg, nil
}

func stopPlane(env *envtest.Environment) {
	childrenMu.Lock()
	delete(planes, env)
	childrenMu.Unlock()
	_ = env.Stop()
}

// writeKubeconfig writes an admin kubeconfig for the operator process.
func writeKubeconfig(cfg *rest.Config, path string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["bench"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["bench"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["bench"] = &clientcmdapi.Context{Cluster: "bench", AuthInfo: "bench"}
	kc.CurrentContext = "bench"
	return clientcmd.WriteToFile(*kc, path)
}

// waitHTTP polls url until it answers 200 or ctx ends.
func waitHTTP(ctx context.Context, url string) error {
	for {
		resp, err := http.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last error: %w)", url, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// procStatus reads fields (in kB) such as VmHWM and VmRSS of a process.
func procStatus(pid int) map[string]int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	out := map[string]int64{}
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 2 && f[1] == "kB" {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			out[k] = n
		}
	}
	return out
}

// procStat reads /proc/<pid>/stat: the command name (field 2, which may
// hold spaces, in brackets) and the fields after it, field 3 first.
func procStat(pid string) (comm string, fields []string, ok bool) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", nil, false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", nil, false
	}
	return s[open+1 : end], strings.Fields(s[end+1:]), true
}

// statCPUSeconds is the CPU time (user + system) in procStat's fields:
// fields 14 and 15, in clock ticks of 1/100 s.
func statCPUSeconds(fields []string) float64 {
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}

// cpuSeconds is the CPU time (user + system) a process has used so far.
func cpuSeconds(pid int) float64 {
	_, fields, _ := procStat(strconv.Itoa(pid))
	return statCPUSeconds(fields)
}

// machineCPU is the CPU time (user + system, seconds) used so far by the
// whole machine and by each process of a run.
type machineCPU struct {
	busy      float64 // every core, every process: /proc/stat, all but idle and iowait
	plane     float64 // kube-apiserver and etcd, the children envtest started
	bench     float64 // this process: the creates, the watches, the floor's writes
	operator  float64
	simulator float64
}

// readMachineCPU reads the machine's CPU time and its processes'; operator
// and simulator are their PIDs, 0 when the run has none.
func readMachineCPU(operator, simulator int) machineCPU {
	m := machineCPU{busy: machineBusy(), bench: cpuSeconds(os.Getpid())}
	if operator > 0 {
		m.operator = cpuSeconds(operator)
	}
	if simulator > 0 {
		m.simulator = cpuSeconds(simulator)
	}
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		comm, fields, ok := procStat(e.Name())
		// Field 4 is the parent's PID: envtest's children of this process.
		if ok && (comm == "kube-apiserver" || comm == "etcd") && len(fields) > 1 && fields[1] == self {
			m.plane += statCPUSeconds(fields)
		}
	}
	return m
}

// since is the CPU time used between before and m.
func (m machineCPU) since(before machineCPU) machineCPU {
	return machineCPU{busy: m.busy - before.busy, plane: m.plane - before.plane, bench: m.bench - before.bench,
		operator: m.operator - before.operator, simulator: m.simulator - before.simulator}
}

// machineBusy is the CPU time every core has spent busy since boot, in
// seconds: the first line of /proc/stat (clock ticks of 1/100 s) less
// idle and iowait.
func machineBusy() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy / 100
}

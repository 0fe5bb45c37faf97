package local

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pidsFile records the control plane's processes, so that a start after a
// crash (kill -9 of the operator) stops the ones left running, which would
// otherwise hold etcd's data folder and block the new etcd.
const pidsFile = "control-plane.pids"

// controlPlaneNames are the binaries the local control plane runs.
var controlPlaneNames = []string{"etcd", "kube-apiserver"}

// recordChildren writes the PIDs of this process's etcd and kube-apiserver
// children into dir.
func recordChildren(dir string) error {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil // not Linux: nothing to record
	}
	self := os.Getpid()
	var pids []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, name, ok := procStat(pid); ok && ppid == self && isControlPlane(name) {
			pids = append(pids, strconv.Itoa(pid))
		}
	}
	return os.WriteFile(filepath.Join(dir, pidsFile), []byte(strings.Join(pids, "\n")+"\n"), 0o600)
}

// stopLeftovers stops the processes recorded by an earlier run that are
// still etcd or kube-apiserver. The caller holds the folder's lock, so no
// live run owns them.
func stopLeftovers(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, pidsFile)) //nolint:gosec // inside the --local-dir the user chose
	if err != nil {
		return nil
	}
	var waiting []int
	for _, field := range strings.Fields(string(raw)) {
		pid, err := strconv.Atoi(field)
		if err != nil {
			continue
		}
		if _, name, ok := procStat(pid); ok && isControlPlane(name) {
			_ = syscall.Kill(pid, syscall.SIGTERM)
			waiting = append(waiting, pid)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range waiting {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if len(waiting) > 0 {
		fmt.Fprintf(os.Stderr, "local: stopped %d control-plane process(es) left running by an earlier run\n", len(waiting))
	}
	return os.Remove(filepath.Join(dir, pidsFile))
}

// procStat returns the parent PID and command name of pid from /proc.
func procStat(pid int) (ppid int, name string, ok bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	open, closing := bytes.IndexByte(raw, '('), bytes.LastIndexByte(raw, ')')
	if open < 0 || closing < open {
		return 0, "", false
	}
	fields := strings.Fields(string(raw[closing+1:]))
	if len(fields) < 2 || fields[0] == "Z" {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(fields[1])
	return ppid, string(raw[open+1 : closing]), err == nil
}

func alive(pid int) bool {
	_, _, ok := procStat(pid)
	return ok
}

func isControlPlane(name string) bool {
	for _, n := range controlPlaneNames {
		if name == n {
			return true
		}
	}
	return false
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// A command name may hold spaces and brackets: the fields are read after
// the last ')'.
func TestProcStatReadsAfterTheCommandName(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(t.TempDir(), "a) (b")
	if err := os.WriteFile(odd, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(odd, "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	comm, fields, ok := procStat(strconv.Itoa(cmd.Process.Pid))
	if !ok || comm != "a) (b" {
		t.Fatalf("procStat = %q, %v; want the command name %q", comm, ok, "a) (b")
	}
	if len(fields) < 13 || fields[1] != strconv.Itoa(os.Getpid()) {
		t.Fatalf("field 4 (parent PID) = %v, want %d", fields[:2], os.Getpid())
	}
	if _, _, ok := procStat("0"); ok {
		t.Fatal("procStat of no process reported one")
	}
}

func TestCPUSecondsCountsThisProcess(t *testing.T) {
	before := cpuSeconds(os.Getpid())
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	if used := cpuSeconds(os.Getpid()) - before; used < 0.1 {
		t.Fatalf("300 ms of busy loop counted as %.2f s of CPU", used)
	}
}

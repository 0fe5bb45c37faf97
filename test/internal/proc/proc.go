// Package proc holds what the black-box tests need to run the operator as
// its own process: a build of the binary and free loopback addresses.
package proc

import (
	"net"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// BuildOperator builds the operator binary into a temporary folder of t.
func BuildOperator(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cosell-operator")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/cosell-operator/cosell-operator")
	cmd.Dir = testenv.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the operator: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr is a loopback address with a port that was free a moment ago.
func FreeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Package local runs the control plane behind `make run`: etcd and
// kube-apiserver on loopback (the binaries hack/k8s-assets.sh builds), with
// the operator's CRDs installed and a kubeconfig written for kubectl.
//
// Everything it keeps lives in one folder (by default .local/ in the
// repository): etcd's data, the simulator's store, the kubeconfig and a lock
// that stops a second `make run` from starting against the same state.
// Stopping keeps the folder, so objects and Partner Center state survive a
// restart; `make clean-local` removes it.
package local

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Options configure the local control plane.
type Options struct {
	// Dir holds the state: etcd/, simulator/, kubeconfig and run.lock.
	Dir string
	// Assets is the folder with etcd, kube-apiserver and kubectl.
	Assets string
	// CRDs are installed (or updated) at every start.
	CRDs []*apiextensionsv1.CustomResourceDefinition
}

// ControlPlane is a running local control plane.
type ControlPlane struct {
	// Config reaches the API server as a cluster administrator.
	Config *rest.Config
	// Kubeconfig is the path of the kubeconfig written for kubectl.
	Kubeconfig string

	env  *envtest.Environment
	lock *os.File
}

// Paths inside Options.Dir.
const (
	etcdDir        = "etcd"
	kubeconfigFile = "kubeconfig"
	lockFile       = "run.lock"
	// SimulatorDir is where the embedded simulator keeps its store.
	SimulatorDir = "simulator"
)

// Start takes the folder's lock, starts etcd and kube-apiserver, installs
// the CRDs and writes the kubeconfig. It fails with a clear message when
// another process holds the folder.
func Start(opts Options) (*ControlPlane, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, etcdDir), 0o700); err != nil {
		return nil, fmt.Errorf("creating the local state folder: %w", err)
	}
	lock, err := acquire(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, err
	}
	if err := stopLeftovers(dir); err != nil {
		_ = release(lock)
		return nil, fmt.Errorf("stopping what an earlier run left: %w", err)
	}
	for _, bin := range controlPlaneNames {
		if _, err := os.Stat(filepath.Join(opts.Assets, bin)); err != nil {
			_ = release(lock)
			return nil, fmt.Errorf("%s is missing from %s: run hack/k8s-assets.sh (make run does) to build it", bin, opts.Assets)
		}
	}

	env := &envtest.Environment{
		BinaryAssetsDirectory: opts.Assets,
		CRDs:                  opts.CRDs,
		ErrorIfCRDPathMissing: false,
	}
	env.ControlPlane.Etcd = &envtest.Etcd{DataDir: filepath.Join(dir, etcdDir)}
	cfg, err := env.Start()
	if err != nil {
		_ = release(lock)
		return nil, fmt.Errorf("starting etcd and kube-apiserver from %s: %w", opts.Assets, err)
	}
	cp := &ControlPlane{Config: cfg, Kubeconfig: filepath.Join(dir, kubeconfigFile), env: env, lock: lock}
	if err := recordChildren(dir); err != nil {
		_ = cp.Stop()
		return nil, fmt.Errorf("recording the control plane's processes: %w", err)
	}

	user, err := env.ControlPlane.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err == nil {
		var kubeconfig []byte
		if kubeconfig, err = user.KubeConfig(); err == nil {
			err = os.WriteFile(cp.Kubeconfig, kubeconfig, 0o600)
		}
	}
	if err != nil {
		_ = cp.Stop()
		return nil, fmt.Errorf("writing the kubeconfig: %w", err)
	}
	return cp, nil
}

// Stop stops kube-apiserver and etcd and releases the folder; etcd's data
// stays.
func (cp *ControlPlane) Stop() error {
	err := cp.env.Stop()
	return errors.Join(err, release(cp.lock))
}

// acquire takes an exclusive lock on path, or says which process holds it.
func acquire(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // inside the --local-dir the user chose
	if err != nil {
		return nil, fmt.Errorf("opening the lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path) //nolint:gosec // the lock file opened above
		_ = f.Close()
		pid := strings.TrimSpace(string(holder))
		if pid == "" {
			pid = "another process"
		} else {
			pid = "process " + pid
		}
		return nil, fmt.Errorf("the local control plane in %s is already running (%s): use that one, or stop it with Ctrl-C first (a second one needs its own --local-dir and its own --simulator-addr, --metrics-bind-address and --health-probe-bind-address)", filepath.Dir(path), pid)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

func release(f *os.File) error {
	if f == nil {
		return nil
	}
	_ = f.Truncate(0)
	return f.Close() // closing drops the flock
}

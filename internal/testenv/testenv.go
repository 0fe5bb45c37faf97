// Package testenv starts a real kube-apiserver and etcd for tests, built from
// the Go module proxy by hack/k8s-assets.sh, with the operator's CRDs
// installed.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	marketplacev1alpha1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// RepoRoot is the repository's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var assetsOnce sync.Once
var assetsDir string
var assetsErr error

// Assets returns the folder holding etcd, kube-apiserver and kubectl:
// KUBEBUILDER_ASSETS when set, otherwise what hack/k8s-assets.sh prints
// (building the binaries first if they are missing).
func Assets() (string, error) {
	assetsOnce.Do(func() {
		if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
			assetsDir = dir
			return
		}
		cmd := exec.Command(filepath.Join(RepoRoot(), "hack", "k8s-assets.sh")) //nolint:gosec // the repository's own script
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			assetsErr = fmt.Errorf("building control-plane assets with hack/k8s-assets.sh: %w", err)
			return
		}
		assetsDir = strings.TrimSpace(string(out))
	})
	return assetsDir, assetsErr
}

// Environment is a running control plane with the CRDs installed.
type Environment struct {
	*envtest.Environment
	// Config reaches the API server as an administrator.
	Config *rest.Config
}

// Start starts etcd and kube-apiserver and installs the CRDs from
// config/crd/bases. Call Stop when done.
func Start() (*Environment, error) {
	assets, err := Assets()
	if err != nil {
		return nil, err
	}
	if err := marketplacev1alpha1.AddToScheme(scheme.Scheme); err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting the test control plane from %s: %w", assets, err)
	}
	return &Environment{Environment: env, Config: cfg}, nil
}

// GroupResource is a resource of the operator's API group.
func GroupResource(resource string) schema.GroupResource {
	return schema.GroupResource{Group: marketplacev1alpha1.GroupVersion.Group, Resource: resource}
}

// Package render renders the operator's install manifests the way a user
// does, with the pinned Helm (hack/tools) and with kustomize (the kubectl of
// the control-plane assets), and applies them to a test API server.
package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// Chart is the Helm chart's folder.
func Chart() string { return filepath.Join(testenv.RepoRoot(), "charts", "cosell-operator") }

// Helm runs `helm template` of the chart with the pinned Helm (go tool
// -modfile=hack/tools/go.mod helm, built from the Go module proxy on first
// use) and returns the rendered manifests.
func Helm(ctx context.Context, release, namespace string, args ...string) ([]byte, error) {
	root := testenv.RepoRoot()
	cmdArgs := append([]string{"tool", "-modfile=" + filepath.Join(root, "hack", "tools", "go.mod"), "helm",
		"template", release, Chart(), "--namespace", namespace, "--include-crds"}, args...)
	return run(exec.CommandContext(ctx, "go", cmdArgs...), root)
}

// Kustomize runs `kubectl kustomize` of a folder under config/.
func Kustomize(ctx context.Context, dir string) ([]byte, error) {
	assets, err := testenv.Assets()
	if err != nil {
		return nil, err
	}
	return run(exec.CommandContext(ctx, filepath.Join(assets, "kubectl"), "kustomize", dir), testenv.RepoRoot())
}

func run(cmd *exec.Cmd, dir string) ([]byte, error) {
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// The exit status and stderr only: the *exec.ExitError would print
		// as a whole process state in test failures.
		return nil, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String()) //nolint:errorlint // see above
	}
	return stdout.Bytes(), nil
}

// Decode splits multi-document YAML into objects, skipping empty documents.
func Decode(manifests []byte) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifests), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, err
		}
		if len(u.Object) == 0 {
			continue
		}
		objs = append(objs, u)
	}
}

// Select returns the objects of a kind.
func Select(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// Apply applies objects with server-side apply and strict field validation
// (an unknown or duplicated field is an error, not silently dropped), with
// dryRun only through admission. CRDs go first and namespaces next, so the
// objects that need them can be admitted.
func Apply(ctx context.Context, c client.Client, objs []*unstructured.Unstructured, dryRun bool) error {
	order := func(o *unstructured.Unstructured) int {
		switch o.GetKind() {
		case "CustomResourceDefinition":
			return 0
		case "Namespace":
			return 1
		default:
			return 2
		}
	}
	var errs []error
	for pass := 0; pass <= 2; pass++ {
		for _, o := range objs {
			if order(o) != pass {
				continue
			}
			opts := []client.PatchOption{client.FieldOwner("cosell-operator-tests"), client.ForceOwnership, client.FieldValidation("Strict")}
			if dryRun {
				opts = append(opts, client.DryRunAll)
			}
			obj := o.DeepCopy()
			if err := c.Patch(ctx, obj, client.Apply, opts...); err != nil { //nolint:staticcheck // client.Apply with unstructured objects
				errs = append(errs, fmt.Errorf("%s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err))
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	return nil
}

// WriteKubeconfig writes a kubeconfig file that reaches the API server as
// cfg does (client certificate or bearer token), readable by everyone (a
// container's non-root user reads it; it only ever holds test credentials).
func WriteKubeconfig(path string, cfg *rest.Config) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["test"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["test"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "test"}
	kc.CurrentContext = "test"
	data, err := clientcmd.Write(*kc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644) // read by the container's user 65532; test credentials only
}

// ApplySamples applies every manifest in config/samples into namespace.
func ApplySamples(ctx context.Context, c client.Client, namespace string) error {
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "samples", "*.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("no samples in config/samples")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		objs, err := Decode(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, o := range objs {
			o.SetNamespace(namespace)
		}
		if err := Apply(ctx, c, objs, false); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

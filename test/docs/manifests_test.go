package docs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// manifest is YAML of the docs that must hold Kubernetes objects.
type manifest struct {
	where string
	body  string
}

// manifestsOf sorts the blocks outside the demo: seed and solutions files
// are parsed as what they are, skipped blocks are left alone, and the
// rest of the YAML (blocks, and heredocs of sh blocks that hold objects)
// is returned to be applied.
func manifestsOf(blocks []block) ([]manifest, []error) {
	var out []manifest
	var errs []error
	for _, b := range blocks {
		if b.demo || b.marker == markSkip {
			continue
		}
		switch {
		case b.marker == markSeed:
			if _, err := simulator.ParseSeed([]byte(b.body)); err != nil {
				errs = append(errs, fmt.Errorf("%s: marked as a seed file, but the simulator refuses it: %w", b, err))
			}
		case b.marker == markSolutionsFile:
			if _, err := export.ReadSolutionsFile("docs."+b.lang, []byte(b.body)); err != nil {
				errs = append(errs, fmt.Errorf("%s: marked as a solutions file, but export refuses it: %w", b, err))
			}
		case b.lang == "yaml" || b.lang == "yml":
			out = append(out, manifest{where: b.String(), body: b.body})
		case b.lang == "sh" || b.lang == "bash":
			cmds, err := splitCommands(b.body)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", b, err))
			}
			for _, c := range cmds {
				if c.heredoc != "" && strings.Contains(c.heredoc, "apiVersion:") {
					out = append(out, manifest{where: fmt.Sprintf("%s, heredoc of %q", b, firstLine(c.text)), body: c.heredoc})
				}
			}
		}
	}
	return out, errs
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// objects decodes every YAML document of a manifest; each must be a
// Kubernetes object.
func objects(m manifest) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(m.body)), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, fmt.Errorf("%s: not YAML: %w", m.where, err)
		}
		if len(u.Object) == 0 {
			continue
		}
		if u.GetAPIVersion() == "" || u.GetKind() == "" {
			return nil, fmt.Errorf("%s: not a Kubernetes object (no apiVersion or kind): complete it, or mark it <!-- docs-test: skip: <why> -->", m.where)
		}
		objs = append(objs, u)
	}
}

// TestManifestsApply applies every manifest of README.md and docs/ outside
// the demo with a server-side dry run and strict field validation against
// the CRDs of config/crd/bases.
func TestManifestsApply(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane")
	}
	ms, errs := manifestsOf(allBlocks(t))
	for _, err := range errs {
		t.Error(err)
	}
	if len(ms) == 0 {
		t.Fatal("no manifest found in the docs: the test reads nothing")
	}
	env, err := testenv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, m := range ms {
		objs, err := objects(m)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, u := range objs {
			if err := dryRun(t.Context(), c, u); err != nil {
				t.Errorf("%s: %s %s does not apply: %v (fix it, or mark the block <!-- docs-test: skip: <why> -->)", m.where, u.GetKind(), u.GetName(), err)
				continue
			}
			applied++
		}
	}
	t.Logf("%d objects of %d manifests applied with a server-side dry run", applied, len(ms))
}

// dryRun creates the object with a server-side dry run and strict field
// validation, in namespace default unless it names one (which is created).
func dryRun(ctx context.Context, c client.Client, u *unstructured.Unstructured) error {
	namespaced, err := c.IsObjectNamespaced(u)
	if err != nil {
		return err
	}
	if namespaced {
		if u.GetNamespace() == "" {
			u.SetNamespace(metav1.NamespaceDefault)
		}
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: u.GetNamespace()}}
		if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return c.Create(ctx, u, client.DryRunAll, client.FieldValidation("Strict"))
}

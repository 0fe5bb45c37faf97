// Package manifests_test checks what `make deploy` applies: config/default
// rendered by kubectl's kustomize. The operator must run under the
// restricted pod security standard with least-privilege RBAC.
package manifests_test

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// render runs `kubectl kustomize config/default` and decodes every object.
func render(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	assets, err := testenv.Assets()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(assets, "kubectl"), "kustomize", filepath.Join(testenv.RepoRoot(), "config", "default")).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("kubectl kustomize config/default: %s", exit.Stderr)
		}
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	var objs []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatal(err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
	return objs
}

func convert[T any](g Gomega, u *unstructured.Unstructured) *T {
	out := new(T)
	g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out)).To(Succeed())
	return out
}

func TestDeploymentRunsRestricted(t *testing.T) {
	g := NewWithT(t)
	var deployments []*appsv1.Deployment
	for _, u := range render(t) {
		if u.GetKind() == "Deployment" {
			deployments = append(deployments, convert[appsv1.Deployment](g, u))
		}
		if u.GetKind() == "Namespace" {
			g.Expect(u.GetLabels()).To(HaveKeyWithValue("pod-security.kubernetes.io/enforce", "restricted"))
		}
	}
	g.Expect(deployments).To(HaveLen(1))
	d := deployments[0]
	pod := d.Spec.Template.Spec
	g.Expect(pod.SecurityContext.RunAsNonRoot).To(HaveValue(BeTrue()))
	g.Expect(pod.SecurityContext.SeccompProfile.Type).To(Equal(corev1.SeccompProfileTypeRuntimeDefault))
	g.Expect(pod.Containers).To(HaveLen(1))
	c := pod.Containers[0]
	g.Expect(c.Image).To(Equal("ghcr.io/cosell-operator/cosell-operator:dev"), "make deploy replaces this image with IMG")
	g.Expect(c.SecurityContext.AllowPrivilegeEscalation).To(HaveValue(BeFalse()))
	g.Expect(c.SecurityContext.ReadOnlyRootFilesystem).To(HaveValue(BeTrue()))
	g.Expect(c.SecurityContext.Capabilities.Drop).To(ContainElement(corev1.Capability("ALL")))
	g.Expect(c.LivenessProbe).NotTo(BeNil())
	g.Expect(c.ReadinessProbe).NotTo(BeNil())
	g.Expect(c.Resources.Requests).To(HaveKey(corev1.ResourceMemory))
	g.Expect(c.Resources.Requests).To(HaveKey(corev1.ResourceCPU))
	g.Expect(c.Args).To(ContainElements("--leader-elect", "--metrics-secure"))
}

// TestRBACIsLeastPrivilege fails on wildcard verbs, resources or API groups,
// and on Secret access granted cluster-wide.
func TestRBACIsLeastPrivilege(t *testing.T) {
	g := NewWithT(t)
	var checked int
	for _, u := range render(t) {
		var rules []rbacv1.PolicyRule
		switch u.GetKind() {
		case "ClusterRole":
			rules = convert[rbacv1.ClusterRole](g, u).Rules
		case "Role":
			rules = convert[rbacv1.Role](g, u).Rules
		default:
			continue
		}
		for _, r := range rules {
			checked++
			where := u.GetKind() + " " + u.GetName() + ": " + strings.Join(r.Resources, ",")
			g.Expect(r.Verbs).NotTo(ContainElement("*"), where)
			g.Expect(r.Resources).NotTo(ContainElement("*"), where)
			g.Expect(r.APIGroups).NotTo(ContainElement("*"), where)
			if slices.Contains(r.APIGroups, "") && slices.Contains(r.Resources, "secrets") {
				g.Expect(u.GetKind()).To(Equal("Role"), "Secrets may be read only in the operator's namespace: %s", where)
				g.Expect(r.Verbs).NotTo(ContainElements("create", "update", "patch", "delete"), where)
			}
		}
	}
	g.Expect(checked).To(BeNumerically(">", 3))
}

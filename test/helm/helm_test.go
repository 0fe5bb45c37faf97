// Package helm_test renders the Helm chart (charts/cosell-operator) with
// the pinned Helm and every values file in values/, and applies the result
// with server-side dry-run and strict field validation to a real API
// server; the manager's Pod of each rendering is admitted in a namespace
// that enforces the restricted Pod Security Standard. kustomize's
// config/default and config/prometheus get the same treatment.
package helm_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/internal/render"
)

// envtest logs through controller-runtime's logger; its output is noise here.
func init() { ctrllog.SetLogger(logr.Discard()) }

const (
	release   = "cosell-operator"
	namespace = "cosell-operator-system"
	timeout   = 5 * time.Minute // the first helm template builds Helm from the module cache
)

var (
	env *testenv.Environment
	c   client.Client
)

func TestMain(m *testing.M) {
	var err error
	env, err = testenv.Start()
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer func() { _ = env.Stop() }()
		c, err = client.New(env.Config, client.Options{Scheme: scheme.Scheme})
		if err != nil {
			panic(err)
		}
		// The Prometheus Operator's kinds, for the ServiceMonitor and PrometheusRule.
		crds, err := os.ReadFile(filepath.Join("testdata", "monitoring.coreos.com.yaml"))
		if err != nil {
			panic(err)
		}
		objs, err := render.Decode(crds)
		if err != nil {
			panic(err)
		}
		ctx := context.Background()
		if err := render.Apply(ctx, c, objs, false); err != nil {
			panic(err)
		}
		if err := waitServed("monitoring.coreos.com/v1", "ServiceMonitor", "PrometheusRule"); err != nil {
			panic(err)
		}
		return m.Run()
	}()
	os.Exit(code)
}

// waitServed waits until the discovery of the API server lists the kinds.
func waitServed(groupVersion string, kinds ...string) error {
	discovery, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var list *metav1.APIResourceList
		if list, err = discovery.ServerResourcesForGroupVersion(groupVersion); err == nil {
			served := 0
			for _, r := range list.APIResources {
				if slices.Contains(kinds, r.Kind) {
					served++
				}
			}
			if served == len(kinds) {
				return nil
			}
		}
	}
	return err
}

// ensureNamespace creates a namespace that enforces the restricted Pod
// Security Standard (as config/manager does for its own).
func ensureNamespace(g Gomega, name string) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
	}}}
	if err := c.Create(context.Background(), ns); !apierrors.IsAlreadyExists(err) {
		g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	}
}

func helmTemplate(g Gomega, args ...string) []*unstructured.Unstructured {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := render.Helm(ctx, release, namespace, args...)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	objs, err := render.Decode(out)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return objs
}

// deployment returns the one Deployment of the objects.
func deployment(g Gomega, objs []*unstructured.Unstructured) *appsv1.Deployment {
	deps := render.Select(objs, "Deployment")
	g.ExpectWithOffset(1, deps).To(HaveLen(1))
	d := &appsv1.Deployment{}
	g.ExpectWithOffset(1, runtime.DefaultUnstructuredConverter.FromUnstructured(deps[0].Object, d)).To(Succeed())
	return d
}

// admitPod creates the Deployment's Pod with server-side dry-run in its
// namespace, which enforces the restricted Pod Security Standard.
func admitPod(ctx context.Context, d *appsv1.Deployment) error {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: d.Name + "-", Namespace: d.Namespace, Labels: d.Spec.Template.Labels},
		Spec:       d.Spec.Template.Spec,
	}
	return c.Create(ctx, pod, client.DryRunAll)
}

// TestChartValuesApplyWithServerSideDryRun renders the chart with every
// values file in values/ and applies the result with dry-run; the manager's
// Pod is admitted under the restricted standard.
func TestChartValuesApplyWithServerSideDryRun(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("values", "*.yaml"))
	if err != nil || len(files) < 3 {
		t.Fatalf("values files: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			abs, _ := filepath.Abs(file)
			objs := helmTemplate(g, "--values", abs)
			g.Expect(objs).NotTo(BeEmpty())

			// The namespaces the release uses exist; the release's own
			// enforces the restricted standard.
			var values struct {
				WatchNamespaces []string `json:"watchNamespaces"`
				Dashboard       struct {
					Namespace string `json:"namespace"`
				} `json:"dashboard"`
			}
			data, err := os.ReadFile(abs)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(yaml.Unmarshal(data, &values)).To(Succeed())
			for _, ns := range append([]string{namespace, values.Dashboard.Namespace}, values.WatchNamespaces...) {
				if ns != "" {
					ensureNamespace(g, ns)
				}
			}
			for _, o := range objs {
				if !slices.Contains([]string{"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Namespace"}, o.GetKind()) {
					g.Expect(o.GetNamespace()).NotTo(BeEmpty(), "%s %s has no namespace: kubectl apply would put it in the current one", o.GetKind(), o.GetName())
				}
			}
			g.Expect(render.Apply(ctx, c, objs, true)).To(Succeed())
			d := deployment(g, objs)
			g.Expect(admitPod(ctx, d)).To(Succeed(), "the manager's Pod under the restricted Pod Security Standard")
		})
	}
}

// TestChartValuesReachTheManager checks what each values file changes in
// the rendered objects.
func TestChartValuesReachTheManager(t *testing.T) {
	g := NewWithT(t)
	args := func(d *appsv1.Deployment) []string { return d.Spec.Template.Spec.Containers[0].Args }
	kinds := func(objs []*unstructured.Unstructured) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o.GetKind()+"/"+o.GetName())
		}
		return out
	}

	// Defaults: embedded simulator, leader election, all namespaces.
	objs := helmTemplate(g)
	d := deployment(g, objs)
	g.Expect(*d.Spec.Replicas).To(Equal(int32(1)))
	g.Expect(d.Spec.Template.Spec.Containers[0].Image).To(Equal("ghcr.io/cosell-operator/cosell-operator:dev"))
	g.Expect(args(d)).To(ContainElements("--leader-elect", "--partner-center=embedded", "--metrics-bind-address=:8443", "--metrics-secure"))
	g.Expect(args(d)).NotTo(ContainElement(HavePrefix("--watch-namespaces")))
	g.Expect(args(d)).NotTo(ContainElement(HavePrefix("--partner-center-secret")))
	g.Expect(kinds(objs)).To(ContainElement("ClusterRoleBinding/cosell-operator-manager"))
	g.Expect(kinds(objs)).NotTo(ContainElement(HavePrefix("ServiceMonitor/")))
	g.Expect(kinds(objs)).NotTo(ContainElement(HavePrefix("PrometheusRule/")))
	g.Expect(kinds(objs)).NotTo(ContainElement("Role/cosell-operator-manager"), "no Secret access without a credentials Secret")
	expectCRDsFromConfig(g, objs)
	expectManagerRulesFromConfig(g, objs)

	// Production: real Partner Center, two replicas, two namespaces, monitoring.
	objs = helmTemplate(g, "--values", valuesFile("production"))
	d = deployment(g, objs)
	g.Expect(*d.Spec.Replicas).To(Equal(int32(2)))
	g.Expect(d.Spec.Template.Spec.Containers[0].Image).To(HavePrefix("registry.example.com/platform/cosell-operator@sha256:"))
	g.Expect(args(d)).To(ContainElements(
		"--leader-elect", "--leader-elect-lease-duration=30s",
		"--partner-center=https://graph.microsoft.com/rp/product-ingestion",
		"--partner-center-secret="+namespace+"/partner-center",
		"--watch-namespaces=team-a,team-b",
		"--solution-concurrency=8", "--offer-concurrency=16"))
	g.Expect(d.Spec.Template.Spec.Containers[0].Resources.Limits.Memory().String()).To(Equal("512Mi"))
	g.Expect(d.Spec.Template.Spec.Containers[0].Env).To(ContainElement(corev1.EnvVar{Name: "GOMEMLIMIT", ValueFrom: &corev1.EnvVarSource{
		ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "manager", Resource: "limits.memory"}}}),
		"the Go runtime's soft memory limit follows the container's")
	g.Expect(kinds(objs)).To(ContainElements(
		"RoleBinding/cosell-operator-manager", "Role/cosell-operator-manager", "RoleBinding/cosell-operator-manager-secret",
		"ServiceMonitor/cosell-operator", "PrometheusRule/cosell-operator", "ConfigMap/cosell-operator-dashboard"))
	g.Expect(kinds(objs)).NotTo(ContainElement("ClusterRoleBinding/cosell-operator-manager"), "watched namespaces are bound one by one")
	var bound []string
	for _, rb := range render.Select(objs, "RoleBinding") {
		if rb.GetName() == "cosell-operator-manager" {
			bound = append(bound, rb.GetNamespace())
		}
	}
	g.Expect(bound).To(ConsistOf("team-a", "team-b"))
	expectRulesFromConfig(g, objs)
	expectDashboardFromConfig(g, objs)

	// A standalone simulator: no credentials, plain-HTTP metrics, no
	// leader election.
	objs = helmTemplate(g, "--values", valuesFile("standalone-simulator"))
	d = deployment(g, objs)
	g.Expect(args(d)).NotTo(ContainElement(HavePrefix("--leader-elect")))
	g.Expect(args(d)).To(ContainElement("--metrics-secure=false"), "the binary's default is secure")
	g.Expect(args(d)).NotTo(ContainElement(HavePrefix("--partner-center-secret")))
	g.Expect(kinds(objs)).NotTo(ContainElement(HavePrefix("Role/cosell-operator-leader-election")))
	sm := render.Select(objs, "ServiceMonitor")
	g.Expect(sm).To(HaveLen(1))
	g.Expect(sm[0].Object).To(HaveKeyWithValue("spec", HaveKeyWithValue("endpoints", ContainElement(HaveKeyWithValue("scheme", "http")))))

	expectWorkloadIdentity(g)
	expectSecretRoleNamesTheSecret(g)
	// Values that would make a broken install are refused at render time.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, bad := range [][]string{
		{"--set", "replicaCount=2", "--set", "leaderElection.enabled=false"},
		{"--set", "partnerCenter.endpoint=https://graph.microsoft.com/rp/product-ingestion"},
		{"--set", "partnerCenter.credentials.create=true"},
		{"--set", "workloadIdentity.enabled=true"},
		// values.schema.json: a misspelt key, an endpoint that is no URL.
		{"--set", "replicas=2"},
		{"--set", "partnerCenter.endpoint=graph.microsoft.com"},
	} {
		_, err := render.Helm(ctx, release, namespace, bad...)
		g.Expect(err).To(HaveOccurred(), "helm template %v", bad)
	}
}

// The chart refuses the embedded simulator together with a credentials
// Secret (the Secret would be ignored and the state lost on restart), and a
// plain-http endpoint off loopback with credentials, saying why.
func TestChartRefusesEmbeddedWithACredentialsSecret(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for bad, msg := range map[string]string{
		"partnerCenter.credentials.existingSecret=partner-center": "partnerCenter.endpoint is embedded",
		"partnerCenter.credentials.create=true,partnerCenter.credentials.tenantId=t,partnerCenter.credentials.clientId=c,partnerCenter.credentials.clientSecret=s": "partnerCenter.endpoint is embedded",
		"partnerCenter.endpoint=http://pc.simulator.svc:8090/rp/product-ingestion,partnerCenter.credentials.existingSecret=partner-center":                         "plain http",
	} {
		_, err := render.Helm(ctx, release, namespace, "--set", bad)
		g.Expect(err).To(MatchError(ContainSubstring(msg)), bad)
	}
	// Loopback over http (a sidecar simulator) keeps its Secret.
	objs := helmTemplate(g, "--set", "partnerCenter.endpoint=http://127.0.0.1:8090/rp/product-ingestion,partnerCenter.credentials.existingSecret=partner-center")
	g.Expect(deployment(g, objs).Spec.Template.Spec.Containers[0].Args).To(ContainElement("--partner-center-secret=" + namespace + "/partner-center"))
}

// expectWorkloadIdentity: the AKS setup of workload identity, a chart-made
// Secret without a secret value.
func expectWorkloadIdentity(g Gomega) {
	objs := helmTemplate(g, "--values", valuesFile("workload-identity"))
	d := deployment(g, objs)
	g.ExpectWithOffset(1, d.Spec.Template.Labels).To(HaveKeyWithValue("azure.workload.identity/use", "true"))
	g.ExpectWithOffset(1, d.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--partner-center-secret=" + namespace + "/cosell-operator-partner-center"))
	sas := render.Select(objs, "ServiceAccount")
	g.ExpectWithOffset(1, sas).To(HaveLen(1))
	g.ExpectWithOffset(1, sas[0].GetAnnotations()).To(HaveKeyWithValue("azure.workload.identity/client-id", "00000000-0000-0000-0000-000000000002"))
	secrets := render.Select(objs, "Secret")
	g.ExpectWithOffset(1, secrets).To(HaveLen(1))
	g.ExpectWithOffset(1, secrets[0].Object["stringData"]).To(Equal(map[string]any{
		"tenantId": "00000000-0000-0000-0000-000000000001", "clientId": "00000000-0000-0000-0000-000000000002", "useWorkloadIdentity": "true"}))

	// Without workload identity, neither the label nor the annotation.
	d = deployment(g, helmTemplate(g))
	g.ExpectWithOffset(1, d.Spec.Template.Labels).NotTo(HaveKey("azure.workload.identity/use"))
}

// expectSecretRoleNamesTheSecret: the Role in the release namespace grants
// the credentials Secret by name, not every Secret there (Helm's included).
func expectSecretRoleNamesTheSecret(g Gomega) {
	objs := helmTemplate(g, "--values", valuesFile("production"))
	var role *unstructured.Unstructured
	for _, r := range render.Select(objs, "Role") {
		if r.GetName() == "cosell-operator-manager" {
			role = r
		}
	}
	g.ExpectWithOffset(1, role).NotTo(BeNil())
	rules, _ := role.Object["rules"].([]any)
	g.ExpectWithOffset(1, rules).NotTo(BeEmpty())
	for _, r := range rules {
		g.ExpectWithOffset(1, r).To(HaveKeyWithValue("resourceNames", []any{"partner-center"}), "a Secret rule without resourceNames")
	}
}

// valuesFile is the absolute path of values/<name>.yaml (helm runs in the
// repository's root).
func valuesFile(name string) string {
	abs, err := filepath.Abs(filepath.Join("values", name+".yaml"))
	if err != nil {
		panic(err)
	}
	return abs
}

// expectCRDsFromConfig: the chart's CRDs are config/crd/bases, byte for byte.
func expectCRDsFromConfig(g Gomega, objs []*unstructured.Unstructured) {
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "*.yaml"))
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	g.ExpectWithOffset(1, render.Select(objs, "CustomResourceDefinition")).To(HaveLen(len(files)))
	for _, f := range files {
		want, err := os.ReadFile(f)
		g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
		got, err := os.ReadFile(filepath.Join(render.Chart(), "crds", filepath.Base(f)))
		g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
		g.ExpectWithOffset(1, bytes.Equal(got, want)).To(BeTrue(), "charts/cosell-operator/crds/%s differs from config/crd/bases: run make manifests", filepath.Base(f))
	}
}

// expectManagerRulesFromConfig: the chart's manager ClusterRole has the
// rules controller-gen generated into config/rbac/role.yaml.
func expectManagerRulesFromConfig(g Gomega, objs []*unstructured.Unstructured) {
	generated, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "rbac", "role.yaml"))
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	roles, err := render.Decode(generated)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	want := render.Select(roles, "ClusterRole")
	g.ExpectWithOffset(1, want).To(HaveLen(1))
	var got *unstructured.Unstructured
	for _, cr := range render.Select(objs, "ClusterRole") {
		if cr.GetName() == "cosell-operator-manager" {
			got = cr
		}
	}
	g.ExpectWithOffset(1, got).NotTo(BeNil())
	g.ExpectWithOffset(1, got.Object["rules"]).To(Equal(want[0].Object["rules"]))
}

func expectRulesFromConfig(g Gomega, objs []*unstructured.Unstructured) {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "prometheus", "prometheusrule.yaml"))
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	want, err := render.Decode(data)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	got := render.Select(objs, "PrometheusRule")
	g.ExpectWithOffset(1, got).To(HaveLen(1))
	g.ExpectWithOffset(1, got[0].Object["spec"]).To(Equal(want[0].Object["spec"]))
	g.ExpectWithOffset(1, got[0].GetLabels()).To(HaveKeyWithValue("release", "kube-prometheus-stack"))
}

func expectDashboardFromConfig(g Gomega, objs []*unstructured.Unstructured) {
	want, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "prometheus", "dashboard.json"))
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	for _, cm := range render.Select(objs, "ConfigMap") {
		if cm.GetName() == "cosell-operator-dashboard" {
			g.ExpectWithOffset(1, cm.GetNamespace()).To(Equal("monitoring"))
			g.ExpectWithOffset(1, cm.GetLabels()).To(HaveKeyWithValue("grafana_dashboard", "1"))
			got, _, _ := unstructured.NestedString(cm.Object, "data", "cosell-operator.json")
			g.ExpectWithOffset(1, got).To(Equal(strings.TrimSuffix(string(want), "\n")))
			return
		}
	}
	g.ExpectWithOffset(1, false).To(BeTrue(), "no dashboard ConfigMap")
}

// TestKustomizeAppliesWithServerSideDryRun does the same for the kustomize
// install: config/default, then config/prometheus.
func TestKustomizeAppliesWithServerSideDryRun(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := render.Kustomize(ctx, filepath.Join("config", "default"))
	g.Expect(err).NotTo(HaveOccurred())
	objs, err := render.Decode(out)
	g.Expect(err).NotTo(HaveOccurred())
	// The namespace is created for real so its objects can be dry-run in it.
	for _, ns := range render.Select(objs, "Namespace") {
		g.Expect(ns.GetLabels()).To(HaveKeyWithValue("pod-security.kubernetes.io/enforce", "restricted"))
		g.Expect(render.Apply(ctx, c, []*unstructured.Unstructured{ns}, false)).To(Succeed())
	}
	g.Expect(render.Apply(ctx, c, objs, true)).To(Succeed())
	g.Expect(admitPod(ctx, deployment(g, objs))).To(Succeed(), "the manager's Pod under the restricted Pod Security Standard")

	out, err = render.Kustomize(ctx, filepath.Join("config", "prometheus"))
	g.Expect(err).NotTo(HaveOccurred())
	mon, err := render.Decode(out)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(kindsOf(mon)).To(ConsistOf("ServiceMonitor", "PrometheusRule", "ConfigMap"))
	ensureNamespace(g, "system")
	g.Expect(render.Apply(ctx, c, mon, true)).To(Succeed())
}

func kindsOf(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind())
	}
	return out
}

// Package rbac_test proves the operator's RBAC and pod security by running
// it: the install manifests (kustomize's config/default and the Helm chart)
// are applied to a real API server, the operator binary runs with a token
// of its ServiceAccount and the arguments of the rendered Deployment,
// converges config/samples, and is refused what its roles do not grant; the
// manager's Pod is admitted in a namespace that enforces the restricted Pod
// Security Standard.
package rbac_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/internal/proc"
	"github.com/cosell-operator/cosell-operator/test/internal/render"
)

// envtest logs through controller-runtime's logger; its output is noise here.
func init() { ctrllog.SetLogger(logr.Discard()) }

const (
	samplesNamespace = "contoso"
	waitTimeout      = 2 * time.Minute
	poll             = 250 * time.Millisecond
)

// The objects of config/samples that reach Ready on their own (the
// consulting offer fails certification on purpose).
var samplesReady = []client.Object{
	&v1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Name: "contoso-analytics"}},
	&v1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Name: "contoso-fieldservice"}},
	&v1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso-analytics"}},
	&v1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso-fieldservice"}},
	&v1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso-legacy-crm"}},
}

// install is one way of installing the operator.
type install struct {
	namespace      string // the operator's
	serviceAccount string
	metricsReader  string // the ClusterRole a scraper is bound to
	namespaced     bool   // the manager is bound in samplesNamespace only
	// teamSecret, when set, is the credentials Secret of samplesNamespace
	// as a team namespace (--team-namespaces): the manager may get it, and
	// no other Secret there.
	teamSecret string
	// ungrantedTeam, when set, is a second team namespace whose grant the
	// platform team has not made (its RoleBinding is deleted): its objects
	// stall saying what to grant, and nothing falls back to the global
	// credential.
	ungrantedTeam string
	render        func(ctx context.Context) ([]byte, error)
}

var installs = map[string]install{
	"kustomize config/default": {
		namespace: "cosell-operator-system", serviceAccount: "cosell-operator-controller-manager",
		metricsReader: "cosell-operator-metrics-reader",
		render: func(ctx context.Context) ([]byte, error) {
			return render.Kustomize(ctx, filepath.Join("config", "default"))
		},
	},
	"helm chart, one watched namespace": {
		namespace: "cosell-operator", serviceAccount: "cosell-operator",
		metricsReader: "cosell-operator-metrics-reader", namespaced: true,
		render: func(ctx context.Context) ([]byte, error) {
			return render.Helm(ctx, "cosell-operator", "cosell-operator", "--set", "watchNamespaces={"+samplesNamespace+"}")
		},
	},
	"helm chart, team credentials": {
		namespace: "cosell-operator", serviceAccount: "cosell-operator",
		metricsReader: "cosell-operator-metrics-reader", teamSecret: "cosell-partner-center", ungrantedTeam: "fabrikam",
		render: func(ctx context.Context) ([]byte, error) {
			return render.Helm(ctx, "cosell-operator", "cosell-operator", "--set", "teamCredentials.namespaces={"+samplesNamespace+",fabrikam}")
		},
	},
}

func TestOperatorRunsWithItsServiceAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the operator against a real API server")
	}
	bin := proc.BuildOperator(t)
	for name, in := range installs {
		t.Run(name, func(t *testing.T) { in.run(t, bin) })
	}
}

func (in install) run(t *testing.T, bin string) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	env, err := testenv.Start()
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })
	admin, err := client.New(env.Config, client.Options{Scheme: scheme.Scheme})
	g.Expect(err).NotTo(HaveOccurred())

	// The manifests, applied by an administrator.
	out, err := in.render(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	objs, err := render.Decode(out)
	g.Expect(err).NotTo(HaveOccurred())
	restricted := map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}
	for _, ns := range slices.DeleteFunc([]string{in.namespace, samplesNamespace, in.ungrantedTeam}, func(s string) bool { return s == "" }) {
		err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: restricted}})
		if !apierrors.IsAlreadyExists(err) {
			g.Expect(err).NotTo(HaveOccurred())
		}
	}
	g.Expect(render.Apply(ctx, admin, objs, false)).To(Succeed())
	if in.teamSecret != "" {
		// The team's Secret, and another one the manager must not read.
		// Against the embedded simulator the team's keys are checked and no
		// token is requested.
		g.Expect(admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: samplesNamespace, Name: in.teamSecret},
			StringData: map[string]string{"tenantId": "00000000-0000-0000-0000-000000000001", "clientId": "team-app", "clientSecret": "team-secret"}})).To(Succeed())
		g.Expect(admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: samplesNamespace, Name: "database-password"},
			StringData: map[string]string{"password": "hunter2"}})).To(Succeed())
	}
	if ns := in.ungrantedTeam; ns != "" {
		// The team made its Secret; the platform team has not granted it.
		g.Expect(admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: in.teamSecret},
			StringData: map[string]string{"tenantId": "00000000-0000-0000-0000-000000000002", "clientId": "other-app", "clientSecret": "other-secret"}})).To(Succeed())
		g.Expect(admin.Delete(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cosell-operator-team-credentials"}})).To(Succeed())
	}
	ns := &corev1.Namespace{}
	g.Expect(admin.Get(ctx, client.ObjectKey{Name: in.namespace}, ns)).To(Succeed())
	g.Expect(ns.Labels).To(HaveKeyWithValue("pod-security.kubernetes.io/enforce", "restricted"))

	// The manager's Pod, from the rendered Deployment, is admitted under the
	// restricted standard; without runAsNonRoot it would not be.
	deps := render.Select(objs, "Deployment")
	g.Expect(deps).To(HaveLen(1))
	d := &appsv1.Deployment{}
	g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(deps[0].Object, d)).To(Succeed())
	g.Expect(d.Namespace).To(Equal(in.namespace))
	g.Expect(d.Spec.Template.Spec.ServiceAccountName).To(Equal(in.serviceAccount))
	g.Expect(admin.Create(ctx, podOf(d), client.DryRunAll)).To(Succeed(), "the manager's Pod under the restricted Pod Security Standard")
	rootAllowed := podOf(d)
	rootAllowed.Spec.SecurityContext.RunAsNonRoot = nil
	for i := range rootAllowed.Spec.Containers {
		if sc := rootAllowed.Spec.Containers[i].SecurityContext; sc != nil {
			sc.RunAsNonRoot = nil
		}
	}
	err = admin.Create(ctx, rootAllowed, client.DryRunAll)
	g.Expect(apierrors.IsForbidden(err)).To(BeTrue(), "the namespace enforces the restricted standard: %v", err)

	// The ServiceAccount's token, from the TokenRequest API.
	cs, err := kubernetes.NewForConfig(env.Config)
	g.Expect(err).NotTo(HaveOccurred())
	saConfig := tokenConfig(g, ctx, env.Config, cs, in.namespace, in.serviceAccount)
	sa, err := client.New(saConfig, client.Options{Scheme: scheme.Scheme})
	g.Expect(err).NotTo(HaveOccurred())
	review := &authenticationv1.SelfSubjectReview{}
	g.Expect(sa.Create(ctx, review)).To(Succeed())
	g.Expect(review.Status.UserInfo.Username).To(Equal("system:serviceaccount:" + in.namespace + ":" + in.serviceAccount))
	in.expectOwnSecretByNameOnly(g, ctx, sa)

	// The operator, with the token and the Deployment's arguments.
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	g.Expect(render.WriteKubeconfig(kubeconfig, saConfig)).To(Succeed())
	metrics, probe := proc.FreeAddr(t), proc.FreeAddr(t)
	args := overrideArgs(d.Spec.Template.Spec.Containers[0].Args, map[string]string{
		"--metrics-bind-address":      metrics,
		"--health-probe-bind-address": probe,
	})
	args = append(args, "--kubeconfig="+kubeconfig, "--simulator-addr="+proc.FreeAddr(t),
		// Out of a cluster the manager cannot read its namespace from the
		// ServiceAccount mount.
		"--leader-election-namespace="+in.namespace,
		"--simulator-certification-delay=1s", "--simulator-merge-delay=1s")
	g.Expect(args).To(ContainElements("--leader-elect", "--metrics-secure"))
	logPath := filepath.Join(dir, "operator.log")
	stop := startOperator(t, bin, args, logPath)
	defer stop()
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(logPath)
			t.Logf("operator log:\n%s", log)
		}
	})

	// config/samples converge.
	g.Expect(render.ApplySamples(ctx, admin, samplesNamespace)).To(Succeed())
	g.Eventually(func(g Gomega) {
		// A request refused by RBAC fails the test at once, not at the timeout.
		if log, _ := os.ReadFile(logPath); len(forbiddenLines(string(log))) > 0 {
			StopTrying("the operator's requests are refused by RBAC:\n" + strings.Join(forbiddenLines(string(log)), "\n")).Now()
		}
		for _, obj := range samplesReady {
			obj = obj.DeepCopyObject().(client.Object)
			g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: samplesNamespace, Name: obj.GetName()}, obj)).To(Succeed())
			expectReady(g, obj)
		}
	}, waitTimeout, poll).Should(Succeed(), "config/samples converge with the ServiceAccount's permissions")

	if ns := in.ungrantedTeam; ns != "" {
		// A team namespace the operator may not read the Secret of stalls,
		// saying what to grant; it publishes nothing with another credential.
		data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "marketplace_v1alpha1_marketplaceoffer_analytics.yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		offer := &v1.MarketplaceOffer{}
		g.Expect(yaml.Unmarshal(data, offer)).To(Succeed())
		// An offer ID of its own: the samples' belong to the first namespace.
		offer.Namespace, offer.Spec.OfferID = ns, ns+"-analytics"
		g.Expect(admin.Create(ctx, offer)).To(Succeed())
		g.Eventually(func(g Gomega) {
			o := &v1.MarketplaceOffer{}
			g.Expect(admin.Get(ctx, client.ObjectKeyFromObject(offer), o)).To(Succeed())
			stalled := meta.FindStatusCondition(o.Status.Conditions, v1.StalledCondition)
			g.Expect(stalled).NotTo(BeNil())
			g.Expect(stalled.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(stalled.Reason).To(Equal("CredentialsUnavailable"))
			g.Expect(stalled.Message).To(ContainSubstring("may not read Secret " + ns + "/" + in.teamSecret))
			g.Expect(stalled.Message).To(ContainSubstring("resourceNames [" + in.teamSecret + "]"))
			g.Expect(o.Status.ProductID).To(BeEmpty())
		}, waitTimeout, poll).Should(Succeed())
	}

	// Leader election used its Lease in the operator's namespace.
	lease := &coordinationv1.Lease{}
	g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: in.namespace, Name: "cosell-operator.marketplace.cosell.io"}, lease)).To(Succeed())

	// Events were recorded (events.k8s.io create): the certification
	// failure of the consulting offer is a Warning event.
	g.Eventually(func(g Gomega) {
		events, err := cs.EventsV1().Events(samplesNamespace).List(ctx, metav1.ListOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		reasons := map[string]bool{}
		for _, e := range events.Items {
			reasons[e.Reason] = true
		}
		g.Expect(reasons).To(HaveKey("CertificationFailed"))
	}, waitTimeout, poll).Should(Succeed())

	// The secure metrics endpoint authenticates and authorizes scrapers
	// (the manager's tokenreviews and subjectaccessreviews).
	in.expectMetricsAuth(g, ctx, env.Config, cs, admin, metrics)

	// Writes outside the roles are refused.
	forbidden := func(err error, what string) {
		g.ExpectWithOffset(1, apierrors.IsForbidden(err)).To(BeTrue(), "%s must be forbidden, got %v", what, err)
	}
	forbidden(sa.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: samplesNamespace, Name: "x"}}), "creating a Secret")
	forbidden(sa.List(ctx, &corev1.SecretList{}), "listing Secrets in all namespaces")
	forbidden(sa.Delete(ctx, &v1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Namespace: samplesNamespace, Name: "contoso-analytics"}}), "deleting a MarketplaceOffer")
	forbidden(sa.Create(ctx, &v1.Solution{ObjectMeta: metav1.ObjectMeta{Namespace: samplesNamespace, Name: "x"},
		Spec: v1.SolutionSpec{Action: v1.ActionDiscard}}), "creating a Solution")
	forbidden(sa.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "escalate"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: in.serviceAccount, Namespace: in.namespace}}}), "binding cluster-admin")
	forbidden(sa.Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: samplesNamespace, Name: "x"}}), "a Lease outside its namespace")
	if in.namespaced {
		forbidden(sa.List(ctx, &v1.MarketplaceOfferList{}, client.InNamespace("default")), "reading offers outside the watched namespace")
	}
	if in.teamSecret != "" {
		// The team's Secret by name, and nothing more: not another Secret
		// of the namespace, not the namespace's list, not a watch.
		g.Expect(sa.Get(ctx, client.ObjectKey{Namespace: samplesNamespace, Name: in.teamSecret}, &corev1.Secret{})).To(Succeed())
		forbidden(sa.Get(ctx, client.ObjectKey{Namespace: samplesNamespace, Name: "database-password"}, &corev1.Secret{}), "reading another Secret of a team namespace")
		forbidden(sa.List(ctx, &corev1.SecretList{}, client.InNamespace(samplesNamespace)), "listing the Secrets of a team namespace")
		saCS, err := kubernetes.NewForConfig(saConfig)
		g.Expect(err).NotTo(HaveOccurred())
		_, err = saCS.CoreV1().Secrets(samplesNamespace).Watch(ctx, metav1.ListOptions{})
		forbidden(err, "watching the Secrets of a team namespace")
		forbidden(sa.Update(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: samplesNamespace, Name: in.teamSecret}}), "writing the team's Secret")
	}

	// Nothing the operator did was refused: a missing verb that only shows
	// in the log (events, finalizers, status) fails here.
	stop()
	log, err := os.ReadFile(logPath)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(forbiddenLines(string(log))).To(BeEmpty(), "requests of the operator refused by RBAC")
}

// podOf is the Pod that the Deployment's ReplicaSet would create.
// expectOwnSecretByNameOnly: in its own namespace the manager may read its
// credentials Secret by name (get, and the list and watch of its cache,
// which select that name), and no other Secret, Helm's release Secrets
// included; nor may it list them all.
func (in install) expectOwnSecretByNameOnly(g Gomega, ctx context.Context, sa client.Client) {
	can := func(verb, name string) bool {
		r := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: in.namespace, Verb: verb, Resource: "secrets", Name: name}}}
		g.ExpectWithOffset(2, sa.Create(ctx, r)).To(Succeed())
		return r.Status.Allowed
	}
	for _, verb := range []string{"get", "list", "watch"} {
		g.ExpectWithOffset(1, can(verb, "sh.helm.release.v1.cosell-operator.v1")).To(BeFalse(), "%s another Secret", verb)
		g.ExpectWithOffset(1, can(verb, "")).To(BeFalse(), "%s every Secret", verb)
		// config/default names the Secret of config/manager/manager.yaml's
		// example; the chart grants nothing without a credentials Secret.
		g.ExpectWithOffset(1, can(verb, "partner-center")).To(Equal(!in.namespaced && in.teamSecret == "" && in.namespace == "cosell-operator-system"), "%s the credentials Secret", verb)
	}
}

func podOf(d *appsv1.Deployment) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: d.Name + "-", Namespace: d.Namespace, Labels: d.Spec.Template.Labels},
		Spec:       *d.Spec.Template.Spec.DeepCopy(),
	}
}

// tokenConfig reaches the API server with a token of the ServiceAccount
// (no client certificate).
func tokenConfig(g Gomega, ctx context.Context, admin *rest.Config, cs kubernetes.Interface, namespace, name string) *rest.Config {
	expiry := int64(3600)
	tr, err := cs.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	cfg := rest.AnonymousClientConfig(admin)
	cfg.BearerToken = tr.Status.Token
	return cfg
}

// expectMetricsAuth scrapes the manager's HTTPS metrics endpoint with the
// token of a ServiceAccount bound to the metrics-reader ClusterRole, and
// expects a token without that binding to be refused.
func (in install) expectMetricsAuth(g Gomega, ctx context.Context, adminConfig *rest.Config, cs kubernetes.Interface, admin client.Client, addr string) {
	for _, name := range []string{"prometheus", "stranger"} {
		err := admin.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: in.namespace, Name: name}})
		g.Expect(err).NotTo(HaveOccurred())
	}
	g.Expect(admin.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "prometheus-" + in.metricsReader},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: in.metricsReader},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "prometheus", Namespace: in.namespace}}})).To(Succeed())
	httpClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		// The manager serves a self-signed certificate.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	scrape := func(g Gomega, token string) (int, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/metrics", nil)
		g.Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := httpClient.Do(req)
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	reader := tokenConfig(g, ctx, adminConfig, cs, in.namespace, "prometheus").BearerToken
	stranger := tokenConfig(g, ctx, adminConfig, cs, in.namespace, "stranger").BearerToken
	g.Eventually(func(g Gomega) {
		code, body := scrape(g, reader)
		g.Expect(code).To(Equal(http.StatusOK))
		g.Expect(body).To(ContainSubstring("cosell_marketplaceoffers"))
		code, _ = scrape(g, stranger)
		g.Expect(code).To(Equal(http.StatusForbidden))
	}, waitTimeout, poll).Should(Succeed())
}

// overrideArgs replaces the values of flags in args.
func overrideArgs(args []string, values map[string]string) []string {
	var out []string
	for _, a := range args {
		name, _, _ := strings.Cut(a, "=")
		if _, ok := values[name]; ok {
			continue
		}
		out = append(out, a)
	}
	for name, v := range values {
		out = append(out, name+"="+v)
	}
	return out
}

// expectReady checks that Ready is True about the current generation.
func expectReady(g Gomega, obj client.Object) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	var conds []metav1.Condition
	raw, _, _ := unstructured.NestedSlice(u, "status", "conditions")
	for _, c := range raw {
		var cond metav1.Condition
		g.ExpectWithOffset(1, runtime.DefaultUnstructuredConverter.FromUnstructured(c.(map[string]any), &cond)).To(Succeed())
		conds = append(conds, cond)
	}
	ready := meta.FindStatusCondition(conds, v1.ReadyCondition)
	g.ExpectWithOffset(1, ready).NotTo(BeNil(), "%s has no Ready condition", obj.GetName())
	g.ExpectWithOffset(1, ready.Status).To(Equal(metav1.ConditionTrue), "%s: %s", obj.GetName(), ready.Message)
	g.ExpectWithOffset(1, ready.ObservedGeneration).To(Equal(obj.GetGeneration()), obj.GetName())
}

// forbiddenLines are the log lines about requests refused by RBAC.
func forbiddenLines(log string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "forbidden") {
			out = append(out, sc.Text())
		}
	}
	return out
}

// startOperator runs the operator binary; stop interrupts it and waits.
func startOperator(t *testing.T, bin string, args []string, logPath string) (stop func()) {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the test judges the operator by what it did, not by its exit status
		close(done)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			t.Errorf("the operator did not stop within 20s of SIGINT")
		}
		_ = logFile.Close()
	}
	t.Cleanup(stop)
	return stop
}

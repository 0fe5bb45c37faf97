package kubectlcosell

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// The package's one control plane (TestMain), reached by the tests
// through a kubeconfig file as a user reaches theirs.
var (
	k8s        client.Client
	kubeconfig string
)

// contextNamespace is the namespace of the kubeconfig's context: the
// commands use it when -n is not given, as kubectl does.
const contextNamespace = "team-a"

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	if testing.Short() { // the tests that need the control plane skip
		return m.Run()
	}
	env, err := testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	dir, err := os.MkdirTemp("", "kubectl-cosell-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(env.Config, kubeconfig); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if k8s, err = client.New(env.Config, client.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, ns := range []string{contextNamespace, "team-b", "team-c", "team-d"} {
		if err := k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// writeKubeconfig writes cfg as a kubeconfig whose current context
// "envtest" has the namespace contextNamespace, beside a context "other"
// that reaches no server.
func writeKubeconfig(cfg *rest.Config, path string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.Clusters["nowhere"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin", Namespace: contextNamespace}
	kc.Contexts["other"] = &clientcmdapi.Context{Cluster: "nowhere", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	return clientcmd.WriteToFile(*kc, path)
}

func needCluster(t *testing.T) {
	t.Helper()
	if k8s == nil {
		t.Skip("needs the test control plane (KUBEBUILDER_ASSETS)")
	}
}

// run runs the plugin with args and returns what it wrote to stdout.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := Main(ctx, args, &out, &errOut)
	if errOut.Len() > 0 {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

// sample reads an object of config/samples into obj, in namespace ns.
func sample(t *testing.T, file, ns string, obj client.Object) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", file))
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(yaml.UnmarshalStrict(data, obj)).To(Succeed())
	obj.SetNamespace(ns)
}

func TestInvoked(t *testing.T) {
	g := NewWithT(t)
	g.Expect(Invoked("/usr/local/bin/kubectl-cosell")).To(BeTrue())
	g.Expect(Invoked("/opt/bin/kubectl-cosell.exe")).To(BeTrue())
	g.Expect(Invoked("kubectl-cosell")).To(BeTrue())
	g.Expect(Invoked("/usr/local/bin/cosell-operator")).To(BeFalse())
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{}, {"--help"}, {"help"}, {"retry", "--help"}, {"trace", "-h"}, {"export", "--help"}} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			g := NewWithT(t)
			out, err := run(t, args...)
			g.Expect(err).NotTo(HaveOccurred())
			if len(args) == 0 || args[0] != "export" { // export prints its flags to stderr
				g.Expect(out).To(ContainSubstring("kubectl cosell"))
			}
		})
	}
	out, _ := run(t, "trace", "--help")
	NewWithT(t).Expect(out).To(And(ContainSubstring("--partner-center"), ContainSubstring("--context"),
		ContainSubstring("-n, --namespace"), ContainSubstring("--kubeconfig")))
}

func TestUnknownCommandFails(t *testing.T) {
	_, err := run(t, "apply")
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring(`unknown command "apply": the commands are export, plan, retry, trace`)))
}

func TestPlanIsACommand(t *testing.T) {
	_, err := run(t, "plan")
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring("-f is required")))
}

func TestParseRefs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []ref
		err  string
	}{
		{args: []string{"offer/a"}, want: []ref{{kindOffer, "a"}}},
		{args: []string{"marketplaceoffers.marketplace.cosell.io/a", "sol/b"}, want: []ref{{kindOffer, "a"}, {kindSolution, "b"}}},
		{args: []string{"Solution", "b"}, want: []ref{{kindSolution, "b"}}},
		{args: []string{"pod/a"}, err: `"pod/a": name an object as offer/NAME or solution/NAME`},
		{args: []string{"offer/"}, err: `"offer/": name an object`},
		{args: nil, err: "name an object: offer/NAME or solution/NAME"},
	} {
		t.Run(fmt.Sprint(tc.args), func(t *testing.T) {
			g := NewWithT(t)
			got, err := parseRefs(tc.args)
			if tc.err != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tc.err)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.want))
		})
	}
}

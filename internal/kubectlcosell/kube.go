package kubectlcosell

import (
	"fmt"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// kubeFlags are kubectl's connection flags: --kubeconfig and clientcmd's
// overrides (--context, --cluster, --user, -n/--namespace, --server,
// --token, --as, --request-timeout, ...), resolved as kubectl resolves
// them (KUBECONFIG, the context's namespace, in-cluster).
type kubeFlags struct {
	loading   *clientcmd.ClientConfigLoadingRules
	overrides clientcmd.ConfigOverrides
}

func (k *kubeFlags) bind(fs *pflag.FlagSet) {
	k.loading = clientcmd.NewDefaultClientConfigLoadingRules()
	fs.StringVar(&k.loading.ExplicitPath, "kubeconfig", "", "Path to the kubeconfig file (default: KUBECONFIG, else ~/.kube/config).")
	clientcmd.BindOverrideFlags(&k.overrides, fs, clientcmd.RecommendedConfigOverrideFlags(""))
}

// connect returns a client of the cluster and the namespace to work in.
func (k *kubeFlags) connect() (client.Client, string, error) {
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(k.loading, &k.overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("reading kubeconfig: %w", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, "", err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, "", err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, "", fmt.Errorf("connecting to the cluster: %w", err)
	}
	return c, ns, nil
}

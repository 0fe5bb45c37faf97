package kubectlcosell

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// requestedAt reads the annotation retry sets, as a time.
func requestedAt(g Gomega, obj client.Object) time.Time {
	g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	v, ok := obj.GetAnnotations()[v1alpha1.ReconcileRequestedAtAnnotation]
	g.Expect(ok).To(BeTrue(), "annotation %s", v1alpha1.ReconcileRequestedAtAnnotation)
	at, err := time.Parse(time.RFC3339Nano, v)
	g.Expect(err).NotTo(HaveOccurred())
	return at
}

func TestRetrySetsTheAnnotation(t *testing.T) {
	needCluster(t)
	g := NewWithT(t)
	ctx := context.Background()
	offer := &v1alpha1.MarketplaceOffer{}
	sample(t, "marketplace_v1alpha1_marketplaceoffer_analytics.yaml", contextNamespace, offer)
	offer.Annotations = map[string]string{"team": "retail"}
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	sol := &v1alpha1.Solution{}
	sample(t, "marketplace_v1alpha1_solution_merge.yaml", "team-b", sol)
	g.Expect(k8s.Create(ctx, sol)).To(Succeed())
	gen := offer.Generation

	before := time.Now().Add(-time.Second)
	out, err := run(t, "retry", "offer/contoso-analytics", "--kubeconfig", kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	first := requestedAt(g, offer)
	g.Expect(first).To(BeTemporally(">=", before))
	g.Expect(first).To(BeTemporally("<=", time.Now()))
	g.Expect(out).To(Equal("MarketplaceOffer/contoso-analytics reconcile requested at " + first.UTC().Format(time.RFC3339Nano) + "\n"))
	g.Expect(offer.Annotations).To(HaveKeyWithValue("team", "retail"), "other annotations stay")
	g.Expect(offer.Generation).To(Equal(gen), "the spec is untouched")

	// Again: a new value, which is what asks for another reconcile.
	time.Sleep(2 * time.Millisecond) //nolint:forbidigo // two requests must differ in time
	_, err = run(t, "retry", "offer", "contoso-analytics", "--kubeconfig", kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(requestedAt(g, offer)).To(BeTemporally(">", first))

	// -n picks the namespace, flags after the arguments as kubectl takes them.
	_, err = run(t, "retry", "solution/ocp-contoso-analytics", "--kubeconfig", kubeconfig, "-n", "team-b")
	g.Expect(err).NotTo(HaveOccurred())
	requestedAt(g, sol)
}

func TestRetryOfAMissingObjectFails(t *testing.T) {
	needCluster(t)
	g := NewWithT(t)
	_, err := run(t, "retry", "solution/nothing-here", "--kubeconfig", kubeconfig)
	g.Expect(err).To(MatchError(ContainSubstring(`Solution/nothing-here in namespace team-a: solutions.marketplace.cosell.io "nothing-here" not found`)))
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: contextNamespace, Name: "nothing-here"}, &v1alpha1.Solution{})).
		NotTo(Succeed(), "retry creates nothing")

	_, err = run(t, "retry", "solution/nothing-here", "--kubeconfig", kubeconfig, "--context", "other", "--request-timeout", "2s")
	g.Expect(err).To(HaveOccurred(), "--context other reaches no server")
}

package controllers_test

import (
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/argocd"
)

// argoHealth reads obj as Argo CD does, with the health check of its kind
// in config/argocd/resource_customizations (test/argocd runs them; its
// test holds the cases of each script).
func argoHealth(g Gomega, obj runtime.Object) (string, string) {
	kind := "MarketplaceOffer"
	if _, ok := obj.(*v1alpha1.Solution); ok {
		kind = "Solution"
	}
	u, err := argocd.FromObject(obj, v1alpha1.GroupVersion.WithKind(kind))
	g.Expect(err).NotTo(HaveOccurred())
	st, err := argocd.Health(argocd.Dir(testenv.RepoRoot()), u)
	g.Expect(err).NotTo(HaveOccurred())
	return st.Status, st.Message
}

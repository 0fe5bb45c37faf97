package controllers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// A second namespace declaring an offer ID another namespace's offer
// already declared ends Stalled (kstatus Failed) naming the owner, while
// the owner's offer goes live untouched and Partner Center holds one
// product. Before, both objects adopted the one product and both reported
// Ready; deleting either with policy Delete stopped the other's sale.
func TestSecondNamespaceDeclaringATakenOfferIDStallsWhileTheOwnerGoesLive(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{})
	teamA, teamB := newNamespace(t), newNamespace(t)
	op := startOperator(t, sim, teamA, teamB)
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "marketplace_v1alpha1_marketplaceoffer_analytics.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	owner := &v1alpha1.MarketplaceOffer{}
	g.Expect(yaml.Unmarshal(data, owner)).To(Succeed())
	taker := owner.DeepCopy()
	owner.Namespace, taker.Namespace = teamA, teamB
	g.Expect(k8s.Create(ctx, owner)).To(Succeed())
	// The owner records its product before the second object exists, as
	// when another team applies the same offer ID later.
	g.Eventually(func(g Gomega) {
		g.Expect(getOffer(g, teamA, owner.Name).Status.ProductID).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
	taker.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	g.Expect(k8s.Create(ctx, taker)).To(Succeed())

	g.Eventually(func(g Gomega) {
		o := getOffer(g, teamB, taker.Name)
		c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonOfferIDTaken))
		g.Expect(c.Message).To(ContainSubstring(teamA + "/" + owner.Name))
		g.Expect(kstatusOf(g, o)).To(Equal(status.FailedStatus))
		g.Expect(o.Status.ProductID).To(BeEmpty())
	}, timeout, interval).Should(Succeed())
	g.Eventually(func(g Gomega) {
		o := getOffer(g, teamA, owner.Name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(kstatusOf(g, o)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())

	// Deleting the second object (policy Delete) leaves the owner's live
	// product on sale.
	g.Expect(k8s.Delete(ctx, taker)).To(Succeed())
	g.Eventually(func(g Gomega) {
		var offers v1alpha1.MarketplaceOfferList
		g.Expect(k8s.List(ctx, &offers)).To(Succeed())
		for _, o := range offers.Items {
			g.Expect(o.Namespace).NotTo(Equal(teamB))
		}
	}, timeout, interval).Should(Succeed())
	product, err := op.pc.FindProduct(ctx, owner.Spec.OfferID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(product.ID).To(Equal(getOffer(g, teamA, owner.Name).Status.ProductID))
	g.Expect(product.State).NotTo(Equal(partnercenter.LifecycleDeprecated))
}

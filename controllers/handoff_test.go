package controllers

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/solution"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// A second Solution migrating into an offer that already holds a
// migration stalls naming the first, without asking Partner Center for a
// migration it must refuse; the offer does not wait for it and reaches
// its target. Before, the offer waited for the second Solution forever.
func TestSecondMigrateIntoATakenOfferStallsWhileTheOfferGoesOn(t *testing.T) {
	g := NewWithT(t)
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics-2"})
	product := ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	offer := ctrltest.DraftOffer()
	offer.Status.ProductID = product.ID
	first := ctrltest.MigrateSolution(offer.Name)
	first.Status.State, first.Status.ProductID = v1alpha1.StateMigrated, product.ID
	second := ctrltest.MigrateSolution(offer.Name)
	second.Name, second.Spec.SolutionID = "ocp-contoso-analytics-2", "ocp-contoso-analytics-2"
	h := newOfferRig(t, offer, f, first, second)
	r := solution.NewController(ctrltest.Deps(h.Client, f))

	_, got := ctrltest.ReconcileOnce(g, r, client.ObjectKeyFromObject(second))
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonActionConflict))
	g.Expect(c.Message).To(ContainSubstring("Solution ocp-contoso-analytics "))
	g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(f.Calls["MigrateSolution"]).To(BeZero())

	g.Eventually(func(g Gomega) {
		_, o := h.Reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
		g.Expect(o.Status.MigratedFrom).To(Equal("ocp-contoso-analytics"))
	}).Should(Succeed())
}

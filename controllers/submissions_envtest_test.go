package controllers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// sampleOffer reads a MarketplaceOffer of config/samples into namespace ns.
func sampleOffer(t *testing.T, ns, file string) *v1alpha1.MarketplaceOffer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	offer := &v1alpha1.MarketplaceOffer{}
	if err := yaml.Unmarshal(data, offer); err != nil {
		t.Fatal(err)
	}
	offer.Namespace = ns
	return offer
}

// conditionTrue returns the condition of type t when it is True, else nil.
func conditionTrue(conds []metav1.Condition, t string) *metav1.Condition {
	if c := meta.FindStatusCondition(conds, t); c != nil && c.Status == metav1.ConditionTrue {
		return c
	}
	return nil
}

// Deleting an offer (deletionPolicy Delete) while its first preview is in
// certification: Partner Center deletes only a never-published draft, and
// one whose submission runs not at all; the offer waits (Reconciling,
// reason Deleting, saying for what) instead of stalling, and once
// certification failed (never published) deletes the draft.
func TestDeletingAnOfferInCertificationWaitsForIt(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{certificationDelay: 3 * time.Second})
	ns := newNamespace(t)
	op := startOperator(t, sim, ns)
	offer := sampleOffer(t, ns, "marketplace_v1alpha1_marketplaceoffer_assessment.yaml") // fails certification
	offer.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(getOffer(g, ns, offer.Name).Status.Phase).To(Equal(v1alpha1.PhaseCertifying))
	}, timeout, interval).Should(Succeed())
	productID := getOffer(g, ns, offer.Name).Status.ProductID

	g.Expect(k8s.Delete(ctx, offer)).To(Succeed())
	var waited bool
	g.Eventually(func(g Gomega) {
		o := &v1alpha1.MarketplaceOffer{}
		err := k8s.Get(ctx, client.ObjectKeyFromObject(offer), o)
		if err == nil {
			g.Expect(conditionTrue(o.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil(), "deleting during certification waits, never stalls")
			if c := conditionTrue(o.Status.Conditions, v1alpha1.ReconcilingCondition); c != nil && c.Reason == v1alpha1.ReasonDeleting {
				g.Expect(c.Message).To(ContainSubstring("certification"))
				waited = true
			}
		}
		g.Expect(err).To(HaveOccurred(), "the object is gone")
	}, timeout, interval).Should(Succeed())
	g.Expect(waited).To(BeTrue(), "the wait was reported as Reconciling, reason Deleting")
	_, err := op.pc.GetProduct(ctx, productID)
	g.Expect(partnercenter.IsNotFound(err)).To(BeTrue(), "certification failed, so the draft was never published and is deleted: %v", err)
}

// An offer whose sale was stopped (deleted with deletionPolicy Delete) and
// then declared again, with the adopt opt-in, takes over the deprecated
// product: none of its old submissions stands for the new object, which
// is not Live and stalls saying the sale was stopped and what to do.
func TestRecreatedOfferAfterStopSaleTakesNoOldSubmission(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{certificationDelay: 100 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	offer := sampleOffer(t, ns, "marketplace_v1alpha1_marketplaceoffer_analytics.yaml")
	offer.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	first := offer.DeepCopy()
	g.Expect(k8s.Create(ctx, first)).To(Succeed())
	var old *v1alpha1.MarketplaceOffer
	g.Eventually(func(g Gomega) {
		old = getOffer(g, ns, offer.Name)
		ready(g, old.Status.Conditions, old.Generation)
		g.Expect(old.Status.Phase).To(Equal(v1alpha1.PhaseLive))
	}, timeout, interval).Should(Succeed())
	g.Expect(k8s.Delete(ctx, first)).To(Succeed())
	g.Eventually(func() error {
		return k8s.Get(ctx, client.ObjectKeyFromObject(first), &v1alpha1.MarketplaceOffer{})
	}, timeout, interval).Should(HaveOccurred())

	again := offer.DeepCopy()
	again.Annotations = map[string]string{v1alpha1.AdoptAnnotation: "true"}
	g.Expect(k8s.Create(ctx, again)).To(Succeed())
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		g.Expect(o.Status.ProductID).To(Equal(old.Status.ProductID))
		c := conditionTrue(o.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonSaleStopped))
		g.Expect(c.Message).To(ContainSubstring("generallyAvailable"))
	}, timeout, interval).Should(Succeed())
	o := getOffer(g, ns, offer.Name)
	g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.LiveCondition)).To(BeFalse())
	g.Expect(o.Status.LiveSubmission).To(BeNil(), "the old live submission is not this object's")
	g.Expect(o.Status.Phase).NotTo(Equal(v1alpha1.PhaseLive))
}

// Lowering the target to Draft while the simulator certifies the offer:
// the operator follows the submission to its end before it reads Ready,
// instead of leaving the submission job in status, never read again,
// next to Ready=True.
func TestLoweringTheTargetToDraftDuringCertificationFollowsIt(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{certificationDelay: 2 * time.Second})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	offer := sampleOffer(t, ns, "marketplace_v1alpha1_marketplaceoffer_analytics.yaml")
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(getOffer(g, ns, offer.Name).Status.Phase).To(Equal(v1alpha1.PhaseCertifying))
	}, timeout, interval).Should(Succeed())

	update(g, offer, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Target = v1alpha1.TargetDraft })
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Operation).To(BeNil(), "no submission job left in flight next to Ready")
		g.Expect(o.Status.PreviewSubmission).NotTo(BeNil())
		g.Expect(o.Status.PreviewSubmission.Result).To(Equal(v1alpha1.SubmissionSucceeded))
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().PreviewSubmissions[offer.Spec.OfferID]).To(Equal(1))
}

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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

const (
	timeout  = 30 * time.Second
	interval = 50 * time.Millisecond
)

// applySamples creates every object of config/samples in namespace ns.
func applySamples(t *testing.T, ns string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "samples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(data, &u.Object); err != nil {
			t.Fatal(err)
		}
		u.SetNamespace(ns)
		if err := k8s.Create(context.Background(), u); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}

func getOffer(g Gomega, ns, name string) *v1alpha1.MarketplaceOffer {
	o := &v1alpha1.MarketplaceOffer{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, o)).To(Succeed())
	return o
}

func getSolution(g Gomega, ns, name string) *v1alpha1.Solution {
	s := &v1alpha1.Solution{}
	g.Expect(k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s)).To(Succeed())
	return s
}

// ready asserts Ready=True for the object's current generation.
func ready(g Gomega, conds []metav1.Condition, gen int64) {
	c := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Status).To(Equal(metav1.ConditionTrue), "Ready: %s: %s", c.Reason, c.Message)
	g.Expect(c.ObservedGeneration).To(Equal(gen))
}

// kstatusOf computes what kstatus (and so kubectl wait, Flux, Argo CD's
// generic check) reads from the object.
func kstatusOf(g Gomega, obj runtime.Object) status.Status {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.Expect(err).NotTo(HaveOccurred())
	res, err := status.Compute(&unstructured.Unstructured{Object: u})
	g.Expect(err).NotTo(HaveOccurred())
	return res.Status
}

func update[T client.Object](g Gomega, obj T, mutate func(T)) {
	g.Eventually(func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate(obj)
		return k8s.Update(context.Background(), obj)
	}, timeout, interval).Should(Succeed())
}

// TestSamplesReachTheirEndStates applies config/samples and waits for each
// object's end state: offers live (or stalled on purpose), solutions
// merged, migrated and discarded. The simulator then holds exactly one
// product per offer.
func TestSamplesReachTheirEndStates(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{certificationDelay: 200 * time.Millisecond, mergeDelay: 200 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	applySamples(t, ns)

	for _, name := range []string{"contoso-analytics", "contoso-fieldservice"} {
		g.Eventually(func(g Gomega) {
			o := getOffer(g, ns, name)
			ready(g, o.Status.Conditions, o.Generation)
			g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
			g.Expect(o.Status.LiveSubmission).NotTo(BeNil()) // no published API reports a live URL
			g.Expect(o.Status.ProductID).NotTo(BeEmpty())
			g.Expect(kstatusOf(g, o)).To(Equal(status.CurrentStatus))
			health, _ := argoHealth(g, o)
			g.Expect(health).To(Equal("Healthy"))
		}, timeout, interval).Should(Succeed(), name)
	}
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, "contoso-retail-assessment")
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseCertificationFailed))
		c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonCertificationFailed))
		g.Expect(c.Message).To(ContainSubstring("privacy"))
		g.Expect(o.Status.Certification.Feedback).NotTo(BeEmpty())
		g.Expect(kstatusOf(g, o)).To(Equal(status.FailedStatus))
		health, msg := argoHealth(g, o)
		g.Expect(health).To(Equal("Degraded"))
		g.Expect(msg).To(HavePrefix("CertificationFailed: "))
	}, timeout, interval).Should(Succeed())

	for name, state := range map[string]v1alpha1.SolutionState{
		"ocp-contoso-analytics": v1alpha1.StateMerged, "ocp-contoso-fieldservice": v1alpha1.StateMigrated, "ocp-contoso-legacy-crm": v1alpha1.StateDiscarded,
	} {
		g.Eventually(func(g Gomega) {
			s := getSolution(g, ns, name)
			ready(g, s.Status.Conditions, s.Generation)
			g.Expect(s.Status.State).To(Equal(state))
			g.Expect(kstatusOf(g, s)).To(Equal(status.CurrentStatus))
			health, _ := argoHealth(g, s)
			g.Expect(health).To(Equal("Healthy"))
		}, timeout, interval).Should(Succeed(), name)
	}
	merged := getSolution(g, ns, "ocp-contoso-analytics")
	g.Expect(merged.Status.SupportRequestID).NotTo(BeEmpty())
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, "contoso-analytics")
		g.Expect(o.Status.MergedSolutions).To(ConsistOf("ocp-contoso-analytics"))
		// No API reports a co-sell level: the condition is the operator's judgement.
		g.Expect(meta.FindStatusCondition(o.Status.Conditions, v1alpha1.CoSellReadyCondition)).To(
			HaveField("Message", ContainSubstring("operator's judgement")))
	}, timeout, interval).Should(Succeed())

	migrated := getOffer(g, ns, "contoso-fieldservice")
	g.Expect(migrated.Status.MigratedFrom).To(Equal("ocp-contoso-fieldservice"))
	g.Expect(getSolution(g, ns, "ocp-contoso-fieldservice").Status.ProductID).To(Equal(migrated.Status.ProductID))

	stats := sim.Stats()
	for _, id := range []string{"contoso-analytics", "contoso-fieldservice", "contoso-retail-assessment"} {
		g.Expect(stats.ProductsByOfferID[id]).To(Equal(1), "products with offer ID %s", id)
	}
	g.Expect(stats.MergeRequests["ocp-contoso-analytics"]).To(Equal(1))
}

// TestCertificationFailureThenFix fixes the failing sample and sees it
// published again.
func TestCertificationFailureThenFix(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{certificationDelay: 100 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	applySamples(t, ns)
	offer := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "contoso-retail-assessment"}}
	g.Eventually(func(g Gomega) {
		g.Expect(getOffer(g, ns, offer.Name).Status.Phase).To(Equal(v1alpha1.PhaseCertificationFailed))
	}, timeout, interval).Should(Succeed())

	update(g, offer, func(o *v1alpha1.MarketplaceOffer) {
		o.Spec.Listing.PrivacyPolicyURL = "https://contoso.example/privacy"
		o.Spec.Listing.Description = "Contoso Retail Data Assessment scores your retail data estate: it checks sales, " +
			"stock and customer data for gaps and hands over a prioritised plan for analytics on Azure."
	})
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhasePreview))
		g.Expect(o.Status.PreviewSubmission).NotTo(BeNil()) // no published API reports preview links
		g.Expect(meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil())
	}, timeout, interval).Should(Succeed())
}

// TestUndoDiscard changes a discarded solution's action to Migrate.
func TestUndoDiscard(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	applySamples(t, ns)
	sol := &v1alpha1.Solution{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ocp-contoso-legacy-crm"}}
	g.Eventually(func(g Gomega) {
		g.Expect(getSolution(g, ns, sol.Name).Status.State).To(Equal(v1alpha1.StateDiscarded))
	}, timeout, interval).Should(Succeed())

	offer := getOffer(g, ns, "contoso-fieldservice").DeepCopy()
	offer.ObjectMeta = metav1.ObjectMeta{Namespace: ns, Name: "contoso-crm"}
	offer.Spec.OfferID, offer.Spec.Target, offer.Status = "contoso-crm", v1alpha1.TargetDraft, v1alpha1.MarketplaceOfferStatus{}
	offer.Spec.MigrateFrom = &v1alpha1.MigrateFrom{SolutionID: "ocp-contoso-legacy-crm"}
	g.Expect(k8s.Create(context.Background(), offer)).To(Succeed())
	update(g, sol, func(s *v1alpha1.Solution) {
		s.Spec.Action = v1alpha1.ActionMigrate
		s.Spec.Migrate = &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: "contoso-crm"}}
	})
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, sol.Name)
		ready(g, s.Status.Conditions, s.Generation)
		g.Expect(s.Status.State).To(Equal(v1alpha1.StateMigrated))
		o := getOffer(g, ns, "contoso-crm")
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.MigratedFrom).To(Equal("ocp-contoso-legacy-crm"))
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().UndoDiscards["ocp-contoso-legacy-crm"]).To(Equal(1))
}

// TestUpdateOfALiveOffer changes a live offer: the live version stays live
// while the update is certified, then the update goes live.
func TestUpdateOfALiveOffer(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{certificationDelay: 1500 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	applySamples(t, ns)
	offer := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "contoso-analytics"}}
	var liveID string
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
		liveID = o.Status.LiveSubmission.ID
	}, timeout, interval).Should(Succeed())

	update(g, offer, func(o *v1alpha1.MarketplaceOffer) {
		o.Spec.Listing.Summary = "Real-time retail analytics, now with forecasts."
	})
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseCertifying))
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)).To(BeFalse())
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.LiveCondition)).To(BeTrue(), "the old version stays live")
		g.Expect(o.Status.LiveSubmission.ID).To(Equal(liveID))
		g.Expect(o.Status.LiveGeneration).To(Equal(o.Generation - 1))
	}, timeout, interval).Should(Succeed())
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.LiveGeneration).To(Equal(o.Generation))
	}, timeout, interval).Should(Succeed())
}

// TestDeletionPolicies deletes offers under both policies.
func TestDeletionPolicies(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{})
	ns := newNamespace(t)
	op := startOperator(t, sim, ns)
	applySamples(t, ns)
	ctx := context.Background()
	var live, draft, orphan *v1alpha1.MarketplaceOffer
	g.Eventually(func(g Gomega) {
		live = getOffer(g, ns, "contoso-fieldservice") // deletionPolicy: Delete
		ready(g, live.Status.Conditions, live.Generation)
		orphan = getOffer(g, ns, "contoso-analytics") // Orphan by default
		ready(g, orphan.Status.Conditions, orphan.Generation)
	}, timeout, interval).Should(Succeed())

	draft = orphan.DeepCopy()
	draft.ObjectMeta = metav1.ObjectMeta{Namespace: ns, Name: "scratch"}
	draft.Spec.OfferID, draft.Spec.Target, draft.Spec.DeletionPolicy = "contoso-scratch", v1alpha1.TargetDraft, v1alpha1.DeletionPolicyDelete
	draft.Status = v1alpha1.MarketplaceOfferStatus{}
	g.Expect(k8s.Create(ctx, draft)).To(Succeed())
	g.Eventually(func(g Gomega) {
		draft = getOffer(g, ns, "scratch")
		ready(g, draft.Status.Conditions, draft.Generation)
	}, timeout, interval).Should(Succeed())

	for _, o := range []*v1alpha1.MarketplaceOffer{live, orphan, draft} {
		g.Expect(k8s.Delete(ctx, o)).To(Succeed())
	}
	for _, o := range []*v1alpha1.MarketplaceOffer{live, orphan, draft} {
		g.Eventually(func() bool {
			return k8s.Get(ctx, client.ObjectKeyFromObject(o), &v1alpha1.MarketplaceOffer{}) != nil
		}, timeout, interval).Should(BeTrue(), "%s is gone", o.Name)
	}
	p, err := op.pc.GetProduct(ctx, live.Status.ProductID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.State).To(Equal(partnercenter.LifecycleDeprecated), "Delete stops sale of a published offer")
	_, err = op.pc.GetProduct(ctx, draft.Status.ProductID)
	g.Expect(partnercenter.IsNotFound(err)).To(BeTrue(), "Delete removes a never-published draft: %v", err)
	p, err = op.pc.GetProduct(ctx, orphan.Status.ProductID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.State).To(Equal(partnercenter.LifecycleGenerallyAvailable), "Orphan leaves the offer alone")
}

// TestSuspend holds an offer until it is resumed.
func TestSuspend(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{})
	ns := newNamespace(t)
	op := startOperator(t, sim, ns)
	ctx := context.Background()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "marketplace_v1alpha1_marketplaceoffer_analytics.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	offer := &v1alpha1.MarketplaceOffer{}
	g.Expect(yaml.Unmarshal(data, offer)).To(Succeed())
	offer.Namespace, offer.Spec.Suspend = ns, true
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		// Never applied: no generation observed (reconcile/suspend.go).
		g.Expect(o.Status.ObservedGeneration).To(BeZero())
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)).To(BeFalse())
		health, _ := argoHealth(g, o)
		g.Expect(health).To(Equal("Suspended"))
		g.Expect(kstatusOf(g, o)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
	_, err = op.pc.FindProduct(ctx, offer.Spec.OfferID)
	g.Expect(partnercenter.IsNotFound(err)).To(BeTrue(), "a suspended offer reaches nothing in Partner Center")

	update(g, offer, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Suspend = false })
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
	}, timeout, interval).Should(Succeed())
}

// TestRestartInTheMiddleOfCertification stops the operator while an offer
// is in certification: the new operator resumes tracking the submission
// instead of submitting again.
func TestRestartInTheMiddleOfCertification(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{certificationDelay: 2 * time.Second})
	ns := newNamespace(t)
	first := startOperator(t, sim, ns)
	applySamples(t, ns)
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, "contoso-analytics")
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseCertifying))
		health, _ := argoHealth(g, o)
		g.Expect(health).To(Equal("Progressing"))
		g.Expect(kstatusOf(g, o)).To(Equal(status.InProgressStatus))
	}, timeout, interval).Should(Succeed())
	first.stop()

	startOperator(t, sim, ns)
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, "contoso-analytics")
		ready(g, o.Status.Conditions, o.Generation)
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().PreviewSubmissions["contoso-analytics"]).To(Equal(1))
	g.Expect(sim.Stats().ProductsByOfferID["contoso-analytics"]).To(Equal(1))
}

// TestPrerequisiteMissingThenFixed stalls a Solution whose partner's
// membership lapsed, naming what is missing, and carries it out once the
// partner renews: the slow re-check finds it without any change to the
// object.
func TestPrerequisiteMissingThenFixed(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ocp-northwind-inventory"},
		Spec:       v1alpha1.SolutionSpec{SolutionID: "ocp-northwind-inventory", PartnerID: "5550001", Action: v1alpha1.ActionDiscard},
	}
	g.Expect(k8s.Create(context.Background(), sol)).To(Succeed())
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, sol.Name)
		c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonMembershipInvalid))
		g.Expect(c.Message).To(ContainSubstring("5550001"))
		g.Expect(kstatusOf(g, s)).To(Equal(status.FailedStatus))
		health, _ := argoHealth(g, s)
		g.Expect(health).To(Equal("Degraded"))
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().Discards).NotTo(HaveKey("ocp-northwind-inventory"), "nothing is done while a prerequisite is missing")

	g.Expect(sim.SetPartner(simulator.SeedPartner{PartnerID: "5550001", MembershipValid: true, MarketplaceAccount: true,
		Publishers: []simulator.SeedPublisher{{PublisherID: "northwind", Role: "Admin"}}})).To(Succeed())
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, sol.Name)
		ready(g, s.Status.Conditions, s.Generation)
		g.Expect(s.Status.State).To(Equal(v1alpha1.StateDiscarded))
		g.Expect(meta.FindStatusCondition(s.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil())
		g.Expect(kstatusOf(g, s)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().Discards["ocp-northwind-inventory"]).To(Equal(1))
}

// TestMergeByListingURL merges into an offer named only by its
// customer-facing URL, which needs no MarketplaceOffer object.
func TestMergeByListingURL(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{mergeDelay: 200 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ocp-contoso-analytics"},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMerge,
			Merge: &v1alpha1.MergeSpec{OfferURL: "https://appsource.microsoft.com/product/web-apps/contoso.contoso-analytics"}},
	}
	g.Expect(k8s.Create(context.Background(), sol)).To(Succeed())
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, sol.Name)
		ready(g, s.Status.Conditions, s.Generation)
		g.Expect(s.Status.State).To(Equal(v1alpha1.StateMerged))
		g.Expect(s.Status.SupportRequestID).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().MergeRequests["ocp-contoso-analytics"]).To(Equal(1))
}

// TestLapsedPrerequisitesAreCheckedAgain: met prerequisites are remembered
// for a while; when Partner Center then refuses an action because they
// lapsed, the Solution checks them again and stalls naming the lapse, not
// with Partner Center's bare refusal.
func TestLapsedPrerequisitesAreCheckedAgain(t *testing.T) {
	g := NewWithT(t)
	sim := startSimulator(t, simOptions{})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	discard := func(name string) *v1alpha1.Solution {
		return &v1alpha1.Solution{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: v1alpha1.SolutionSpec{SolutionID: name, PartnerID: "4871234", Action: v1alpha1.ActionDiscard}}
	}
	first := discard("ocp-contoso-legacy-crm")
	g.Expect(k8s.Create(context.Background(), first)).To(Succeed())
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, first.Name)
		ready(g, s.Status.Conditions, s.Generation)
	}, timeout, interval).Should(Succeed())

	g.Expect(sim.SetPartner(simulator.SeedPartner{PartnerID: "4871234", MembershipValid: false, MarketplaceAccount: true,
		Publishers: []simulator.SeedPublisher{{PublisherID: "contoso", Role: "Admin"}}})).To(Succeed())
	second := discard("ocp-contoso-analytics")
	g.Expect(k8s.Create(context.Background(), second)).To(Succeed())
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, second.Name)
		c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonMembershipInvalid))
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().Discards).NotTo(HaveKey("ocp-contoso-analytics"))
}

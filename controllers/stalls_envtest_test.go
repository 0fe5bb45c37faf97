package controllers_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// expectStalled waits for the Solution to stall with reason, its message
// holding each of says (what to change), read as kstatus Failed and Argo
// CD Degraded.
func expectStalled(g Gomega, ns, name, reason string, says ...string) {
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, name)
		c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(reason))
		for _, want := range says {
			g.Expect(c.Message).To(ContainSubstring(want))
		}
		g.Expect(kstatusOf(g, s)).To(Equal(status.FailedStatus))
		health, _ := argoHealth(g, s)
		g.Expect(health).To(Equal("Degraded"))
	}, timeout, interval).Should(Succeed())
}

// Issue 11, done when: a Merge into an offer whose target is Draft ends
// Stalled (kstatus Failed) asking for target Live, while the offer reaches
// its Draft target untouched and no merge is requested; doing what the
// message says completes the merge.
func TestMergeIntoADraftTargetOfferStallsWhileTheOfferIsLeftAlone(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{certificationDelay: 200 * time.Millisecond, mergeDelay: 200 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	offer, sol := &v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}
	sample(t, "marketplace_v1alpha1_marketplaceoffer_analytics.yaml", ns, offer)
	sample(t, "marketplace_v1alpha1_solution_merge.yaml", ns, sol)
	offer.Spec.Target = v1alpha1.TargetDraft
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	g.Expect(k8s.Create(ctx, sol)).To(Succeed())

	expectStalled(g, ns, sol.Name, v1alpha1.ReasonOfferTargetNotLive, "set the offer's target to Live")
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseDraft))
		g.Expect(kstatusOf(g, o)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().MergeRequests[sol.Spec.SolutionID]).To(BeZero())

	update(g, offer, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Target = v1alpha1.TargetLive })
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, sol.Name)
		ready(g, s.Status.Conditions, s.Generation)
		g.Expect(s.Status.State).To(Equal(v1alpha1.StateMerged))
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().MergeRequests[sol.Spec.SolutionID]).To(Equal(1))
}

// Issue 11, done when: a second Migrate into an offer that is taken ends
// Stalled (kstatus Failed) saying what to change, without asking Partner
// Center, while the offer goes live on the first migration untouched. The
// offer is taken either by its declaration (spec.migrateFrom names the
// first legacy solution) or, declaring nothing, by the first migration.
func TestSecondMigrateIntoATakenOfferStallsWhileTheOfferGoesLive(t *testing.T) {
	for _, tc := range []struct {
		name     string
		declares bool
		says     []string
	}{
		{name: "offer declaring the first migration", declares: true,
			says: []string{"declares spec.migrateFrom.solutionID ocp-contoso-fieldservice", "not of ocp-contoso-legacy-crm"}},
		{name: "offer declaring none", declares: false,
			says: []string{"already holds the migration", "reference a new MarketplaceOffer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			sim := startSimulator(t, simOptions{certificationDelay: 200 * time.Millisecond})
			ns := newNamespace(t)
			startOperator(t, sim, ns)
			offer, first := &v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}
			sample(t, migrateOfferSample, ns, offer)
			sample(t, migrateSolutionSample, ns, first)
			if !tc.declares {
				offer.Spec.MigrateFrom = nil
			}
			second := first.DeepCopy()
			second.Name, second.Spec.SolutionID = "ocp-contoso-legacy-crm", "ocp-contoso-legacy-crm"
			// Without a declaration only the first migration can have
			// taken the offer: it is applied before the offer, and the
			// second once the first migrated.
			g.Expect(k8s.Create(ctx, first)).To(Succeed())
			g.Expect(k8s.Create(ctx, offer)).To(Succeed())
			if !tc.declares {
				g.Eventually(func(g Gomega) {
					g.Expect(getSolution(g, ns, first.Name).Status.State).To(Equal(v1alpha1.StateMigrated))
				}, timeout, interval).Should(Succeed())
			}
			g.Expect(k8s.Create(ctx, second)).To(Succeed())

			expectStalled(g, ns, second.Name, v1alpha1.ReasonActionConflict, tc.says...)
			expectMigrated(g, sim, offer, first)
			g.Expect(getSolution(g, ns, second.Name).Status.State).To(Equal(v1alpha1.StatePendingMigration))
			g.Expect(sim.Stats().Migrations[second.Spec.SolutionID]).To(BeZero())
		})
	}
}

// Issue 11 item 0 without the declaration: an offer that does not declare
// spec.migrateFrom, applied first, submits a draft of its own; the
// Solution applied later then stalls (kstatus Failed) saying to declare
// the migration on a new offer, and the offer goes live untouched. Before, the Solution's refusal said only
// "reference a new MarketplaceOffer", which would race the same way.
func TestMigrateIntoAnUndeclaredOfferSubmittedFirstStallsSayingToDeclareIt(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{certificationDelay: 200 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	offer, sol := &v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}
	sample(t, migrateOfferSample, ns, offer)
	sample(t, migrateSolutionSample, ns, sol)
	offer.Spec.MigrateFrom = nil
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(getOffer(g, ns, offer.Name).Status.PreviewSubmission).NotTo(BeNil())
	}, timeout, interval).Should(Succeed())
	g.Expect(k8s.Create(ctx, sol)).To(Succeed())

	expectStalled(g, ns, sol.Name, v1alpha1.ReasonActionConflict, "was submitted in Partner Center before this migration",
		"spec.migrateFrom.solutionID: "+sol.Spec.SolutionID, "Merge into "+offer.Name)
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(o.Status.MigratedFrom).To(BeEmpty())
	}, timeout, interval).Should(Succeed())
	g.Expect(sim.Stats().Migrations[sol.Spec.SolutionID]).To(BeZero())
}

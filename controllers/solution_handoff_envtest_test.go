package controllers_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

const mergeOfferSample = "marketplace_v1alpha1_marketplaceoffer_analytics.yaml"

// Issue 27 §2: against Microsoft's hosts (the simulator with its OCP GTM
// extension off, the adapter refusing the migration operations as it does
// for Microsoft) each action is a hand-off that ends: the Solution stalls
// with PortalActionRequired and the guide's steps, a person records the
// portal step in spec.completedInPortal, the operator verifies what the
// published APIs can and the Solution ends in the action's state. A
// migrated draft is taken over by its offer without the adopt annotation
// and carried live. Both apply orders. Before, the Solution stalled on
// Unsupported for ever.
func TestSolutionHandOffAgainstMicrosoftEndsAfterThePortalStep(t *testing.T) {
	for _, tc := range []struct {
		name       string
		action     v1alpha1.SolutionAction
		offerFirst bool
	}{
		{"Migrate, Solution first", v1alpha1.ActionMigrate, false},
		{"Migrate, offer first", v1alpha1.ActionMigrate, true},
		{"Merge, Solution first", v1alpha1.ActionMerge, false},
		{"Merge, offer first", v1alpha1.ActionMerge, true},
		{"Discard", v1alpha1.ActionDiscard, false},
	} {
		t.Run(tc.name, func(t *testing.T) { portalHandOff(t, tc.action, tc.offerFirst) })
	}
}

func portalHandOff(t *testing.T, action v1alpha1.SolutionAction, offerFirst bool) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{noOCPGTM: true})
	ns := newNamespace(t)
	op := startOperatorPC(t, sim, ingestion.Options{NoExtensions: true}, testOptions(), ns)

	sol, offer := &v1alpha1.Solution{}, &v1alpha1.MarketplaceOffer{}
	steps := []string{"https://partner.microsoft.com/solutions/migration", `"Click here to start"`, "spec.completedInPortal"}
	switch action {
	case v1alpha1.ActionMigrate:
		sample(t, migrateSolutionSample, ns, sol)
		sample(t, migrateOfferSample, ns, offer)
		steps = append(steps, `"Create draft offer"`, "offer type AzureApplication", "publisher profile contoso")
	case v1alpha1.ActionMerge:
		sample(t, "marketplace_v1alpha1_solution_merge.yaml", ns, sol)
		sample(t, mergeOfferSample, ns, offer)
		steps = append(steps, `"Save and contact support"`, "offer ID contoso-analytics")
	default:
		sample(t, "marketplace_v1alpha1_solution_discard.yaml", ns, sol)
		offer = nil
		steps = append(steps, `"I want to discard this solution"`)
	}
	order := []any{sol, offer}
	if offerFirst {
		order = []any{offer, sol}
	}
	for _, obj := range order {
		switch o := obj.(type) {
		case *v1alpha1.Solution:
			g.Expect(k8s.Create(ctx, o)).To(Succeed())
		case *v1alpha1.MarketplaceOffer:
			if o != nil {
				g.Expect(k8s.Create(ctx, o)).To(Succeed())
				time.Sleep(time.Second) // the offer reconciles alone first
			}
		}
	}

	expectStalled(g, ns, sol.Name, v1alpha1.ReasonPortalActionRequired, steps...)
	if action == v1alpha1.ActionMigrate {
		// The offer creates nothing of its own while the migration is due.
		g.Expect(sim.Stats().ProductsByOfferID[offer.Spec.OfferID]).To(Equal(0))
		portalMigrate(g, op.pc, offer)
	}
	update(g, sol, func(s *v1alpha1.Solution) {
		s.Spec.CompletedInPortal = &v1alpha1.PortalConfirmation{Action: action, ConfirmedBy: "dana.whitfield@contoso.example", Note: "done on 2026-12-07"}
	})
	verified := map[v1alpha1.SolutionAction]string{
		v1alpha1.ActionMigrate: "verified: Partner Center holds draft product",
		v1alpha1.ActionMerge:   "verified: MarketplaceOffer contoso-analytics",
		v1alpha1.ActionDiscard: "nothing to verify",
	}[action]
	ends := map[v1alpha1.SolutionAction]v1alpha1.SolutionState{
		v1alpha1.ActionMigrate: v1alpha1.StateMigrated, v1alpha1.ActionMerge: v1alpha1.StateMerged, v1alpha1.ActionDiscard: v1alpha1.StateDiscarded,
	}
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, sol.Name)
		ready(g, s.Status.Conditions, s.Generation)
		g.Expect(s.Status.State).To(Equal(ends[action]))
		c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.ActionCompletedCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
		g.Expect(c.Message).To(ContainSubstring(verified))
		g.Expect(c.Message).To(ContainSubstring("confirmed by dana.whitfield@contoso.example"))
		g.Expect(kstatusOf(g, s)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())

	if offer != nil {
		g.Eventually(func(g Gomega) {
			o := getOffer(g, ns, offer.Name)
			ready(g, o.Status.Conditions, o.Generation)
			g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
			g.Expect(o.GetAnnotations()).NotTo(HaveKey(v1alpha1.AdoptAnnotation))
			g.Expect(getSolution(g, ns, sol.Name).Status.ProductID).To(Equal(o.Status.ProductID))
			if action == v1alpha1.ActionMigrate {
				g.Expect(o.Status.MigratedFrom).To(Equal(sol.Spec.SolutionID))
			}
		}, timeout, interval).Should(Succeed())
		g.Expect(sim.Stats().ProductsByOfferID[offer.Spec.OfferID]).To(Equal(1))
	}
	expectNoMigrationCalls(g, sim)
}

// portalMigrate does what Partner Center's portal does on "Create draft
// offer": a draft product with the offer's offer ID and type.
func portalMigrate(g Gomega, pc partnercenter.Client, offer *v1alpha1.MarketplaceOffer) {
	ctx := context.Background()
	job, err := pc.CreateProduct(ctx, partnercenter.ProductSpec{
		OfferID: offer.Spec.OfferID, OfferType: string(offer.Spec.OfferType), Name: offer.Spec.Listing.Title,
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Eventually(func(g Gomega) {
		j, err := pc.GetJob(ctx, job.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(j.Succeeded()).To(BeTrue())
	}, timeout, interval).Should(Succeed())
}

// expectNoMigrationCalls checks that nothing asked the simulator for an
// OCP GTM operation: the adapter refuses them as against Microsoft.
func expectNoMigrationCalls(g Gomega, sim *simulator.Simulator) {
	for key := range sim.Stats().Requests {
		g.Expect(key).NotTo(ContainSubstring("ocp-gtm"))
		g.Expect(key).NotTo(ContainSubstring("404"), "a request to a route the simulator does not serve")
	}
}

// Issue 30 item 2: two namespaces decide one legacy solution. The second
// Solution (a Migrate, which would undo the first one's Discard) stalls
// naming the owner and calls nothing; the offer of its namespace whose
// migrateFrom names that solution stalls too and creates nothing; the
// owner's Discard stands. Before, the Migrate undid the discard and
// migrated the solution into the second namespace's offer.
func TestSecondNamespaceDecidingATakenSolutionStallsAndCallsNothing(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{})
	teamA, teamB := newNamespace(t), newNamespace(t)
	op := startOperator(t, sim, teamA, teamB)

	taker, offer := &v1alpha1.Solution{}, &v1alpha1.MarketplaceOffer{}
	sample(t, migrateSolutionSample, teamB, taker)
	sample(t, migrateOfferSample, teamB, offer)
	owner := &v1alpha1.Solution{}
	sample(t, "marketplace_v1alpha1_solution_discard.yaml", teamA, owner)
	owner.Spec.SolutionID, owner.Spec.PartnerID = taker.Spec.SolutionID, taker.Spec.PartnerID
	g.Expect(k8s.Create(ctx, owner)).To(Succeed())
	g.Eventually(func(g Gomega) {
		s := getSolution(g, teamA, owner.Name)
		ready(g, s.Status.Conditions, s.Generation)
		g.Expect(s.Status.State).To(Equal(v1alpha1.StateDiscarded))
	}, timeout, interval).Should(Succeed())
	before := sim.Stats().Requests

	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	g.Expect(k8s.Create(ctx, taker)).To(Succeed())
	expectStalled(g, teamB, taker.Name, v1alpha1.ReasonSolutionTaken, teamA+"/"+owner.Name)
	g.Eventually(func(g Gomega) {
		o := getOffer(g, teamB, offer.Name)
		c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonSolutionTaken))
		g.Expect(c.Message).To(ContainSubstring(teamA + "/" + owner.Name))
	}, timeout, interval).Should(Succeed())
	// Two stalled rechecks later, still nothing was asked of Partner Center.
	g.Consistently(func(g Gomega) {
		g.Expect(sim.Stats().Requests).To(Equal(before))
	}, 5*time.Second, 200*time.Millisecond).Should(Succeed())
	st := sim.Stats()
	g.Expect(st.UndoDiscards[taker.Spec.SolutionID]).To(Equal(0))
	g.Expect(st.Migrations[taker.Spec.SolutionID]).To(Equal(0))
	g.Expect(st.ProductsByOfferID[offer.Spec.OfferID]).To(Equal(0))
	legacy, err := op.pc.GetSolution(ctx, taker.Spec.PartnerID, taker.Spec.SolutionID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(legacy.State).To(Equal(partnercenter.SolutionStateDiscarded))
	g.Expect(getSolution(g, teamA, owner.Name).Status.State).To(Equal(v1alpha1.StateDiscarded))
}

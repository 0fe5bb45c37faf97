package controllers

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	offerctrl "github.com/cosell-operator/cosell-operator/controllers/offer"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/controllers/solution"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// declaringOffer is a Live-target offer that declares the migration of
// legacy solution id.
func declaringOffer(id string) *v1alpha1.MarketplaceOffer {
	o := ctrltest.DraftOffer()
	o.Spec.Target = v1alpha1.TargetLive
	o.Spec.MigrateFrom = &v1alpha1.MigrateFrom{SolutionID: id}
	return o
}

// solutionReconcilerOn is a Solution controller sharing the offer rig's
// API client and Partner Center.
func solutionReconcilerOn(h *offerRig, f pc.Client) *reconcile.Controller[*v1alpha1.Solution] {
	return solution.NewController(ctrltest.Deps(h.Client, f))
}

func reconcileSolution(g Gomega, r *reconcile.Controller[*v1alpha1.Solution], sol *v1alpha1.Solution) *v1alpha1.Solution {
	_, got := ctrltest.ReconcileOnce(g, r, client.ObjectKeyFromObject(sol))
	return got
}

// reconcilingCondition returns the True Reconciling condition.
func reconcilingCondition(g Gomega, conds []metav1.Condition) *metav1.Condition {
	c := meta.FindStatusCondition(conds, v1alpha1.ReconcilingCondition)
	g.Expect(c).NotTo(BeNil(), "Reconciling condition")
	g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
	return c
}

// An offer that declares spec.migrateFrom, applied a minute before the
// Solution that migrates into it, holds: no product created, nothing
// written or submitted, Reconciling with what it waits for. Once the
// Solution is applied it migrates, and the offer adopts the migrated draft
// and goes live. Before, the offer created and submitted its own product
// within seconds, and the migration was refused ("already submitted").
func TestOfferAppliedAMinuteBeforeItsMigrateSolutionHoldsThenEndsMigrated(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics", Name: "Contoso Analytics"})
	offer := declaringOffer("ocp-contoso-analytics")
	h := newOfferRig(t, offer, f)
	clock := clocktesting.NewFakeClock(time.Now())
	h.Clock = clock

	for range 3 { // every reconcile over the minute holds
		res, got := h.Reconcile(g)
		c := reconcilingCondition(g, got.Status.Conditions)
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonWaitingForMigration))
		g.Expect(c.Message).To(And(ContainSubstring("spec.solutionID ocp-contoso-analytics"),
			ContainSubstring("spec.migrate.offerRef.name contoso-analytics"), ContainSubstring("creates and submits nothing")))
		g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(status.InProgressStatus))
		g.Expect(res.RequeueAfter).To(BeZero(), "woken by the Solution, not by a timer")
		g.Expect(got.Status.ProductID).To(BeEmpty())
		g.Expect(f.Calls).To(BeEmpty(), "no Partner Center call while holding")
		clock.Step(30 * time.Second)
	}

	sol := ctrltest.MigrateSolution(offer.Name)
	sol.Spec.SolutionID, sol.Generation = "ocp-contoso-analytics", 0
	g.Expect(h.Create(ctx, sol)).To(Succeed())
	// The Solution's creation wakes the offer, which waits for it.
	g.Expect(offerctrl.OffersOfSolution(ctx, sol)).To(ConsistOf(ctrl.Request{NamespacedName: h.Key}))
	_, got := h.Reconcile(g)
	g.Expect(reconcilingCondition(g, got.Status.Conditions).Message).To(ContainSubstring("waiting for Solution ocp-contoso-analytics"))
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())

	s := reconcileSolution(g, solutionReconcilerOn(h, f), sol)
	g.Expect(s.Status.State).To(Equal(v1alpha1.StateMigrated))
	g.Eventually(func(g Gomega) {
		_, o := h.Reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(o.Status.ProductID).To(Equal(s.Status.ProductID))
		g.Expect(o.Status.MigratedFrom).To(Equal("ocp-contoso-analytics"))
	}).Should(Succeed())
	g.Expect(f.Calls["CreateProduct"]).To(BeZero(), "the migration made the product")
	g.Expect(f.Products()).To(Equal(map[string]int{"contoso-analytics": 1}))
}

// An offer that declares spec.migrateFrom waits only for that legacy
// solution: a Solution migrating another one into it stalls saying what
// to change, and the offer neither waits for it nor stalls on its stall.
func TestMigrateIntoAnOfferDeclaringAnotherSolutionStallsAndTheOfferKeepsWaiting(t *testing.T) {
	g := NewWithT(t)
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics"})
	offer := declaringOffer("ocp-contoso-crm")
	sol := ctrltest.MigrateSolution(offer.Name)
	h := newOfferRig(t, offer, f, sol)

	s := reconcileSolution(g, solutionReconcilerOn(h, f), sol)
	c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonActionConflict))
	g.Expect(c.Message).To(And(ContainSubstring("declares spec.migrateFrom.solutionID ocp-contoso-crm"),
		ContainSubstring("correct the offer's spec.migrateFrom")))
	g.Expect(ctrltest.KstatusOf(g, s)).To(Equal(status.FailedStatus))
	g.Expect(f.Calls["MigrateSolution"]).To(BeZero())

	_, got := h.Reconcile(g)
	rc := reconcilingCondition(g, got.Status.Conditions)
	g.Expect(rc.Reason).To(Equal(v1alpha1.ReasonWaitingForMigration))
	g.Expect(rc.Message).To(ContainSubstring("spec.solutionID ocp-contoso-crm"))
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())
}

// The declared Solution stalled (here: no such legacy solution) stalls
// the offer, which names the fix on either side, instead of waiting
// forever or creating a draft of its own.
func TestOfferDeclaringAStalledMigrationStallsSayingWhatToChange(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	offer := declaringOffer("ocp-contoso-analytics")
	sol := ctrltest.MigrateSolution(offer.Name)
	h := newOfferRig(t, offer, f, sol)

	s := reconcileSolution(g, solutionReconcilerOn(h, f), sol)
	g.Expect(ctrltest.KstatusOf(g, s)).To(Equal(status.FailedStatus))
	res, got := h.Reconcile(g)
	c := ctrltest.StalledCondition(g, got)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonMigrationStalled))
	g.Expect(c.Message).To(And(ContainSubstring(v1alpha1.ReasonSolutionNotFound), ContainSubstring("remove spec.migrateFrom")))
	g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", h.Options.StalledRecheck))
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())
}

// A Migrate into an offer that declares no migration and already
// submitted its own draft (applied apart, offer first) stalls (kstatus
// Failed) saying to declare spec.migrateFrom on a new offer, without
// asking Partner Center for a migration it must refuse; the offer goes on.
// Before, the Solution asked, and the refusal only said "reference a new
// MarketplaceOffer", which would have raced the same way.
func TestMigrateIntoAnOfferSubmittedOnItsOwnStallsSayingToDeclareMigrateFrom(t *testing.T) {
	g := NewWithT(t)
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics"})
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetPreview
	h := newOfferRig(t, offer, f)
	g.Eventually(func(g Gomega) {
		_, o := h.Reconcile(g)
		g.Expect(o.Status.PreviewSubmission).NotTo(BeNil())
	}).Should(Succeed())

	sol := ctrltest.MigrateSolution(offer.Name)
	sol.Generation = 0
	g.Expect(h.Create(context.Background(), sol)).To(Succeed())
	s := reconcileSolution(g, solutionReconcilerOn(h, f), sol)
	c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonActionConflict))
	g.Expect(c.Message).To(And(ContainSubstring("was submitted in Partner Center before this migration"),
		ContainSubstring("spec.migrateFrom.solutionID: ocp-contoso-analytics"), ContainSubstring("Merge into contoso-analytics")))
	g.Expect(ctrltest.KstatusOf(g, s)).To(Equal(status.FailedStatus))
	g.Expect(f.Calls["MigrateSolution"]).To(BeZero())

	g.Eventually(func(g Gomega) {
		_, o := h.Reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
		g.Expect(o.Status.MigratedFrom).To(BeEmpty())
	}).Should(Succeed())
}

// A legacy solution already migrated into another offer (before this
// Solution, or in the portal) leaves the offer declaring it with no
// migrated draft: it stalls saying so, and never creates a draft of its
// own in its place. Before spec.migrateFrom, it would have created one.
func TestOfferDeclaringASolutionMigratedIntoAnotherOfferStallsWithoutCreating(t *testing.T) {
	g := NewWithT(t)
	const elsewhere = "a3c1e0f2-0000-4000-8000-000000000001" // a product with another offer ID
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics",
		State: pc.SolutionStateMigrated, ProductID: elsewhere})
	offer := declaringOffer("ocp-contoso-analytics")
	sol := ctrltest.MigrateSolution(offer.Name)
	h := newOfferRig(t, offer, f, sol)

	s := reconcileSolution(g, solutionReconcilerOn(h, f), sol)
	g.Expect(s.Status.State).To(Equal(v1alpha1.StateMigrated))
	res, got := h.Reconcile(g)
	c := ctrltest.StalledCondition(g, got)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonActionConflict))
	g.Expect(c.Message).To(And(ContainSubstring("migrated into another offer"), ContainSubstring(elsewhere),
		ContainSubstring("Remove spec.migrateFrom")))
	g.Expect(ctrltest.KstatusOf(g, got)).To(Equal(status.FailedStatus))
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", h.Options.StalledRecheck))
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())
	g.Expect(got.Status.ProductID).To(BeEmpty())
}

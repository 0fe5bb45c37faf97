package controllers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/export/seedtest"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// The adoption and observe-mode scenarios of issue 12: an account that
// exists in Partner Center before the operator, exported with
// `cosell-operator export` and applied. Writes are counted by the
// simulator (every request that is not a GET).

// existingAccount starts a simulator holding offers put in through the
// port, as an account that predates the operator.
func existingAccount(t *testing.T, offers ...seedtest.Offer) (*simulator.Simulator, *ingestion.Client) {
	t.Helper()
	sim := startSimulator(t, simOptions{certificationDelay: 100 * time.Millisecond})
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seedtest.Seed(context.Background(), c, offers); err != nil {
		t.Fatal(err)
	}
	return sim, c
}

// exported is the MarketplaceOffer `cosell-operator export` writes for
// offerID, in namespace ns.
func exported(t *testing.T, c *ingestion.Client, ns, offerID string, from export.From) *v1alpha1.MarketplaceOffer {
	t.Helper()
	res, err := export.Run(context.Background(), c, export.Options{PublisherID: "contoso", Namespace: ns, Offers: []string{offerID}, From: from})
	if err != nil || res.Err() != nil || len(res.Offers) != 1 {
		t.Fatalf("export %s: %v %v", offerID, err, res)
	}
	return res.Offers[0].Object
}

// writes counts the simulator's requests that are not GETs.
func writes(sim *simulator.Simulator) int {
	n := 0
	for k, v := range sim.Stats().Requests {
		if !strings.HasPrefix(k, "GET ") {
			n += v
		}
	}
	return n
}

func saasOffer(id string, stage seedtest.Stage) seedtest.Offer {
	d := partnercenter.Draft{Listing: seedtest.Listing("Contoso " + id),
		Plans: []partnercenter.Plan{{ID: "basic", Name: "Basic", Description: "basic plan", Pricing: "FlatRate", Price: "10.00",
			Markets: []string{"US"}}}, Resell: partnercenter.Resell{Policy: "All"}}
	o := seedtest.Offer{OfferID: id, OfferType: "SoftwareAsAService", Name: id, Stage: stage, Draft: d}
	if stage == seedtest.LiveNewerDraft {
		o.NewerDraft = d
		o.NewerDraft.Listing.Summary = "Changed in the portal, not yet published."
	}
	return o
}

// requestReconcile asks for a reconcile now and waits until it was handled.
func reconcileNow(g Gomega, o *v1alpha1.MarketplaceOffer) {
	at := time.Now().Format(time.RFC3339Nano)
	update(g, o, func(o *v1alpha1.MarketplaceOffer) {
		metav1.SetMetaDataAnnotation(&o.ObjectMeta, v1alpha1.ReconcileRequestedAtAnnotation, at)
	})
	g.Eventually(func(g Gomega) {
		g.Expect(getOffer(g, o.Namespace, o.Name).Status.LastHandledReconcileAt).To(Equal(at))
	}, timeout, interval).Should(Succeed())
}

func adoptCondition(g Gomega, o *v1alpha1.MarketplaceOffer, t string) *metav1.Condition {
	c := meta.FindStatusCondition(o.Status.Conditions, t)
	g.Expect(c).NotTo(BeNil(), "condition %s", t)
	return c
}

// An exported live offer, applied, is adopted as it stands: Ready and
// Live, with no configure and no submission (before: a preview and a live
// submission of what was already live).
func TestAdoptedLiveOfferMakesNoWrite(t *testing.T) {
	g := NewWithT(t)
	sim, c := existingAccount(t, saasOffer("contoso-live", seedtest.Live))
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	before, previews := writes(sim), sim.Stats().PreviewSubmissions["contoso-live"]
	o := exported(t, c, ns, "contoso-live", export.FromLive)
	g.Expect(k8s.Create(context.Background(), o)).To(Succeed())

	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		g.Expect(got.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(adoptCondition(g, got, v1alpha1.AdoptedCondition).Reason).To(Equal(v1alpha1.ReasonSucceeded))
		g.Expect(got.Status.LiveSubmission).NotTo(BeNil())
	}, timeout, interval).Should(Succeed())
	reconcileNow(g, o)
	g.Expect(writes(sim)).To(Equal(before), "adoption wrote to Partner Center")
	g.Expect(sim.Stats().PreviewSubmissions["contoso-live"]).To(Equal(previews))
}

// A live offer whose draft is newer than the live version, exported from
// the draft, is adopted without publishing that draft: Adopted says so and
// names the field, and nothing is written until the spec changes; then the
// operator publishes the new generation.
func TestLiveOfferWithNewerDraftReportsTheUnpublishedDraftAndWritesNothingUntilTheSpecChanges(t *testing.T) {
	g := NewWithT(t)
	sim, c := existingAccount(t, saasOffer("contoso-newer", seedtest.LiveNewerDraft))
	ns := newNamespace(t)
	op := startOperator(t, sim, ns)
	before := writes(sim)
	o := exported(t, c, ns, "contoso-newer", export.FromDraft)
	g.Expect(k8s.Create(context.Background(), o)).To(Succeed())

	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		adopted := adoptCondition(g, got, v1alpha1.AdoptedCondition)
		g.Expect(adopted.Reason).To(Equal(v1alpha1.ReasonUnpublishedDraft))
		g.Expect(adopted.Message).To(ContainSubstring("listing.summary"))
		g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.LiveCondition)).To(BeTrue())
	}, timeout, interval).Should(Succeed())
	reconcileNow(g, o)
	g.Expect(writes(sim)).To(Equal(before), "the unpublished draft was published or overwritten")

	update(g, o, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Summary = "Published from Git." })
	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		g.Expect(got.Status.LiveGeneration).To(Equal(got.Generation))
		g.Expect(adoptCondition(g, got, v1alpha1.AdoptedCondition).Reason).To(Equal(v1alpha1.ReasonSucceeded))
	}, timeout, interval).Should(Succeed())
	live, err := op.pc.(*ingestion.Client).GetTarget(context.Background(), getOffer(g, ns, o.Name).Status.ProductID, partnercenter.TargetLive)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(live.Listing.Summary).To(Equal("Published from Git."))
	g.Expect(writes(sim)).To(BeNumerically(">", before))
}

// An offer whose sale was stopped in Partner Center is adopted as it is:
// Live=False with reason SaleStopped, Ready, and no submission restores
// it; a later spec change stalls saying so instead of publishing.
func TestAdoptedStoppedSaleIsReportedNotRestored(t *testing.T) {
	g := NewWithT(t)
	sim, c := existingAccount(t, saasOffer("contoso-stopped", seedtest.StopSold))
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	before := writes(sim)
	o := exported(t, c, ns, "contoso-stopped", export.FromLive)
	g.Expect(o.Spec.Target).To(Equal(v1alpha1.TargetLive))
	g.Expect(k8s.Create(context.Background(), o)).To(Succeed())

	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		live := adoptCondition(g, got, v1alpha1.LiveCondition)
		g.Expect(live.Status).To(Equal(metav1.ConditionFalse))
		g.Expect(live.Reason).To(Equal(v1alpha1.ReasonSaleStopped))
		g.Expect(adoptCondition(g, got, v1alpha1.AdoptedCondition).Reason).To(Equal(v1alpha1.ReasonSaleStopped))
	}, timeout, interval).Should(Succeed())
	reconcileNow(g, o)
	g.Expect(writes(sim)).To(Equal(before))

	update(g, o, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Summary = "A change that would need publishing." })
	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		stalled := adoptCondition(g, got, v1alpha1.StalledCondition)
		g.Expect(stalled.Reason).To(Equal(v1alpha1.ReasonSaleStopped))
		g.Expect(stalled.ObservedGeneration).To(Equal(got.Generation))
	}, timeout, interval).Should(Succeed())
	g.Expect(writes(sim)).To(Equal(before), "a stopped sale was restored or published again")
	product, err := c.FindProduct(context.Background(), "contoso-stopped")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(product.State).To(Equal(partnercenter.LifecycleDeprecated))
}

// An adopted offer whose stopped sale a person restores in Partner Center,
// as its message asks, is published to preview and live again once a
// reconcile is requested (Microsoft requires both after a restore).
func TestAdoptedStoppedSaleRestoredIsPublishedAgain(t *testing.T) {
	g := NewWithT(t)
	sim, c := existingAccount(t, saasOffer("contoso-restored", seedtest.StopSold))
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	o := exported(t, c, ns, "contoso-restored", export.FromLive)
	g.Expect(k8s.Create(context.Background(), o)).To(Succeed())
	var got *v1alpha1.MarketplaceOffer
	g.Eventually(func(g Gomega) {
		got = getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		live := adoptCondition(g, got, v1alpha1.LiveCondition)
		g.Expect(live.Reason).To(Equal(v1alpha1.ReasonSaleStopped))
		g.Expect(live.Message).To(ContainSubstring("generallyAvailable"))
	}, timeout, interval).Should(Succeed())
	before := published(sim, o.Spec.OfferID)

	// The person restores it: the live submission with lifecycleState
	// generallyAvailable, the SaaS page's restore.
	pid := got.Status.ProductID
	restore := map[string]any{"$schema": wire.SchemaOf(wire.KindConfigure), "resources": []any{map[string]any{
		"$schema": wire.SchemaOf(wire.KindSubmission), "id": wire.SubmissionRef(pid, got.Status.LiveSubmission.ID),
		"product": wire.ProductRef(pid), "target": map[string]any{"targetType": "live"}, "lifecycleState": "generallyAvailable",
	}}}
	simDo(t, http.MethodPost, sim.URL()+"/configure?$version="+wire.Version, restore)
	reconcileNow(g, o)

	g.Eventually(func(g Gomega) {
		got = getOffer(g, ns, o.Name)
		live := adoptCondition(g, got, v1alpha1.LiveCondition)
		g.Expect(live.Status).To(Equal(metav1.ConditionTrue), live.Message)
		ready(g, got.Status.Conditions, got.Generation)
		g.Expect(got.Status.Adoption.SaleStopped).To(BeFalse())
		g.Expect(eventReasons(g, ns, o.Name)).To(ContainElement("SaleRestored"))
	}, timeout, interval).Should(Succeed())
	g.Consistently(func() int { return published(sim, o.Spec.OfferID) }, 2*testOptions().StalledRecheck+time.Second, interval).
		Should(Equal(before+2), "one preview and one live submission")
}

// In managementPolicy Observe the operator reports how Partner Center
// differs from the spec, in InSync and an event, and writes nothing, also
// when the object (deletionPolicy Delete) is deleted.
func TestObserveModeReportsTheDifferencesAndWritesNothingIncludingOnDelete(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim, c := existingAccount(t, saasOffer("contoso-observed", seedtest.Live))
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	before := writes(sim)
	o := exported(t, c, ns, "contoso-observed", export.FromLive)
	o.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserve
	o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	o.Spec.Listing.Summary = "What Git says."
	o.Spec.Plans[0].Price = "12.00"
	g.Expect(k8s.Create(ctx, o)).To(Succeed())

	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		in := adoptCondition(g, got, v1alpha1.InSyncCondition)
		g.Expect(in.Status).To(Equal(metav1.ConditionFalse))
		g.Expect(in.Reason).To(Equal(v1alpha1.ReasonDiffers))
		g.Expect(in.Message).To(ContainSubstring(`live listing.summary: spec "What Git says.", live "Contoso contoso-observed in one sentence."`))
		g.Expect(in.Message).To(ContainSubstring(`draft plans[basic].price: spec "12.00", draft "10.00"`))
		g.Expect(got.Status.ProductID).To(BeEmpty())
	}, timeout, interval).Should(Succeed())
	g.Eventually(func(g Gomega) {
		var events eventsv1.EventList
		g.Expect(k8s.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
		var notes []string
		for _, e := range events.Items {
			if e.Regarding.Name == o.Name && e.Reason == v1alpha1.ReasonDiffers {
				notes = append(notes, e.Note)
			}
		}
		g.Expect(notes).To(ContainElement(ContainSubstring("listing.summary")))
	}, timeout, interval).Should(Succeed())
	reconcileNow(g, o)
	g.Expect(writes(sim)).To(Equal(before), "observe mode wrote to Partner Center")

	g.Expect(k8s.Delete(ctx, getOffer(g, ns, o.Name))).To(Succeed())
	g.Eventually(func() bool {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(o), &v1alpha1.MarketplaceOffer{})
		return err != nil
	}, timeout, interval).Should(BeTrue())
	g.Expect(writes(sim)).To(Equal(before), "deleting an observed offer wrote to Partner Center")
	product, err := c.FindProduct(ctx, "contoso-observed")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(product.State).NotTo(Equal(partnercenter.LifecycleDeprecated))
}

// Switching managementPolicy from Observe to Manage lets Git win: the
// operator adopts the product and publishes the spec.
func TestLeavingObserveModeWritesTheSpec(t *testing.T) {
	g := NewWithT(t)
	sim, c := existingAccount(t, saasOffer("contoso-switch", seedtest.Live))
	ns := newNamespace(t)
	op := startOperator(t, sim, ns)
	before := writes(sim)
	o := exported(t, c, ns, "contoso-switch", export.FromLive)
	o.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserve
	o.Spec.Listing.Summary = "What Git says."
	g.Expect(k8s.Create(context.Background(), o)).To(Succeed())
	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		g.Expect(adoptCondition(g, got, v1alpha1.InSyncCondition).Reason).To(Equal(v1alpha1.ReasonDiffers))
	}, timeout, interval).Should(Succeed())
	g.Expect(writes(sim)).To(Equal(before))

	update(g, o, func(o *v1alpha1.MarketplaceOffer) { o.Spec.ManagementPolicy = v1alpha1.ManagementPolicyManage })
	g.Eventually(func(g Gomega) {
		got := getOffer(g, ns, o.Name)
		ready(g, got.Status.Conditions, got.Generation)
		g.Expect(got.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(got.Status.LiveGeneration).To(Equal(got.Generation))
		g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.InSyncCondition)).To(BeNil())
	}, timeout, interval).Should(Succeed())
	live, err := op.pc.(*ingestion.Client).GetTarget(context.Background(), getOffer(g, ns, o.Name).Status.ProductID, partnercenter.TargetLive)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(live.Listing.Summary).To(Equal("What Git says."))
	g.Expect(writes(sim)).To(BeNumerically(">", before))
}

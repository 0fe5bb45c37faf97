package offer

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// A team on the shared credential declares, in managementPolicy Observe,
// the offer ID another namespace manages: it stalls naming the owner,
// reads nothing from Partner Center (no unpublished draft, no live
// listing reaches its InSync condition or its events), and an InSync
// written before is dropped. The manager owns the offer ID whether it
// holds the product or was declared after the observer. Before, Observe
// skipped the ownership check and read the other team's offer.
func TestObserveInAnotherNamespaceReadsNothingOfAnOfferItDoesNotOwn(t *testing.T) {
	t0 := time.Now().Add(-time.Hour)
	for name, tc := range map[string]struct {
		managerCreated time.Time
		managerHolds   bool
	}{
		"manager holds the product":          {managerCreated: t0, managerHolds: true},
		"manager declared after, no product": {managerCreated: t0.Add(time.Hour / 2)},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			f := fake.New()
			product := ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
			manager := offerIn("team-a", "analytics", tc.managerCreated, "uid-a")
			if tc.managerHolds {
				manager.Status.ProductID = product.ID
			}
			observer := offerIn("team-b", "peek", t0.Add(time.Minute), "uid-b")
			observer.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserve
			observer.Status.Conditions = []metav1.Condition{{Type: v1alpha1.InSyncCondition, Status: metav1.ConditionFalse,
				Reason: v1alpha1.ReasonDiffers, Message: "draft listing.title: spec \"x\", draft \"Secret launch\"",
				LastTransitionTime: metav1.Now(), ObservedGeneration: 1}}
			h := newOfferHarness(t, observer, f, manager)

			_, got := h.reconcile(g)
			c := ctrltest.StalledCondition(g, got)
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonOfferIDTaken))
			g.Expect(c.Message).To(ContainSubstring("team-a/analytics"))
			g.Expect(f.Calls).To(BeEmpty(), "nothing read from Partner Center")
			g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.InSyncCondition)).To(BeNil())
			g.Expect(recordedEvents(h)).To(HaveEach(ContainSubstring("Warning OfferIDTaken")), "only the stall is reported")

			// The manager still owns it from its own side.
			owner, err := h.r.offerIDOwner(context.Background(), manager)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(owner).To(BeIdenticalTo(manager))
		})
	}
}

// Two observers of one offer ID that no object manages: the older one
// reads, the other stalls; reading is owning.
func TestSecondObserverOfAnOfferIDStalls(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	t0 := time.Now().Add(-time.Hour)
	first := offerIn("team-a", "watch", t0, "uid-a")
	second := offerIn("team-b", "peek", t0.Add(time.Minute), "uid-b")
	for _, o := range []*v1alpha1.MarketplaceOffer{first, second} {
		o.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserve
	}
	h := newOfferHarness(t, second, f, first)
	_, got := h.reconcile(g)
	g.Expect(ctrltest.StalledCondition(g, got).Reason).To(Equal(v1alpha1.ReasonOfferIDTaken))
	g.Expect(f.Calls).To(BeEmpty())

	h = newOfferHarness(t, first, f, second)
	_, got = h.reconcile(g)
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.InSyncCondition)).NotTo(BeNil(), "the owner reads")
}

// refusedOffer is an object admission now refuses, as stored before the
// offer-type rules existed: a ManagedService offer with a listing, whose
// listing no published API takes.
func refusedOffer(policy v1alpha1.ManagementPolicy) *v1alpha1.MarketplaceOffer {
	o := ctrltest.DraftOffer()
	o.Spec.OfferType = "ManagedService"
	o.Spec.ManagedInPartnerCenter = nil
	o.Spec.ManagementPolicy = policy
	return o
}

// An offer stored before the offer-type rules existed that now breaks
// them stalls with admission's own message, in every management policy,
// and Partner Center sees no call: nothing is written or read. Before,
// it went on and was Ready with its listing never written.
func TestOfferStoredBeforeTheOfferTypeRulesStallsWithAdmissionsMessage(t *testing.T) {
	for _, policy := range []v1alpha1.ManagementPolicy{v1alpha1.ManagementPolicyManage, v1alpha1.ManagementPolicyObserve} {
		t.Run(string(policy), func(t *testing.T) {
			g := NewWithT(t)
			f := fake.New()
			ctrltest.MakeProduct(g, f, "contoso-analytics", "ManagedService")
			offer := refusedOffer(policy)
			want := offer.Spec.OfferTypeRefusalMessage()
			g.Expect(want).To(ContainSubstring("remove spec.listing"))
			connects := 0
			h := newOfferHarness(t, offer, f)
			h.r.PartnerCenter = countingConnector{Connector: pc.Static(f), n: &connects}

			_, got := h.reconcile(g)
			c := ctrltest.StalledCondition(g, got)
			g.Expect(c.Reason).To(Equal(v1alpha1.ReasonOfferTypeRefused))
			g.Expect(c.Message).To(Equal(want))
			ready := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReadyCondition)
			g.Expect(ready.Reason).To(Equal(v1alpha1.ReasonOfferTypeRefused))
			g.Expect(ready.Message).To(Equal(want))
			g.Expect(f.Calls).To(BeEmpty())
			g.Expect(connects).To(BeZero(), "not even connected")
			g.Expect(got.Status.ProductID).To(BeEmpty())
		})
	}
}

// countingConnector counts Connect calls.
type countingConnector struct {
	pc.Connector
	n *int
}

func (c countingConnector) Connect(ctx context.Context, namespace string) (pc.Client, error) {
	*c.n++
	return c.Connector.Connect(ctx, namespace)
}

// Parts declared in spec.managedInPartnerCenter are named in Ready's and
// DraftSynced's messages as kept in Partner Center, and a message carried
// over from an earlier reconcile names them once.
func TestDeclaredPartsAreNamedInReadyAndDraftSynced(t *testing.T) {
	g := NewWithT(t)
	offer := ctrltest.DraftOffer()
	offer.Spec.ManagedInPartnerCenter = []v1alpha1.PartnerCenterPart{v1alpha1.PartTechnicalConfiguration, v1alpha1.PartCoSell}
	const declared = "kept in Partner Center (declared in spec.managedInPartnerCenter): TechnicalConfiguration, CoSell"

	g.Expect(readyMessage(offer)).To(HaveSuffix(declared))
	s := &offerScope{offer: offer, draft: draftWritten,
		unwritten: []pc.FeedbackItem{{Code: "unwritten", Resource: "listing", Message: "keywords"}}}
	setOfferConditions(s)
	first := meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.DraftSyncedCondition).Message
	g.Expect(first).To(ContainSubstring(declared))
	g.Expect(first).To(ContainSubstring(unwrittenPrefix))

	setOfferConditions(&offerScope{offer: offer, draft: draftWritten})
	again := meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.DraftSyncedCondition).Message
	g.Expect(again).To(Equal(first), "carried over, declared named once")

	offer.Spec.ManagedInPartnerCenter = nil
	g.Expect(readyMessage(offer)).NotTo(ContainSubstring("kept in Partner Center"))
}

// failingProductReads answers every product read with a transient error.
type failingProductReads struct{ pc.Client }

func (failingProductReads) GetProduct(context.Context, string) (*pc.Product, error) {
	return nil, &pc.Error{Class: pc.ClassTransient, Op: "GetProduct", Message: "503 from Partner Center"}
}

// An observer whose read fails keeps InSync as the last complete read
// left it. Before, a failed product read still set InSync True, saying
// Partner Center holds what the spec says of no product at all.
func TestObserveKeepsInSyncWhenAReadFails(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	product := ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	observer := ctrltest.DraftOffer()
	observer.Spec.ManagementPolicy = v1alpha1.ManagementPolicyObserve
	observer.Status.ProductID = product.ID
	before := metav1.Condition{Type: v1alpha1.InSyncCondition, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonDiffers,
		Message:            `Partner Center differs from the spec in 1 field(s): draft listing.title: spec "x", draft "y"`,
		LastTransitionTime: metav1.Now(), ObservedGeneration: 1}
	observer.Status.Conditions = []metav1.Condition{before}
	h := newOfferHarness(t, observer, failingProductReads{f})

	_, _ = h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
	got := &v1alpha1.MarketplaceOffer{}
	g.Expect(h.r.Get(context.Background(), h.key, got)).To(Succeed())
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.InSyncCondition)
	g.Expect(c).NotTo(BeNil())
	g.Expect(c.Status).To(Equal(before.Status))
	g.Expect(c.Message).To(Equal(before.Message), "nothing complete was read")
}

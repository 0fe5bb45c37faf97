package offer

import (
	"context"
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// offerIn is draftOffer in namespace ns, created at created with uid.
func offerIn(ns, name string, created time.Time, uid string) *v1alpha1.MarketplaceOffer {
	o := ctrltest.DraftOffer()
	o.Namespace, o.Name, o.UID = ns, name, types.UID(uid)
	o.CreationTimestamp = metav1.NewTime(created)
	return o
}

// Two teams declare one offer ID in two namespaces: the later object
// stalls naming the owner and never calls Partner Center; the owner goes
// on untouched. Before, both adopted the product and both reported Ready.
func TestSecondNamespaceDeclaringATakenOfferIDStallsNamingTheOwner(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	t0 := time.Now().Add(-time.Hour)
	first := offerIn("team-a", "analytics", t0, "uid-a")
	second := offerIn("team-b", "analytics-copy", t0.Add(time.Minute), "uid-b")
	h := newOfferHarness(t, second, f, first)

	_, got := h.reconcile(g)
	c := ctrltest.StalledCondition(g, got)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonOfferIDTaken))
	g.Expect(c.Message).To(ContainSubstring("team-a/analytics"))
	g.Expect(c.Message).To(ContainSubstring("spec.offerID"))
	g.Expect(f.Calls).To(BeEmpty(), "no Partner Center call at all")

	owner := &offerHarness{r: h.r, key: client.ObjectKeyFromObject(first)}
	g.Eventually(func(g Gomega) {
		_, o := owner.reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	}).Should(Succeed())

	// Deleting the owner wakes the second object, which now owns the
	// offer ID but did not create its product: it asks for the opt-in.
	g.Expect(offersSharingOfferID(h.r.Client)(context.Background(), first)).To(ConsistOf(
		ctrl.Request{NamespacedName: client.ObjectKeyFromObject(second)}))
	g.Expect(h.r.Delete(context.Background(), first)).To(Succeed())
	_, got = h.reconcile(g)
	c = ctrltest.StalledCondition(g, got)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonAdoptionRequired))
	g.Expect(c.Message).To(ContainSubstring(v1alpha1.AdoptAnnotation))
	g.Expect(got.Status.ProductID).To(BeEmpty())
}

// Who owns an offer ID is decided the same way on every reconcile of
// either object: the one that recorded the product, then the older, then
// (created in the same second) the smaller UID.
func TestOfferIDRaceIsDecidedByRecordedProductThenCreationTimeThenUID(t *testing.T) {
	t0 := time.Now().Truncate(time.Second)
	holding := func(o *v1alpha1.MarketplaceOffer) *v1alpha1.MarketplaceOffer {
		o.Status.CreatePending = &v1alpha1.CreatePending{OfferID: o.Spec.OfferID}
		return o
	}
	for _, tc := range []struct {
		name string
		a, b *v1alpha1.MarketplaceOffer
		want bool
	}{
		{"older first", offerIn("x", "a", t0, "uid-z"), offerIn("y", "b", t0.Add(time.Second), "uid-a"), true},
		{"younger first", offerIn("x", "a", t0.Add(time.Second), "uid-a"), offerIn("y", "b", t0, "uid-z"), false},
		{"same time, smaller UID", offerIn("x", "a", t0, "uid-a"), offerIn("y", "b", t0, "uid-b"), true},
		{"same time, larger UID", offerIn("x", "a", t0, "uid-b"), offerIn("y", "b", t0, "uid-a"), false},
		{"same time, larger UID, but it made the product", holding(offerIn("x", "a", t0, "uid-b")), offerIn("y", "b", t0, "uid-a"), true},
		{"younger, but it made the product", holding(offerIn("x", "a", t0.Add(time.Second), "uid-a")), offerIn("y", "b", t0, "uid-b"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(ownsBefore(tc.a, tc.b)).To(Equal(tc.want))
			g.Expect(ownsBefore(tc.b, tc.a)).To(Equal(!tc.want))
		})
	}
}

// A product made in the portal (or by an object deleted with Orphan) is
// not taken over silently; the adopt annotation opts in.
func TestExistingProductIsAdoptedOnlyWithTheAdoptAnnotation(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	existing := ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	h := newOfferHarness(t, ctrltest.DraftOffer(), f)

	_, got := h.reconcile(g)
	c := ctrltest.StalledCondition(g, got)
	g.Expect(c.Reason).To(Equal(v1alpha1.ReasonAdoptionRequired))
	g.Expect(c.Message).To(ContainSubstring(`marketplace.cosell.io/adopt: "true"`))
	g.Expect(got.Status.ProductID).To(BeEmpty())
	g.Expect(f.Calls["ConfigureDraft"]).To(BeZero())

	got.Annotations = map[string]string{v1alpha1.AdoptAnnotation: "true"}
	g.Expect(h.r.Update(context.Background(), got)).To(Succeed())
	_, got = h.reconcile(g)
	g.Expect(got.Status.ProductID).To(Equal(existing.ID))
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil())
}

// crashingCreate creates the product, then fails as a crash or a lost
// answer would: the product exists, its ID never reaches status. It checks
// the create-pending mark was stored before the call.
type crashingCreate struct {
	*fake.Client
	c       client.Client
	key     types.NamespacedName
	markSet bool
}

func (p *crashingCreate) CreateProduct(ctx context.Context, spec pc.ProductSpec) (*pc.Job, error) {
	stored := &v1alpha1.MarketplaceOffer{}
	if err := p.c.Get(ctx, p.key, stored); err != nil {
		return nil, err
	}
	p.markSet = stored.Status.CreatePending != nil && stored.Status.CreatePending.OfferID == spec.OfferID
	job, err := p.Client.CreateProduct(ctx, spec)
	if err != nil {
		return nil, err
	}
	// Partner Center runs the job whether or not its ID reached status.
	if _, err := p.GetJob(ctx, job.ID); err != nil {
		return nil, err
	}
	return nil, errors.New("connection reset by peer")
}

// A crash after CreateProduct and before the status write, then deletion
// with policy Delete: the mark has no job recorded (its answer was lost
// with the process), so the product found with the offer ID is taken as
// this object's and its never-published draft deleted: nothing leaks.
// A mark whose recorded job failed goes through adoption instead
// (TestCreateJobFailedBecauseAnotherMadeTheProductClaimsNothing).
func TestDeletingAfterACrashBetweenCreateAndStatusWriteDeletesTheDraft(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	offer := ctrltest.DraftOffer()
	offer.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	p := &crashingCreate{Client: f, key: client.ObjectKeyFromObject(offer)}
	h := newOfferHarness(t, offer, p)
	p.c = h.r.Client
	ctx := context.Background()

	_, err := h.r.Reconcile(ctx, ctrl.Request{NamespacedName: h.key})
	g.Expect(err).To(MatchError(ContainSubstring("connection reset")))
	g.Expect(p.markSet).To(BeTrue(), "the mark is stored before the create")
	g.Expect(f.Products()).To(Equal(map[string]int{"contoso-analytics": 1}))
	stored := &v1alpha1.MarketplaceOffer{}
	g.Expect(h.r.Get(ctx, h.key, stored)).To(Succeed())
	g.Expect(stored.Status.ProductID).To(BeEmpty())
	g.Expect(stored.Status.CreatePending).NotTo(BeNil())
	g.Expect(stored.Finalizers).To(ContainElement(OfferFinalizer))

	g.Expect(h.r.Delete(ctx, stored)).To(Succeed())
	g.Eventually(func(g Gomega) {
		_, err := h.r.Reconcile(ctx, ctrl.Request{NamespacedName: h.key})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(apierrors.IsNotFound(h.r.Get(ctx, h.key, &v1alpha1.MarketplaceOffer{}))).To(BeTrue(), "finalizer released")
	}).Should(Succeed())
	g.Expect(f.Calls["DeleteDraft"]).To(Equal(1))
	g.Expect(f.Products()).To(BeEmpty(), "nothing leaked")
}

// recordedEvents drains the harness's fake recorder.
func recordedEvents(h *offerHarness) []string {
	rec := h.r.Recorder.(*events.FakeRecorder)
	var out []string
	for {
		select {
		case e := <-rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

// failedCreateJob starts a create of offerID in f while another's product
// already holds it: the job fails, and its detail names no product.
func failedCreateJob(g Gomega, f *fake.Client, offerID string) string {
	ctx := context.Background()
	job, err := f.CreateProduct(ctx, pc.ProductSpec{OfferID: offerID, OfferType: "SoftwareAsAService", Name: offerID})
	g.Expect(err).NotTo(HaveOccurred())
	done, err := f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(done.Succeeded()).To(BeFalse())
	f.Calls = map[string]int{}
	return job.ID
}

// An object marks a create and starts it, but someone else made the
// product meanwhile, so the create job fails. The object does not take
// that product without the adopt annotation, and deleting it with
// deletionPolicy Delete neither stops the sale of nor deletes a product
// it never created, whether the deletion comes after the reconcile that
// saw the job fail or while the mark is still there. Before, the leftover
// mark counted as "ours" in both.
func TestCreateJobFailedBecauseAnotherMadeTheProductClaimsNothing(t *testing.T) {
	newOffer := func(f *fake.Client, g Gomega) *v1alpha1.MarketplaceOffer {
		o := ctrltest.DraftOffer()
		o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
		o.Finalizers = []string{OfferFinalizer}
		o.Status.CreatePending = &v1alpha1.CreatePending{OfferID: o.Spec.OfferID, Since: metav1.Now()}
		o.Status.Operation = &v1alpha1.Operation{Purpose: v1alpha1.OperationCreate, ID: failedCreateJob(g, f, o.Spec.OfferID)}
		return o
	}
	t.Run("reconciled, then deleted", func(t *testing.T) {
		g := NewWithT(t)
		f := fake.New()
		ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
		h := newOfferHarness(t, newOffer(f, g), f)

		_, got := h.reconcile(g)
		g.Expect(ctrltest.StalledCondition(g, got).Reason).To(Equal(v1alpha1.ReasonAdoptionRequired))
		g.Expect(got.Status.ProductID).To(BeEmpty())
		g.Expect(got.Status.CreatePending).To(BeNil())
		g.Expect(h.r.Delete(context.Background(), got)).To(Succeed())
		_, err := h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(apierrors.IsNotFound(h.r.Get(context.Background(), h.key, &v1alpha1.MarketplaceOffer{}))).To(BeTrue())
		g.Expect(f.Calls["StopSale"] + f.Calls["DeleteDraft"] + f.Calls["ConfigureDraft"]).To(BeZero())
		g.Expect(f.Products()).To(Equal(map[string]int{"contoso-analytics": 1}))
	})
	t.Run("deleted with the mark set", func(t *testing.T) {
		g := NewWithT(t)
		f := fake.New()
		ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
		offer := newOffer(f, g)
		h := newOfferHarness(t, offer, f)
		g.Expect(h.r.Delete(context.Background(), offer)).To(Succeed())
		_, err := h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(apierrors.IsNotFound(h.r.Get(context.Background(), h.key, &v1alpha1.MarketplaceOffer{}))).To(BeTrue())
		g.Expect(f.Calls["StopSale"] + f.Calls["DeleteDraft"]).To(BeZero())
		g.Expect(f.Products()).To(Equal(map[string]int{"contoso-analytics": 1}))
	})
}

// Deleting a suspended live offer with policy Delete leaves Partner
// Center alone and releases the object. Before, it stopped the sale.
func TestDeletingASuspendedOfferLeavesPartnerCenterAlone(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	ctx := context.Background()
	product := ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	offer := ctrltest.DraftOffer()
	offer.Spec.DeletionPolicy, offer.Spec.Suspend = v1alpha1.DeletionPolicyDelete, true
	offer.Finalizers = []string{OfferFinalizer}
	offer.Status.ProductID = product.ID
	h := newOfferHarness(t, offer, f)
	g.Expect(h.r.Delete(ctx, offer)).To(Succeed())

	_, err := h.r.Reconcile(ctx, ctrl.Request{NamespacedName: h.key})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.Calls["StopSale"] + f.Calls["DeleteDraft"] + f.Calls["GetProduct"]).To(BeZero())
	g.Expect(f.Products()).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(apierrors.IsNotFound(h.r.Get(ctx, h.key, &v1alpha1.MarketplaceOffer{}))).To(BeTrue(), "finalizer released")
}

// Deleting an object that does not own its offer ID (policy Delete) leaves
// the owner's product alone.
func TestDeletingAnOfferThatDoesNotOwnItsOfferIDLeavesTheOwnersProduct(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	ctx := context.Background()
	product := ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	t0 := time.Now().Add(-time.Hour)
	owner := offerIn("team-a", "analytics", t0, "uid-a")
	owner.Status.ProductID = product.ID
	other := offerIn("team-b", "analytics", t0.Add(time.Minute), "uid-b")
	other.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	other.Finalizers = []string{OfferFinalizer}
	other.Status.ProductID = product.ID // recorded before ownership was checked
	h := newOfferHarness(t, other, f, owner)
	g.Expect(h.r.Delete(ctx, other)).To(Succeed())

	_, err := h.r.Reconcile(ctx, ctrl.Request{NamespacedName: h.key})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.Calls).To(BeEmpty())
	g.Expect(f.Products()).To(Equal(map[string]int{"contoso-analytics": 1}))
}

package offer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// refusing is the fake Partner Center refusing the next refuseDraft draft
// writes, refuseLive go-lives and refusePreview preview submissions: their
// jobs complete as failed on their first read, applying nothing, as a
// refused configure job does.
type refusing struct {
	*fake.Client
	refuseDraft, refuseLive, refusePreview int
	calls                                  map[string]int
	refused                                map[string]bool
}

func newRefusing(f *fake.Client) *refusing {
	return &refusing{Client: f, calls: map[string]int{}, refused: map[string]bool{}}
}

func (c *refusing) refusedJob(op string) *pc.Job {
	id := fmt.Sprintf("refused-%s-%d", op, len(c.refused)+1)
	c.refused[id] = true
	return &pc.Job{ID: id, Status: pc.JobRunning, Result: pc.JobPending}
}

func (c *refusing) GetJob(ctx context.Context, jobID string) (*pc.Job, error) {
	if c.refused[jobID] {
		return &pc.Job{ID: jobID, Status: pc.JobCompleted, Result: pc.JobFailed,
			Errors: []pc.FeedbackItem{{Code: pc.CodeBusinessValidation, Resource: "listing", Message: "refused by the test"}}}, nil
	}
	return c.Client.GetJob(ctx, jobID)
}

func (c *refusing) ConfigureDraft(ctx context.Context, productID, offerType string, draft pc.Draft) (*pc.Job, error) {
	c.calls["ConfigureDraft"]++
	if c.refuseDraft > 0 {
		c.refuseDraft--
		return c.refusedJob("draft"), nil
	}
	return c.Client.ConfigureDraft(ctx, productID, offerType, draft)
}

func (c *refusing) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	c.calls["SubmitPreview"]++
	if c.refusePreview > 0 {
		c.refusePreview--
		return c.refusedJob("preview"), nil
	}
	return c.Client.SubmitPreview(ctx, productID)
}

func (c *refusing) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	c.calls["GoLive"]++
	if c.refuseLive > 0 {
		c.refuseLive--
		return c.refusedJob("live"), nil
	}
	return c.Client.GoLive(ctx, productID, previewSubmissionID)
}

// edit changes the stored offer's spec as an API server would: a new
// generation.
func (h *offerHarness) edit(g Gomega, mutate func(*v1alpha1.MarketplaceOffer)) {
	o := &v1alpha1.MarketplaceOffer{}
	g.Expect(h.r.Get(context.Background(), h.key, o)).To(Succeed())
	mutate(o)
	o.Generation++
	g.Expect(h.r.Update(context.Background(), o)).To(Succeed())
}

// annotate sets the reconcile-requested-at annotation to v.
func (h *offerHarness) requestReconcile(g Gomega, v string) {
	o := &v1alpha1.MarketplaceOffer{}
	g.Expect(h.r.Get(context.Background(), h.key, o)).To(Succeed())
	o.Annotations = map[string]string{v1alpha1.ReconcileRequestedAtAnnotation: v}
	g.Expect(h.r.Update(context.Background(), o)).To(Succeed())
}

// reconcileUntil reconciles, as the requeues would, until done holds, at
// most n times, and returns the stored object.
func (h *offerHarness) reconcileUntil(g Gomega, n int, done func(*v1alpha1.MarketplaceOffer) bool) *v1alpha1.MarketplaceOffer {
	var got *v1alpha1.MarketplaceOffer
	for i := 0; i < n; i++ {
		_, got = h.reconcile(g)
		if done(got) {
			return got
		}
	}
	g.Expect(done(got)).To(BeTrue(), "not reached in %d reconciles: %+v", n, got.Status)
	return got
}

func jobIs(purpose v1alpha1.OperationPurpose) func(*v1alpha1.MarketplaceOffer) bool {
	return func(o *v1alpha1.MarketplaceOffer) bool {
		return o.Status.Operation != nil && o.Status.Operation.Purpose == purpose
	}
}

func isReady(o *v1alpha1.MarketplaceOffer) bool {
	c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.ReadyCondition)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == o.Generation
}

func reasonOf(o *v1alpha1.MarketplaceOffer, t string) string {
	if c := meta.FindStatusCondition(o.Status.Conditions, t); c != nil && c.Status == metav1.ConditionTrue {
		return c.Reason
	}
	return ""
}

func liveOffer() *v1alpha1.MarketplaceOffer {
	o := ctrltest.DraftOffer()
	o.Spec.Target = v1alpha1.TargetLive
	return o
}

// A spec edit while a preview submission job runs used to write the new
// draft over status.configureJob: the submission was lost track of. The
// job is now followed to its end first, the submission recorded for the
// generation it submitted, then the new draft written and submitted.
func TestAnEditDuringASubmissionJobKeepsTrackOfTheSubmission(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	f.JobReads = 3
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetPreview
	h := newOfferHarness(t, offer, f)
	h.reconcileUntil(g, 20, jobIs(jobPreview))

	h.edit(g, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Summary = "Forecasts for every store." })
	_, got := h.reconcile(g)
	g.Expect(jobIs(jobPreview)(got)).To(BeTrue(), "the submission job stays recorded: %+v", got.Status.Operation)
	c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.DraftSyncedCondition)
	g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
	g.Expect(c.Message).To(ContainSubstring("the draft of generation 2 is written once the submission job"))

	got = h.reconcileUntil(g, 10, func(o *v1alpha1.MarketplaceOffer) bool { return o.Status.PreviewSubmission != nil })
	g.Expect(got.Status.PreviewSubmission.Generation).To(Equal(int64(1)), "recorded for the generation it submitted")
	got = h.reconcileUntil(g, 30, isReady)
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(2))
	g.Expect(got.Status.PreviewSubmission.Generation).To(Equal(int64(2)))
	g.Expect(got.Status.PreviewSubmission.Result).To(Equal(v1alpha1.SubmissionSucceeded))
}

// An edit during the first go-live: generation 1 goes live meanwhile, and
// Live says so (generation 1) while generation 2 is certified; before,
// the go-live was lost and Live stayed False until generation 2 was live.
func TestAnEditDuringTheFirstGoLiveReportsGeneration1Live(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	f.JobReads = 2
	f.CertificationReads = 2
	h := newOfferHarness(t, liveOffer(), f)
	h.reconcileUntil(g, 30, jobIs(jobLive))

	h.edit(g, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Summary = "Forecasts for every store." })
	got := h.reconcileUntil(g, 30, func(o *v1alpha1.MarketplaceOffer) bool {
		return meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.LiveCondition)
	})
	g.Expect(got.Status.LiveGeneration).To(Equal(int64(1)), "generation 1 is live")
	g.Expect(got.Status.LiveSubmission.Result).To(Equal(v1alpha1.SubmissionSucceeded))
	g.Expect(isReady(got)).To(BeFalse(), "generation 2 is not live yet")

	got = h.reconcileUntil(g, 40, isReady)
	g.Expect(got.Status.LiveGeneration).To(Equal(int64(2)))
	g.Expect(f.Calls["GoLive"]).To(Equal(2))
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(2))
}

// Lowering the target while Partner Center works on a submission stops
// nothing there: the offer follows the submission to its end before it is
// Ready, instead of leaving it InProgress next to Ready=True.
func TestLoweringTheTargetFollowsTheSubmissionInFlight(t *testing.T) {
	for _, tc := range []struct {
		name   string
		from   v1alpha1.OfferTarget
		during v1alpha1.OperationPurpose // the job in flight when the target is lowered
		target v1alpha1.OfferTarget
		live   bool // the version going live is reported Live
	}{
		{"Live to Draft during certification", v1alpha1.TargetLive, jobPreview, v1alpha1.TargetDraft, false},
		{"Preview to Draft during certification", v1alpha1.TargetPreview, jobPreview, v1alpha1.TargetDraft, false},
		{"Live to Preview during go-live", v1alpha1.TargetLive, jobLive, v1alpha1.TargetPreview, true},
		{"Live to Draft during go-live", v1alpha1.TargetLive, jobLive, v1alpha1.TargetDraft, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			f := fake.New()
			f.JobReads = 2
			f.CertificationReads = 3
			offer := ctrltest.DraftOffer()
			offer.Spec.Target = tc.from
			h := newOfferHarness(t, offer, f)
			h.reconcileUntil(g, 30, jobIs(tc.during))

			h.edit(g, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Target = tc.target })
			got := h.reconcileUntil(g, 30, isReady)
			g.Expect(got.Status.Operation).To(BeNil(), "no job left in flight")
			for _, ref := range []*v1alpha1.SubmissionRef{got.Status.PreviewSubmission, got.Status.LiveSubmission} {
				if ref != nil {
					g.Expect(ref.Result).NotTo(Equal(v1alpha1.SubmissionInProgress), "no submission left InProgress next to Ready")
				}
			}
			g.Expect(got.Status.PreviewSubmission).NotTo(BeNil())
			g.Expect(got.Status.PreviewSubmission.Result).To(Equal(v1alpha1.SubmissionSucceeded))
			g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.LiveCondition)).To(Equal(tc.live))
			if tc.live {
				g.Expect(got.Status.LiveGeneration).To(Equal(int64(1)))
			}
		})
	}
}

// A draft job of generation 1 that Partner Center refuses once the spec
// has changed no longer stalls generation 2: its draft is written in the
// same reconcile.
func TestAStaleRefusedDraftJobDoesNotStallTheNewGeneration(t *testing.T) {
	g := NewWithT(t)
	c := newRefusing(fake.New())
	c.refuseDraft = 1
	h := newOfferHarness(t, ctrltest.DraftOffer(), c)
	h.reconcileUntil(g, 10, jobIs(jobDraft))

	h.edit(g, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Summary = "Forecasts for every store." })
	_, got := h.reconcile(g)
	g.Expect(reasonOf(got, v1alpha1.StalledCondition)).To(BeEmpty(), "generation 2 is not stalled by generation 1's refused draft")
	g.Expect(c.calls["ConfigureDraft"]).To(Equal(2), "generation 2's draft is written at once")
	got = h.reconcileUntil(g, 10, isReady)
	g.Expect(got.Status.ObservedGeneration).To(Equal(int64(2)))
}

// A new value of the reconcile-requested-at annotation retries a refused
// draft, certification or go-live once, without editing the spec; the same
// value retries nothing (no loop), the next value retries again.
func TestReconcileRequestRetriesARefusalOncePerValue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		op     string
		target v1alpha1.OfferTarget
		refuse func(*refusing)
		reason string
	}{
		{"refused draft", "ConfigureDraft", v1alpha1.TargetDraft, func(c *refusing) { c.refuseDraft = 2 }, v1alpha1.ReasonDraftRejected},
		{"failed certification", "SubmitPreview", v1alpha1.TargetPreview, func(c *refusing) { c.refusePreview = 2 }, v1alpha1.ReasonCertificationFailed},
		{"failed go-live", "GoLive", v1alpha1.TargetLive, func(c *refusing) { c.refuseLive = 2 }, v1alpha1.ReasonPartnerCenterRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			c := newRefusing(fake.New())
			tc.refuse(c)
			offer := ctrltest.DraftOffer()
			offer.Spec.Target = tc.target
			h := newOfferHarness(t, offer, c)
			stalledOn := func(o *v1alpha1.MarketplaceOffer) bool { return reasonOf(o, v1alpha1.StalledCondition) == tc.reason }
			h.reconcileUntil(g, 20, stalledOn)
			g.Expect(c.calls[tc.op]).To(Equal(1))
			h.reconcile(g)
			g.Expect(c.calls[tc.op]).To(Equal(1), "a stalled refusal is not retried by itself")

			h.requestReconcile(g, "2026-12-02T12:00:00Z")
			got := h.reconcileUntil(g, 20, stalledOn) // refused again
			g.Expect(c.calls[tc.op]).To(Equal(2), "retried once")
			g.Expect(got.Status.LastHandledReconcileAt).To(Equal("2026-12-02T12:00:00Z"))
			for range 3 {
				h.reconcile(g)
			}
			g.Expect(c.calls[tc.op]).To(Equal(2), "the same request value retries nothing more")

			h.requestReconcile(g, "2026-12-02T12:05:00Z")
			got = h.reconcileUntil(g, 30, isReady)
			g.Expect(c.calls[tc.op]).To(Equal(3))
			g.Expect(reasonOf(got, v1alpha1.StalledCondition)).To(BeEmpty())
		})
	}
}

// Deleting an offer (deletionPolicy Delete) during its first go-live used
// to release the object at once ("published to preview only") and leave
// a product that went live a moment later with nobody to stop its sale.
// Deletion now waits for the go-live (Reconciling, reason Deleting, saying
// so), then stops the sale.
func TestDeletingDuringTheFirstGoLiveWaitsThenStopsTheSale(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	f.CertificationReads = 3
	offer := liveOffer()
	offer.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	h := newOfferHarness(t, offer, f)
	got := h.reconcileUntil(g, 30, func(o *v1alpha1.MarketplaceOffer) bool {
		return o.Status.LiveSubmission != nil && o.Status.LiveSubmission.Result == v1alpha1.SubmissionInProgress
	})
	productID := got.Status.ProductID
	g.Expect(h.r.Delete(ctx, got)).To(Succeed())

	var waited bool
	for i := 0; i < 20; i++ {
		_, err := h.r.Reconcile(ctx, ctrl.Request{NamespacedName: h.key})
		g.Expect(err).NotTo(HaveOccurred())
		o := &v1alpha1.MarketplaceOffer{}
		if err := h.r.Get(ctx, h.key, o); err != nil {
			break
		}
		g.Expect(reasonOf(o, v1alpha1.StalledCondition)).To(BeEmpty())
		if c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.ReconcilingCondition); c != nil && c.Reason == v1alpha1.ReasonDeleting &&
			strings.Contains(c.Message, "going live") {
			waited = true
		}
	}
	g.Expect(h.r.Get(ctx, h.key, &v1alpha1.MarketplaceOffer{})).NotTo(Succeed(), "the object is gone")
	g.Expect(waited).To(BeTrue(), "deletion waited for the go-live")
	p, err := f.GetProduct(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.State).To(Equal(pc.LifecycleDeprecated), "the sale of the offer that went live is stopped")
}

// noDetail is the fake Partner Center whose job details list no resource.
type noDetail struct{ *fake.Client }

func (c noDetail) GetJobDetail(_ context.Context, jobID string) (*pc.JobDetail, error) {
	return &pc.JobDetail{JobID: jobID}, nil
}

// restoredProduct is a Partner Center whose products read as restored
// (lifecycleState generallyAvailable) after their sale was stopped: the
// old live submission stays deprecated, as after a restore in the portal.
type restoredProduct struct{ noDetail }

func (c restoredProduct) GetProduct(ctx context.Context, productID string) (*pc.Product, error) {
	p, err := c.noDetail.GetProduct(ctx, productID)
	if err == nil {
		p.State = pc.LifecycleGenerallyAvailable
	}
	return p, err
}

// An object that adopts a product with an earlier life (taken live by
// another object, its sale stopped) never takes that life's submissions
// for its own. Before, the look-up for a submission made before a crash
// (unrecordedPreview, from the draft job's start, a status time in whole
// seconds) took the old, deprecated live submission, and the new object
// reported Live with it. The job details here list no submission either,
// so the fallback look-up is exercised too: a live submission is the
// preview it publishes, a preview one is made since its job started.
func TestSubmissionsOfAnEarlierLifeAreNotTaken(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	// An earlier object took the product live, then its sale was stopped.
	// (The fake, unlike Partner Center, publishes a deprecated product:
	// as if it had been restored in the portal.)
	earlier := newOfferHarness(t, liveOffer(), f)
	old := earlier.reconcileUntil(g, 30, isReady)
	job, err := f.StopSale(ctx, old.Status.ProductID, old.Status.LiveSubmission.ID)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())

	offer := liveOffer()
	offer.Annotations = map[string]string{v1alpha1.AdoptAnnotation: "true"}
	offer.Spec.Listing.Summary = "A new life."
	h := newOfferHarness(t, offer, restoredProduct{noDetail{f}})
	got := h.reconcileUntil(g, 30, isReady)
	g.Expect(got.Status.ProductID).To(Equal(old.Status.ProductID))
	g.Expect(got.Status.PreviewSubmission.ID).NotTo(Equal(old.Status.PreviewSubmission.ID))
	g.Expect(got.Status.LiveSubmission.ID).To(Equal(got.Status.PreviewSubmission.ID))
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(2))
}

package offer

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// goLiveFailsAfterTaken is the fake Partner Center whose first GoLive is
// taken (its job runs) and then fails on the wire: a 5xx or a dropped
// connection after Partner Center took the request.
type goLiveFailsAfterTaken struct {
	*fake.Client
	failed bool
}

func (c *goLiveFailsAfterTaken) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	job, err := c.Client.GoLive(ctx, productID, previewSubmissionID)
	if err != nil || c.failed {
		return job, err
	}
	c.failed = true
	_, _ = c.GetJob(ctx, job.ID) // Partner Center runs it
	return nil, &pc.Error{Class: pc.ClassTransient, Op: "GoLive", StatusCode: 503}
}

// A go-live that fails on the wire after Partner Center took it is not
// sent again: the next reconcile reads the submissions list first, finds
// the preview submission with target live, and follows it.
func TestAGoLiveFailedOnTheWireIsFollowedNotSentAgain(t *testing.T) {
	g := NewWithT(t)
	f := &goLiveFailsAfterTaken{Client: fake.New()}
	h := newOfferHarness(t, liveOffer(), f)

	var failed bool
	var got *v1alpha1.MarketplaceOffer
	for i := 0; i < 20; i++ {
		_, err := h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
		got = &v1alpha1.MarketplaceOffer{}
		g.Expect(h.r.Get(context.Background(), h.key, got)).To(Succeed())
		if err != nil && !failed {
			failed = true
			g.Expect(got.Status.Operation).NotTo(BeNil(), "the status written with the error marks the go-live")
			g.Expect(got.Status.Operation.Purpose).To(Equal(jobLive))
			g.Expect(got.Status.Operation.ID).To(BeEmpty())
		}
		if isReady(got) {
			break
		}
	}
	g.Expect(failed).To(BeTrue())
	g.Expect(isReady(got)).To(BeTrue(), "%+v", got.Status)
	g.Expect(f.Calls["GoLive"]).To(Equal(1), "the go-live Partner Center took is followed, not sent again")
	g.Expect(got.Status.LiveSubmission.ID).To(Equal(got.Status.PreviewSubmission.ID))
	g.Expect(got.Status.LiveGeneration).To(Equal(got.Generation))
}

// goLiveLost is the fake Partner Center whose first GoLive fails on the
// wire before Partner Center took it.
type goLiveLost struct {
	*fake.Client
	failed bool
}

func (c *goLiveLost) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	if !c.failed {
		c.failed = true
		c.Calls["GoLive"]++
		return nil, &pc.Error{Class: pc.ClassTransient, Op: "GoLive", StatusCode: 503}
	}
	return c.Client.GoLive(ctx, productID, previewSubmissionID)
}

// A go-live that never reached Partner Center is sent again once the
// submissions list shows the preview still in preview.
func TestAGoLiveLostOnTheWireIsSentAgainAfterReading(t *testing.T) {
	g := NewWithT(t)
	f := &goLiveLost{Client: fake.New()}
	h := newOfferHarness(t, liveOffer(), f)
	got := h.reconcileUntilReady(g, nil)
	g.Expect(isReady(got)).To(BeTrue(), "%+v", got.Status)
	g.Expect(f.Calls["GoLive"]).To(Equal(2))
}

// busyOnce is the fake Partner Center answering the first SubmitPreview
// and the first GoLive as busy: the adapter's Conflict for a product
// whose submissions list shows one in progress.
type busyOnce struct {
	*fake.Client
	busy map[string]bool
}

func (c *busyOnce) answerBusy(op string) error {
	if c.busy[op] {
		return nil
	}
	c.busy[op] = true
	c.Calls[op]++
	return &pc.Error{Class: pc.ClassConflict, Op: op, Message: "product is busy: its preview submission 9 is running"}
}

func (c *busyOnce) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	if err := c.answerBusy("SubmitPreview"); err != nil {
		return nil, err
	}
	return c.Client.SubmitPreview(ctx, productID)
}

func (c *busyOnce) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	if err := c.answerBusy("GoLive"); err != nil {
		return nil, err
	}
	return c.Client.GoLive(ctx, productID, previewSubmissionID)
}

// A busy product is asked again after one job poll interval, not with the
// workqueue's backoff, and leaves no mark: nothing was sent.
func TestABusyProductIsAskedAgainAfterTheJobPollInterval(t *testing.T) {
	g := NewWithT(t)
	f := &busyOnce{Client: fake.New(), busy: map[string]bool{}}
	f.PollInterval = 7e9
	h := newOfferHarness(t, liveOffer(), f)
	var got *v1alpha1.MarketplaceOffer
	var busyAnswers int
	for i := 0; i < 30 && (got == nil || !isReady(got)); i++ {
		before := f.Calls["SubmitPreview"] + f.Calls["GoLive"]
		var res ctrl.Result
		res, got = h.reconcile(g)
		if f.Calls["SubmitPreview"]+f.Calls["GoLive"] > before && len(f.busy) > busyAnswers {
			busyAnswers = len(f.busy)
			g.Expect(res.RequeueAfter).To(Equal(f.PollInterval))
			g.Expect(got.Status.Operation).To(BeNil(), "a busy answer sent nothing: no mark is left")
			c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReconcilingCondition)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Message).To(ContainSubstring("busy"))
		}
	}
	g.Expect(isReady(got)).To(BeTrue(), "%+v", got.Status)
	g.Expect(busyAnswers).To(Equal(2))
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(2))
	g.Expect(f.Calls["GoLive"]).To(Equal(2))
}

// stopSaleFailsAfterTaken is the fake Partner Center whose first StopSale
// is taken (its job runs) and then fails on the wire, and whose product
// read still shows the product on sale: only the live submission's
// lifecycle state says the sale was stopped.
type stopSaleFailsAfterTaken struct {
	*fake.Client
	failed bool
}

func (c *stopSaleFailsAfterTaken) StopSale(ctx context.Context, productID, liveSubmissionID string) (*pc.Job, error) {
	job, err := c.Client.StopSale(ctx, productID, liveSubmissionID)
	if err != nil || c.failed {
		return job, err
	}
	c.failed = true
	_, _ = c.GetJob(ctx, job.ID)
	return nil, &pc.Error{Class: pc.ClassTransient, Op: "StopSale", StatusCode: 503}
}

func (c *stopSaleFailsAfterTaken) GetProduct(ctx context.Context, productID string) (*pc.Product, error) {
	p, err := c.Client.GetProduct(ctx, productID)
	if p != nil {
		p.State = pc.LifecycleGenerallyAvailable
	}
	return p, err
}

// A stop-sale that failed on the wire after Partner Center took it is not
// sent again: the submissions list read before it shows the live
// submission deprecated.
func TestAStopSaleFailedOnTheWireIsNotSentAgain(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := &stopSaleFailsAfterTaken{Client: fake.New()}
	offer := liveOffer()
	offer.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	h := newOfferHarness(t, offer, f)
	got := h.reconcileUntil(g, 30, isReady)
	g.Expect(h.r.Delete(ctx, got)).To(Succeed())
	for i := 0; i < 10; i++ {
		_, _ = h.r.Reconcile(ctx, ctrl.Request{NamespacedName: h.key})
		if h.r.Get(ctx, h.key, &v1alpha1.MarketplaceOffer{}) != nil {
			break
		}
	}
	g.Expect(h.r.Get(ctx, h.key, &v1alpha1.MarketplaceOffer{})).NotTo(Succeed(), "the object is gone")
	g.Expect(f.Calls["StopSale"]).To(Equal(1), "the stop-sale Partner Center took is not sent again")
}

// previewTakenAnswerLost is the fake Partner Center whose first
// SubmitPreview is taken, but whose answer is lost: the adapter reads the
// submissions list and answers with a Conflict saying the request took
// effect (partnercenter.TookEffect).
type previewTakenAnswerLost struct {
	*fake.Client
	failed bool
}

func (c *previewTakenAnswerLost) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	job, err := c.Client.SubmitPreview(ctx, productID)
	if err != nil || c.failed {
		return job, err
	}
	c.failed = true
	_, _ = c.GetJob(ctx, job.ID) // Partner Center runs it
	return nil, &pc.Error{Class: pc.ClassConflict, Op: "SubmitPreview", Applied: true,
		Message: "Partner Center took the request though its answer was lost"}
}

// A preview submission Partner Center took though its answer was lost is
// followed, not submitted again: unlike a busy product's Conflict, the
// pending preview mark stays. Before, every Conflict cleared the mark, and
// the chaos fault run (dropafter) made two preview jobs for some offers.
func TestAPreviewTakenThoughItsAnswerWasLostIsNotSubmittedAgain(t *testing.T) {
	g := NewWithT(t)
	f := &previewTakenAnswerLost{Client: fake.New()}
	h := newOfferHarness(t, liveOffer(), f)

	got := h.reconcileUntilReady(g, nil)
	g.Expect(f.failed).To(BeTrue())
	g.Expect(isReady(got)).To(BeTrue(), "%+v", got.Status)
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "the preview Partner Center took is followed, not sent again")
}

// previewLostThenListFails is previewTakenAnswerLost whose submissions
// list fails once when armed: in the reconcile after the lost answer, the
// read that looks for the preview Partner Center took.
type previewLostThenListFails struct {
	*previewTakenAnswerLost
	armed, listFailed bool
}

func (c *previewLostThenListFails) ListSubmissions(ctx context.Context, productID string) ([]pc.Submission, error) {
	if c.armed && !c.listFailed {
		c.listFailed = true
		return nil, &pc.Error{Class: pc.ClassTransient, Op: "ListSubmissions", StatusCode: 503}
	}
	return c.Client.ListSubmissions(ctx, productID)
}

// The pending preview mark stays until the read that looks for the
// preview succeeds. Before, the mark was cleared before that read, and a
// read that failed left a status without it, from which the next
// reconcile submitted a second preview (the chaos fault run: one of 500
// offers with two preview jobs).
func TestAPreviewMarkOutlivesAFailedReadOfTheSubmissions(t *testing.T) {
	g := NewWithT(t)
	f := &previewLostThenListFails{previewTakenAnswerLost: &previewTakenAnswerLost{Client: fake.New()}}
	h := newOfferHarness(t, liveOffer(), f)

	got := h.reconcileUntilReady(g, func() { f.armed = f.failed })
	g.Expect(f.listFailed).To(BeTrue(), "the read after the lost answer failed")
	g.Expect(isReady(got)).To(BeTrue(), "%+v", got.Status)
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "the preview Partner Center took is followed, not sent again")
}

// reconcileUntilReady reconciles as the workqueue would, errors included
// (a failed request is retried), until the offer is Ready, at most 20
// times, and returns the stored object; after runs after each reconcile.
func (h *offerHarness) reconcileUntilReady(g Gomega, after func()) *v1alpha1.MarketplaceOffer {
	var got *v1alpha1.MarketplaceOffer
	for i := 0; i < 20 && (got == nil || !isReady(got)); i++ {
		_, _ = h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
		if after != nil {
			after()
		}
		got = &v1alpha1.MarketplaceOffer{}
		g.Expect(h.r.Get(context.Background(), h.key, got)).To(Succeed())
	}
	return got
}

package offer

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// offerHarness is a MarketplaceOffer controller over a fake API client
// and the map-backed Partner Center fake: no API server, no HTTP.
type offerHarness struct {
	r   *testReconciler
	key types.NamespacedName
}

// testReconciler is the MarketplaceOffer controller with its reconciler
// at hand: tests read and set the reconciler's dependencies and state.
type testReconciler struct {
	*MarketplaceOfferReconciler
	c *reconcile.Controller[*v1alpha1.MarketplaceOffer]
}

// newTestReconciler is a fresh controller, with nothing in memory.
func newTestReconciler(deps reconcile.Dependencies) *testReconciler {
	c := NewController(deps)
	return &testReconciler{MarketplaceOfferReconciler: c.Kind.(*MarketplaceOfferReconciler), c: c}
}

// Reconcile runs one reconcile through the controller.
func (r *testReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.c.Reconcile(ctx, req)
}

func newOfferHarness(t *testing.T, offer *v1alpha1.MarketplaceOffer, f pc.Client, others ...client.Object) *offerHarness {
	t.Helper()
	r := newTestReconciler(ctrltest.Deps(ctrltest.FakeClient(NewWithT(t), append(others, offer)...), f))
	return &offerHarness{r: r, key: client.ObjectKeyFromObject(offer)}
}

// reconcile runs one reconcile and returns the object as stored.
func (h *offerHarness) reconcile(g Gomega) (ctrl.Result, *v1alpha1.MarketplaceOffer) {
	return ctrltest.ReconcileOnce(g, h.r.c, h.key)
}

// A create-pending mark with no create job recorded is a create whose
// answer was lost with the process (killed between the call and the
// status write): the product found with the offer ID is taken as this
// object's, and nothing is created again. A mark whose recorded job
// failed goes through adoption instead (the next test).
func TestCreateMarkWithoutARecordedJobTakesTheProductItsLostCreateMade(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	existing := ctrltest.MakeProduct(g, f, "contoso-analytics", "SoftwareAsAService")
	offer := ctrltest.DraftOffer()
	offer.Status.CreatePending = &v1alpha1.CreatePending{OfferID: offer.Spec.OfferID, Since: metav1.Now()}
	h := newOfferHarness(t, offer, f)

	_, got := h.reconcile(g)
	g.Expect(got.Status.ProductID).To(Equal(existing.ID))
	g.Expect(got.Status.CreatePending).To(BeNil(), "the mark is resolved")
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())
	g.Expect(f.Products()).To(Equal(map[string]int{"contoso-analytics": 1}))
}

// An offer whose first reconcile finds the product a Solution migrated
// into it (the migration ran while the offer waited in the queue) takes
// it without reading its submissions: a product the migration just made
// was never published, so no sale can have been stopped. An offer that
// finds a product it did not make (adopted) still reads them.
func TestOfferFindingItsMigratedProductReadsNoSubmissions(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics", Name: "Contoso Analytics",
		Summary: "Real-time analytics for retail."})
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetLive
	legacy, err := f.MigrateSolution(ctx, pc.MigrateRequest{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics",
		OfferID: offer.Spec.OfferID, OfferType: string(offer.Spec.OfferType), PublisherID: offer.Spec.PublisherID})
	g.Expect(err).NotTo(HaveOccurred())
	sol := &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ocp-contoso-analytics", Generation: 1},
		Spec: v1alpha1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1alpha1.ActionMigrate,
			Migrate: &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: offer.Name}}},
		Status: v1alpha1.SolutionStatus{ObservedGeneration: 1, State: v1alpha1.StateMigrated, ProductID: legacy.ProductID},
	}
	h := newOfferHarness(t, offer, f, sol)

	_, got := h.reconcile(g)
	g.Expect(got.Status.ProductID).To(Equal(legacy.ProductID))
	g.Expect(f.Calls["ListSubmissions"]).To(BeZero(), "no submissions read for the product the migration just made")
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil())

	// An adopted product (a sale may have been stopped) is read.
	f = fake.New()
	job, err := f.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso-analytics", OfferType: "SoftwareAsAService", Name: "Contoso Analytics"})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	adopted := ctrltest.DraftOffer()
	adopted.Spec.Target = v1alpha1.TargetLive
	adopted.Spec.CoSell = nil
	adopted.Annotations = map[string]string{v1alpha1.AdoptAnnotation: "true"}
	h = newOfferHarness(t, adopted, f)
	h.reconcile(g)
	g.Expect(f.Calls["ListSubmissions"]).To(BeNumerically(">=", 1), "an adopted product's submissions are read")
}

// An offer ID taken by an offer of another type stalls with what to do.
// (Partner Center's product resource names no publisher.)
func TestEnsureProductStallsOnAnOfferIDOfAnotherType(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	job, err := f.CreateProduct(context.Background(), pc.ProductSpec{OfferID: "contoso-analytics",
		OfferType: "AzureContainer"})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(context.Background(), job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	h := newOfferHarness(t, ctrltest.DraftOffer(), f)

	_, got := h.reconcile(g)
	stalled := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)
	g.Expect(stalled).NotTo(BeNil())
	g.Expect(stalled.Message).To(ContainSubstring("AzureContainer offer"))
	g.Expect(stalled.Message).To(ContainSubstring("spec.offerID"))
	g.Expect(got.Status.ProductID).To(BeEmpty())
}

// The draft is written once; reconciling an unchanged offer again writes
// nothing to Partner Center and no status.
func TestSyncDraftWritesOnlyWhatChanged(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	h := newOfferHarness(t, ctrltest.DraftOffer(), f)

	var got *v1alpha1.MarketplaceOffer
	g.Eventually(func(g Gomega) {
		_, got = h.reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	}).Should(Succeed())
	g.Expect(f.Calls["ConfigureDraft"]).To(Equal(1))

	before := got.ResourceVersion
	calls := len(f.Calls)
	res, again := h.reconcile(g)
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", 30*time.Minute), "only the resync's timer (drift.go)")
	g.Expect(again.ResourceVersion).To(Equal(before), "no status write without a change")
	g.Expect(f.Calls["ConfigureDraft"]).To(Equal(1))
	g.Expect(len(f.Calls)).To(Equal(calls), "no new kind of Partner Center call")
}

// Partner Center's jobs are recorded in status and read again after the
// poll interval; no reconcile waits for one.
func TestJobsAreRecordedNotAwaited(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	f.JobReads = 2
	f.PollInterval = 42 * time.Second
	h := newOfferHarness(t, ctrltest.DraftOffer(), f)

	res, got := h.reconcile(g)
	g.Expect(got.Status.Operation).NotTo(BeNil())
	g.Expect(got.Status.Operation.Purpose).To(Equal(jobCreate))
	g.Expect(got.Status.ProductID).To(BeEmpty())
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", 42*time.Second), "requeued after the poll interval")

	res, got = h.reconcile(g) // first read: still running
	g.Expect(got.Status.Operation.Purpose).To(Equal(jobCreate))
	g.Expect(res.RequeueAfter).To(BeNumerically(">=", 42*time.Second))
	g.Expect(f.Calls["GetJob"]).To(Equal(1))

	_, got = h.reconcile(g) // second read: done; the job detail names the product
	g.Expect(got.Status.ProductID).NotTo(BeEmpty())
	g.Expect(got.Status.Operation).NotTo(BeNil())
	g.Expect(got.Status.Operation.Purpose).To(Equal(jobDraft), "the draft job follows in the same reconcile")
	g.Expect(f.Calls["CreateProduct"]).To(Equal(1))
	g.Expect(f.Calls["GetJobDetail"]).To(Equal(1))

	g.Eventually(func(g Gomega) {
		_, got = h.reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	}).Should(Succeed())
	g.Expect(got.Status.Operation).To(BeNil())
	g.Expect(f.Calls["ConfigureDraft"]).To(Equal(1))
}

// A crash between submitting the draft for certification and recording
// the submission leaves the draft job in status: the next reconcile finds
// the submission in Partner Center and follows it instead of submitting
// the same draft again.
func TestCertifyFollowsASubmissionMadeBeforeACrash(t *testing.T) {
	g := NewWithT(t)
	f := fake.New()
	f.JobReads = 1
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetPreview
	h := newOfferHarness(t, offer, f)

	var beforeCrash *v1alpha1.MarketplaceOffer
	g.Eventually(func(g Gomega) {
		_, beforeCrash = h.reconcile(g)
		g.Expect(beforeCrash.Status.Operation).NotTo(BeNil())
		g.Expect(beforeCrash.Status.Operation.Purpose).To(Equal(jobDraft))
	}).Should(Succeed())
	_, got := h.reconcile(g) // the draft job completed: submitted
	g.Expect(got.Status.Operation.Purpose).To(Equal(jobPreview))
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1))

	// Partner Center runs the job (the fake applies a job once it is
	// read), and the status write of that reconcile is lost.
	jobID := got.Status.Operation.ID
	_, err := f.GetJob(context.Background(), jobID)
	g.Expect(err).NotTo(HaveOccurred())
	got.Status = beforeCrash.Status
	g.Expect(h.r.Status().Update(context.Background(), got)).To(Succeed())

	g.Eventually(func(g Gomega) {
		_, got = h.reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	}).Should(Succeed())
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "the submission made before the crash is followed")
	g.Expect(got.Status.PreviewSubmission).NotTo(BeNil())
	g.Expect(got.Status.PreviewSubmission.ID).NotTo(BeEmpty())
}

// crashAfterSubmit is the fake Partner Center, whose SubmitPreview runs the
// job at once (as the published API applies a configure request) and then
// calls crash: what is stored at that moment is all a process SIGKILLed
// right after the submission leaves behind.
type crashAfterSubmit struct {
	*fake.Client
	crash func()
}

func (c *crashAfterSubmit) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	job, err := c.Client.SubmitPreview(ctx, productID)
	if err == nil {
		_, err = c.GetJob(ctx, job.ID)
	}
	if c.crash != nil {
		c.crash()
	}
	return job, err
}

// A migrated or adopted draft that already matches the spec is submitted
// with no draft job before it (none recorded in status). A crash between
// that submission and the status write at the end of the reconcile used to
// leave nothing in status to look for it with, and the next reconcile
// submitted the same draft again (chaos test: two preview submissions of a
// migrated offer, both published). The submission is now marked pending
// in status before it is made, and the mark is followed.
func TestCertifyFollowsASubmissionMadeBeforeACrashWithoutADraftJob(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetPreview
	offer.Annotations = map[string]string{v1alpha1.AdoptAnnotation: "true"}
	// The product and its draft exist, as a migration leaves them.
	job, err := f.CreateProduct(ctx, pc.ProductSpec{OfferID: offer.Spec.OfferID, OfferType: string(offer.Spec.OfferType)})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	product, err := f.FindProduct(ctx, offer.Spec.OfferID)
	g.Expect(err).NotTo(HaveOccurred())
	job, err = f.ConfigureDraft(ctx, product.ID, string(offer.Spec.OfferType), draftFromSpec(&offer.Spec))
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.GetJob(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())

	c := &crashAfterSubmit{Client: f}
	h := newOfferHarness(t, offer, c)
	var stored *v1alpha1.MarketplaceOffer
	c.crash = func() {
		stored = &v1alpha1.MarketplaceOffer{}
		g.Expect(h.r.Get(ctx, h.key, stored)).To(Succeed())
	}

	_, got := h.reconcile(g)
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1))
	g.Expect(f.Calls["ConfigureDraft"]).To(Equal(1), "the draft found is not written again")
	g.Expect(got.Status.Operation).NotTo(BeNil())
	g.Expect(got.Status.Operation.Purpose).To(Equal(jobPreview))

	// The process dies right after the submission: its status write is lost.
	c.crash = nil
	got.Status = stored.Status
	g.Expect(h.r.Status().Update(ctx, got)).To(Succeed())

	// Reconcile as the requeues would, a bounded number of times.
	for i := 0; i < 10 && !meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition); i++ {
		_, got = h.reconcile(g)
	}
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "the submission made before the crash is followed")
	g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	g.Expect(got.Status.PreviewSubmission).NotTo(BeNil())
	g.Expect(got.Status.PreviewSubmission.ID).NotTo(BeEmpty())
	g.Expect(got.Status.Operation).To(BeNil())
}

// lostWrites is the fake Partner Center whose submission jobs run at once
// (as the published API applies a configure request), and which keeps what
// was stored when the preview was submitted: a process that published
// that preview live before any of its later status writes landed leaves
// only that behind.
type lostWrites struct {
	*fake.Client
	h              *offerHarness
	storedAtSubmit *v1alpha1.MarketplaceOffer
}

func (c *lostWrites) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	job, err := c.Client.SubmitPreview(ctx, productID)
	if err != nil {
		return nil, err
	}
	c.storedAtSubmit = &v1alpha1.MarketplaceOffer{}
	if err := c.h.r.Get(ctx, c.h.key, c.storedAtSubmit); err != nil {
		return nil, err
	}
	_, err = c.GetJob(ctx, job.ID)
	return job, err
}

func (c *lostWrites) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	job, err := c.Client.GoLive(ctx, productID, previewSubmissionID)
	if err != nil {
		return nil, err
	}
	_, err = c.GetJob(ctx, job.ID)
	return job, err
}

// Partner Center publishes a preview live by changing the target of the
// same submission: it is then listed as the live one. A process stopped
// after submitting the preview, following it and publishing it live,
// before any status write recorded it, left the status of before the
// submission; the next reconcile looked only for a preview submission,
// found none, and submitted the same draft again (chaos test: two preview
// submissions, both live). It now follows the submission whatever its
// target.
func TestCertifyFollowsASubmissionPublishedBeforeACrash(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetLive
	c := &lostWrites{Client: f}
	h := newOfferHarness(t, offer, c)
	c.h = h

	var got *v1alpha1.MarketplaceOffer
	for i := 0; i < 20 && f.Calls["GoLive"] == 0; i++ {
		_, got = h.reconcile(g)
	}
	g.Expect(f.Calls["GoLive"]).To(Equal(1))
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1))

	// Every status write since the submission is lost.
	got.Status = c.storedAtSubmit.Status
	g.Expect(h.r.Status().Update(ctx, got)).To(Succeed())

	for i := 0; i < 10 && !meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition); i++ {
		_, got = h.reconcile(g)
	}
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "the submission made and published before the crash is followed")
	g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	g.Expect(got.Status.LiveSubmission).NotTo(BeNil())
	g.Expect(got.Status.LiveSubmission.ID).To(Equal(got.Status.PreviewSubmission.ID))
}

// An offer's way from nothing to live writes its status once per thing it
// must remember before it waits or acts: the create it is about to make
// (ownership), each Partner Center job it started (create, draft, preview,
// live), the preview submission it is about to make (the pending mark,
// under the object's resource version), and the end.
func TestOfferStatusWritesFromNothingToLive(t *testing.T) {
	g := NewWithT(t)
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetLive
	h := newOfferHarness(t, offer, fake.New())
	var writes []string
	record := func(obj client.Object) {
		o := obj.(*v1alpha1.MarketplaceOffer)
		switch {
		case meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition):
			writes = append(writes, "ready")
		case o.Status.Operation != nil:
			writes = append(writes, words(o.Status.Operation.Purpose)+"/")
		case o.Status.CreatePending != nil:
			writes = append(writes, "create pending")
		default:
			writes = append(writes, "other")
		}
	}
	h.r.Client = interceptor.NewClient(h.r.Client.(client.WithWatch), interceptor.Funcs{
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			record(obj)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			record(obj)
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	})
	for i := 0; i < 20 && (len(writes) == 0 || writes[len(writes)-1] != "ready"); i++ {
		h.reconcile(g)
	}
	g.Expect(writes).To(Equal([]string{"create pending", "create/", "draft/", "preview/", "preview/", "live/", "ready"}))
}

// throttled is the fake Partner Center whose first times FindProduct calls
// are answered 429 with a Retry-After the adapter deferred to the caller.
type throttled struct {
	*fake.Client
	times int
}

func (c *throttled) FindProduct(ctx context.Context, offerID string) (*pc.Product, error) {
	if c.times > 0 {
		c.times--
		return nil, &pc.Error{Class: pc.ClassTransient, Op: "FindProduct", StatusCode: 429, RetryAfter: 3 * time.Second, Deferred: true}
	}
	return c.Client.FindProduct(ctx, offerID)
}

// A call whose Retry-After the adapter left to the caller requeues the
// offer after it, without an error (no backoff) and without reporting a
// Partner Center error in its conditions; the next reconcile goes on.
func TestDeferredRetryRequeuesAfterRetryAfterQuietly(t *testing.T) {
	g := NewWithT(t)
	f := &throttled{Client: fake.New(), times: 1}
	h := newOfferHarness(t, ctrltest.DraftOffer(), f)

	res, got := h.reconcile(g)
	g.Expect(res.RequeueAfter).To(Equal(3 * time.Second))
	g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonProgressing), "no PartnerCenterError reported")
	g.Expect(f.Calls["CreateProduct"]).To(BeZero())

	_, got = h.reconcile(g)
	g.Expect(f.Calls["CreateProduct"]).To(Equal(1))
	g.Expect(got.Status.Operation).NotTo(BeNil())
}

// failsAfterSubmit is the fake Partner Center whose first SubmitPreview
// makes the submission and then fails on the wire (a 5xx or a dropped
// connection after Partner Center took the request).
type failsAfterSubmit struct {
	*fake.Client
	failed bool
}

func (c *failsAfterSubmit) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	job, err := c.Client.SubmitPreview(ctx, productID)
	if err != nil || c.failed {
		return job, err
	}
	c.failed = true
	_, _ = c.GetJob(ctx, job.ID) // Partner Center runs it
	return nil, &pc.Error{Class: pc.ClassTransient, Op: "SubmitPreview", StatusCode: 503}
}

// A preview submission that fails on the wire after Partner Center took
// it leaves its pending mark in status, so that the next reconcile finds
// the submission Partner Center made rather than submitting the same draft
// again.
func TestPreviewSubmissionFailedOnTheWireIsFoundNotMadeAgain(t *testing.T) {
	g := NewWithT(t)
	f := &failsAfterSubmit{Client: fake.New()}
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetPreview
	h := newOfferHarness(t, offer, f)

	var failed bool
	for i := 0; i < 20; i++ {
		_, err := h.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: h.key})
		got := &v1alpha1.MarketplaceOffer{}
		g.Expect(h.r.Get(context.Background(), h.key, got)).To(Succeed())
		if err != nil && !failed {
			failed = true
			g.Expect(got.Status.Operation).NotTo(BeNil(), "the status written with the error marks the submission")
			g.Expect(got.Status.Operation.Purpose).To(Equal(jobPreview))
			g.Expect(got.Status.Operation.ID).To(BeEmpty(), "marked pending, not started")
		}
		if meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition) {
			break
		}
	}
	g.Expect(failed).To(BeTrue())
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "the submission made before the failure is followed, not made again")
}

// A Partner Center that keeps deferring shows in the conditions after
// pc.QuietDeferrals reconciles in a row, and is still retried when it asks.
func TestDeferredRetriesInARowAreReported(t *testing.T) {
	g := NewWithT(t)
	f := &throttled{Client: fake.New(), times: pc.QuietDeferrals + 1}
	h := newOfferHarness(t, ctrltest.DraftOffer(), f)
	for range pc.QuietDeferrals {
		res, got := h.reconcile(g)
		g.Expect(res.RequeueAfter).To(Equal(3 * time.Second))
		g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonProgressing))
	}
	res, got := h.reconcile(g)
	g.Expect(res.RequeueAfter).To(Equal(3*time.Second), "still tried again when Partner Center asked")
	g.Expect(reconcile.ReadyReason(got.Status.Conditions)).To(Equal(v1alpha1.ReasonPartnerCenterError))
	g.Expect(meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ReadyCondition).Message).To(ContainSubstring("429"))

	_, got = h.reconcile(g)
	g.Expect(got.Status.Operation).NotTo(BeNil(), "the next call goes through")
	g.Expect(reconcile.ReadyReason(got.Status.Conditions)).NotTo(Equal(v1alpha1.ReasonPartnerCenterError))
}

// detailFailsOnce is the fake Partner Center whose first GetJobDetail
// after a preview submission fails, as a read under faults does.
type detailFailsOnce struct {
	*fake.Client
	submitted, failed bool
}

func (c *detailFailsOnce) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	c.submitted = true
	return c.Client.SubmitPreview(ctx, productID)
}

func (c *detailFailsOnce) GetJobDetail(ctx context.Context, jobID string) (*pc.JobDetail, error) {
	if c.submitted && !c.failed {
		c.failed = true
		return nil, &pc.Error{Class: pc.ClassTransient, Op: "GetJobDetail", StatusCode: 503, RetryAfter: time.Second, Deferred: true}
	}
	return c.Client.GetJobDetail(ctx, jobID)
}

// A read that fails after the preview submission's job finished keeps the
// job recorded, so the next reconcile reads it again instead of
// submitting the same draft a second time.
func TestFailedReadAfterASubmissionJobKeepsTheJob(t *testing.T) {
	g := NewWithT(t)
	f := &detailFailsOnce{Client: fake.New()}
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetPreview
	h := newOfferHarness(t, offer, f)
	got := h.reconcileUntil(g, 20, func(o *v1alpha1.MarketplaceOffer) bool {
		return meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.ReadyCondition)
	})
	g.Expect(f.failed).To(BeTrue())
	g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "submitted once")
}

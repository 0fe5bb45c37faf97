package controllers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// ensureProduct finds the product by offer ID, adopts it, or creates it.
// Looking up before creating means a crash between create and the status
// write never makes a second product. While a Solution is migrating into
// this offer, it waits for the migrated draft instead of creating one.
//
// It reports whether it created the product, whose draft is then known empty.
func (r *MarketplaceOfferReconciler) ensureProduct(ctx context.Context, offer *v1.MarketplaceOffer) (bool, error) {
	if offer.Status.ProductID != "" {
		return false, nil
	}
	created := false
	spec := &offer.Spec
	// A Solution still migrating into the offer makes (or adopts) the
	// product, and observeSolutions would wait for it anyway: wait without
	// asking Partner Center (the cache answers; the migration wakes the offer).
	sol, err := r.migratingSolution(ctx, offer)
	if err != nil {
		return false, err
	}
	if sol != nil && !sol.Spec.Suspend {
		return false, waitForMigration(sol)
	}
	product, err := r.PartnerCenter.FindProduct(ctx, spec.OfferID)
	if partnercenter.IsNotFound(err) {
		if sol != nil {
			return false, waitForMigration(sol)
		}
		product, err = r.PartnerCenter.CreateProduct(ctx, partnercenter.ProductSpec{
			OfferID: spec.OfferID, OfferType: string(spec.OfferType), PublisherID: spec.PublisherID, Name: spec.Listing.Title,
		})
		created = err == nil
		if partnercenter.IsConflict(err) {
			product, err = r.PartnerCenter.FindProduct(ctx, spec.OfferID)
		}
	}
	if err != nil {
		return false, pcError(err)
	}
	if product.OfferType != string(spec.OfferType) || product.PublisherID != spec.PublisherID {
		return false, stalled(v1.ReasonPartnerCenterRejected,
			"offer ID %s already belongs to a %s offer of publisher %s in Partner Center; choose another spec.offerID",
			spec.OfferID, product.OfferType, product.PublisherID)
	}
	offer.Status.ProductID = product.ID
	offer.Status.MigratedFrom = product.MigratedFrom
	return created, nil
}

func waitForMigration(sol *v1.Solution) error {
	return waiting(0, v1.ReasonWaitingForMigration,
		"waiting for Solution %s to migrate legacy solution %s into this offer; the operator then adopts the migrated draft",
		sol.Name, sol.Spec.SolutionID)
}

// observeSolutions follows the Solutions that reference the offer, through
// the field indexes (no Partner Center call). A Solution still migrating
// into a never-submitted offer holds it: the migration fills the draft, and
// submitting first would refuse the migration. A finished migration is
// recorded, and the draft is read again, since the migration rewrote it.
// Merged solutions are listed in status.
func (r *MarketplaceOfferReconciler) observeSolutions(ctx context.Context, offer *v1.MarketplaceOffer) error {
	st := &offer.Status
	var migrating v1.SolutionList
	if err := r.List(ctx, &migrating, client.InNamespace(offer.Namespace), client.MatchingFields{migrateOfferIndex: offer.Name}); err != nil {
		return err
	}
	for i := range migrating.Items {
		s := &migrating.Items[i]
		switch {
		case s.Status.State == v1.StateMigrated && st.MigratedFrom != s.Spec.SolutionID && s.Status.ProductID == st.ProductID:
			st.MigratedFrom = s.Spec.SolutionID
			if st.PreviewSubmission == nil {
				st.DraftDigest = ""
			}
		case s.Status.State != v1.StateMigrated && st.PreviewSubmission == nil && !s.Spec.Suspend:
			return waitForMigration(s)
		}
	}
	return r.listMergedSolutions(ctx, offer)
}

// migratingSolution returns a Solution that is migrating into the offer
// and has not finished, found through the migrate-offer field index.
func (r *MarketplaceOfferReconciler) migratingSolution(ctx context.Context, offer *v1.MarketplaceOffer) (*v1.Solution, error) {
	var sols v1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(offer.Namespace), client.MatchingFields{migrateOfferIndex: offer.Name}); err != nil {
		return nil, err
	}
	for i := range sols.Items {
		if s := &sols.Items[i]; s.Status.State != v1.StateMigrated {
			return s, nil
		}
	}
	return nil, nil
}

// syncDraft writes the draft resources (listing, plans, co-sell, resell)
// when they differ from what was last written, and waits for the job.
func (r *MarketplaceOfferReconciler) syncDraft(ctx context.Context, offer *v1.MarketplaceOffer, created bool) error {
	st, gen := &offer.Status, offer.Generation
	desired := draftFromSpec(&offer.Spec)
	digest := draftDigest(desired)

	if job := st.ConfigureJob; job != nil {
		got, err := r.PartnerCenter.GetJob(ctx, job.ID)
		if err != nil && !partnercenter.IsNotFound(err) {
			return pcError(err)
		}
		if err == nil && !got.Done() {
			return waiting(pollAfter(r.since(job.StartedAt), r.Options.MinPoll, r.Options.MaxPoll), v1.ReasonSyncingDraft,
				"Partner Center is writing the draft (job %s)", job.ID)
		}
		st.ConfigureJob = nil
		if err != nil { // the job is gone: write the draft again
			st.DraftDigest = ""
		} else if got.Result != partnercenter.JobSucceeded {
			msg := "Partner Center refused the draft: " + feedbackMessage(got.Errors) + "; fix the spec and the operator writes it again"
			setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, false, v1.ReasonDraftRejected, "%s", msg)
			return stalled(v1.ReasonDraftRejected, "%s", msg)
		}
	}

	if st.DraftDigest == digest {
		if c := meta.FindStatusCondition(st.Conditions, v1.DraftSyncedCondition); c != nil && c.Reason == v1.ReasonDraftRejected {
			return stalled(v1.ReasonDraftRejected, "%s", c.Message)
		}
		setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, true, v1.ReasonSucceeded, "draft of generation %d written to Partner Center", gen)
		return nil
	}

	// A draft this operator never wrote (adopted or migrated) is read once,
	// so that an identical one is not written again.
	if st.DraftDigest == "" && st.PreviewSubmission == nil && !created {
		current, err := r.PartnerCenter.GetDraft(ctx, st.ProductID)
		if err != nil {
			return pcError(err)
		}
		if draftDigest(normalizeDraft(*current)) == digest {
			st.DraftDigest = digest
			setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, true, v1.ReasonSucceeded, "draft of generation %d is in Partner Center", gen)
			return nil
		}
	}

	job, err := r.PartnerCenter.ConfigureDraft(ctx, st.ProductID, desired)
	if err != nil {
		return pcError(err)
	}
	st.DraftDigest = digest
	if job.Done() && job.Result == partnercenter.JobSucceeded {
		setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, true, v1.ReasonSucceeded, "draft of generation %d written to Partner Center", gen)
		return nil
	}
	now := metav1.NewTime(r.Clock.Now())
	st.ConfigureJob = &v1.JobRef{ID: job.ID, StartedAt: &now}
	setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, false, v1.ReasonSyncingDraft, "writing the draft of generation %d (job %s)", gen, job.ID)
	return waiting(r.Options.MinPoll, v1.ReasonSyncingDraft, "Partner Center is writing the draft (job %s)", job.ID)
}

// certify submits the draft to preview when it differs from what was last
// submitted, then tracks certification. The submission is recorded in
// status, so a restart resumes tracking it instead of submitting again.
func (r *MarketplaceOfferReconciler) certify(ctx context.Context, offer *v1.MarketplaceOffer) error {
	st, gen := &offer.Status, offer.Generation
	ps := st.PreviewSubmission
	// fresh is the submission as submit just read it: no second read.
	var fresh *partnercenter.Submission
	if ps == nil || ps.DraftDigest != st.DraftDigest {
		sub, err := r.submit(ctx, st.ProductID, partnercenter.TargetPreview, ps, func() (*partnercenter.Submission, error) {
			return r.PartnerCenter.SubmitPreview(ctx, st.ProductID)
		})
		if err != nil {
			return err
		}
		now := metav1.NewTime(r.Clock.Now())
		ps = &v1.SubmissionRef{ID: sub.ID, Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: &now, Result: v1.SubmissionInProgress}
		st.PreviewSubmission = ps
		st.Certification = &v1.Certification{Result: v1.CertificationInProgress, Generation: gen}
		st.PreviewURLs = nil
		setCondition(&st.Conditions, gen, v1.CertifiedCondition, false, v1.ReasonCertifying,
			"generation %d submitted for certification (submission %s)", gen, sub.ID)
		fresh = sub
	}

	switch ps.Result {
	case v1.SubmissionSucceeded:
		return nil
	case v1.SubmissionFailed:
		return stalled(v1.ReasonCertificationFailed, "%s", certificationFailedMessage(ps.Generation, st.Certification))
	}

	sub, err := r.readSubmission(ctx, st.ProductID, ps.ID, fresh)
	if err != nil {
		return pcError(err)
	}
	switch {
	case sub.Status != partnercenter.SubmissionCompleted:
		return waiting(pollAfter(r.since(ps.SubmittedAt), r.Options.MinPoll, r.Options.MaxPoll), v1.ReasonCertifying,
			"generation %d is in certification (submission %s)", ps.Generation, ps.ID)
	case sub.Result == partnercenter.SubmissionSucceeded:
		ps.Result = v1.SubmissionSucceeded
		st.Certification = &v1.Certification{Result: v1.CertificationPassed, Generation: ps.Generation}
		st.PreviewURLs = firstN(sub.PreviewURLs, 8)
		setCondition(&st.Conditions, gen, v1.CertifiedCondition, true, v1.ReasonSucceeded,
			"generation %d passed certification; preview: %v", ps.Generation, st.PreviewURLs)
		return nil
	default:
		ps.Result = v1.SubmissionFailed
		st.Certification = &v1.Certification{Result: v1.CertificationFailed, Generation: ps.Generation, Feedback: feedbackToAPI(sub.Feedback)}
		msg := certificationFailedMessage(ps.Generation, st.Certification)
		setCondition(&st.Conditions, gen, v1.CertifiedCondition, false, v1.ReasonCertificationFailed, "%s", msg)
		return stalled(v1.ReasonCertificationFailed, "%s", msg)
	}
}

func certificationFailedMessage(gen int64, c *v1.Certification) string {
	items := []partnercenter.FeedbackItem{}
	if c != nil {
		for _, f := range c.Feedback {
			items = append(items, partnercenter.FeedbackItem{Code: f.Code, Resource: f.Resource, Message: f.Message})
		}
	}
	return fmt.Sprintf("generation %d failed certification: %s. Fix the spec and the operator publishes again",
		gen, feedbackMessage(items))
}

// goLive publishes the certified preview live and reports the live URL and
// co-sell level. While an update is certified or going live, the version
// already live stays live and Live stays True.
func (r *MarketplaceOfferReconciler) goLive(ctx context.Context, offer *v1.MarketplaceOffer) error {
	st, gen := &offer.Status, offer.Generation
	ps, ls := st.PreviewSubmission, st.LiveSubmission
	var fresh *partnercenter.Submission
	if ls == nil || ls.DraftDigest != ps.DraftDigest {
		sub, err := r.submit(ctx, st.ProductID, partnercenter.TargetLive, ls, func() (*partnercenter.Submission, error) {
			return r.PartnerCenter.GoLive(ctx, st.ProductID, ps.ID)
		})
		if err != nil {
			return err
		}
		now := metav1.NewTime(r.Clock.Now())
		ls = &v1.SubmissionRef{ID: sub.ID, Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: &now, Result: v1.SubmissionInProgress}
		st.LiveSubmission = ls
		if !meta.IsStatusConditionTrue(st.Conditions, v1.LiveCondition) {
			setCondition(&st.Conditions, gen, v1.LiveCondition, false, v1.ReasonGoingLive, "generation %d is going live", ls.Generation)
		}
		fresh = sub
	}
	switch ls.Result {
	case v1.SubmissionSucceeded:
		return nil
	case v1.SubmissionFailed:
		return stalled(v1.ReasonPartnerCenterRejected, "going live with generation %d failed; change the spec to publish again", ls.Generation)
	}

	sub, err := r.readSubmission(ctx, st.ProductID, ls.ID, fresh)
	if err != nil {
		return pcError(err)
	}
	switch {
	case sub.Status != partnercenter.SubmissionCompleted:
		return waiting(pollAfter(r.since(ls.SubmittedAt), r.Options.MinPoll, r.Options.MaxPoll), v1.ReasonGoingLive,
			"generation %d is going live (submission %s)", ls.Generation, ls.ID)
	case sub.Result != partnercenter.SubmissionSucceeded:
		ls.Result = v1.SubmissionFailed
		msg := fmt.Sprintf("going live with generation %d failed: %s; change the spec to publish again", ls.Generation, feedbackMessage(sub.Feedback))
		return stalled(v1.ReasonPartnerCenterRejected, "%s", msg)
	}
	product, err := r.PartnerCenter.GetProduct(ctx, st.ProductID)
	if err != nil {
		return pcError(err)
	}
	ls.Result = v1.SubmissionSucceeded
	st.LiveURL = sub.LiveURL
	if st.LiveURL == "" {
		st.LiveURL = product.LiveURL
	}
	st.LiveGeneration = ls.Generation
	if st.LiveSince == nil {
		now := metav1.NewTime(r.Clock.Now())
		st.LiveSince = &now
	}
	setCondition(&st.Conditions, gen, v1.LiveCondition, true, v1.ReasonSucceeded, "generation %d is live at %s", ls.Generation, st.LiveURL)
	setCoSell(st, gen, product.CoSellLevel)
	return nil
}

// setCoSell records the co-sell level Partner Center grants the live offer.
func setCoSell(st *v1.MarketplaceOfferStatus, gen int64, level partnercenter.CoSellLevel) {
	switch level {
	case partnercenter.CoSellIncentiveEligible:
		st.CoSellLevel = v1.CoSellIncentiveEligible
		setCondition(&st.Conditions, gen, v1.CoSellReadyCondition, true, v1.ReasonCoSellIncentiveEligible,
			"the offer is co-sell ready and incentive eligible")
	case partnercenter.CoSellReady:
		st.CoSellLevel = v1.CoSellReady
		setCondition(&st.Conditions, gen, v1.CoSellReadyCondition, true, v1.ReasonCoSellReady,
			"the offer is co-sell ready; add a reference architecture and a revenue or technical validation to become incentive eligible")
	default:
		st.CoSellLevel = v1.CoSellNotReady
		setCondition(&st.Conditions, gen, v1.CoSellReadyCondition, false, v1.ReasonCoSellNotReady,
			"not co-sell ready: spec.coSell needs a SolutionOnePager and PitchDeck document, a contact, 1-5 solution areas and a landing page")
	}
}

// submit makes a submission. When Partner Center answers that one is in
// progress or that nothing changed, it adopts the newest submission of that
// target unless it is the one already tracked and still running, in which
// case it waits for it to finish first.
func (r *MarketplaceOfferReconciler) submit(ctx context.Context, productID string, target partnercenter.SubmissionTarget,
	tracked *v1.SubmissionRef, call func() (*partnercenter.Submission, error)) (*partnercenter.Submission, error) {
	sub, err := call()
	if err == nil {
		return sub, nil
	}
	if !partnercenter.IsConflict(err) {
		return nil, pcError(err)
	}
	subs, lerr := r.PartnerCenter.ListSubmissions(ctx, productID)
	if lerr != nil {
		return nil, pcError(lerr)
	}
	for i := range subs {
		s := &subs[i]
		if s.Target != target {
			continue
		}
		if tracked != nil && s.ID == tracked.ID && s.Status != partnercenter.SubmissionCompleted {
			reason := v1.ReasonCertifying
			if target == partnercenter.TargetLive {
				reason = v1.ReasonGoingLive
			}
			return nil, waiting(pollAfter(r.since(tracked.SubmittedAt), r.Options.MinPoll, r.Options.MaxPoll), reason,
				"submission %s of generation %d is still in progress; the new generation is submitted after it", s.ID, tracked.Generation)
		}
		if tracked != nil && s.ID == tracked.ID && partnercenter.CodeOf(err) != partnercenter.CodeNoChanges {
			break
		}
		return s, nil
	}
	return nil, pcError(err)
}

// listMergedSolutions reports the legacy solutions merged into the offer.
func (r *MarketplaceOfferReconciler) listMergedSolutions(ctx context.Context, offer *v1.MarketplaceOffer) error {
	var sols v1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(offer.Namespace), client.MatchingFields{mergeOfferIndex: offer.Name}); err != nil {
		return err
	}
	var merged []string
	for _, s := range sols.Items {
		if s.Status.State == v1.StateMerged {
			merged = append(merged, s.Spec.SolutionID)
		}
	}
	slices.Sort(merged)
	offer.Status.MergedSolutions = firstN(merged, 256)
	return nil
}

// readSubmission reads a submission, unless submit has just read it
// (fresh): Partner Center is asked once per state, not twice.
func (r *MarketplaceOfferReconciler) readSubmission(ctx context.Context, productID, id string, fresh *partnercenter.Submission) (*partnercenter.Submission, error) {
	if fresh != nil && fresh.ID == id {
		return fresh, nil
	}
	return r.PartnerCenter.GetSubmission(ctx, productID, id)
}

func (r *MarketplaceOfferReconciler) since(t *metav1.Time) time.Duration {
	if t == nil {
		return 0
	}
	return r.Clock.Since(t.Time)
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (r *MarketplaceOfferReconciler) now() metav1.Time { return metav1.NewTime(r.Clock.Now()) }

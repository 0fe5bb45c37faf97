package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// certify submits the draft to preview when it differs from what was last
// submitted, then tracks certification. The submission job, then the
// submission, are recorded in status, so a restart resumes tracking them
// instead of submitting again. Certification takes hours to days at
// Microsoft: it costs a requeue timer.
func (r *MarketplaceOfferReconciler) certify(ctx context.Context, s *offerScope) error {
	if s.offer.Spec.Target == v1alpha1.TargetDraft {
		s.certification = certificationNotRequested
		return nil
	}
	st := &s.offer.Status
	fresh, err := r.submitPreview(ctx, s)
	if err != nil {
		return err
	}
	ps := st.PreviewSubmission
	sub, err := r.completedSubmission(ctx, st.ProductID, ps, fresh, v1alpha1.ReasonCertifying, "is in certification",
		stalled(v1alpha1.ReasonCertificationFailed, "%s", certificationFailedMessage(ps.Generation, st.Certification)))
	if err != nil || sub == nil {
		return err
	}
	if sub.Result == partnercenter.SubmissionSucceeded {
		ps.Result = v1alpha1.SubmissionSucceeded
		st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationPassed, Generation: ps.Generation}
		s.certification = certificationPassed
		return nil
	}
	ps.Result = v1alpha1.SubmissionFailed
	st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationFailed, Generation: ps.Generation, Feedback: feedbackToAPI(sub.Feedback)}
	s.certification = certificationFailed
	return stalled(v1alpha1.ReasonCertificationFailed, "%s", certificationFailedMessage(ps.Generation, st.Certification))
}

// completedSubmission follows the submission ref. It returns nil when the
// submission already succeeded and failed when it already failed; it
// waits while Partner Center works on it (reason, "generation N <doing>");
// otherwise it returns the completed submission, read from Partner Center
// unless fresh is it.
func (r *MarketplaceOfferReconciler) completedSubmission(ctx context.Context, productID string, ref *v1alpha1.SubmissionRef,
	fresh *partnercenter.Submission, reason, doing string, failed error) (*partnercenter.Submission, error) {
	switch ref.Result {
	case v1alpha1.SubmissionSucceeded:
		return nil, nil
	case v1alpha1.SubmissionFailed:
		return nil, failed
	}
	sub := fresh
	if sub == nil || sub.ID != ref.ID {
		var err error
		if sub, err = r.PartnerCenter.GetSubmission(ctx, productID, ref.ID); err != nil {
			return nil, pcError(err)
		}
	}
	if sub.Status != partnercenter.SubmissionCompleted {
		return nil, waiting(r.submissionPoll(r.since(ref.SubmittedAt)), reason,
			"generation %d %s (submission %s)", ref.Generation, doing, ref.ID)
	}
	return sub, nil
}

// submitPreview submits the draft for certification unless the preview
// submission in status is of the current draft. It returns the new
// submission once its job completed (nil when none was made), so that
// certify need not read it again.
func (r *MarketplaceOfferReconciler) submitPreview(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st, gen := &s.offer.Status, s.offer.Generation
	ps := st.PreviewSubmission
	if ps != nil && ps.DraftDigest == st.DraftDigest {
		return nil, nil
	}
	// A pending mark ("preview/" without a job ID) is left by a reconcile
	// that stopped between marking the submission and recording its job:
	// the submission may have been made. Look for it before submitting.
	if ref := st.ConfigureJob; ref != nil {
		if p, jobID := parseJobRef(ref.ID); p == jobPreview && jobID == "" {
			since := ref.StartedAt
			st.ConfigureJob = nil
			if since != nil {
				sub, err := r.unrecordedPreview(ctx, s, since.Add(-r.PartnerCenter.JobPollInterval()))
				if err != nil || sub != nil {
					return sub, err
				}
			}
		}
	}
	if st.ConfigureJob == nil && s.draftJobStarted != nil {
		sub, err := r.unrecordedPreview(ctx, s, s.draftJobStarted.Time)
		if err != nil || sub != nil {
			return sub, err
		}
	}
	sub, startedAt, err := r.runSubmissionJob(ctx, s, jobPreview, partnercenter.TargetPreview, v1alpha1.ReasonCertifying,
		fmt.Sprintf("submitting generation %d for certification", gen), func() (*partnercenter.Job, error) {
			return r.PartnerCenter.SubmitPreview(ctx, st.ProductID)
		})
	if st.ConfigureJob != nil {
		s.certification = certificationSubmitting
	}
	var refused *jobRefused
	if errors.As(err, &refused) {
		// Certification refusals arrive as a failed job.
		st.PreviewSubmission = &v1alpha1.SubmissionRef{Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: startedAt, Result: v1alpha1.SubmissionFailed}
		st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationFailed, Generation: gen, Feedback: feedbackToAPI(refused.errors)}
		s.certification = certificationFailed
		return nil, stalled(v1alpha1.ReasonCertificationFailed, "%s", certificationFailedMessage(gen, st.Certification))
	}
	if err != nil {
		return nil, err
	}
	st.PreviewSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: startedAt, Result: v1alpha1.SubmissionInProgress}
	st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationInProgress, Generation: gen}
	s.certification = certificationSubmitted
	return sub, nil
}

// unrecordedPreview finds a preview submission created at or after since
// that status does not record: a process stopped between submitting the
// draft and recording the submission. since is the pending mark's time
// (less one job poll interval, for clock skew), or, for a status written
// before the mark existed, when the draft job started. Partner Center then
// certifies it already, so the operator follows it instead of submitting
// again (a second submission is refused while the first runs and
// certifies the same draft twice once it completed). It records it and
// returns it, or returns nil when there is none. Partner Center's times
// and status times are compared, so a clock skew larger than the job poll
// interval can hide it; the operator then submits again, as it did before.
func (r *MarketplaceOfferReconciler) unrecordedPreview(ctx context.Context, s *offerScope, since time.Time) (*partnercenter.Submission, error) {
	st, gen := &s.offer.Status, s.offer.Generation
	subs, err := r.PartnerCenter.ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return nil, pcError(err)
	}
	known := map[string]bool{}
	for _, ref := range []*v1alpha1.SubmissionRef{st.PreviewSubmission, st.LiveSubmission} {
		if ref != nil && ref.ID != "" {
			known[ref.ID] = true
		}
	}
	for i := range subs {
		sub := &subs[i]
		// A failed one is left alone: status records refusals without an
		// ID, and submitting again only repeats a refusal.
		// A preview that went live since (a process stopped after
		// publishing it, before recording either) is listed as the live
		// submission: the same submission, its target changed. It is ours
		// all the same, and must not be submitted again.
		if (sub.Target != partnercenter.TargetPreview && sub.Target != partnercenter.TargetLive) ||
			known[sub.ID] || sub.Result == partnercenter.SubmissionFailed ||
			sub.Created.Before(since) {
			continue
		}
		at := metav1.NewTime(sub.Created)
		st.PreviewSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: &at, Result: v1alpha1.SubmissionInProgress}
		st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationInProgress, Generation: gen}
		s.certification = certificationSubmitted
		if sub.Target == partnercenter.TargetLive {
			// Published already: goLive follows it instead of publishing.
			st.LiveSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: &at, Result: v1alpha1.SubmissionInProgress}
		}
		return sub, nil
	}
	return nil, nil
}

// goLive publishes the certified preview live. While an update is
// certified or going live, the version already live stays live and Live
// stays True. No API reports a live URL or a co-sell level.
func (r *MarketplaceOfferReconciler) goLive(ctx context.Context, s *offerScope) error {
	if s.offer.Spec.Target != v1alpha1.TargetLive {
		return nil
	}
	st := &s.offer.Status
	fresh, err := r.submitLive(ctx, s)
	if err != nil {
		return err
	}
	ls := st.LiveSubmission
	sub, err := r.completedSubmission(ctx, st.ProductID, ls, fresh, v1alpha1.ReasonGoingLive, "is going live",
		stalled(v1alpha1.ReasonPartnerCenterRejected, "%s", goLiveFailedMessage(ls.Generation, "")))
	if err != nil || sub == nil {
		return err
	}
	if sub.Target != partnercenter.TargetLive {
		return waiting(r.submissionPoll(r.since(ls.SubmittedAt)), v1alpha1.ReasonGoingLive,
			"generation %d is going live (submission %s)", ls.Generation, ls.ID)
	}
	if sub.Result != partnercenter.SubmissionSucceeded {
		ls.Result = v1alpha1.SubmissionFailed
		return stalled(v1alpha1.ReasonPartnerCenterRejected, "%s", goLiveFailedMessage(ls.Generation, feedbackMessage(sub.Feedback)))
	}
	r.recordLive(s)
	return nil
}

// submitLive publishes the certified preview unless the live submission
// in status is of the same draft; like submitPreview, it returns the new
// submission or nil.
func (r *MarketplaceOfferReconciler) submitLive(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st := &s.offer.Status
	ps, ls := st.PreviewSubmission, st.LiveSubmission
	if ls != nil && ls.DraftDigest == ps.DraftDigest {
		return nil, nil
	}
	sub, startedAt, err := r.runSubmissionJob(ctx, s, jobLive, partnercenter.TargetLive, v1alpha1.ReasonGoingLive,
		fmt.Sprintf("publishing generation %d live", ps.Generation), func() (*partnercenter.Job, error) {
			return r.PartnerCenter.GoLive(ctx, st.ProductID, ps.ID)
		})
	if st.ConfigureJob != nil {
		s.live = liveSubmitting
	}
	var refused *jobRefused
	if errors.As(err, &refused) {
		st.LiveSubmission = &v1alpha1.SubmissionRef{Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: startedAt, Result: v1alpha1.SubmissionFailed}
		return nil, stalled(v1alpha1.ReasonPartnerCenterRejected, "%s", goLiveFailedMessage(ps.Generation, feedbackMessage(refused.errors)))
	}
	if err != nil {
		return nil, err
	}
	st.LiveSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: startedAt, Result: v1alpha1.SubmissionInProgress}
	s.live = liveSubmitted
	return sub, nil
}

// recordLive records a succeeded live submission: the generation live and
// since when. (No published API reports a live URL or a co-sell level, so
// the status has neither.)
func (r *MarketplaceOfferReconciler) recordLive(s *offerScope) {
	st := &s.offer.Status
	ls := st.LiveSubmission
	ls.Result = v1alpha1.SubmissionSucceeded
	st.LiveGeneration = ls.Generation
	if st.LiveSince == nil {
		now := r.now()
		st.LiveSince = &now
	}
	s.live = liveSucceeded
}

// runSubmissionJob carries a submission job (preview or live) across
// reconciles: it starts it, reads it once per poll interval, and once it
// succeeded returns the submission it created or updated, with when the
// job started. A job refused because a submission in progress locks the
// product (productLocked) is tried again later; any other refusal is a
// *jobRefused with Partner Center's errors.
func (r *MarketplaceOfferReconciler) runSubmissionJob(ctx context.Context, s *offerScope, purpose string,
	target partnercenter.SubmissionTarget, reason, what string, start func() (*partnercenter.Job, error)) (*partnercenter.Submission, *metav1.Time, error) {
	st := &s.offer.Status
	ref := st.ConfigureJob
	if ref != nil {
		if p, _ := parseJobRef(ref.ID); p != purpose {
			return nil, nil, waiting(r.jobPoll(ref), reason, "waiting for job %s before %s", ref.ID, what)
		}
	}
	if ref == nil {
		// A preview submission cannot be told apart from another on
		// retry (Partner Center accepts the same draft again once the
		// first completed): mark it pending in status first, so that a
		// process stopped before recording its job looks for it
		// (submitPreview). A live submission names the preview it
		// publishes, and Partner Center answers a second one with the
		// same submission: it needs no mark.
		if purpose == jobPreview {
			if err := r.markSubmitPending(ctx, s.offer, purpose); err != nil {
				return nil, nil, err
			}
		}
		job, err := start()
		if err != nil {
			return nil, nil, pcError(err)
		}
		st.ConfigureJob = r.jobRef(purpose, job.ID)
		s.submitJob = job.ID
		return nil, nil, waiting(r.PartnerCenter.JobPollInterval(), reason, "Partner Center is %s (job %s)", what, job.ID)
	}
	startedAt := ref.StartedAt
	job, jobID, err := r.finishedJob(ctx, st, reason, "Partner Center is "+what)
	s.submitJob = jobID
	switch {
	case err != nil:
		return nil, nil, err
	case job == nil:
		return nil, nil, waiting(r.Options.MinPoll, reason, "job %s is gone; %s again", jobID, what)
	case !job.Succeeded():
		for _, e := range job.Errors {
			// productLocked: a submission in progress holds the product.
			// Other codes, invalidState included (certification refusals
			// carry it), are refusals a person must act on.
			if e.Code == partnercenter.CodeProductLocked {
				return nil, nil, waiting(r.submissionPoll(r.since(startedAt)), reason,
					"Partner Center refused %s for now (%s); the operator tries again", what, feedbackMessage(job.Errors))
			}
		}
		return nil, startedAt, &jobRefused{errors: job.Errors}
	}
	detail, err := r.PartnerCenter.GetJobDetail(ctx, jobID)
	if err != nil {
		return nil, nil, pcError(err)
	}
	id := detail.SubmissionID()
	if id == "" { // the detail did not list it: the newest submission of the target
		subs, err := r.PartnerCenter.ListSubmissions(ctx, st.ProductID)
		if err != nil {
			return nil, nil, pcError(err)
		}
		for i := range subs {
			if subs[i].Target == target {
				id = subs[i].ID
				break
			}
		}
	}
	if id == "" {
		return nil, nil, stalled(v1alpha1.ReasonPartnerCenterRejected, "job %s succeeded but Partner Center lists no %s submission", jobID, target)
	}
	sub, err := r.PartnerCenter.GetSubmission(ctx, st.ProductID, id)
	if err != nil {
		return nil, nil, pcError(err)
	}
	return sub, startedAt, nil
}

// markSubmitPending records in status, before a submission is made, that
// it is about to be: status.configureJob holds "<purpose>/" without a job
// ID, since when. The whole status found so far is written with it (the
// product ID and draft digest the mark is about), replacing the stored one
// under the object's resource version: a writer in between makes it fail,
// and nothing is submitted. What this reconcile found is kept for the
// status write at its end.
func (r *MarketplaceOfferReconciler) markSubmitPending(ctx context.Context, offer *v1alpha1.MarketplaceOffer, purpose string) error {
	prev := offer.Status.ConfigureJob
	now := r.now()
	offer.Status.ConfigureJob = &v1alpha1.JobRef{ID: purpose + "/", StartedAt: &now}
	want := *offer.Status.DeepCopy()
	if err := r.Status().Update(ctx, offer); err != nil {
		offer.Status.ConfigureJob = prev
		return err
	}
	offer.Status = want
	return nil
}

// jobRefused is a submission job Partner Center completed as failed.
type jobRefused struct{ errors []partnercenter.FeedbackItem }

func (e *jobRefused) Error() string { return "refused: " + feedbackMessage(e.errors) }

package offer

import (
	"context"
	"errors"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// certify submits the draft to preview when it differs from what was last
// submitted, then tracks certification. The submission job, then the
// submission, are recorded in status, so a restart resumes tracking them
// instead of submitting again. Certification takes hours to days at
// Microsoft: it costs a requeue timer. With target Draft it submits
// nothing, but follows to their end the submissions a higher target
// started (settleSubmissions): lowering the target stops nothing in
// Partner Center.
func (r *offerRun) certify(ctx context.Context, s *offerScope) error {
	if s.offer.Spec.Target == v1alpha1.TargetDraft {
		if err := r.settleSubmissions(ctx, s); err != nil {
			return andThen(err, thenFollowSubmission, s.offer, 0)
		}
		s.certification = certificationNotRequested
		return nil
	}
	fresh, err := r.submitPreview(ctx, s)
	if err != nil {
		return err
	}
	return r.followPreview(ctx, s, fresh)
}

// followPreview follows the preview submission recorded in status through
// certification and records its result: nil once it passed, waiting while
// it runs, stalled when it failed.
func (r *offerRun) followPreview(ctx context.Context, s *offerScope, fresh *partnercenter.Submission) error {
	st := &s.offer.Status
	ps := st.PreviewSubmission
	if ps.Result == v1alpha1.SubmissionFailed {
		return r.previewFailed(ctx, s)
	}
	sub, err := r.completedSubmission(ctx, s, ps, fresh, jobPreview, nil)
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
	return s.stop(stopFact{kind: stallCertification})
}

// previewFailed is the stall of a failed preview submission: sale
// stopped when Partner Center refused to submit a deprecated product,
// else a certification failure.
func (r *offerRun) previewFailed(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	ps := st.PreviewSubmission
	if ps.ID == "" && st.Certification != nil { // refused before any submission was made
		var items []partnercenter.FeedbackItem
		for _, f := range st.Certification.Feedback {
			items = append(items, partnercenter.FeedbackItem{Code: f.Code, Resource: f.Resource, Message: f.Message})
		}
		if err := r.saleStopped(ctx, s.offer, &jobRefused{errors: items}); err != nil {
			return err
		}
	}
	return s.stop(stopFact{kind: stallCertification})
}

// completedSubmission follows the submission ref. It returns nil when the
// submission already succeeded and failed when it already failed; it
// waits while Partner Center works on it (a waitSubmission of purpose);
// otherwise it returns the completed submission, read from Partner Center
// unless fresh is it.
func (r *offerRun) completedSubmission(ctx context.Context, s *offerScope, ref *v1alpha1.SubmissionRef,
	fresh *partnercenter.Submission, purpose v1alpha1.OperationPurpose, failed error) (*partnercenter.Submission, error) {
	productID := s.offer.Status.ProductID
	switch ref.Result {
	case v1alpha1.SubmissionSucceeded:
		return nil, nil
	case v1alpha1.SubmissionFailed:
		return nil, failed
	}
	sub := fresh
	if sub == nil || sub.ID != ref.ID {
		var err error
		if sub, err = r.pc.GetSubmission(ctx, productID, ref.ID); err != nil {
			return nil, reconcile.PartnerCenterError(err)
		}
	}
	if sub.Status != partnercenter.SubmissionCompleted {
		return nil, s.stop(stopFact{kind: waitSubmission, after: r.submissionPoll(r.since(ref.SubmittedAt)), purpose: purpose, gen: ref.Generation, submission: ref.ID})
	}
	return sub, nil
}

// settleSubmissions follows to their end the submission job and the
// submissions in progress that an earlier generation or a higher target
// started, recording their results, and waits while any runs. Partner
// Center documents no way to withdraw a submission, and refuses a new one
// while another runs (productLocked): following them keeps status true
// (no submission left InProgress next to Ready, a version that went live
// reported Live) and spares Partner Center refused submissions. A refusal
// or failure found here is recorded, not stalled on: it was of a draft or
// target no longer asked for.
func (r *offerRun) settleSubmissions(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	fresh, err := r.settleSubmissionJob(ctx, s)
	if err != nil {
		return err
	}
	if ps := st.PreviewSubmission; ps != nil && ps.Result == v1alpha1.SubmissionInProgress {
		if err := r.followPreview(ctx, s, fresh); err != nil && (!reconcile.IsStalled(err) || ps.Result == v1alpha1.SubmissionInProgress) {
			return err
		}
	}
	return r.settleLive(ctx, s, fresh)
}

// settleLive follows a live submission in progress to its end: a version
// that goes live is reported Live whatever the target now says (lowering
// the target does not unpublish).
func (r *offerRun) settleLive(ctx context.Context, s *offerScope, fresh *partnercenter.Submission) error {
	st := &s.offer.Status
	if ref := st.Operation; ref != nil && ref.Purpose == jobLive {
		sub, err := r.settleSubmissionJob(ctx, s)
		if err != nil {
			return err
		}
		fresh = sub
	}
	if ls := st.LiveSubmission; ls != nil && ls.Result == v1alpha1.SubmissionInProgress {
		if err := r.followLive(ctx, s, fresh); err != nil && (!reconcile.IsStalled(err) || ls.Result == v1alpha1.SubmissionInProgress) {
			return err
		}
	}
	return nil
}

// settleSubmissionJob follows the preview or live submission job recorded
// in status, if any, until it has finished, and records the submission it
// made (a refusal as a failed one); it starts nothing. It returns the
// submission made, or nil.
func (r *offerRun) settleSubmissionJob(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st := &s.offer.Status
	ref := st.Operation
	if ref == nil {
		return nil, nil
	}
	var sub *partnercenter.Submission
	var err error
	switch ref.Purpose {
	case jobPreview:
		sub, err = r.followPreviewJob(ctx, s)
	case jobLive:
		sub, err = r.followLiveJob(ctx, s)
	default:
		return nil, nil
	}
	if err != nil && (st.Operation != nil || !reconcile.IsStalled(err)) {
		return nil, err
	}
	return sub, nil
}

// submitPreview submits the draft for certification unless the preview
// submission in status is of the current draft (and no new reconcile
// request asks to retry a failed one). A submission job recorded by an
// earlier reconcile is followed first. It returns the new submission once
// its job completed (nil when none was made), so that certify need not
// read it again.
func (r *offerRun) submitPreview(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st, gen := &s.offer.Status, s.offer.Generation
	if ref := st.Operation; ref != nil && ref.Purpose == jobPreview {
		if sub, err := r.followPreviewJob(ctx, s); err != nil || sub != nil {
			return sub, err
		}
	}
	ps := st.PreviewSubmission
	if ps != nil && ps.DraftDigest == st.DraftDigest && !retryFailed(ctx, ps) {
		return nil, nil
	}
	if st.Operation == nil && s.draftJobStarted != nil {
		sub, err := r.unrecordedPreview(ctx, s, s.draftJobStarted.Time, gen)
		if err != nil || sub != nil {
			return sub, err
		}
	}
	if err := r.settleSubmissions(ctx, s); err != nil {
		return nil, andThen(err, thenCertify, s.offer, gen)
	}
	err := r.startSubmissionJob(ctx, s, jobPreview, gen,
		func() (*partnercenter.Job, error) { return r.pc.SubmitPreview(ctx, st.ProductID) })
	if s.submitJob != "" {
		s.certification = certificationSubmitting
	}
	return nil, err
}

// retryFailed reports whether the failed submission ref is to be made
// again: once per new value of the reconcile-requested-at annotation.
func retryFailed(ctx context.Context, ref *v1alpha1.SubmissionRef) bool {
	return ref.Result == v1alpha1.SubmissionFailed && reconcile.RetryRequested(ctx)
}

// followPreviewJob follows the preview submission job recorded in status
// and records the submission once the job has finished: in progress, or
// failed when Partner Center refused it (certification refusals arrive as
// a failed job). A pending mark ("preview/" without a job ID) is left by a
// reconcile that stopped between marking the submission and recording its
// job: the submission may have been made, and is looked for. It returns
// the submission, or nil when the job made none (the caller may submit).
func (r *offerRun) followPreviewJob(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st := &s.offer.Status
	ref := st.Operation
	gen := ref.Generation
	if gen == 0 { // recorded before the job's generation was
		gen = s.offer.Generation
	}
	if jobID := ref.ID; jobID == "" {
		if ref.StartedAt == nil {
			clearOperation(st)
			return nil, nil
		}
		// The mark goes once the submissions list was read: a read that
		// fails leaves it for the next reconcile to look again, instead
		// of a status from which the preview would be submitted twice.
		sub, err := r.unrecordedPreview(ctx, s, ref.StartedAt.Add(-r.pc.JobPollInterval()), gen)
		if err == nil {
			clearOperation(st)
		}
		return sub, err
	}
	// syncDraft writes no draft while a submission job is recorded: the
	// draft digest in status is the one submitted.
	sub, startedAt, err := r.finishSubmissionJob(ctx, s, partnercenter.TargetPreview, gen)
	if st.Operation != nil {
		s.certification = certificationSubmitting
	}
	var refused *jobRefused
	if errors.As(err, &refused) {
		st.PreviewSubmission = &v1alpha1.SubmissionRef{Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: startedAt, Result: v1alpha1.SubmissionFailed}
		st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationFailed, Generation: gen, Feedback: feedbackToAPI(refused.errors)}
		s.certification = certificationFailed
		return nil, r.previewFailed(ctx, s)
	}
	if err != nil || sub == nil {
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
// certifies the same draft twice once it completed). It records it, for
// generation gen, and returns it, or returns nil when there is none.
// Partner Center's times and status times are compared, so a clock skew
// larger than the job poll interval can hide it; the operator then
// submits again, as it did before. A submission older than since, or one
// whose sale was stopped, belongs to an earlier life of the product
// (another object, or this one before its sale was stopped) and is never
// taken for this one.
func (r *offerRun) unrecordedPreview(ctx context.Context, s *offerScope, since time.Time, gen int64) (*partnercenter.Submission, error) {
	st := &s.offer.Status
	subs, err := r.pc.ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return nil, reconcile.PartnerCenterError(err)
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
			sub.State == partnercenter.LifecycleDeprecated || sub.Created.Before(since) {
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
// stays True. No API reports a live URL or a co-sell level. With a target
// below Live it publishes nothing, but follows a go-live already under
// way to its end.
func (r *offerRun) goLive(ctx context.Context, s *offerScope) error {
	if s.offer.Spec.Target != v1alpha1.TargetLive {
		return andThen(r.settleLive(ctx, s, nil), thenFollowGoLive, s.offer, 0)
	}
	fresh, err := r.submitLive(ctx, s)
	if err != nil {
		return err
	}
	return r.followLive(ctx, s, fresh)
}

// followLive follows the live submission recorded in status until it is
// live, and records it; it stalls when going live failed.
func (r *offerRun) followLive(ctx context.Context, s *offerScope, fresh *partnercenter.Submission) error {
	st := &s.offer.Status
	ls := st.LiveSubmission
	sub, err := r.completedSubmission(ctx, s, ls, fresh, jobLive, stopFact{kind: stallGoLiveFailed, gen: ls.Generation}.outcome(s.offer))
	if err != nil || sub == nil {
		return err
	}
	if sub.Target != partnercenter.TargetLive {
		return s.stop(stopFact{kind: waitSubmission, after: r.submissionPoll(r.since(ls.SubmittedAt)), purpose: jobLive, gen: ls.Generation, submission: ls.ID})
	}
	if sub.Result != partnercenter.SubmissionSucceeded {
		ls.Result = v1alpha1.SubmissionFailed
		return s.stop(stopFact{kind: stallGoLiveFailed, gen: ls.Generation, items: sub.Feedback})
	}
	r.recordLive(s)
	return nil
}

// submitLive publishes the certified preview unless the live submission
// in status is of the same draft (and no new reconcile request asks to
// retry a failed one); like submitPreview, it follows a job recorded
// before and returns the new submission or nil.
func (r *offerRun) submitLive(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st := &s.offer.Status
	if ref := st.Operation; ref != nil && ref.Purpose == jobLive {
		if sub, err := r.followLiveJob(ctx, s); err != nil || sub != nil {
			return sub, err
		}
	}
	ps, ls := st.PreviewSubmission, st.LiveSubmission
	if ls != nil && ls.DraftDigest == ps.DraftDigest && !retryFailed(ctx, ls) {
		return nil, nil
	}
	err := r.startSubmissionJob(ctx, s, jobLive, ps.Generation,
		func() (*partnercenter.Job, error) { return r.pc.GoLive(ctx, st.ProductID, ps.ID) })
	if s.submitJob != "" {
		s.live = liveSubmitting
	}
	return nil, err
}

// followLiveJob follows the live submission job recorded in status and
// records the submission once the job has finished (failed when Partner
// Center refused it). It returns the submission, or nil when the job
// made none.
func (r *offerRun) followLiveJob(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st := &s.offer.Status
	ps := st.PreviewSubmission
	if ps == nil { // no preview to publish: not a job of this status
		clearOperation(st)
		return nil, nil
	}
	if st.Operation.ID == "" {
		return r.unrecordedLive(ctx, s)
	}
	sub, startedAt, err := r.finishSubmissionJob(ctx, s, partnercenter.TargetLive, ps.Generation)
	if st.Operation != nil {
		s.live = liveSubmitting
	}
	var refused *jobRefused
	if errors.As(err, &refused) {
		st.LiveSubmission = &v1alpha1.SubmissionRef{Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: startedAt, Result: v1alpha1.SubmissionFailed}
		if err := r.saleStopped(ctx, s.offer, refused); err != nil {
			return nil, err
		}
		return nil, s.stop(stopFact{kind: stallGoLiveFailed, gen: ps.Generation, items: refused.errors})
	}
	if err != nil || sub == nil {
		return nil, err
	}
	st.LiveSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: startedAt, Result: v1alpha1.SubmissionInProgress}
	s.live = liveSubmitted
	return sub, nil
}

// unrecordedLive reads, after a go-live request that failed (a pending
// live mark), whether Partner Center took it: the preview submission then
// shows target live, running or completed. It is followed as the live
// submission and returned; otherwise the mark is cleared and nil returned
// (the caller may publish).
func (r *offerRun) unrecordedLive(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st := &s.offer.Status
	ps, mark := st.PreviewSubmission, st.Operation
	subs, err := r.pc.ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return nil, reconcile.PartnerCenterError(err)
	}
	clearOperation(st)
	i := slices.IndexFunc(subs, func(sub partnercenter.Submission) bool {
		return sub.ID == ps.ID && sub.Target == partnercenter.TargetLive
	})
	if i < 0 {
		return nil, nil
	}
	sub := &subs[i]
	st.LiveSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: ps.Generation, DraftDigest: ps.DraftDigest,
		SubmittedAt: mark.StartedAt, Result: v1alpha1.SubmissionInProgress}
	s.live = liveSubmitted
	return sub, nil
}

// recordLive records a succeeded live submission: the generation live and
// since when. (No published API reports a live URL or a co-sell level, so
// the status has neither.)
func (r *offerRun) recordLive(s *offerScope) {
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

// startSubmissionJob starts a submission job (preview or live) for
// generation gen and records it in status; it waits first for any other
// job recorded there. The reconcile then waits one job poll interval.
func (r *offerRun) startSubmissionJob(ctx context.Context, s *offerScope, purpose v1alpha1.OperationPurpose,
	gen int64, start func() (*partnercenter.Job, error)) error {
	st := &s.offer.Status
	if ref := st.Operation; ref != nil {
		return s.stop(stopFact{kind: waitJobBeforeSubmit, after: r.jobPoll(ref), purpose: purpose, job: ref.ID, gen: gen})
	}
	// A preview submission cannot be told apart from another on retry
	// (Partner Center accepts the same draft again once the first
	// completed): mark it pending in status first, so that a process
	// stopped before recording its job looks for it (followPreviewJob).
	// The mark is a write of its own, under the object's resource version,
	// even right after a draft job completed: a reconcile working from a
	// stale copy then fails to write it and submits nothing, where a list
	// of the submissions would not show one whose job has not run yet. A
	// live submission names the preview it publishes, and Partner Center
	// answers a second one with the same submission: it needs no mark.
	if purpose == jobPreview {
		if err := r.markSubmitPending(ctx, s.offer, purpose, gen); err != nil {
			return err
		}
	}
	job, err := start()
	if err != nil {
		return r.submissionStartFailed(s, purpose, gen, err)
	}
	r.recordOperation(st, purpose, job.ID, gen)
	s.submitJob = job.ID
	return s.stop(stopFact{kind: waitSubmitting, after: r.pc.JobPollInterval(), purpose: purpose, job: job.ID, gen: gen})
}

// submissionStartFailed is the answer to a submission that Partner Center
// did not take, or may have taken. A busy product (a submission in
// progress, a Conflict the adapter reads from the submissions list before
// it sends anything) is tried again after one job poll interval, the
// pending preview mark cleared: nothing was sent. After any other error
// (a request the adapter read back as taken, partnercenter.TookEffect,
// included) the request may have reached Partner Center: the pending
// preview mark stays, and a go-live leaves a
// pending mark ("live" without a job ID): the next reconcile reads the
// submissions list before it publishes again (followLiveJob), and follows
// the preview submission if it already shows target live.
func (r *offerRun) submissionStartFailed(s *offerScope, purpose v1alpha1.OperationPurpose, gen int64, err error) error {
	st := &s.offer.Status
	if partnercenter.IsConflict(err) && !partnercenter.TookEffect(err) {
		clearOperation(st)
		return s.stop(stopFact{kind: waitBusy, after: r.pc.JobPollInterval(), purpose: purpose, gen: gen, feedback: err.Error()})
	}
	if purpose == jobLive {
		r.markOperation(st, jobLive, gen)
	}
	return reconcile.PartnerCenterError(err)
}

// finishSubmissionJob reads the submission job recorded in status, at
// most once per poll interval, and once it succeeded returns the
// submission it created or updated, with when the job started. A job
// Partner Center no longer knows returns nothing (the caller submits
// again). A refused job is a *jobRefused with Partner Center's errors.
func (r *offerRun) finishSubmissionJob(ctx context.Context, s *offerScope,
	target partnercenter.SubmissionTarget, gen int64) (*partnercenter.Submission, *metav1.Time, error) {
	st := &s.offer.Status
	read, err := r.followOperation(ctx, st)
	startedAt, jobID := read.op.StartedAt, read.op.ID
	s.submitJob = jobID
	// The job stays recorded until the submission it made is: a read
	// below that fails (the status is still written) must not leave a
	// status that names neither, from which the next reconcile would
	// submit again.
	keepJob := func(err error) (*partnercenter.Submission, *metav1.Time, error) {
		st.Operation = &read.op
		return nil, nil, reconcile.PartnerCenterError(err)
	}
	switch {
	case err != nil:
		return nil, nil, err
	case read.outcome == jobRunning:
		return nil, nil, s.stop(stopFact{kind: waitSubmitting, after: read.poll, purpose: read.op.Purpose, job: jobID, gen: gen})
	case read.outcome == jobLost:
		return nil, nil, nil
	case read.outcome == jobFailed:
		// A busy product is refused before the job is made (a Conflict,
		// submissionStartFailed); every code of a failed job, invalidState
		// included (certification refusals carry it), is a refusal a person
		// must act on.
		return nil, startedAt, &jobRefused{errors: read.job.Errors}
	}
	detail, err := r.pc.GetJobDetail(ctx, jobID)
	if err != nil {
		return keepJob(err)
	}
	id, err := r.submissionMadeBy(ctx, st, target, startedAt, detail)
	if err != nil {
		return keepJob(err)
	}
	if id == "" {
		return nil, nil, s.stop(stopFact{kind: stallNoSubmissionMade, job: jobID, target: target})
	}
	sub, err := r.pc.GetSubmission(ctx, st.ProductID, id)
	if err != nil {
		return keepJob(err)
	}
	return sub, startedAt, nil
}

// saleStopped returns a stalled error when a submission was refused
// because the product's sale is stopped (lifecycleState deprecated):
// Partner Center publishes a deprecated product only once it is restored,
// which the operator leaves to a person (restoring is a decision, and
// after it the product must be published to preview and live again). It
// reads the product only for a refusal that says invalidState; nil
// otherwise.
func (r *offerRun) saleStopped(ctx context.Context, offer *v1alpha1.MarketplaceOffer, refused *jobRefused) error {
	if !slices.ContainsFunc(refused.errors, func(e partnercenter.FeedbackItem) bool { return e.Code == partnercenter.CodeInvalidState }) {
		return nil
	}
	if restored, err := r.saleRestored(ctx, offer.Status.ProductID); err != nil || restored {
		return err
	}
	return stopFact{kind: stallSaleRefused}.outcome(offer)
}

// submissionMadeBy is the ID of the submission to target that a
// submission job started at startedAt made, as its detail names it or,
// when the detail does not list it: for live, the preview submission it
// publishes (one submission stands for both); else the newest submission
// to target made since the job started (less one poll interval, for clock
// skew; status times are whole seconds, which errs the same way). An older
// one, or one whose sale was stopped, is of an earlier life of the
// product. "" when there is none.
func (r *offerRun) submissionMadeBy(ctx context.Context, st *v1alpha1.MarketplaceOfferStatus, target partnercenter.SubmissionTarget,
	startedAt *metav1.Time, detail *partnercenter.JobDetail) (string, error) {
	if id := detail.SubmissionID(); id != "" {
		return id, nil
	}
	if target == partnercenter.TargetLive && st.PreviewSubmission != nil {
		return st.PreviewSubmission.ID, nil
	}
	subs, err := r.pc.ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return "", err
	}
	for i := range subs {
		if sub := &subs[i]; sub.Target == target && sub.State != partnercenter.LifecycleDeprecated &&
			(startedAt == nil || !sub.Created.Before(startedAt.Add(-r.pc.JobPollInterval()))) {
			return sub.ID, nil
		}
	}
	return "", nil
}

// markSubmitPending records in status, before a submission is made, that
// it is about to be: status.operation holds its purpose without a job
// ID, since when, for generation gen. The whole status found so far is
// written with it (the product ID and draft digest the mark is about),
// replacing the stored one under the object's resource version: a writer
// in between makes it fail, and nothing is submitted. What this reconcile
// found is kept for the status write at its end.
func (r *offerRun) markSubmitPending(ctx context.Context, offer *v1alpha1.MarketplaceOffer, purpose v1alpha1.OperationPurpose, gen int64) error {
	prev := offer.Status.Operation
	r.markOperation(&offer.Status, purpose, gen)
	want := *offer.Status.DeepCopy()
	if err := r.Status().Update(ctx, offer); err != nil {
		offer.Status.Operation = prev
		return err
	}
	offer.Status = want
	return nil
}

// jobRefused is a submission job Partner Center completed as failed.
type jobRefused struct{ errors []partnercenter.FeedbackItem }

func (e *jobRefused) Error() string { return "refused: " + feedbackMessage(e.errors) }

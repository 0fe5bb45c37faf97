package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// offerScope is what the offer's phases found out in one reconcile. The
// phases record it, with the IDs, digests and submissions they keep in
// status; the status functions (marketplaceoffer_status.go) compute the
// conditions from it.
type offerScope struct {
	// offer is the object reconciled.
	offer *v1alpha1.MarketplaceOffer
	// createdProduct is set by ensureProduct when it created the product,
	// whose draft is then known to be empty.
	createdProduct bool
	// draft is set by syncDraft: what it found of the draft in Partner
	// Center; draftUnknown while it waits on a job it started before.
	draft draftFact
	// draftJob is set by syncDraft with draftWriting: the job it started.
	draftJob string
	// draftFeedback is set by syncDraft with draftRejected: why Partner
	// Center refused the draft.
	draftFeedback string
	// unwritten is set by syncDraft when it wrote the draft: what of the
	// spec has no published place (Job.Unwritten, ConfigureCoSell's answer).
	unwritten []partnercenter.FeedbackItem
	// draftJobStarted is set by syncDraft when it saw the draft job of a
	// previous reconcile complete: when that job was started. A process
	// that stopped after submitting the draft but before recording the
	// submission left this job in status; certify then looks for that
	// submission before submitting again.
	draftJobStarted *metav1.Time
	// submitJob is set by certify with certificationSubmitting and by goLive
	// with liveSubmitting: the submission job in flight.
	submitJob string
	// certification is set by certify: where the preview submission stands.
	certification certificationFact
	// live is set by goLive: where the live submission stands.
	live liveFact
}

// reconcileOffer runs the offer's phases in order, then sets its
// conditions and display phase from what they found.
func (r *MarketplaceOfferReconciler) reconcileOffer(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	s := &offerScope{offer: offer}
	err := runPhases(ctx, s, []phase[*offerScope]{
		// ownOfferID stalls an object that does not own its offer ID
		// (marketplaceoffer_ownership.go).
		{"ownOfferID", r.ownOfferID},
		// ensureProduct finds, adopts or creates the product (status.productID).
		{"ensureProduct", r.ensureProduct},
		// followSolutions follows the Solutions migrating or merged into it.
		{"followSolutions", r.followSolutions},
		// syncDraft writes the draft resources when they changed (DraftSynced).
		{"syncDraft", r.syncDraft},
		// certify submits the draft to preview and tracks certification (Certified).
		{"certify", r.certify},
		// goLive publishes the certified preview (Live, CoSellReady).
		{"goLive", r.goLive},
	})
	setOfferConditions(s)
	return err
}

// ensureProduct finds the product by offer ID, adopts it, or creates it.
// Before creating, it marks the create pending in status; a product found
// with that mark set is the one this object created before a crash (or
// whose create job it lost track of). Any other product found is adopted
// only as mayAdopt allows. While a Solution is migrating into this offer,
// it waits for the migrated draft instead of creating one.
func (r *MarketplaceOfferReconciler) ensureProduct(ctx context.Context, s *offerScope) error {
	offer := s.offer
	if offer.Status.ProductID != "" {
		return nil
	}
	spec := &offer.Spec
	// A Solution still migrating into the offer makes (or adopts) the
	// product, and followSolutions would wait for it anyway: wait without
	// asking Partner Center (the cache answers; the migration wakes the offer).
	sol, err := r.migratingSolution(ctx, offer)
	if err != nil {
		return err
	}
	if sol != nil && !sol.Spec.Suspend {
		return waitForMigration(sol)
	}
	// A create marked pending by an earlier reconcile made the product
	// this finds, if any: it is ours (marketplaceoffer_ownership.go).
	ours := createPendingFor(offer)
	// A create job in flight: read it at most once per poll interval; the
	// worker never waits for it.
	if ref := offer.Status.ConfigureJob; ref != nil {
		if purpose, _ := parseJobRef(ref.ID); purpose != jobCreate {
			offer.Status.ConfigureJob = nil // a job of a product this status no longer names
		} else {
			job, jobID, err := r.finishedJob(ctx, &offer.Status, v1alpha1.ReasonSyncingDraft, "Partner Center is creating product "+spec.OfferID)
			switch {
			case err != nil:
				return err
			case job != nil && job.Succeeded():
				detail, err := r.PartnerCenter.GetJobDetail(ctx, jobID)
				if err != nil {
					return pcError(err)
				}
				if id := detail.ProductID(); id != "" {
					offer.Status.ProductID, offer.Status.CreatePending = id, nil
					s.createdProduct = true
					return nil
				}
			case job != nil:
				// Refused, perhaps because another writer created it
				// meanwhile: look it up before giving up.
				if _, ferr := r.PartnerCenter.FindProduct(ctx, spec.OfferID); ferr != nil {
					return stalled(v1alpha1.ReasonPartnerCenterRejected,
						"Partner Center refused to create product %s: %s", spec.OfferID, feedbackMessage(job.Errors))
				}
			}
		}
	}
	product, err := r.PartnerCenter.FindProduct(ctx, spec.OfferID)
	if partnercenter.IsNotFound(err) {
		if sol != nil {
			return waitForMigration(sol)
		}
		if err := r.markCreatePending(ctx, offer); err != nil {
			return err
		}
		job, err := r.PartnerCenter.CreateProduct(ctx, partnercenter.ProductSpec{
			OfferID: spec.OfferID, OfferType: string(spec.OfferType), Name: spec.Listing.Title,
		})
		if err != nil {
			return pcError(err)
		}
		offer.Status.ConfigureJob = r.jobRef(jobCreate, job.ID)
		return waiting(r.PartnerCenter.JobPollInterval(), v1alpha1.ReasonSyncingDraft,
			"Partner Center is creating product %s (job %s)", spec.OfferID, job.ID)
	}
	if err != nil {
		return pcError(err)
	}
	// Partner Center's product resource names no publisher: only the type
	// can clash.
	if product.OfferType != string(spec.OfferType) {
		return stalled(v1alpha1.ReasonPartnerCenterRejected,
			"offer ID %s already belongs to a %s offer in Partner Center; choose another spec.offerID",
			spec.OfferID, product.OfferType)
	}
	if !ours {
		if err := r.mayAdopt(ctx, offer, product); err != nil {
			return err
		}
	}
	offer.Status.ProductID, offer.Status.CreatePending = product.ID, nil
	return nil
}

// waitForMigration waits for the Solution migrating into the offer, or
// stalls when that Solution is stalled (waits.go).
func waitForMigration(sol *v1alpha1.Solution) error {
	if err := migrationStalled(sol); err != nil {
		return err
	}
	return waiting(0, v1alpha1.ReasonWaitingForMigration,
		"waiting for Solution %s to migrate legacy solution %s into this offer; the operator then adopts the migrated draft",
		sol.Name, sol.Spec.SolutionID)
}

// followSolutions follows the Solutions that reference the offer, through
// the field indexes (no Partner Center call). A Solution still migrating
// into a never-submitted offer holds it: the migration fills the draft, and
// submitting first would refuse the migration. A finished migration is
// recorded, and the draft is read again, since the migration rewrote it.
// Merged solutions are listed in status.
func (r *MarketplaceOfferReconciler) followSolutions(ctx context.Context, s *offerScope) error {
	offer := s.offer
	st := &offer.Status
	var migrating v1alpha1.SolutionList
	if err := r.List(ctx, &migrating, client.InNamespace(offer.Namespace), client.MatchingFields{migrateOfferIndex: offer.Name}); err != nil {
		return err
	}
	for i := range migrating.Items {
		sol := &migrating.Items[i]
		switch {
		case sol.Status.State == v1alpha1.StateMigrated && st.MigratedFrom != sol.Spec.SolutionID && sol.Status.ProductID == st.ProductID:
			st.MigratedFrom = sol.Spec.SolutionID
			if st.PreviewSubmission == nil {
				st.DraftDigest = ""
			}
		case sol.Status.State != v1alpha1.StateMigrated && st.PreviewSubmission == nil && !sol.Spec.Suspend &&
			migratedInto(migrating.Items) == nil:
			return waitForMigration(sol)
		}
	}
	return r.listMergedSolutions(ctx, offer)
}

// migratingSolution returns a Solution that is migrating into the offer
// and has not finished, found through the migrate-offer field index.
func (r *MarketplaceOfferReconciler) migratingSolution(ctx context.Context, offer *v1alpha1.MarketplaceOffer) (*v1alpha1.Solution, error) {
	var sols v1alpha1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(offer.Namespace), client.MatchingFields{migrateOfferIndex: offer.Name}); err != nil {
		return nil, err
	}
	if migratedInto(sols.Items) != nil { // the offer's one migration is done
		return nil, nil
	}
	for i := range sols.Items {
		if s := &sols.Items[i]; s.Status.State != v1alpha1.StateMigrated {
			return s, nil
		}
	}
	return nil, nil
}

// syncDraft writes the draft resources (listing, plans, resell) and the
// co-sell tab when they differ from what was last written. The draft job is
// recorded and read again after the poll interval, never waited for.
func (r *MarketplaceOfferReconciler) syncDraft(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	desired := draftFromSpec(&s.offer.Spec)
	cosell := coSellFromSpec(&s.offer.Spec)
	digest := specDigest(desired, cosell)
	if err := r.followDraftJob(ctx, s); err != nil {
		return err
	}
	if st.DraftDigest == digest {
		// A refused draft stays refused until the spec changes.
		if c := meta.FindStatusCondition(st.Conditions, v1alpha1.DraftSyncedCondition); c != nil && c.Reason == v1alpha1.ReasonDraftRejected {
			return stalled(v1alpha1.ReasonDraftRejected, "%s", c.Message)
		}
		s.draft = draftWritten
		return nil
	}
	// A draft this operator never wrote (adopted or migrated) is read once,
	// so that an identical one is not written again.
	if st.DraftDigest == "" && st.PreviewSubmission == nil && !s.createdProduct && cosell == nil {
		current, err := r.PartnerCenter.GetDraft(ctx, st.ProductID)
		if err != nil {
			return pcError(err)
		}
		if specDigest(normalizeDraft(*current), nil) == digest {
			st.DraftDigest = digest
			s.draft = draftFound
			return nil
		}
	}
	// The co-sell tab is another API's (the Partner Ingestion API),
	// written synchronously; what no API can write is said in DraftSynced.
	if cosell != nil {
		unwritten, err := r.PartnerCenter.ConfigureCoSell(ctx, s.offer.Spec.OfferID, string(s.offer.Spec.OfferType), *cosell)
		switch {
		case partnercenter.ClassOf(err) == partnercenter.ClassUnsupported:
			s.unwritten = append(s.unwritten, partnercenter.FeedbackItem{Resource: "spec.coSell", Message: err.Error()})
		case err != nil:
			return pcError(err)
		}
		s.unwritten = append(s.unwritten, unwritten...)
	}
	job, err := r.PartnerCenter.ConfigureDraft(ctx, st.ProductID, string(s.offer.Spec.OfferType), desired)
	if err != nil {
		return pcError(err)
	}
	s.unwritten = append(s.unwritten, job.Unwritten...)
	st.DraftDigest = digest
	if job.Succeeded() {
		s.draft = draftWritten
		return nil
	}
	st.ConfigureJob = r.jobRef(jobDraft, job.ID)
	s.draft, s.draftJob = draftWriting, job.ID
	return waiting(r.PartnerCenter.JobPollInterval(), v1alpha1.ReasonSyncingDraft, "Partner Center is writing the draft (job %s)", job.ID)
}

// followDraftJob follows the draft job a previous reconcile started. A job
// Partner Center no longer knows is written again; a failed one stalls the
// offer until the spec changes. Another phase's job is left to its phase.
func (r *MarketplaceOfferReconciler) followDraftJob(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	if st.ConfigureJob == nil {
		return nil
	}
	if purpose, _ := parseJobRef(st.ConfigureJob.ID); purpose != jobDraft {
		return nil
	}
	started := st.ConfigureJob.StartedAt
	job, _, err := r.finishedJob(ctx, st, v1alpha1.ReasonSyncingDraft, "Partner Center is writing the draft")
	switch {
	case err != nil:
		return err
	case job == nil:
		st.DraftDigest = ""
	case job.Result != partnercenter.JobSucceeded:
		s.draft, s.draftFeedback = draftRejected, feedbackMessage(job.Errors)
		return stalled(v1alpha1.ReasonDraftRejected, "%s", draftRejectedMessage(s.draftFeedback))
	default:
		s.draft, s.draftJobStarted = draftWritten, started
	}
	return nil
}

// finishedJob reads the configure job recorded in status. While it runs,
// it waits with reason and message (the job ID is appended), reading it
// again after the poll interval. Once it has finished, it clears
// status.configureJob and returns the job and its ID, or a nil job when
// Partner Center no longer knows it.
func (r *MarketplaceOfferReconciler) finishedJob(ctx context.Context, st *v1alpha1.MarketplaceOfferStatus,
	reason, message string) (*partnercenter.Job, string, error) {
	ref := st.ConfigureJob
	_, jobID := parseJobRef(ref.ID)
	job, err := r.PartnerCenter.GetJob(ctx, jobID)
	if err != nil && !partnercenter.IsNotFound(err) {
		return nil, jobID, pcError(err)
	}
	if err == nil && !job.Done() {
		return nil, jobID, waiting(r.jobPoll(ref), reason, "%s (job %s)", message, jobID)
	}
	st.ConfigureJob = nil
	if err != nil {
		return nil, jobID, nil
	}
	return job, jobID, nil
}

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

// listMergedSolutions reports the legacy solutions merged into the offer.
func (r *MarketplaceOfferReconciler) listMergedSolutions(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	var sols v1alpha1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(offer.Namespace), client.MatchingFields{mergeOfferIndex: offer.Name}); err != nil {
		return err
	}
	var merged []string
	for _, s := range sols.Items {
		if s.Status.State == v1alpha1.StateMerged {
			merged = append(merged, s.Spec.SolutionID)
		}
	}
	slices.Sort(merged)
	offer.Status.MergedSolutions = firstN(merged, 256)
	return nil
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

package controllers

import (
	"context"
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
// with that mark set is the one this object created before a crash. Any
// other product found is adopted only as mayAdopt allows. While a Solution is migrating into
// this offer, it waits for the migrated draft instead of creating one.
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
	product, err := r.PartnerCenter.FindProduct(ctx, spec.OfferID)
	if partnercenter.IsNotFound(err) {
		if sol != nil {
			return waitForMigration(sol)
		}
		if err := r.markCreatePending(ctx, offer); err != nil {
			return err
		}
		product, err = r.PartnerCenter.CreateProduct(ctx, partnercenter.ProductSpec{
			OfferID: spec.OfferID, OfferType: string(spec.OfferType), PublisherID: spec.PublisherID, Name: spec.Listing.Title,
		})
		s.createdProduct = err == nil
		if partnercenter.IsConflict(err) {
			if !ours { // someone else created it since the lookup
				offer.Status.CreatePending = nil
			}
			product, err = r.PartnerCenter.FindProduct(ctx, spec.OfferID)
		}
		ours = ours || s.createdProduct
	}
	if err != nil {
		return pcError(err)
	}
	if product.OfferType != string(spec.OfferType) || product.PublisherID != spec.PublisherID {
		return stalled(v1alpha1.ReasonPartnerCenterRejected,
			"offer ID %s already belongs to a %s offer of publisher %s in Partner Center; choose another spec.offerID",
			spec.OfferID, product.OfferType, product.PublisherID)
	}
	if !ours {
		if err := r.mayAdopt(ctx, offer, product); err != nil {
			return err
		}
	}
	offer.Status.ProductID, offer.Status.CreatePending = product.ID, nil
	offer.Status.MigratedFrom = product.MigratedFrom
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
		case sol.Status.State != v1alpha1.StateMigrated && st.PreviewSubmission == nil && !sol.Spec.Suspend:
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
	for i := range sols.Items {
		if s := &sols.Items[i]; s.Status.State != v1alpha1.StateMigrated {
			return s, nil
		}
	}
	return nil, nil
}

// syncDraft writes the draft resources (listing, plans, co-sell, resell)
// when they differ from what was last written, and waits for the job.
func (r *MarketplaceOfferReconciler) syncDraft(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	desired := draftFromSpec(&s.offer.Spec)
	digest := draftDigest(desired)
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
	if st.DraftDigest == "" && st.PreviewSubmission == nil && !s.createdProduct {
		current, err := r.PartnerCenter.GetDraft(ctx, st.ProductID)
		if err != nil {
			return pcError(err)
		}
		if draftDigest(normalizeDraft(*current)) == digest {
			st.DraftDigest = digest
			s.draft = draftFound
			return nil
		}
	}
	job, err := r.PartnerCenter.ConfigureDraft(ctx, st.ProductID, desired)
	if err != nil {
		return pcError(err)
	}
	st.DraftDigest = digest
	if job.Done() && job.Result == partnercenter.JobSucceeded {
		s.draft = draftWritten
		return nil
	}
	now := r.now()
	st.ConfigureJob = &v1alpha1.JobRef{ID: job.ID, StartedAt: &now}
	s.draft, s.draftJob = draftWriting, job.ID
	return waiting(r.Options.MinPoll, v1alpha1.ReasonSyncingDraft, "Partner Center is writing the draft (job %s)", job.ID)
}

// followDraftJob follows the configure job a previous reconcile started.
// A job Partner Center no longer knows is written again; a failed one
// stalls the offer until the spec changes.
func (r *MarketplaceOfferReconciler) followDraftJob(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	if st.ConfigureJob == nil {
		return nil
	}
	job, err := r.finishedJob(ctx, st, v1alpha1.ReasonSyncingDraft, "Partner Center is writing the draft (job %s)", st.ConfigureJob.ID)
	switch {
	case err != nil:
		return err
	case job == nil:
		st.DraftDigest = ""
	case job.Result != partnercenter.JobSucceeded:
		s.draft, s.draftFeedback = draftRejected, feedbackMessage(job.Errors)
		return stalled(v1alpha1.ReasonDraftRejected, "%s", draftRejectedMessage(s.draftFeedback))
	}
	return nil
}

// finishedJob reads the configure job recorded in status. While it runs,
// it waits with reason and the message format (args). Once it has
// finished, it clears status.configureJob and returns the job, or nil when
// Partner Center no longer knows it.
func (r *MarketplaceOfferReconciler) finishedJob(ctx context.Context, st *v1alpha1.MarketplaceOfferStatus,
	reason, format string, args ...any) (*partnercenter.Job, error) {
	ref := st.ConfigureJob
	job, err := r.PartnerCenter.GetJob(ctx, ref.ID)
	if err != nil && !partnercenter.IsNotFound(err) {
		return nil, pcError(err)
	}
	if err == nil && !job.Done() {
		return nil, waiting(pollAfter(r.since(ref.StartedAt), r.Options.MinPoll, r.Options.MaxPoll), reason, format, args...)
	}
	st.ConfigureJob = nil
	if err != nil {
		return nil, nil
	}
	return job, nil
}

// certify submits the draft to preview when it differs from what was last
// submitted, then tracks certification. The submission is recorded in
// status, so a restart resumes tracking it instead of submitting again.
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
		st.PreviewURLs = firstN(sub.PreviewURLs, 8)
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
		return nil, waiting(pollAfter(r.since(ref.SubmittedAt), r.Options.MinPoll, r.Options.MaxPoll), reason,
			"generation %d %s (submission %s)", ref.Generation, doing, ref.ID)
	}
	return sub, nil
}

// submitPreview submits the draft for certification unless the preview
// submission in status is of the current draft. It returns the new
// submission as Partner Center reported it (nil when none was made), so
// that certify need not read it again.
func (r *MarketplaceOfferReconciler) submitPreview(ctx context.Context, s *offerScope) (*partnercenter.Submission, error) {
	st, gen := &s.offer.Status, s.offer.Generation
	ps := st.PreviewSubmission
	if ps != nil && ps.DraftDigest == st.DraftDigest {
		return nil, nil
	}
	sub, err := r.submit(ctx, st.ProductID, partnercenter.TargetPreview, ps, func() (*partnercenter.Submission, error) {
		return r.PartnerCenter.SubmitPreview(ctx, st.ProductID)
	})
	if err != nil {
		return nil, err
	}
	now := r.now()
	st.PreviewSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: &now, Result: v1alpha1.SubmissionInProgress}
	st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationInProgress, Generation: gen}
	st.PreviewURLs = nil
	s.certification = certificationSubmitted
	return sub, nil
}

// goLive publishes the certified preview live and reports the live URL and
// co-sell level. While an update is certified or going live, the version
// already live stays live and Live stays True.
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
	if sub.Result != partnercenter.SubmissionSucceeded {
		ls.Result = v1alpha1.SubmissionFailed
		return stalled(v1alpha1.ReasonPartnerCenterRejected, "%s", goLiveFailedMessage(ls.Generation, feedbackMessage(sub.Feedback)))
	}
	return r.recordLive(ctx, s, sub)
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
	sub, err := r.submit(ctx, st.ProductID, partnercenter.TargetLive, ls, func() (*partnercenter.Submission, error) {
		return r.PartnerCenter.GoLive(ctx, st.ProductID, ps.ID)
	})
	if err != nil {
		return nil, err
	}
	now := r.now()
	st.LiveSubmission = &v1alpha1.SubmissionRef{ID: sub.ID, Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: &now, Result: v1alpha1.SubmissionInProgress}
	s.live = liveSubmitted
	return sub, nil
}

// recordLive records a succeeded live submission: the live URL, the
// generation live and since when, and the co-sell level Partner Center
// grants the product.
func (r *MarketplaceOfferReconciler) recordLive(ctx context.Context, s *offerScope, sub *partnercenter.Submission) error {
	st := &s.offer.Status
	product, err := r.PartnerCenter.GetProduct(ctx, st.ProductID)
	if err != nil {
		return pcError(err)
	}
	ls := st.LiveSubmission
	ls.Result = v1alpha1.SubmissionSucceeded
	st.LiveURL = sub.LiveURL
	if st.LiveURL == "" {
		st.LiveURL = product.LiveURL
	}
	st.LiveGeneration = ls.Generation
	if st.LiveSince == nil {
		now := r.now()
		st.LiveSince = &now
	}
	st.CoSellLevel = coSellLevelFromPort(product.CoSellLevel)
	s.live = liveSucceeded
	return nil
}

// submit makes a submission. When Partner Center answers that one is in
// progress or that nothing changed, it adopts the newest submission of that
// target unless it is the one already tracked and still running, in which
// case it waits for it to finish first.
func (r *MarketplaceOfferReconciler) submit(ctx context.Context, productID string, target partnercenter.SubmissionTarget,
	tracked *v1alpha1.SubmissionRef, call func() (*partnercenter.Submission, error)) (*partnercenter.Submission, error) {
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
			reason := v1alpha1.ReasonCertifying
			if target == partnercenter.TargetLive {
				reason = v1alpha1.ReasonGoingLive
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

package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	st := &offer.Status
	// A create job in flight: read it at most once per poll interval; the
	// worker never waits for it.
	if ref := st.ConfigureJob; ref != nil {
		purpose, jobID := parseJobRef(ref.ID)
		if purpose != jobCreate {
			st.ConfigureJob = nil // a job of a product this status no longer names
		} else {
			job, err := r.PartnerCenter.GetJob(ctx, jobID)
			switch {
			case partnercenter.IsNotFound(err):
				st.ConfigureJob = nil
			case err != nil:
				return false, pcError(err)
			case !job.Done():
				return false, waiting(r.jobPoll(ref), v1.ReasonSyncingDraft,
					"Partner Center is creating product %s (job %s)", spec.OfferID, jobID)
			case job.Succeeded():
				detail, err := r.PartnerCenter.GetJobDetail(ctx, jobID)
				if err != nil {
					return false, pcError(err)
				}
				st.ConfigureJob = nil
				if id := detail.ProductID(); id != "" {
					st.ProductID = id
					return true, nil
				}
			default:
				st.ConfigureJob = nil
				// Refused, perhaps because another writer created it
				// meanwhile: look it up before giving up.
				if _, ferr := r.PartnerCenter.FindProduct(ctx, spec.OfferID); ferr != nil {
					return false, stalled(v1.ReasonPartnerCenterRejected,
						"Partner Center refused to create product %s: %s", spec.OfferID, feedbackMessage(job.Errors))
				}
			}
		}
	}
	product, err := r.PartnerCenter.FindProduct(ctx, spec.OfferID)
	if partnercenter.IsNotFound(err) {
		if sol != nil {
			return false, waitForMigration(sol)
		}
		job, err := r.PartnerCenter.CreateProduct(ctx, partnercenter.ProductSpec{
			OfferID: spec.OfferID, OfferType: string(spec.OfferType), Name: spec.Listing.Title,
		})
		if err != nil {
			return false, pcError(err)
		}
		st.ConfigureJob = r.jobRef(jobCreate, job.ID)
		return false, waiting(r.PartnerCenter.JobPollInterval(), v1.ReasonSyncingDraft,
			"Partner Center is creating product %s (job %s)", spec.OfferID, job.ID)
	}
	if err != nil {
		return false, pcError(err)
	}
	// Partner Center's product names no publisher: only the type can clash.
	if product.OfferType != string(spec.OfferType) {
		return false, stalled(v1.ReasonPartnerCenterRejected,
			"offer ID %s already belongs to a %s offer in Partner Center; choose another spec.offerID",
			spec.OfferID, product.OfferType)
	}
	offer.Status.ProductID = product.ID
	return false, nil
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

// syncDraft writes the draft resources (listing, plans, resell) and the
// co-sell tab when they differ from what was last written. The draft job is
// recorded and read again after the poll interval, never waited for.
func (r *MarketplaceOfferReconciler) syncDraft(ctx context.Context, offer *v1.MarketplaceOffer, created bool) error {
	st, gen := &offer.Status, offer.Generation
	desired := draftFromSpec(&offer.Spec)
	cosell := coSellFromSpec(&offer.Spec)
	digest := specDigest(desired, cosell)

	if ref := st.ConfigureJob; ref != nil {
		purpose, jobID := parseJobRef(ref.ID)
		if purpose != jobDraft {
			return nil // another phase's job: its phase reads it
		}
		got, err := r.PartnerCenter.GetJob(ctx, jobID)
		if err != nil && !partnercenter.IsNotFound(err) {
			return pcError(err)
		}
		if err == nil && !got.Done() {
			return waiting(r.jobPoll(ref), v1.ReasonSyncingDraft, "Partner Center is writing the draft (job %s)", jobID)
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
		if c := meta.FindStatusCondition(st.Conditions, v1.DraftSyncedCondition); c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != gen {
			setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, true, v1.ReasonSucceeded, "draft of generation %d written to Partner Center", gen)
		}
		return nil
	}

	// A draft this operator never wrote (adopted or migrated) is read once,
	// so that an identical one is not written again.
	if st.DraftDigest == "" && st.PreviewSubmission == nil && !created && cosell == nil {
		current, err := r.PartnerCenter.GetDraft(ctx, st.ProductID)
		if err != nil {
			return pcError(err)
		}
		if specDigest(normalizeDraft(*current), nil) == digest {
			st.DraftDigest = digest
			setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, true, v1.ReasonSucceeded, "draft of generation %d is in Partner Center", gen)
			return nil
		}
	}

	// The co-sell tab is another API's (the Partner Ingestion API), written
	// synchronously; what no API can write is said in the condition.
	var notes []partnercenter.FeedbackItem
	if cosell != nil {
		unwritten, err := r.PartnerCenter.ConfigureCoSell(ctx, offer.Spec.OfferID, string(offer.Spec.OfferType), *cosell)
		switch {
		case partnercenter.ClassOf(err) == partnercenter.ClassUnsupported:
			notes = append(notes, partnercenter.FeedbackItem{Resource: "spec.coSell", Message: err.Error()})
		case err != nil:
			return pcError(err)
		}
		notes = append(notes, unwritten...)
	}

	job, err := r.PartnerCenter.ConfigureDraft(ctx, st.ProductID, string(offer.Spec.OfferType), desired)
	if err != nil {
		return pcError(err)
	}
	notes = append(notes, job.Unwritten...)
	st.DraftDigest = digest
	suffix := ""
	if len(notes) > 0 {
		suffix = "; not written (no published place): " + feedbackMessage(notes)
	}
	if job.Done() && job.Result == partnercenter.JobSucceeded {
		setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, true, v1.ReasonSucceeded, "draft of generation %d written to Partner Center%s", gen, suffix)
		return nil
	}
	st.ConfigureJob = r.jobRef(jobDraft, job.ID)
	setCondition(&st.Conditions, gen, v1.DraftSyncedCondition, false, v1.ReasonSyncingDraft, "writing the draft of generation %d (job %s)%s", gen, job.ID, suffix)
	return waiting(r.PartnerCenter.JobPollInterval(), v1.ReasonSyncingDraft, "Partner Center is writing the draft (job %s)", job.ID)
}

// runSubmissionJob carries a submission job (preview or live) across
// reconciles: it starts it, reads it once per poll interval, and once it
// succeeded returns the submission it created or updated. A job refused
// because a submission in progress locks the product (productLocked) is
// tried again later; any other refusal stalls with Partner Center's errors.
func (r *MarketplaceOfferReconciler) runSubmissionJob(ctx context.Context, st *v1.MarketplaceOfferStatus, purpose string,
	target partnercenter.SubmissionTarget, reason, what string, start func() (*partnercenter.Job, error)) (*partnercenter.Submission, *metav1.Time, error) {
	ref := st.ConfigureJob
	if ref != nil {
		if p, _ := parseJobRef(ref.ID); p != purpose {
			return nil, nil, waiting(r.jobPoll(ref), reason, "waiting for job %s before %s", ref.ID, what)
		}
	}
	if ref == nil {
		job, err := start()
		if err != nil {
			return nil, nil, pcError(err)
		}
		st.ConfigureJob = r.jobRef(purpose, job.ID)
		return nil, nil, waiting(r.PartnerCenter.JobPollInterval(), reason, "Partner Center is %s (job %s)", what, job.ID)
	}
	_, jobID := parseJobRef(ref.ID)
	job, err := r.PartnerCenter.GetJob(ctx, jobID)
	if partnercenter.IsNotFound(err) {
		st.ConfigureJob = nil
		return nil, nil, waiting(r.Options.MinPoll, reason, "job %s is gone; %s again", jobID, what)
	}
	if err != nil {
		return nil, nil, pcError(err)
	}
	if !job.Done() {
		return nil, nil, waiting(r.jobPoll(ref), reason, "Partner Center is %s (job %s)", what, jobID)
	}
	st.ConfigureJob = nil
	startedAt := ref.StartedAt
	if !job.Succeeded() {
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
		return nil, nil, stalled(v1.ReasonPartnerCenterRejected, "job %s succeeded but Partner Center lists no %s submission", jobID, target)
	}
	sub, err := r.PartnerCenter.GetSubmission(ctx, st.ProductID, id)
	if err != nil {
		return nil, nil, pcError(err)
	}
	return sub, startedAt, nil
}

// jobRefused is a submission job Partner Center completed as failed.
type jobRefused struct{ errors []partnercenter.FeedbackItem }

func (e *jobRefused) Error() string { return "refused: " + feedbackMessage(e.errors) }

// certify submits the draft to preview when it differs from what was last
// submitted, then tracks certification. The submission is recorded in
// status, so a restart resumes tracking it instead of submitting again.
// Certification takes hours to days at Microsoft: it costs a requeue timer.
func (r *MarketplaceOfferReconciler) certify(ctx context.Context, offer *v1.MarketplaceOffer) error {
	st, gen := &offer.Status, offer.Generation
	ps := st.PreviewSubmission
	// fresh is the submission as the job's completion just read it.
	var fresh *partnercenter.Submission
	if ps == nil || ps.DraftDigest != st.DraftDigest {
		sub, startedAt, err := r.runSubmissionJob(ctx, st, jobPreview, partnercenter.TargetPreview, v1.ReasonCertifying,
			"submitting generation "+fmt.Sprint(gen)+" for certification", func() (*partnercenter.Job, error) {
				return r.PartnerCenter.SubmitPreview(ctx, st.ProductID)
			})
		if st.ConfigureJob != nil {
			setCondition(&st.Conditions, gen, v1.CertifiedCondition, false, v1.ReasonCertifying,
				"generation %d submitted for certification (job %s)", gen, st.ConfigureJob.ID)
		}
		var refused *jobRefused
		if errors.As(err, &refused) {
			st.Certification = &v1.Certification{Result: v1.CertificationFailed, Generation: gen, Feedback: feedbackToAPI(refused.errors)}
			st.PreviewSubmission = &v1.SubmissionRef{Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: startedAt, Result: v1.SubmissionFailed}
			msg := certificationFailedMessage(gen, st.Certification)
			setCondition(&st.Conditions, gen, v1.CertifiedCondition, false, v1.ReasonCertificationFailed, "%s", msg)
			return stalled(v1.ReasonCertificationFailed, "%s", msg)
		}
		if err != nil {
			return err
		}
		ps = &v1.SubmissionRef{ID: sub.ID, Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: startedAt, Result: v1.SubmissionInProgress}
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
		return waiting(r.submissionPoll(r.since(ps.SubmittedAt)), v1.ReasonCertifying,
			"generation %d is in certification (submission %s)", ps.Generation, ps.ID)
	case sub.Result == partnercenter.SubmissionSucceeded:
		ps.Result = v1.SubmissionSucceeded
		st.Certification = &v1.Certification{Result: v1.CertificationPassed, Generation: ps.Generation}
		setCondition(&st.Conditions, gen, v1.CertifiedCondition, true, v1.ReasonSucceeded,
			"generation %d passed certification and is in preview (submission %s)", ps.Generation, ps.ID)
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

// goLive publishes the certified preview live. While an update is
// certified or going live, the version already live stays live and Live
// stays True. No API reports a live URL or a co-sell level: the co-sell
// condition is the operator's judgement of the spec (setCoSell).
func (r *MarketplaceOfferReconciler) goLive(ctx context.Context, offer *v1.MarketplaceOffer) error {
	st, gen := &offer.Status, offer.Generation
	ps, ls := st.PreviewSubmission, st.LiveSubmission
	var fresh *partnercenter.Submission
	if ls == nil || ls.DraftDigest != ps.DraftDigest {
		sub, startedAt, err := r.runSubmissionJob(ctx, st, jobLive, partnercenter.TargetLive, v1.ReasonGoingLive,
			"publishing generation "+fmt.Sprint(ps.Generation)+" live", func() (*partnercenter.Job, error) {
				return r.PartnerCenter.GoLive(ctx, st.ProductID, ps.ID)
			})
		if st.ConfigureJob != nil && !meta.IsStatusConditionTrue(st.Conditions, v1.LiveCondition) {
			setCondition(&st.Conditions, gen, v1.LiveCondition, false, v1.ReasonGoingLive, "generation %d is going live (job %s)", ps.Generation, st.ConfigureJob.ID)
		}
		var refused *jobRefused
		if errors.As(err, &refused) {
			st.LiveSubmission = &v1.SubmissionRef{Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: startedAt, Result: v1.SubmissionFailed}
			return stalled(v1.ReasonPartnerCenterRejected, "going live with generation %d failed: %s; change the spec to publish again",
				ps.Generation, feedbackMessage(refused.errors))
		}
		if err != nil {
			return err
		}
		ls = &v1.SubmissionRef{ID: sub.ID, Generation: ps.Generation, DraftDigest: ps.DraftDigest, SubmittedAt: startedAt, Result: v1.SubmissionInProgress}
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
	case sub.Status != partnercenter.SubmissionCompleted || sub.Target != partnercenter.TargetLive:
		return waiting(r.submissionPoll(r.since(ls.SubmittedAt)), v1.ReasonGoingLive,
			"generation %d is going live (submission %s)", ls.Generation, ls.ID)
	case sub.Result != partnercenter.SubmissionSucceeded:
		ls.Result = v1.SubmissionFailed
		msg := fmt.Sprintf("going live with generation %d failed: %s; change the spec to publish again", ls.Generation, feedbackMessage(sub.Feedback))
		return stalled(v1.ReasonPartnerCenterRejected, "%s", msg)
	}
	ls.Result = v1.SubmissionSucceeded
	st.LiveGeneration = ls.Generation
	if st.LiveSince == nil {
		now := metav1.NewTime(r.Clock.Now())
		st.LiveSince = &now
	}
	setCondition(&st.Conditions, gen, v1.LiveCondition, true, v1.ReasonSucceeded, "generation %d is live (submission %s)", ls.Generation, ls.ID)
	setCoSell(st, gen, offer.Spec.CoSell)
	return nil
}

// setCoSell records the operator's judgement of the co-sell tab against
// Microsoft's documented co-sell requirements. No Partner Center API
// reports an offer's co-sell status, so status.coSellLevel stays empty and
// the condition says whose judgement it is.
func setCoSell(st *v1.MarketplaceOfferStatus, gen int64, cs *v1.CoSell) {
	const whose = "operator's judgement of spec.coSell against Microsoft's documented co-sell requirements (Partner Center reports no co-sell status through any API)"
	st.CoSellLevel = ""
	if missing := coSellMissing(cs); len(missing) > 0 {
		setCondition(&st.Conditions, gen, v1.CoSellReadyCondition, false, v1.ReasonCoSellNotReady,
			"%s: not co-sell ready, spec.coSell lacks %s", whose, strings.Join(missing, ", "))
		return
	}
	setCondition(&st.Conditions, gen, v1.CoSellReadyCondition, true, v1.ReasonCoSellReady,
		"%s: the spec meets the co-sell ready requirements; Partner Center decides", whose)
}

// coSellMissing lists what the co-sell ready requirements need and cs
// lacks: a solution one-pager and a pitch deck, a contact, 1 to 5 solution
// areas and a landing page.
func coSellMissing(cs *v1.CoSell) []string {
	if cs == nil {
		return []string{"everything (spec.coSell is empty)"}
	}
	var missing []string
	has := func(t v1.DocumentType) bool {
		return slices.ContainsFunc(cs.Documents, func(d v1.CoSellDocument) bool { return d.Type == t })
	}
	if !has(v1.DocumentSolutionOnePager) {
		missing = append(missing, "a SolutionOnePager document")
	}
	if !has(v1.DocumentPitchDeck) {
		missing = append(missing, "a PitchDeck document")
	}
	if len(cs.Contacts) == 0 {
		missing = append(missing, "a contact")
	}
	if n := len(cs.SolutionAreas); n < 1 || n > 5 {
		missing = append(missing, "1 to 5 solution areas")
	}
	if cs.LandingPageURL == "" {
		missing = append(missing, "a landing page")
	}
	return missing
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

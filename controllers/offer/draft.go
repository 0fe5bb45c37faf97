package offer

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// syncDraft writes the draft resources (listing, plans, resell) and the
// co-sell tab when they differ from what was last written. The draft job is
// recorded and read again after the poll interval, never waited for. A
// submission job recorded in status (status.operation holds one job) is
// followed to its end before a new draft is written, so that the
// submission it makes is recorded, not lost.
func (r *offerRun) syncDraft(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	desired := draftFromSpec(&s.offer.Spec)
	cosell := coSellFromSpec(&s.offer.Spec)
	digest := specDigest(desired, cosell)
	if err := r.followDraftJob(ctx, s, digest); err != nil {
		return err
	}
	if st.DraftDigest == digest {
		// A refused draft stays refused until the spec changes, or until
		// a new reconcile request asks to write it again.
		if c := meta.FindStatusCondition(st.Conditions, v1alpha1.DraftSyncedCondition); c != nil && c.Reason == v1alpha1.ReasonDraftRejected {
			if !reconcile.RetryRequested(ctx) {
				return s.stop(stopFact{kind: stallStillRejected, feedback: c.Message})
			}
		} else {
			s.draft = draftWritten
			return nil
		}
	}
	if ref := st.Operation; ref != nil && (ref.Purpose == jobPreview || ref.Purpose == jobLive) {
		s.draft, s.draftJob = draftWaiting, ref.ID
		if _, err := r.settleSubmissionJob(ctx, s); err != nil {
			return andThen(err, thenWriteDraft, s.offer, s.offer.Generation)
		}
		s.draft, s.draftJob = draftUnknown, ""
	}
	// A draft this operator never wrote (adopted or migrated) is read once,
	// so that an identical one is not written again.
	if st.DraftDigest == "" && st.PreviewSubmission == nil && !s.createdProduct && cosell == nil {
		current, err := r.pc.GetDraft(ctx, st.ProductID)
		if err != nil {
			return reconcile.PartnerCenterError(err)
		}
		if specDigest(normalizeDraft(*current), nil) == digest {
			st.DraftDigest = digest
			s.draft = draftFound
			return nil
		}
	}
	// The co-sell tab is another API's (the Partner Ingestion API),
	// written synchronously; what no API can write is said in DraftSynced.
	if err := r.writeCoSell(ctx, s, cosell); err != nil {
		return err
	}
	job, err := r.pc.ConfigureDraft(ctx, st.ProductID, string(s.offer.Spec.OfferType), desired)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	s.unwritten = append(s.unwritten, job.Unwritten...)
	st.DraftDigest = digest
	if job.Succeeded() {
		s.draft = draftWritten
		return nil
	}
	r.recordOperation(st, jobDraft, job.ID, 0)
	s.draft, s.draftJob = draftWriting, job.ID
	return s.stop(stopFact{kind: waitWritingDraft, after: r.pc.JobPollInterval(), job: job.ID})
}

// writeCoSell writes the co-sell tab, when the spec has one, and records
// what of it has no published place.
func (r *offerRun) writeCoSell(ctx context.Context, s *offerScope, cosell *partnercenter.CoSellListing) error {
	if cosell == nil {
		return nil
	}
	unwritten, err := r.pc.ConfigureCoSell(ctx, s.offer.Spec.OfferID, string(s.offer.Spec.OfferType), *cosell)
	switch {
	case partnercenter.ClassOf(err) == partnercenter.ClassUnsupported:
		s.unwritten = append(s.unwritten, partnercenter.FeedbackItem{Resource: "spec.coSell", Message: err.Error()})
	case err != nil:
		return reconcile.PartnerCenterError(err)
	}
	s.unwritten = append(s.unwritten, unwritten...)
	return nil
}

// followDraftJob follows the draft job a previous reconcile started. A job
// Partner Center no longer knows is written again; a failed one stalls the
// offer until the spec changes, unless the spec already changed (digest is
// the draft wanted now): a refusal of a draft no longer wanted must not
// stall the new generation, whose draft syncDraft then writes. Another
// phase's job is left to its phase.
func (r *offerRun) followDraftJob(ctx context.Context, s *offerScope, digest string) error {
	st := &s.offer.Status
	if st.Operation == nil {
		return nil
	}
	if purpose := st.Operation.Purpose; purpose != jobDraft {
		return nil
	}
	read, err := r.followOperation(ctx, st)
	if err != nil {
		return err
	}
	switch {
	case read.outcome == jobRunning:
		return s.stop(stopFact{kind: waitWritingDraft, after: read.poll, job: read.op.ID})
	case read.outcome == jobLost:
		st.DraftDigest = ""
	case read.outcome == jobFailed && st.DraftDigest != digest:
		// Superseded: the draft in Partner Center is not the refused one
		// (a failed job applies nothing); syncDraft writes the new one.
	case read.outcome == jobFailed:
		s.draft, s.draftFeedback = draftRejected, read.job.Errors
		return s.stop(stopFact{kind: stallDraftRejected, items: read.job.Errors})
	default:
		s.draft, s.draftJobStarted = draftWritten, read.op.StartedAt
	}
	return nil
}

package controllers

import (
	"context"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// cleanUp carries out deletionPolicy Delete (reconcile.go calls it for an
// object that holds OfferFinalizer): it deletes a never-published draft
// (product lifecycleState deleted), or stops sale of a live offer through
// its live submission, and follows the job across reconciles. It returns
// nil once the object may go.
func (r *MarketplaceOfferReconciler) cleanUp(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	st := &offer.Status
	if st.ProductID == "" {
		return nil
	}
	if ref := st.ConfigureJob; ref != nil && ref.ID != "" {
		purpose, _ := parseJobRef(ref.ID)
		job, _, err := r.finishedJob(ctx, st, v1alpha1.ReasonDeleting, "waiting for the "+purpose+" job of product "+st.ProductID)
		if err != nil {
			return err
		}
		if job != nil && (purpose == jobStopSale || purpose == jobDelete) {
			if job.Succeeded() {
				return nil
			}
			return stalled(v1alpha1.ReasonPartnerCenterRejected, "Partner Center refused to %s product %s: %s",
				purpose, st.ProductID, feedbackMessage(job.Errors))
		}
	}
	product, err := r.PartnerCenter.GetProduct(ctx, st.ProductID)
	if partnercenter.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return pcError(err)
	}
	if product.State == partnercenter.LifecycleDeprecated {
		return nil
	}
	subs, err := r.PartnerCenter.ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return pcError(err)
	}
	var live, published *partnercenter.Submission
	for i := range subs {
		s := &subs[i]
		if s.IsDraft() {
			continue
		}
		published = s
		if s.Target == partnercenter.TargetLive && s.Result == partnercenter.SubmissionSucceeded && live == nil {
			live = s
		}
	}
	switch {
	case published == nil:
		job, err := r.PartnerCenter.DeleteDraft(ctx, *product)
		if partnercenter.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return pcError(err)
		}
		r.Recorder.Eventf(offer, nil, "Normal", "DraftDeleted", "Delete", "deleting never-published draft %s (job %s)", st.ProductID, job.ID)
		st.ConfigureJob = r.jobRef(jobDelete, job.ID)
		return waiting(r.PartnerCenter.JobPollInterval(), v1alpha1.ReasonDeleting, "deleting never-published draft %s (job %s)", st.ProductID, job.ID)
	case live == nil:
		// Published to preview, never live: Microsoft documents neither a
		// delete (drafts never published only) nor a stop-sale (live only).
		r.Recorder.Eventf(offer, nil, "Warning", "LeftInPartnerCenter", "Delete",
			"product %s was published to preview only; Partner Center offers no documented way to delete it, so it is left as is", st.ProductID)
		return nil
	}
	job, err := r.PartnerCenter.StopSale(ctx, st.ProductID, live.ID)
	if err != nil {
		return pcError(err)
	}
	r.Recorder.Eventf(offer, nil, "Normal", "StopSale", "Delete", "stopping sale of %s (job %s)", st.ProductID, job.ID)
	st.ConfigureJob = r.jobRef(jobStopSale, job.ID)
	return waiting(r.PartnerCenter.JobPollInterval(), v1alpha1.ReasonDeleting, "stopping sale of product %s (job %s)", st.ProductID, job.ID)
}

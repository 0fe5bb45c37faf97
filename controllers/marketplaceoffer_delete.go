package controllers

import (
	"context"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// cleanUp carries out deletionPolicy Delete (reconcile.go calls it for an
// object that holds OfferFinalizer): it deletes a never-published draft,
// or stops sale of a published offer and waits for the job. It returns
// nil once the object may go.
func (r *MarketplaceOfferReconciler) cleanUp(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	st := &offer.Status
	if st.ProductID == "" {
		return nil
	}
	if job := st.ConfigureJob; job != nil && job.ID != "" {
		if _, err := r.finishedJob(ctx, st, v1alpha1.ReasonDeleting,
			"stopping sale of product %s (job %s)", st.ProductID, job.ID); err != nil {
			return err
		}
	}
	product, err := r.PartnerCenter.GetProduct(ctx, st.ProductID)
	if partnercenter.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return pcError(err)
	}
	switch product.State {
	case partnercenter.LifecycleDeprecated:
		return nil
	case partnercenter.LifecycleDraft:
		if err := r.PartnerCenter.DeleteDraft(ctx, st.ProductID); err != nil && !partnercenter.IsNotFound(err) {
			return pcError(err)
		}
		r.Recorder.Eventf(offer, nil, "Normal", "DraftDeleted", "Delete", "deleted never-published draft %s", st.ProductID)
		return nil
	}
	job, err := r.PartnerCenter.StopSale(ctx, st.ProductID)
	if err != nil {
		return pcError(err)
	}
	r.Recorder.Eventf(offer, nil, "Normal", "StopSale", "Delete", "stopping sale of %s (job %s)", st.ProductID, job.ID)
	if job.Done() {
		return nil
	}
	now := r.now()
	st.ConfigureJob = &v1alpha1.JobRef{ID: job.ID, StartedAt: &now}
	return waiting(r.Options.MinPoll, v1alpha1.ReasonDeleting, "stopping sale of product %s (job %s)", st.ProductID, job.ID)
}

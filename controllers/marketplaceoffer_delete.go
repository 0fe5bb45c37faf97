package controllers

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// finalize carries out deletionPolicy Delete: it deletes a never-published
// draft, or stops sale of a published offer and waits for the job, then
// releases the object. Objects without the finalizer (Orphan) never get here
// with work to do.
func (r *MarketplaceOfferReconciler) finalize(ctx context.Context, offer *v1.MarketplaceOffer) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(offer, OfferFinalizer) {
		return ctrl.Result{}, nil
	}
	err := r.cleanUp(ctx, offer)
	o := classify(err, v1.ReasonPartnerCenterError)
	if o.kind == outcomeDone {
		patch := client.MergeFrom(offer.DeepCopy())
		controllerutil.RemoveFinalizer(offer, OfferFinalizer)
		return ctrl.Result{}, r.Patch(ctx, offer, patch)
	}
	summarize(&offer.Status.Conditions, offer.Generation, o, "")
	switch o.kind {
	case outcomeWaiting:
		return ctrl.Result{RequeueAfter: o.after}, nil
	case outcomeStalled:
		return ctrl.Result{RequeueAfter: jitter(r.Options.StalledRecheck)}, nil
	}
	return ctrl.Result{}, err
}

func (r *MarketplaceOfferReconciler) cleanUp(ctx context.Context, offer *v1.MarketplaceOffer) error {
	st := &offer.Status
	if st.ProductID == "" {
		return nil
	}
	if job := st.ConfigureJob; job != nil && job.ID != "" {
		got, err := r.PartnerCenter.GetJob(ctx, job.ID)
		if err != nil && !partnercenter.IsNotFound(err) {
			return pcError(err)
		}
		if err == nil && !got.Done() {
			return waiting(pollAfter(r.since(job.StartedAt), r.Options.MinPoll, r.Options.MaxPoll), v1.ReasonDeleting,
				"stopping sale of product %s (job %s)", st.ProductID, job.ID)
		}
		st.ConfigureJob = nil
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
	st.ConfigureJob = &v1.JobRef{ID: job.ID, StartedAt: &now}
	return waiting(r.Options.MinPoll, v1.ReasonDeleting, "stopping sale of product %s (job %s)", st.ProductID, job.ID)
}

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
	if ref := st.ConfigureJob; ref != nil && ref.ID != "" {
		purpose, jobID := parseJobRef(ref.ID)
		got, err := r.PartnerCenter.GetJob(ctx, jobID)
		if err != nil && !partnercenter.IsNotFound(err) {
			return pcError(err)
		}
		if err == nil && !got.Done() {
			return waiting(r.jobPoll(ref), v1.ReasonDeleting, "waiting for job %s of product %s (%s)", jobID, st.ProductID, purpose)
		}
		st.ConfigureJob = nil
		if err == nil && (purpose == jobStopSale || purpose == jobDelete) {
			if got.Succeeded() {
				return nil
			}
			return stalled(v1.ReasonPartnerCenterRejected, "Partner Center refused to %s product %s: %s", purpose, st.ProductID, feedbackMessage(got.Errors))
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
		if err != nil && !partnercenter.IsNotFound(err) {
			return pcError(err)
		}
		if err != nil {
			return nil
		}
		r.Recorder.Eventf(offer, nil, "Normal", "DraftDeleted", "Delete", "deleting never-published draft %s (job %s)", st.ProductID, job.ID)
		st.ConfigureJob = r.jobRef(jobDelete, job.ID)
		return waiting(r.PartnerCenter.JobPollInterval(), v1.ReasonDeleting, "deleting never-published draft %s (job %s)", st.ProductID, job.ID)
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
	return waiting(r.PartnerCenter.JobPollInterval(), v1.ReasonDeleting, "stopping sale of product %s (job %s)", st.ProductID, job.ID)
}

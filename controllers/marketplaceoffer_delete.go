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
//
// Partner Center deletes only a draft never published, and stops the sale
// only of a live offer (through its live submission); it documents no way
// to withdraw a submission. So while a submission runs that decides which
// of the two applies (a first certification, a first go-live), deletion
// waits for it, Reconciling with reason Deleting, and then does what
// Partner Center allows: a draft whose certification failed was never
// published and is deleted; one that passed is in preview, which no
// documented call deletes or stops, and is left with an event; one that
// went live has its sale stopped. A live offer has its sale stopped at
// once, whatever update is under way.
func (r *MarketplaceOfferReconciler) cleanUp(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	st := &offer.Status
	if st.ProductID == "" {
		return nil
	}
	if ref := st.ConfigureJob; ref != nil {
		switch purpose, jobID := parseJobRef(ref.ID); {
		case purpose == jobStopSale || purpose == jobDelete:
			job, _, err := r.finishedJob(ctx, st, v1alpha1.ReasonDeleting, "waiting for the "+purpose+" job of product "+st.ProductID)
			if err != nil {
				return err
			}
			if job != nil {
				if job.Succeeded() {
					return nil
				}
				return stalled(v1alpha1.ReasonPartnerCenterRejected, "Partner Center refused to %s product %s: %s",
					purpose, st.ProductID, feedbackMessage(job.Errors))
			}
		case jobID == "":
			// A pending submission mark: whatever it made is listed below.
			st.ConfigureJob = nil
		}
	}
	product, err := r.partnerCenter(ctx).GetProduct(ctx, st.ProductID)
	if partnercenter.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return pcError(err)
	}
	if product.State == partnercenter.LifecycleDeprecated {
		return nil
	}
	subs, err := r.partnerCenter(ctx).ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return pcError(err)
	}
	var live, running, published *partnercenter.Submission
	for i := range subs {
		s := &subs[i]
		switch {
		case s.IsDraft():
		case s.Status != partnercenter.SubmissionCompleted:
			if running == nil {
				running = s
			}
		case s.Result == partnercenter.SubmissionSucceeded:
			published = s
			if s.Target == partnercenter.TargetLive && live == nil {
				live = s
			}
		}
	}
	if live != nil {
		job, err := r.partnerCenter(ctx).StopSale(ctx, st.ProductID, live.ID)
		if err != nil {
			return pcError(err)
		}
		r.Recorder.Eventf(offer, nil, "Normal", "StopSale", "Delete", "stopping sale of %s (job %s)", st.ProductID, job.ID)
		st.ConfigureJob = r.jobRef(jobStopSale, job.ID)
		return waiting(r.jobPollInterval(), v1alpha1.ReasonDeleting, "stopping sale of product %s (job %s)", st.ProductID, job.ID)
	}
	// A job in flight (a draft write, a submission not listed yet) may
	// still publish the product: wait for it.
	if ref := st.ConfigureJob; ref != nil {
		purpose, _ := parseJobRef(ref.ID)
		if _, _, err := r.finishedJob(ctx, st, v1alpha1.ReasonDeleting, deletionWaitMessage(st.ProductID, purpose)); err != nil {
			return err
		}
		return waiting(r.Options.MinPoll, v1alpha1.ReasonDeleting, "the %s job of product %s has finished; deleting", purpose, st.ProductID)
	}
	if running != nil {
		what := jobPreview
		if running.Target == partnercenter.TargetLive {
			what = jobLive
		}
		return waiting(r.submissionPoll(r.Clock.Since(running.Created)), v1alpha1.ReasonDeleting, "%s (submission %s)",
			deletionWaitMessage(st.ProductID, what), running.ID)
	}
	if published != nil {
		// Published to preview, never live: Microsoft documents neither a
		// delete (drafts never published only) nor a stop-sale (live only).
		r.Recorder.Eventf(offer, nil, "Warning", "LeftInPartnerCenter", "Delete",
			"product %s was published to preview only; Partner Center offers no documented way to delete it, so it is left as is", st.ProductID)
		return nil
	}
	job, err := r.partnerCenter(ctx).DeleteDraft(ctx, *product)
	if partnercenter.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return pcError(err)
	}
	r.Recorder.Eventf(offer, nil, "Normal", "DraftDeleted", "Delete", "deleting never-published draft %s (job %s)", st.ProductID, job.ID)
	st.ConfigureJob = r.jobRef(jobDelete, job.ID)
	return waiting(r.jobPollInterval(), v1alpha1.ReasonDeleting, "deleting never-published draft %s (job %s)", st.ProductID, job.ID)
}

// deletionWaitMessage says what deletion waits for while a job or
// submission of the given purpose runs.
func deletionWaitMessage(productID, purpose string) string {
	switch purpose {
	case jobPreview:
		return "waiting for certification of product " + productID + " to complete: Partner Center deletes only a never-published draft " +
			"and documents no way to withdraw a submission; a draft that fails certification is then deleted, one that passes is left in preview"
	case jobLive:
		return "waiting for product " + productID + " to finish going live: Partner Center stops the sale only of a live offer; its sale is then stopped"
	}
	return "waiting for the " + purpose + " job of product " + productID + " to finish before deleting"
}

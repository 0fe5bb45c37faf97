package offer

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
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
func (r *offerRun) cleanUp(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	st := &offer.Status
	if st.ProductID == "" {
		return nil
	}
	if done, err := r.followCleanUpJob(ctx, offer); done || err != nil {
		return err
	}
	product, err := r.pc.GetProduct(ctx, st.ProductID)
	if partnercenter.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	if product.State == partnercenter.LifecycleDeprecated {
		return nil
	}
	subs, err := r.pc.ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	live, running, published := sortSubmissions(subs)
	if live != nil {
		return r.stopSale(ctx, offer, live)
	}
	// A job in flight (a draft write, a submission not listed yet) may
	// still publish the product: wait for it.
	if ref := st.Operation; ref != nil {
		purpose := ref.Purpose
		read, err := r.followOperation(ctx, st)
		if err != nil {
			return err
		}
		if read.outcome == jobRunning {
			return stopFact{kind: waitJobBeforeDeleting, after: read.poll, purpose: purpose, job: read.op.ID}.outcome(offer)
		}
		return stopFact{kind: waitJobEndedDeleting, after: r.Options.MinPoll, purpose: purpose}.outcome(offer)
	}
	if running != nil {
		what := jobPreview
		if running.Target == partnercenter.TargetLive {
			what = jobLive
		}
		return stopFact{kind: waitSubmissionDeleting, after: r.submissionPoll(r.Clock.Since(running.Created)), purpose: what, submission: running.ID}.outcome(offer)
	}
	if published != nil {
		// Published to preview, never live: Microsoft documents neither a
		// delete (drafts never published only) nor a stop-sale (live only).
		reconcile.Eventf(r.Recorder, offer, "Warning", "LeftInPartnerCenter", "Delete",
			"product %s was published to preview only; Partner Center offers no documented way to delete it, so it is left as is", st.ProductID)
		return nil
	}
	return r.deleteDraft(ctx, offer, product)
}

// stopSale stops the sale of a live offer, whose live submission is
// live, and waits for the job.
func (r *offerRun) stopSale(ctx context.Context, offer *v1alpha1.MarketplaceOffer, live *partnercenter.Submission) error {
	st := &offer.Status
	if live.State == partnercenter.LifecycleDeprecated {
		// A stop-sale taken by Partner Center shows on the live submission
		// (as the adapter checks it): read before stopping again, never a
		// blind resend after a request that failed on the wire.
		return nil
	}
	job, err := r.pc.StopSale(ctx, st.ProductID, live.ID)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	reconcile.Eventf(r.Recorder, offer, "Normal", "StopSale", "Delete", "stopping sale of %s (job %s)", st.ProductID, job.ID)
	r.recordOperation(st, jobStopSale, job.ID, 0)
	return stopFact{kind: waitStoppingSale, after: r.pc.JobPollInterval(), job: job.ID}.outcome(offer)
}

// followCleanUpJob follows the stop-sale or delete job a previous
// reconcile started; done is true once it succeeded. A pending
// submission mark is dropped: whatever it made is listed by cleanUp.
func (r *offerRun) followCleanUpJob(ctx context.Context, offer *v1alpha1.MarketplaceOffer) (done bool, _ error) {
	st := &offer.Status
	ref := st.Operation
	if ref == nil {
		return false, nil
	}
	switch purpose := ref.Purpose; {
	case purpose == jobStopSale || purpose == jobDelete:
		read, err := r.followOperation(ctx, st)
		if err != nil {
			return false, err
		}
		switch read.outcome {
		case jobRunning:
			return false, stopFact{kind: waitCleanUpJob, after: read.poll, purpose: purpose, job: read.op.ID}.outcome(offer)
		case jobLost:
			return false, nil
		case jobSucceeded:
			return true, nil
		}
		return false, stopFact{kind: stallJobRefused, purpose: purpose, items: read.job.Errors}.outcome(offer)
	case ref.ID == "":
		clearOperation(st)
	}
	return false, nil
}

// sortSubmissions picks, of a product's submissions (newest first), the
// newest live one that succeeded, the newest one still running, and the
// oldest one that succeeded.
func sortSubmissions(subs []partnercenter.Submission) (live, running, published *partnercenter.Submission) {
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
	return live, running, published
}

// deleteDraft starts the job that deletes a never-published draft.
func (r *offerRun) deleteDraft(ctx context.Context, offer *v1alpha1.MarketplaceOffer, product *partnercenter.Product) error {
	st := &offer.Status
	job, err := r.pc.DeleteDraft(ctx, *product)
	if partnercenter.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	reconcile.Eventf(r.Recorder, offer, "Normal", "DraftDeleted", "Delete", "deleting never-published draft %s (job %s)", st.ProductID, job.ID)
	r.recordOperation(st, jobDelete, job.ID, 0)
	return stopFact{kind: waitDeletingDraft, after: r.pc.JobPollInterval(), job: job.ID}.outcome(offer)
}

// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get

// finalizeWithoutCredentials answers a deletion that cannot connect to
// Partner Center (err, from Connect). When the credentials are gone
// because the object's namespace is being deleted (its Secret goes with
// it), the object is released, with a Warning event naming the product
// left as it is in Partner Center: the operator never acts at Partner
// Center without the namespace's own credentials (they never fall back to
// the global ones), and holding the finalizer would keep the namespace
// Terminating for ever. The API server refuses new events in a namespace
// being deleted, so the event is about the Namespace (kubectl get events
// -n default lists it) and the operator's log says it too. Otherwise the
// deletion stalls, as any reconcile without credentials does, until they
// are back.
func (r *MarketplaceOfferReconciler) finalizeWithoutCredentials(ctx context.Context, offer *v1alpha1.MarketplaceOffer, err error) error {
	if !partnercenter.IsCredentials(err) {
		return reconcile.PartnerCenterError(err)
	}
	ns, nsErr := r.terminatingNamespace(ctx, offer.Namespace)
	if nsErr != nil {
		return nsErr
	}
	if ns == nil {
		return reconcile.PartnerCenterError(err)
	}
	what := "offer ID " + offer.Spec.OfferID
	if id := offer.Status.ProductID; id != "" {
		what = "product " + id + " (" + what + ")"
	}
	msg := "namespace " + offer.Namespace + " is being deleted and its Partner Center credentials are gone: MarketplaceOffer " + offer.Name +
		" is released without carrying out deletionPolicy Delete; " + what + " is left in Partner Center as it is (a live offer stays on sale): " +
		"stop its sale or delete it in Partner Center"
	logf.FromContext(ctx).Info(msg)
	reconcile.Eventf(r.Recorder, ns, "Warning", "LeftInPartnerCenter", "Delete", "%s", msg)
	return nil
}

// terminatingNamespace is namespace name when it is being deleted, else nil.
func (r *MarketplaceOfferReconciler) terminatingNamespace(ctx context.Context, name string) (*corev1.Namespace, error) {
	reader := r.APIReader
	if reader == nil {
		reader = r.Client
	}
	ns := &corev1.Namespace{}
	if err := reader.Get(ctx, client.ObjectKey{Name: name}, ns); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	if ns.DeletionTimestamp.IsZero() && ns.Status.Phase != corev1.NamespaceTerminating {
		return nil, nil
	}
	return ns, nil
}

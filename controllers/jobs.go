package controllers

import (
	"strings"
	"time"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// Partner Center's writes are configure jobs that run for seconds to
// minutes; the reconcilers record the job and requeue, and never wait for
// one in a worker. status.configureJob holds the one job in flight, its ID
// prefixed with what it does ("<purpose>/<jobId>"), because each phase
// must tell its own job from another phase's.
//
// Stopgap until status has a field for the purpose (issue 13 reshapes the
// status): a bare ID is a draft job, as before.
const (
	jobCreate   = "create"
	jobDraft    = "draft"
	jobPreview  = "preview"
	jobLive     = "live"
	jobStopSale = "stop-sale"
	jobDelete   = "delete"
)

// jobRef records a job just started.
func (r *MarketplaceOfferReconciler) jobRef(purpose, jobID string) *v1alpha1.JobRef {
	now := r.now()
	return &v1alpha1.JobRef{ID: purpose + "/" + jobID, StartedAt: &now}
}

// parseJobRef splits a recorded job ID into its purpose and Partner
// Center's job ID.
func parseJobRef(id string) (purpose, jobID string) {
	p, j, ok := strings.Cut(id, "/")
	switch p {
	case jobCreate, jobDraft, jobPreview, jobLive, jobStopSale, jobDelete:
		if ok {
			return p, j
		}
	}
	return jobDraft, id
}

// jobPurpose is what the job recorded in ref does.
func jobPurpose(ref *v1alpha1.JobRef) string {
	p, _ := parseJobRef(ref.ID)
	return p
}

// jobPoll is how long to wait before reading a job again: growing with its
// age, never sooner than the Partner Center's job poll interval (one
// minute for Microsoft's API).
func (r *MarketplaceOfferReconciler) jobPoll(ref *v1alpha1.JobRef) time.Duration {
	var started time.Duration
	if ref != nil {
		started = r.since(ref.StartedAt)
	}
	return max(pollAfter(started, r.Options.MinPoll, r.Options.MaxPoll), r.jobPollInterval())
}

// submissionPoll is how long to wait before reading a submission in
// certification or going live again.
func (r *MarketplaceOfferReconciler) submissionPoll(submittedAt time.Duration) time.Duration {
	return max(pollAfter(submittedAt, r.Options.MinPoll, r.Options.MaxPoll), r.jobPollInterval())
}

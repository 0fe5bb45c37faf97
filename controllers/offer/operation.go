package offer

import (
	"strings"
	"time"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// Partner Center's writes are jobs that run for seconds to minutes (days,
// for a certification); the reconcilers record the job and requeue, and
// never wait for one in a worker. status.operation holds the one job in
// flight: what it does (its purpose), Partner Center's job ID, when it
// started and, for a submission, the generation it submits. Each phase
// follows its own purpose's job and leaves another's to its phase.
const (
	jobCreate   = v1alpha1.OperationCreate
	jobDraft    = v1alpha1.OperationDraft
	jobPreview  = v1alpha1.OperationPreview
	jobLive     = v1alpha1.OperationLive
	jobStopSale = v1alpha1.OperationStopSale
	jobDelete   = v1alpha1.OperationDelete
)

// operationWords names each purpose in messages.
var operationWords = map[v1alpha1.OperationPurpose]string{
	jobCreate: "create", jobDraft: "draft", jobPreview: "preview", jobLive: "live", jobStopSale: "stop-sale", jobDelete: "delete",
}

// words is how messages name purpose.
func words(purpose v1alpha1.OperationPurpose) string { return operationWords[purpose] }

// startOperation records a job just started.
func (r *offerRun) startOperation(purpose v1alpha1.OperationPurpose, jobID string) *v1alpha1.Operation {
	now := r.now()
	return &v1alpha1.Operation{Purpose: purpose, ID: jobID, StartedAt: &now}
}

// upgradeOperation moves a job recorded by a release before
// status.operation (status.configureJob, its ID "<purpose>/<jobId>", a
// bare ID being a draft job, "<purpose>/" a pending mark) into
// status.operation, so that the job is followed to its end and no other
// is started meanwhile. configureJob is then cleared.
func upgradeOperation(st *v1alpha1.MarketplaceOfferStatus) {
	ref := st.ConfigureJob
	if ref == nil {
		return
	}
	st.ConfigureJob = nil
	if st.Operation != nil {
		return
	}
	purpose, jobID := parseLegacyJobRef(ref.ID)
	st.Operation = &v1alpha1.Operation{Purpose: purpose, ID: jobID, StartedAt: ref.StartedAt, Generation: ref.Generation}
}

// legacyPurposes are the purposes as status.configureJob spelled them.
var legacyPurposes = map[string]v1alpha1.OperationPurpose{
	"create": jobCreate, "draft": jobDraft, "preview": jobPreview, "live": jobLive, "stop-sale": jobStopSale, "delete": jobDelete,
}

// parseLegacyJobRef splits a job ID recorded in status.configureJob into
// its purpose and Partner Center's job ID.
func parseLegacyJobRef(id string) (v1alpha1.OperationPurpose, string) {
	p, j, ok := strings.Cut(id, "/")
	if purpose, known := legacyPurposes[p]; known && ok {
		return purpose, j
	}
	return jobDraft, id
}

// jobPoll is how long to wait before reading a job again: growing with its
// age, never sooner than the Partner Center's job poll interval (one
// minute for Microsoft's API).
func (r *offerRun) jobPoll(op *v1alpha1.Operation) time.Duration {
	var started time.Duration
	if op != nil {
		started = r.since(op.StartedAt)
	}
	return max(reconcile.PollAfter(started, r.Options.MinPoll, r.Options.MaxPoll), r.pc.JobPollInterval())
}

// submissionPoll is how long to wait before reading a submission in
// certification or going live again.
func (r *offerRun) submissionPoll(submittedAt time.Duration) time.Duration {
	return max(reconcile.PollAfter(submittedAt, r.Options.MinPoll, r.Options.MaxPoll), r.pc.JobPollInterval())
}

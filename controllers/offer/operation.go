package offer

import (
	"context"
	"strings"
	"time"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
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

// jobOutcome is what one read of an operation's job found.
type jobOutcome int

const (
	// jobRunning: Partner Center still works on the job; it stays
	// recorded and is read again after jobRead.poll.
	jobRunning jobOutcome = iota + 1
	// jobSucceeded: the job completed and made what it was started for.
	jobSucceeded
	// jobFailed: Partner Center completed the job as failed (refused);
	// jobRead.job.Errors says why.
	jobFailed
	// jobLost: Partner Center no longer knows the job.
	jobLost
)

// jobRead is one read of the job of status.operation: the operation read,
// what its job's state is, the job (nil when lost) and, while it runs,
// how long to wait before reading it again.
type jobRead struct {
	op      v1alpha1.Operation
	outcome jobOutcome
	job     *partnercenter.Job
	poll    time.Duration
}

// followOperation is the one follower of status.operation: it reads the
// operation's job once, and each phase interprets what it found for its
// purpose. A job that ended (succeeded, failed, or no longer known to
// Partner Center) is cleared from status; a running one stays recorded.
// It is called only for an operation with a job ID (a pending mark has
// none: its phase looks up what the call made instead).
func (r *offerRun) followOperation(ctx context.Context, st *v1alpha1.MarketplaceOfferStatus) (jobRead, error) {
	read := jobRead{op: *st.Operation}
	job, err := r.pc.GetJob(ctx, read.op.ID)
	switch {
	case partnercenter.IsNotFound(err):
		read.outcome = jobLost
	case err != nil:
		return read, reconcile.PartnerCenterError(err)
	case !job.Done():
		read.outcome, read.job, read.poll = jobRunning, job, r.jobPoll(st.Operation)
		return read, nil
	case job.Succeeded():
		read.outcome, read.job = jobSucceeded, job
	default:
		read.outcome, read.job = jobFailed, job
	}
	clearOperation(st)
	return read, nil
}

// recordOperation records in status the job just started for purpose,
// for generation gen (0 when the operation is not a submission's).
func (r *offerRun) recordOperation(st *v1alpha1.MarketplaceOfferStatus, purpose v1alpha1.OperationPurpose, jobID string, gen int64) {
	now := r.now()
	st.Operation = &v1alpha1.Operation{Purpose: purpose, ID: jobID, StartedAt: &now, Generation: gen}
}

// markOperation records in status that a call starting purpose's job,
// for generation gen, is about to be made or was made without its
// answer: an operation without a job ID (a pending mark).
func (r *offerRun) markOperation(st *v1alpha1.MarketplaceOfferStatus, purpose v1alpha1.OperationPurpose, gen int64) {
	r.recordOperation(st, purpose, "", gen)
}

// clearOperation forgets the operation in flight.
func clearOperation(st *v1alpha1.MarketplaceOfferStatus) { st.Operation = nil }

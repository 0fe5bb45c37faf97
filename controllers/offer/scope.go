package offer

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// What one reconcile of an offer works with: the reconciler, the run (the
// reconciler with the namespace's Partner Center client) and the scope,
// the facts its phases record. The phases (phases.go and the files it
// names) fill the scope in; status.go turns it into conditions, reasons
// and messages.

// MarketplaceOfferReconciler takes MarketplaceOffers through draft,
// certification, preview and live in Partner Center: the offer's state
// and steps, run by the controller NewController makes.
type MarketplaceOfferReconciler struct {
	reconcile.Dependencies
	// resyncs is when each offer's next resync is due (drift.go).
	resyncs resyncSchedule
}

// offerRun is one reconcile of an offer: the reconciler and the Partner
// Center client of the offer's namespace (Connect).
type offerRun struct {
	*MarketplaceOfferReconciler
	pc partnercenter.Client
}

func (r *offerRun) since(t *metav1.Time) time.Duration {
	if t == nil {
		return 0
	}
	return r.Clock.Since(t.Time)
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (r *offerRun) now() metav1.Time { return metav1.NewTime(r.Clock.Now()) }

// offerScope is what the offer's phases found out in one reconcile. The
// phases record it, with the IDs, digests and submissions they keep in
// status; the status functions (status.go) compute the
// conditions from it.
type offerScope struct {
	// offer is the object reconciled.
	offer *v1alpha1.MarketplaceOffer
	// refused is set by admit when the offer stalled before any Partner
	// Center call: its offer type refuses the spec, or another object owns
	// its offer ID. Nothing read before is kept (InSync goes).
	refused bool
	// lostCreate is set by ensureProduct when it cleared a create-pending
	// mark that no create job's detail resolved to a product: a product
	// found then is taken only through adoption.
	lostCreate bool
	// createdProduct is set by ensureProduct when it created the product,
	// whose draft is then known to be empty.
	createdProduct bool
	// migratedProduct is set by ensureProduct when it found the product a
	// Solution migrated into the offer, never published by anyone yet.
	migratedProduct bool
	// draft is set by syncDraft: what it found of the draft in Partner
	// Center; draftUnknown while it waits on a job it started before.
	draft draftFact
	// draftJob is set by syncDraft with draftWriting: the job it started.
	draftJob string
	// draftFeedback is set by syncDraft with draftRejected: why Partner
	// Center refused the draft (the job's errors).
	draftFeedback []partnercenter.FeedbackItem
	// unwritten is set by syncDraft when it wrote the draft: what of the
	// spec has no published place (Job.Unwritten, ConfigureCoSell's answer).
	unwritten []partnercenter.FeedbackItem
	// draftJobStarted is set by syncDraft when it saw the draft job of a
	// previous reconcile complete: when that job was started. A process
	// that stopped after submitting the draft but before recording the
	// submission left this job in status; certify then looks for that
	// submission before submitting again.
	draftJobStarted *metav1.Time
	// submitJob is set by certify with certificationSubmitting and by goLive
	// with liveSubmitting: the submission job in flight.
	submitJob string
	// certification is set by certify: where the preview submission stands.
	certification certificationFact
	// live is set by goLive: where the live submission stands; or by
	// checkDrift: a sale stopped or a product deleted outside the operator.
	live liveFact
	// adoptionChanged is set by adopt when it adopted the product or
	// released what it held (status.adoption); adoptedDiff is what
	// differed between the published version and the draft then.
	adoptionChanged bool
	adoptedDiff     []string
	// adoptedPublished is set by adopt when it took over a published
	// product this reconcile (adoptPublished): what it left as it found
	// it is then warned of (adoptionEvent, status.go).
	adoptedPublished bool
	// observed is set by observe (managementPolicy Observe): how Partner
	// Center differs from the spec.
	observed *observation
	// stoppedSubmission is set by checkDrift with liveSaleStopped: the
	// deprecated live submission.
	stoppedSubmission string
	// stopped is set by the phase that ended the phases before the offer
	// reached its target: what it waits for or stalls on (status.go says
	// it).
	stopped *stopFact
	// driftFound is set by checkDrift when the draft in Partner Center was
	// changed outside the operator; syncDraft then writes it back.
	driftFound bool
	// driftChecked is set when the draft was read back this reconcile
	// (compareDraft, recordDraftBaseline); driftDiffs then lists the
	// fields changed outside the operator and left as they are
	// (driftPolicy Report), empty when the draft holds what was written.
	driftChecked bool
	driftDiffs   []string
	// restored is set by checkDrift when the product's sale, stopped,
	// was restored (lifecycleState generallyAvailable) but not published
	// again.
	restored bool
	// productChecked is set once this reconcile read the product's state
	// (checkDrift, explainRefusal), so that it is read at most once.
	productChecked bool
}

// draftFact is what syncDraft found of the draft in Partner Center.
type draftFact int

const (
	draftUnknown  draftFact = iota // not reached, or a job still runs
	draftWritten                   // the operator wrote the current draft
	draftFound                     // the current draft was already there (adopted or migrated)
	draftWriting                   // a configure job writes it (offerScope.draftJob)
	draftRejected                  // Partner Center refused it (offerScope.draftFeedback)
	draftWaiting                   // a submission job in flight (offerScope.draftJob) must finish first
)

// certificationFact is where the preview submission of the draft stands.
type certificationFact int

const (
	certificationUnknown      certificationFact = iota // unchanged, or still in certification
	certificationNotRequested                          // spec.target is Draft
	certificationSubmitting                            // a submission job runs (offerScope.submitJob)
	certificationSubmitted                             // just submitted
	certificationPassed                                // passed; in preview
	certificationFailed                                // failed with feedback
)

// liveFact is where the live submission stands.
type liveFact int

const (
	liveUnknown    liveFact = iota // unchanged, or still going live
	liveSubmitting                 // a submission job runs (offerScope.submitJob)
	liveSubmitted                  // just submitted
	liveSucceeded                  // live

	// Found by checkDrift (drift.go).
	liveSaleStopped    // the sale was stopped outside the operator (offerScope.stoppedSubmission), or found stopped at adoption (status.adoption)
	liveProductDeleted // the product was deleted outside the operator
	liveResumed        // a check no longer finds the stopped sale or deleted product it found before
	liveRestored       // the stopped sale was restored in Partner Center; the operator publishes again
)

// stopKind is a fact that ends the offer's phases (or its deletion's)
// before it reached its target: something to wait for, or something a
// person must change. The phase that finds it records it with the data of
// stopFact (offerScope.stop, or stopFact.outcome where there is no scope);
// only this file turns it into the outcome, its reason and its message.
type stopKind int

const (
	// waits
	waitCreating             stopKind = iota + 1 // the create job runs (job)
	waitMigration                                // a Solution migrates into the offer (solution)
	waitMigrationSuspended                       // the Solution migrating into the offer is suspended (solution)
	waitDeclaredMigration                        // no Solution migrates spec.migrateFrom yet
	waitCleanUpJob                               // deletion's stop-sale or delete job runs (purpose, job)
	waitJobBeforeDeleting                        // another job runs before deletion (purpose, job)
	waitJobEndedDeleting                         // that job has finished (purpose)
	waitCreateBeforeDeleting                     // the create job runs before deletion (job)
	waitSubmissionDeleting                       // a submission runs before deletion (purpose, submission)
	waitStoppingSale                             // the stop-sale job was started (job)
	waitDeletingDraft                            // the delete job was started (job)
	waitWritingDraft                             // the draft job runs (job)
	waitSubmitting                               // purpose's submission job runs (job, gen)
	waitJobBeforeSubmit                          // another job runs before purpose's submission (job, gen)
	waitBusy                                     // Partner Center is busy before purpose's submission (gen, feedback)
	waitSubmission                               // purpose's submission runs (gen, submission)
	// stalls
	stallDraftRejected     // Partner Center refused the draft (items)
	stallStillRejected     // the draft refused before is still the spec's (feedback: DraftSynced's message)
	stallCertification     // the preview submission failed certification (status.certification)
	stallGoLiveFailed      // going live failed (gen, items)
	stallNoSubmissionMade  // a submission job succeeded without a submission (job, target)
	stallSaleRefused       // a submission was refused: the sale is stopped
	stallOfferTypeClash    // the offer ID is another type's product (productType)
	stallJobRefused        // Partner Center refused purpose's job (purpose, items)
	stallMigratedElsewhere // the declared migration went into another product (solution)
	stallAdoptedStopped    // the product adopted has its sale stopped
	stallSaleStopped       // the live submission's sale was stopped outside the operator (submission)
	stallProductDeleted    // the product was deleted outside the operator
	stallConditionKept     // a stall recorded in a condition stands (reason, feedback: its message)
	stallOfferIDTaken      // another object owns the offer ID (owner)
	stallAdoptionRequired  // the product found is adopted only on request (product, lostCreate)
	stallMigrateFromTaken  // spec.migrateFrom is decided in another namespace (solution)
	stallOfferTypeRefused  // the offer type refuses the spec (feedback: the refusal)
	stallMigrationStalled  // the Solution migrating into the offer is stalled (solution, reason, feedback: its message)
)

// stopFact is a stopKind with what its message names.
type stopFact struct {
	kind stopKind
	// after is when a wait looks again (0: when woken).
	after time.Duration
	// purpose is the operation the fact is about.
	purpose v1alpha1.OperationPurpose
	// job and submission are Partner Center's IDs the fact names.
	job, submission string
	// feedback is Partner Center's reasons for a refusal, or a message
	// the fact repeats.
	feedback string
	// items is Partner Center's feedback on a job or submission it
	// refused (feedbackMessage renders it).
	items []partnercenter.FeedbackItem
	// productType is the offer type of the product found.
	productType string
	// gen is the generation a submission is of.
	gen int64
	// target is the submission target a job was to make.
	target partnercenter.SubmissionTarget
	// solution is the Solution the fact is about (nil: none).
	solution *v1alpha1.Solution
	// reason is a condition's reason the fact repeats.
	reason string
	// owner is the object that owns the offer ID.
	owner *v1alpha1.MarketplaceOffer
	// product is the ID of the product found.
	product string
	// lostCreate: a create of this object ended without naming a product.
	lostCreate bool
}

// observation is what observe found: the product, if any, and how
// Partner Center differs from the spec, one readable line per field.
type observation struct {
	productID   string
	differences []string
	// notCompared lists what the spec declares and no published API reads.
	notCompared []string
	// phase is where the offer is in Partner Center, for display.
	phase v1alpha1.OfferPhase
	// complete is set by observe when every read succeeded: the
	// differences are then all there is (a failed read leaves some out).
	complete bool
}

// resyncSchedule holds, in memory, when each offer's next resync is due,
// by name. It is computed, not stored in status: a resync that finds
// nothing writes nothing, and an operator that starts reads nothing at
// once (each offer is first due at its next slot). An offer's entry goes
// when the offer is gone (forget); one re-created under the same name is
// told apart by its UID.
type resyncSchedule struct {
	due reconcile.Memo[resyncEntry]
	// corrections holds the kinds of drift being written back, counted
	// corrected once done (drift_report.go).
	corrections reconcile.Memo[[]string]
}

type resyncEntry struct {
	uid      types.UID
	at       time.Time
	interval time.Duration
}

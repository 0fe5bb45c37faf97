package solution

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// What one reconcile of a Solution works with: the reconciler, the run
// (the reconciler with the namespace's Partner Center client) and the
// scope, the facts its phases record. The phases (phases.go and the files
// it names) fill the scope in; status.go turns it into conditions,
// reasons and messages.

// SolutionReconciler carries out the decision about each legacy solution:
// merge, migrate, discard, or undo a discard. It holds the Solution's
// state and steps, run by the controller NewController makes.
type SolutionReconciler struct {
	reconcile.Dependencies

	prerequisites prerequisitesCache
}

// prerequisitesCache remembers met prerequisites by partner and publisher;
// unmet ones are never remembered, so a stalled Solution always asks again.
// The zero value is ready to use.
type prerequisitesCache struct {
	mu      sync.Mutex
	entries map[[2]string]prerequisitesEntry
}

type prerequisitesEntry struct {
	pre     partnercenter.Prerequisites
	expires time.Time
}

// solutionRun is one reconcile of a Solution: the reconciler and the
// Partner Center client of the Solution's namespace (Connect).
type solutionRun struct {
	*SolutionReconciler
	pc partnercenter.Client
}

// solutionScope is what the Solution's phases found out in one reconcile.
// The phases record it, with Partner Center's state in status; the status
// functions (status.go) compute the conditions from it.
type solutionScope struct {
	// sol is the object reconciled.
	sol *v1alpha1.Solution
	// offer is set by readOffer: the referenced MarketplaceOffer, nil when
	// there is none (yet) or the Solution merges by listing URL.
	offer *v1alpha1.MarketplaceOffer
	// publisherID is set by readOffer: the referenced offer's publisher,
	// whose role prerequisites are checked; "" without an offer.
	publisherID string
	// legacy is set by readLegacyState, then by undoDiscard and carryOut:
	// the legacy solution as Partner Center last reported it.
	legacy *partnercenter.LegacySolution
	// prerequisites is set by checkPrerequisites: the partner's
	// prerequisites as Partner Center (or the cache) reported them.
	prerequisites *partnercenter.Prerequisites
	// prerequisitesCached is set by checkPrerequisites when they came from
	// the cache, so they may have lapsed since.
	prerequisitesCached bool
	// action is set by readLegacyState and carryOut: what Partner Center's
	// state means for spec.action.
	action actionFact
	// stopped is set by the phase that ended the phases before the action
	// was done: what it waits for or stalls on (status.go says it).
	stopped *stopFact
	// assumed is set by readLegacyState when the Solution acts on the
	// state last seen (pending migration, or none yet) without reading it
	// first; a refusal of the action reads it then (decideAgain).
	assumed bool
}

// actionFact is what Partner Center's state means for spec.action.
type actionFact int

const (
	actionUnknown           actionFact = iota // not read, or the action is still to be carried out
	actionCompleted                           // the state is the action's end state
	actionConflicts                           // Partner Center carried out another decision
	actionAwaitingMerge                       // a merge request is open with partner support
	actionConfirmedInPortal                   // a person carried it out in the portal (spec.completedInPortal)
)

// stopKind is a fact that ends a Solution's phases before the action is
// done: something to wait for, or something a person must change. The
// phase that finds it records it (solutionScope.stop) with the data of
// stopFact; only this file turns it into the outcome, its reason and its
// message.
type stopKind int

const (
	// waits
	waitMigrateOffer     stopKind = iota + 1 // the Migrate's offer does not exist yet
	waitMergeOfferExists                     // the Merge's offer does not exist yet
	waitMergeOfferLive                       // the Merge's offer is not live yet
	waitMergeRequested                       // the merge request is with partner support
	waitProgressing                          // Partner Center took the action; its state follows
	// stalls
	stallDecidedOtherwise   // Partner Center carried out a decision other than spec.action (state)
	stallOfferDeclaresOther // the offer declares another legacy solution in spec.migrateFrom
	stallOfferHoldsOther    // the offer holds another legacy solution's migration
	stallOfferSubmitted     // the offer was submitted before the migration
	stallOfferTargetNotLive // a Merge's offer will not go live
	stallMigrationTaken     // another Solution migrated into the offer
	stallSolutionNotFound   // Partner Center has no such legacy solution
	stallPrerequisites      // a prerequisite is unmet
	stallSolutionTaken      // another Solution decides the legacy solution
	stallPortalAction       // the action is a person's, in the portal
	stallPortalNoDraft      // the portal migration's draft is not found
	stallPortalOfferType    // the portal migration's draft has another offer type
)

// stopFact is a stopKind with what its message names.
type stopFact struct {
	kind stopKind
	// after is when a wait looks again (0: when woken).
	after time.Duration
	// other is another Solution: the owner, or the one that migrated.
	other *v1alpha1.Solution
	// productType is the offer type of the product found.
	productType string
	// state is the legacy solution's state.
	state partnercenter.SolutionState
	// cause is Partner Center's refusal, when it said one.
	cause string
}

// isLive reports whether the offer's Live condition is True.
func isLive(o *v1alpha1.MarketplaceOffer) bool {
	return meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.LiveCondition)
}

// submitted reports whether the offer has ever been submitted.
func submitted(o *v1alpha1.MarketplaceOffer) bool {
	return o.Status.PreviewSubmission != nil || o.Status.LiveSubmission != nil
}

// Package controllers reconciles MarketplaceOffers and Solutions against
// Partner Center.
//
// # How a reconcile flows
//
// YAML. A MarketplaceOffer or Solution is applied (config/samples holds
// examples of both kinds); the API server validates it against the
// CRD generated from api/v1alpha1 (marketplaceoffer_types.go,
// solution_types.go).
//
// Watch. main.go registers both reconcilers with the manager. Each
// describes itself once in kind() (marketplaceoffer_controller.go,
// solution_controller.go): the watches of related kinds and the steps
// that are its own. setupWithManager (reconcile.go) adds what both share:
// spec changes of the kind itself and changes of its marketplace.cosell.io/
// annotations (annotations.go: the reconcile request, echoed in
// status.lastHandledReconcileAt, and the adopt opt-in), and the credentials
// Secret, whose change wakes every object that is not Ready
// (credentials.go). An offer is woken by the Solutions migrating or merged
// into it and by the deletion of another offer declaring its offer ID
// (marketplaceoffer_ownership.go), a Solution by the offer it waits for;
// the field indexes of indexes.go find them without listing everything.
//
// Reconcile. reconcileObject (reconcile.go) is the one opening and closing
// for both kinds: get the object (gone: nothing to do), add or remove the
// finalizer (offers with deletionPolicy Delete only), defer one status
// patch sent only when the status changed, then either clean up a deleted
// offer (marketplaceoffer_delete.go, guarded by finalizeOffer in
// marketplaceoffer_ownership.go), settle a suspended object, or run the
// kind's phases. Afterwards it summarises the kstatus conditions Ready,
// Reconciling and Stalled (status.go) from the outcome the phases ended
// with (outcome.go: done, waiting, stalled or a transient error) and maps
// that outcome to the next requeue.
//
// Phases. Each kind runs an ordered list of named phases over a scope
// struct that records what they find (runPhases in reconcile.go):
//
//   - MarketplaceOffer (marketplaceoffer_phases.go lists them):
//     ownOfferID (marketplaceoffer_ownership.go) -> ensureProduct ->
//     checkDrift (marketplaceoffer_drift.go: reads the offer back on an
//     edit, a requested reconcile or the jittered resync) ->
//     followSolutions (marketplaceoffer_product.go) -> syncDraft
//     (marketplaceoffer_draft.go) -> recordDraftBaseline -> certify ->
//     goLive (marketplaceoffer_submit.go). A settled or stalled offer is
//     requeued for its resync (resyncAfter).
//   - Solution (solution_phases.go, solution_prerequisites.go): readOffer ->
//     readLegacyState -> checkPrerequisites -> undoDiscard -> carryOut.
//
// Port. Phases reach Partner Center only through the partnercenter.Client
// interface (internal/partnercenter/port.go); partnercenter.go turns its
// classified errors into outcomes, and convert.go turns an offer's spec
// into the port's draft. In production a partnercenter.Connector
// (internal/partnercenter/connect) gives, once per reconcile, the HTTP
// adapter of internal/partnercenter/ingestion that acts with the
// credentials of the object's namespace (credentials.go); a namespace
// without usable credentials stalls with reason CredentialsUnavailable.
// Tests use
// internal/partnercenter/fake or the simulator of internal/simulator.
//
// Status. Phases set no condition. After they ran, setOfferConditions
// (marketplaceoffer_status.go) and setSolutionConditions
// (solution_status.go) compute the domain conditions (DraftSynced,
// Certified, Live, CoSellReady; PrerequisitesMet, ActionCompleted) from
// the scope with no I/O, and the opening's deferred patch writes the
// status once. Events for phase and state changes and for stalls and
// recoveries are recorded after that patch (events.go).
package controllers

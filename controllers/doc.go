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
//     admit (before connecting, in every management policy: offer-type
//     refusals, then offer-ID ownership, marketplaceoffer_ownership.go;
//     managementPolicy Observe then only reads) -> ensureProduct ->
//     checkDrift (marketplaceoffer_drift.go: reads the offer back on an
//     edit, a requested reconcile or the jittered resync) ->
//     followSolutions (marketplaceoffer_product.go) -> syncDraft
//     (marketplaceoffer_draft.go) -> recordDraftBaseline -> certify ->
//     goLive (marketplaceoffer_submit.go). A settled or stalled offer is
//     requeued for its resync (resyncAfter).
//   - Solution (solution_phases.go, solution_prerequisites.go): readOffer ->
//     readLegacyState -> checkPrerequisites -> undoDiscard -> carryOut.
//
// Port. Each reconcile connects once: reconcileOffer and
// reconcileSolution (and finalizeOffer, when a deletion has work to do)
// call Dependencies.PartnerCenter.Connect(ctx, namespace), a
// partnercenter.Connector (internal/partnercenter/port.go), and hand the
// client of the object's namespace to the phases (offerRun, solutionRun).
// A namespace without usable credentials gets an error that
// partnercenter.IsCredentials recognises, and the object stalls with reason
// CredentialsUnavailable (credentials.go). partnercenter.go turns the
// port's other classified errors into outcomes, and convert.go turns an
// offer's spec into the port's draft. main.go builds the Connector (the
// HTTP adapter of internal/partnercenter/ingestion, per namespace with
// team namespaces); tests use partnercenter.Static over
// internal/partnercenter/fake or the simulator of internal/simulator.
//
// Jobs. Partner Center's writes are jobs that outlive a reconcile: the
// phase that starts one records it in status.operation (purpose, job ID,
// start, generation; operation.go) and returns a wait; the next
// reconcile's phase of that purpose reads the job (finishedJob in
// marketplaceoffer_draft.go) and, once it ended, records what it made.
// A status stored by a release before status.operation holds the job in
// status.configureJob; upgradeOperation moves it over first.
//
// Status. Phases set no condition. After they ran, setOfferConditions
// (marketplaceoffer_status.go) and setSolutionConditions
// (solution_status.go) compute the domain conditions (DraftSynced,
// Certified, Live, CoSellReady; PrerequisitesMet, ActionCompleted) from
// the scope with no I/O, and the opening's deferred patch writes the
// status once. Events for phase and state changes and for stalls and
// recoveries are recorded after that patch (events.go).
package controllers

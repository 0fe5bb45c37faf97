// Package controllers wires the reconcilers of MarketplaceOffers and
// Solutions into the manager (SetupWithManager, RegisterMetrics) and
// holds the envtest suite that runs both against the simulator. The
// reconcilers live in a package per kind, over a shared skeleton:
//
//	controllers/reconcile  the skeleton: setup, the fixed opening and
//	                       closing of a reconcile, outcomes, conditions
//	controllers/offer      MarketplaceOffer: its Kind and phases
//	controllers/solution   Solution: its Kind and phases
//
// offer and solution never import each other: a Solution reads
// MarketplaceOffers as API objects (api/v1alpha1), through the field
// indexes and shared lookups of controllers/reconcile (indexes.go,
// ownership.go), and the other way round.
//
// # How a reconcile flows
//
// YAML. A MarketplaceOffer or Solution is applied (config/samples holds
// examples of both kinds); the API server validates it against the
// CRD generated from api/v1alpha1 (marketplaceoffer_types.go,
// solution_types.go). Both statuses embed v1alpha1.ReconcileStatus
// (reconcile_status.go), the part the skeleton keeps alike.
//
// Watch. main.go registers both controllers with the manager
// (SetupWithManager, controllers.go). Each kind describes itself as a
// reconcile.Kind (offer/controller.go, solution/controller.go): its
// objects, the watches of related kinds and the steps that are its own;
// its NewController makes a reconcile.Controller of it, whose
// SetupWithManager (reconcile/reconcile.go) adds what both share: spec changes of the kind
// itself and changes of its marketplace.cosell.io/ annotations
// (reconcile/annotations.go: the reconcile request, echoed in
// status.lastHandledReconcileAt, and the adopt opt-in), and the
// credentials Secret, whose change wakes every object that is not Ready
// (reconcile/credentials.go). An offer is woken by the Solutions
// migrating or merged into it and by the deletion of another offer
// declaring its offer ID (offer/ownership.go), a Solution by the offer it
// waits for; the field indexes of reconcile/indexes.go find them without
// listing everything.
//
// Reconcile. reconcile.Controller's Reconcile (reconcile/reconcile.go) is the one
// opening and closing for both kinds: get the object (gone: nothing to
// do), add or remove the finalizer (a Kind that is a reconcile.Finalizer:
// offers with deletionPolicy Delete), defer one status patch sent only
// when the status changed, then either finalize a deleted object
// (offer/delete.go, guarded by finalizeOffer in offer/ownership.go),
// settle a suspended object (reconcile/suspend.go), or run the kind's
// Reconcile. Afterwards it summarises the kstatus conditions Ready,
// Reconciling and Stalled (reconcile/status.go) from the outcome the
// phases ended with (reconcile/outcome.go: done, waiting, stalled or a
// transient error) and maps that outcome to the next requeue.
//
// Phases. Each kind runs an ordered list of named phases over a scope
// struct that records what they find (reconcile.RunPhases):
//
//   - MarketplaceOffer (offer/phases.go lists them): admit (before
//     connecting, in every management policy: offer-type refusals, then
//     offer-ID ownership, offer/ownership.go; managementPolicy Observe
//     then only reads, offer/observe.go) -> ensureProduct
//     (offer/product.go) -> checkDrift (offer/drift.go: reads the offer
//     back on an edit, a requested reconcile or the jittered resync) ->
//     followSolutions (offer/product.go) -> adopt (offer/adopt.go) ->
//     syncDraft (offer/draft.go) -> recordDraftBaseline -> certify ->
//     goLive (offer/submit.go). A settled or stalled offer is requeued
//     for its resync (a reconcile.Resyncer).
//   - Solution (solution/phases.go, solution/prerequisites.go): readOffer
//     -> readLegacyState -> checkPrerequisites -> undoDiscard -> carryOut
//     (solution/handoff.go).
//
// Port. Each reconcile connects once: reconcileOffer and
// reconcileSolution (and finalizeOffer, when a deletion has work to do)
// call Dependencies.PartnerCenter.Connect(ctx, namespace), a
// partnercenter.Connector (internal/partnercenter/port.go), and hand the
// client of the object's namespace to the phases (offerRun, solutionRun).
// A namespace without usable credentials gets an error that
// partnercenter.IsCredentials recognises, and the object stalls with
// reason CredentialsUnavailable (reconcile/credentials.go).
// reconcile/partnercenter.go turns the port's other classified errors
// into outcomes, and offer/convert.go turns an offer's spec into the
// port's draft: the HTTP call is the adapter's. main.go builds the
// Connector (the HTTP adapter of internal/partnercenter/ingestion, per
// namespace with team namespaces); tests use partnercenter.Static over
// internal/partnercenter/fake or the simulator of internal/simulator.
//
// Jobs. Partner Center's writes are jobs that outlive a reconcile: the
// phase that starts one records it in status.operation (purpose, job ID,
// start, generation; offer/operation.go) and returns a wait; the next
// reconcile's phase of that purpose reads the job through the one
// follower, followOperation (offer/operation.go), which says whether it
// runs, succeeded, failed or is lost, and interprets that for its purpose:
// once the job ended, it records what it made. A status
// stored by a release before status.operation holds the job in
// status.configureJob; upgradeOperation moves it over first.
//
// Status. Phases set no condition. After they ran, setOfferConditions
// (offer/status.go) and setSolutionConditions (solution/status.go)
// compute the domain conditions (DraftSynced, Certified, Live,
// CoSellReady; PrerequisitesMet, ActionCompleted) from the scope with no
// I/O, and the opening's deferred patch writes the status once. A phase
// that waits or stalls records why as a fact, a stopFact (offerScope.stop,
// solutionScope.stop); only the kind's status.go turns it into the
// outcome, its reason and its message. The offer's InSync condition
// (setObservedConditions, setDriftReportCondition) is computed there too,
// and so are the events that say what managementPolicy Observe found and
// what an adoption left as Partner Center held it (statusEvent, recorded
// by offerRun.record in offer/phases.go). Events for the kind's phase or
// state change (its Kind.Transition) and for stalls and recoveries are
// recorded after that patch (reconcile/events.go).
package controllers

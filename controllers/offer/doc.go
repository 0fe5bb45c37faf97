// Package offer reconciles MarketplaceOffers: it takes an offer through
// draft, certification, preview and live in Partner Center.
//
// From YAML to the HTTP call and back:
//
//	MarketplaceOffer applied            api/v1alpha1 validates it
//	reconcile.Controller.Reconcile     NewController (controller.go) makes it
//	  -> the shared opening            (controllers/reconcile)
//	  -> MarketplaceOfferReconciler.Reconcile -> reconcileOffer (phases.go)
//	       admit                       offer-type refusals, ownership (ownership.go)
//	       Connect                     the namespace's Partner Center client
//	       ensureProduct               find, adopt or create (product.go, adopt.go)
//	       checkDrift                  read back, correct or report (drift.go, drift_report.go)
//	       followSolutions             migrations and merges (product.go, waits.go)
//	       syncDraft                   convert.go builds the draft; the port writes it (draft.go)
//	       recordDraftBaseline, certify, goLive   submissions (submit.go)
//	     setOfferConditions            conditions and phase, no I/O (status.go)
//	  <- the shared closing            Ready/Reconciling/Stalled, one status patch
//
// A write is a Partner Center job: the phase records it in
// status.operation (operation.go) and waits; a later reconcile reads the
// job once through followOperation, the one follower, and interprets
// what it found (running, succeeded, failed, lost) for its purpose. A
// phase that waits or stalls records why as a stopFact. What the phases
// record (offerScope, the stop facts) is declared in scope.go, below
// every phase; status.go alone turns it into the outcome, its reason and
// its message, and computes InSync and the events its findings call
// for. Deletion with deletionPolicy Delete goes
// through finalizeOffer (ownership.go) and cleanUp (delete.go);
// managementPolicy Observe only reads (observe.go).
package offer

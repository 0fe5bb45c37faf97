// Package solution reconciles Solutions: it carries out the decision
// about one legacy OCP GTM co-sell solution (merge, migrate, discard, or
// undo a discard) in Partner Center's migration tool.
//
//	Solution applied                    api/v1alpha1 validates it
//	reconcile.Controller.Reconcile     NewController (controller.go) makes it
//	  -> the shared opening            (controllers/reconcile)
//	  -> SolutionReconciler.Reconcile -> reconcileSolution (controller.go)
//	       ownership                   one Solution decides a legacy solution (ownership.go)
//	       Connect                     the namespace's Partner Center client
//	       the phases (phases.go), or the portal hand-off (handoff.go)
//	       readOffer                   the MarketplaceOffer it names, as an API object
//	       readLegacyState             the solution's state in Partner Center
//	       checkPrerequisites          membership, account, role (prerequisites.go)
//	       undoDiscard, carryOut       the action and its hand-off to the offer (handoff.go, waits.go)
//	     setSolutionConditions         conditions, no I/O (status.go)
//	  <- the shared closing            Ready/Reconciling/Stalled, one status patch
//
// What a reconcile records (solutionScope, the stop facts) is declared in
// scope.go, below every phase. A Solution has no finalizer: deleting it changes nothing in Partner
// Center. It never imports controllers/offer: what it reads of an offer
// is the API object, found through the field indexes of
// controllers/reconcile.
package solution

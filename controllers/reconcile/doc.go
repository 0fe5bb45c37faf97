// Package reconcile is the skeleton both reconcilers share. A kind
// (controllers/offer, controllers/solution) implements Kind, and
// optionally Finalizer, Resyncer, StatusObserver and Forgetter, which
// the skeleton finds by type assertion; its objects implement Object
// (their status embeds v1alpha1.ReconcileStatus).
//
// A kind's package makes its controller with NewController(kind); the
// manager calls the controller's Reconcile for one object (reconcile.go):
//
//	Controller.Reconcile(ctx, req)
//	  get the object             gone: Forget, done
//	  EnsureFinalizer            a Finalizer kind only
//	  defer PatchStatus          once, only when the status changed;
//	                             then the events (events.go) and metrics
//	  deleting:  Finalize        then release the finalizer
//	  suspended: settleSuspended (suspend.go)
//	  otherwise: Kind.Reconcile  the kind's phases (RunPhases), whose
//	                             error is the outcome (outcome.go)
//	  summarize                  Ready, Reconciling, Stalled (status.go)
//	  resultFor, withResync      the next requeue
//
// Shared with both kinds: Dependencies and Options (options.go), the
// field indexes and the lookups one kind makes of the other's objects
// (indexes.go, ownership.go), the credentials watch (credentials.go),
// the reconcile-request annotation (annotations.go), the bounded event
// recorder (recorder.go), status bounds (bounds.go) and the queue's
// initial-list priority (queue.go).
package reconcile

package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// This file is the skeleton both reconcilers share: the controller setup,
// the fixed opening and closing of Reconcile and the run of the phases.
// What differs between the kinds comes in through kind.

// conditionsObject is an API object whose status carries kstatus
// conditions: MarketplaceOffer and Solution (api/v1alpha1).
type conditionsObject interface {
	client.Object
	GetConditions() []metav1.Condition
	SetConditions([]metav1.Condition)
}

// kind is what one reconciler adds to the shared skeleton: its fields,
// what its objects are, and the steps that are its own.
type kind[O conditionsObject] struct {
	// name names the controller, its metrics and logs.
	name string
	// newObject and newList make an empty object and list of the kind.
	newObject func() O
	newList   func() client.ObjectList
	// watches adds the watches of related kinds to the controller.
	watches func(*builder.Builder) *builder.Builder

	// The reconciler's fields: the clock and options get their defaults
	// in setupWithManager.
	client        client.Client
	partnerCenter partnercenter.Client
	connector     partnercenter.Connector
	clock         *clock.PassiveClock
	options       *Options

	// finalizer holds objects whose deletion has work to do in Partner
	// Center; "" when deleting an object changes nothing there.
	finalizer string
	// wantsFinalizer reports whether a live object should hold finalizer.
	wantsFinalizer func(O) bool
	// finalize carries out a deletion; nil means the finalizer may go.
	finalize func(context.Context, O) error
	// suspended reports spec.suspend.
	suspended func(O) bool
	// reconcile runs the kind's phases and sets its own conditions from
	// what they found; its error is the outcome (see outcome.go).
	reconcile func(context.Context, O) error
	// readyMessage is Ready's message when the reconcile is done.
	readyMessage func(O) string
	// status is the object's status, compared to decide on a patch;
	// observedGeneration points at its status.observedGeneration.
	status             func(O) any
	observedGeneration func(O) *int64
	// specDigest is the digest of the spec without suspend, and
	// observedSpecDigest points at status.observedSpecDigest, the digest
	// of observedGeneration's spec (suspend.go).
	specDigest         func(O) string
	observedSpecDigest func(O) *string
	// lastHandledReconcileAt points at status.lastHandledReconcileAt,
	// which echoes the reconcile-requested-at annotation (annotations.go).
	lastHandledReconcileAt func(O) *string
	// statusPatched records events and metrics of a status change.
	statusPatched func(old, cur O)
	// resyncAfter, when set, is how long a settled object waits before it
	// is read back from Partner Center (marketplaceoffer_drift.go); zero
	// waits for the next event only.
	resyncAfter func(O) time.Duration
	// forget, when set, drops what the reconciler keeps in memory about
	// an object that no longer exists.
	forget func(types.NamespacedName)
	// deferred counts each object's reconciles in a row that ended on a
	// Partner Center retry deferred to the workqueue.
	deferred *deferredRetries
}

// maxQuietRetries is how many reconciles in a row may end on a deferred
// retry (partnercenter.RetryDeferred) before it is reported: each deferral
// starts the adapter's attempts again, so without a count a Partner Center
// that keeps failing (5xx, dropped connections: the backoffs longer than
// ingestion.Options.MaxRetryWait) would never show in the conditions. A
// 429 is deferred by a client without a pacer, and by one whose pacer has
// learned that the 429s come whatever the rate (noise); under a limit the
// pacer has each one waited out in place (internal/partnercenter/ingestion).
const maxQuietRetries = 5

// deferredRetries counts, by object, the reconciles in a row that ended
// on a retry deferred to the workqueue.
type deferredRetries struct{ n memo[int] }

// add counts one more and returns the count.
func (d *deferredRetries) add(key types.NamespacedName) int {
	return d.n.update(key, func(n int) int { return n + 1 })
}

// reset forgets the count of an object whose reconcile ended otherwise.
func (d *deferredRetries) reset(key types.NamespacedName) { d.n.delete(key) }

// setupWithManager registers the reconciler r of kind k. It checks the
// Partner Center client is set, fills in the clock and option defaults,
// watches the kind's spec and annotation changes, the kind's related
// objects and, when there is one, the credentials Secret.
func setupWithManager[O conditionsObject](mgr ctrl.Manager, r reconcile.Reconciler, k *kind[O]) error {
	if k.partnerCenter == nil && k.connector == nil {
		return fmt.Errorf("the %s controller needs a Partner Center connector", k.name)
	}
	if *k.clock == nil {
		*k.clock = clock.RealClock{}
	}
	k.options.defaults()
	b := ctrl.NewControllerManagedBy(mgr).
		For(k.newObject(), builder.WithPredicates(predicate.Or[client.Object](
			predicate.GenerationChangedPredicate{}, operatorAnnotationChanged))).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(k.options.Concurrency, 1), RateLimiter: k.options.RateLimiter}).
		Named(k.name)
	// Objects of the initial list that hold work are not starved (queue.go).
	b = b.Watches(k.newObject(), initialWork(k.observedGeneration))
	b = watchCredentials(b, k.client, k.options.CredentialsSecret, k.newList)
	return k.watches(b).Complete(r)
}

// reconcileObject follows the fixed opening of both reconcilers: get
// (ignoring not found), add or remove the finalizer, then one deferred
// status patch, sent only when the status changed. It then finalizes a
// deleted object, settles a suspended one, or runs the kind's phases, and
// summarises Ready, Reconciling and Stalled from the outcome.
func reconcileObject[O conditionsObject](ctx context.Context, req ctrl.Request, k *kind[O]) (_ ctrl.Result, retErr error) {
	c, obj := k.client, k.newObject()
	if err := c.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			k.deferred.reset(req.NamespacedName)
			if k.forget != nil {
				k.forget(req.NamespacedName)
			}
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if err := ensureFinalizer(ctx, c, obj, k); err != nil {
		return ctrl.Result{}, err
	}
	deleting := !obj.GetDeletionTimestamp().IsZero()
	if deleting && (k.finalizer == "" || !controllerutil.ContainsFinalizer(obj, k.finalizer)) {
		return ctrl.Result{}, nil
	}

	base := obj.DeepCopyObject().(O)
	defer func() {
		if err := patchStatus(ctx, c, base, obj, k); err != nil && retErr == nil {
			retErr = err
		}
	}()

	gen := obj.GetGeneration()
	if !deleting {
		ctx = handleReconcileRequest(ctx, obj, k.lastHandledReconcileAt(obj))
	}
	switch {
	case deleting:
		return finalizeObject(ctx, obj, k)
	case k.suspended(obj):
		// The generation is observed only when its spec, suspend apart,
		// is the one observed last (suspend.go).
		pending := *k.observedSpecDigest(obj) != k.specDigest(obj)
		editConditions(obj, summarizeSuspended)
		if !pending {
			*k.observedGeneration(obj) = gen
		}
		return ctrl.Result{}, nil
	}
	editConditions(obj, func(conds *[]metav1.Condition) { markStale(conds, gen) })
	// Partner Center calls use the credentials of the object's namespace
	// (credentials.go).
	ctx, err := connectPartnerCenter(ctx, k.connector, req.Namespace)
	if err == nil {
		err = k.reconcile(ctx, obj)
	}
	after := partnercenter.RetryDeferred(err)
	if after == 0 {
		k.deferred.reset(req.NamespacedName)
	} else if n := k.deferred.add(req.NamespacedName); n <= maxQuietRetries {
		// The adapter's next attempt is due after a backoff longer than
		// it holds a worker for (a 5xx, a dropped connection; a 429 only
		// without a pacer), so it left the wait to the workqueue: the
		// reconcile runs again then. Nothing failed yet,
		// so the conditions stay as they were; what the phases recorded
		// is written. Past maxQuietRetries in a row it is reported below.
		return ctrl.Result{RequeueAfter: after}, nil
	}
	o := classify(err, v1alpha1.ReasonPartnerCenterError)
	msg := k.readyMessage(obj)
	editConditions(obj, func(conds *[]metav1.Condition) { summarize(conds, gen, o, msg) })
	if o.kind != outcomeError {
		*k.observedGeneration(obj) = gen
		*k.observedSpecDigest(obj) = k.specDigest(obj)
	}
	res, err := resultFor(ctx, o, err, k.options)
	if after > 0 {
		// Reported, and still tried again when Partner Center asked.
		res, err = ctrl.Result{RequeueAfter: after}, nil
	}
	// A settled or stalled object is also woken for its resync, at low
	// priority: an object created or edited meanwhile goes first.
	if k.resyncAfter != nil && (o.kind == outcomeDone || o.kind == outcomeStalled) {
		if after := k.resyncAfter(obj); after > 0 && (res.RequeueAfter == 0 || after < res.RequeueAfter) {
			res.RequeueAfter, res.Priority = after, ptr.To(handler.LowPriority)
		}
	}
	return res, err
}

// ensureFinalizer adds or removes the kind's finalizer on a live object.
func ensureFinalizer[O conditionsObject](ctx context.Context, c client.Client, obj O, k *kind[O]) error {
	if k.finalizer == "" || !obj.GetDeletionTimestamp().IsZero() {
		return nil
	}
	want := k.wantsFinalizer(obj)
	if want == controllerutil.ContainsFinalizer(obj, k.finalizer) {
		return nil
	}
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	if want {
		controllerutil.AddFinalizer(obj, k.finalizer)
	} else {
		controllerutil.RemoveFinalizer(obj, k.finalizer)
	}
	return c.Patch(ctx, obj, patch)
}

// finalizeObject carries out the deletion and releases the object once
// it is done; until then the status says what it waits for.
func finalizeObject[O conditionsObject](ctx context.Context, obj O, k *kind[O]) (ctrl.Result, error) {
	ctx, err := connectPartnerCenter(ctx, k.connector, obj.GetNamespace())
	if err == nil {
		err = k.finalize(ctx, obj)
	}
	o := classify(err, v1alpha1.ReasonPartnerCenterError)
	if o.kind == outcomeDone {
		patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
		controllerutil.RemoveFinalizer(obj, k.finalizer)
		return ctrl.Result{}, k.client.Patch(ctx, obj, patch)
	}
	gen := obj.GetGeneration()
	editConditions(obj, func(conds *[]metav1.Condition) { summarize(conds, gen, o, "") })
	return resultFor(ctx, o, err, k.options)
}

// patchStatus writes the status once, only when it changed, then records
// the kind's events and metrics of the change.
func patchStatus[O conditionsObject](ctx context.Context, c client.Client, base, obj O, k *kind[O]) error {
	if equality.Semantic.DeepEqual(k.status(base), k.status(obj)) {
		return nil
	}
	// The patch carries the resource version the reconcile worked from
	// (obj's: a pending mark written meanwhile advanced it), so that a
	// reconcile that started from a cache older than the object's last
	// status write is refused (409) and retried on a fresher copy instead
	// of writing conclusions drawn from stale status.
	base.SetResourceVersion(obj.GetResourceVersion())
	if err := c.Status().Patch(ctx, obj, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return client.IgnoreNotFound(err)
	}
	if k.statusPatched != nil {
		k.statusPatched(base, obj)
	}
	return nil
}

// resultFor maps an outcome to what controller-runtime does next: an
// error goes back to the workqueue, whose rate limiter backs off; a
// stalled object is checked again on a slow timer; a waiting one after
// the delay it asked for; a done one only on its next event.
func resultFor(ctx context.Context, o outcome, err error, opts *Options) (ctrl.Result, error) {
	switch o.kind {
	case outcomeError:
		logf.FromContext(ctx).Info("reconcile failed; retrying with backoff", "error", err.Error())
		return ctrl.Result{}, err
	case outcomeStalled:
		return ctrl.Result{RequeueAfter: jitter(opts.StalledRecheck)}, nil
	case outcomeWaiting:
		return ctrl.Result{RequeueAfter: o.after}, nil
	}
	return ctrl.Result{}, nil
}

// editConditions applies edit to obj's conditions.
func editConditions(obj conditionsObject, edit func(*[]metav1.Condition)) {
	conds := obj.GetConditions()
	edit(&conds)
	obj.SetConditions(conds)
}

// phase is one named step of a reconciler. A phase records what it finds
// in the scope S and in status fields; it sets no condition (the kind's
// *_status.go does, from the scope). It returns nil when its part of the
// desired state holds, errSkipRest when the whole desired state already
// holds, or a waiting, stalled or transient error (outcome.go).
type phase[S any] struct {
	name string
	run  func(context.Context, S) error
}

// errSkipRest ends a list of phases early, successfully.
var errSkipRest = errors.New("the desired state holds")

// runPhases runs phases in order until one does not return nil.
func runPhases[S any](ctx context.Context, scope S, phases []phase[S]) error {
	log := logf.FromContext(ctx)
	for _, p := range phases {
		err := p.run(ctx, scope)
		if errors.Is(err, errSkipRest) {
			return nil
		}
		if err != nil {
			log.V(1).Info("phase ended the reconcile", "phase", p.name, "outcome", err.Error())
			return err
		}
	}
	return nil
}

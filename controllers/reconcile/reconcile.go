package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// This file is the skeleton both reconcilers share: the controller setup,
// the fixed opening and closing of Reconcile and the run of the phases.
// What differs between the kinds comes in through Kind.

// DeferredRetries counts, by object, the reconciles in a row that ended
// on a retry deferred to the workqueue. Each controller keeps one.
type DeferredRetries struct{ n Memo[int] }

// add counts one more and returns the count.
func (d *DeferredRetries) add(key types.NamespacedName) int {
	return d.n.update(key, func(n int) int { return n + 1 })
}

// reset forgets the count of an object whose reconcile ended otherwise.
func (d *DeferredRetries) reset(key types.NamespacedName) { d.n.Delete(key) }

// Controller is one kind's controller: the reconcile.Reconciler the
// manager calls, which runs the kind through the skeleton. A kind's
// package makes it with NewController.
type Controller[O Object] struct {
	// Kind is what the kind adds to the skeleton.
	Kind     Kind[O]
	deferred DeferredRetries
}

// NewController is the controller of kind k.
func NewController[O Object](k Kind[O]) *Controller[O] { return &Controller[O]{Kind: k} }

// Reconcile implements reconcile.Reconciler: one reconcile of the object
// req names (reconcileObject).
func (c *Controller[O]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return reconcileObject(ctx, req, c.Kind, &c.deferred)
}

// SetupWithManager registers the controller with mgr. It checks the
// dependencies and fills in their defaults; the field indexes must exist
// (IndexFields). The controller is named after its kind, as
// controller-runtime names one by default ("marketplaceoffer").
func (c *Controller[O]) SetupWithManager(mgr ctrl.Manager) error {
	k := c.Kind
	gvk, err := apiutil.GVKForObject(k.NewObject(), mgr.GetScheme())
	if err != nil {
		return err
	}
	newList, err := listOf(mgr.GetScheme(), gvk)
	if err != nil {
		return err
	}
	d := k.Deps()
	if d.PartnerCenter == nil {
		return fmt.Errorf("the %s controller needs a Partner Center connector", gvk.Kind)
	}
	if d.Clock == nil {
		d.Clock = clock.RealClock{}
	}
	d.Options.Defaults()
	b := ctrl.NewControllerManagedBy(mgr).
		For(k.NewObject(), builder.WithPredicates(predicate.Or[client.Object](
			predicate.GenerationChangedPredicate{}, OperatorAnnotationChanged))).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(d.Options.Concurrency, 1), RateLimiter: d.Options.RateLimiter}).
		Named(strings.ToLower(gvk.Kind))
	// Objects of the initial list that hold work are not starved (queue.go).
	b = b.Watches(k.NewObject(), InitialWork[O]())
	b = watchCredentials(b, d.Client, d.Options.CredentialsSecret, newList)
	return k.Watch(b).Complete(c)
}

// listOf makes empty lists of the kind gvk names; the scheme must know
// its list kind.
func listOf(scheme *runtime.Scheme, gvk schema.GroupVersionKind) (func() client.ObjectList, error) {
	listKind := gvk.GroupVersion().WithKind(gvk.Kind + "List")
	if list, err := scheme.New(listKind); err != nil {
		return nil, err
	} else if _, ok := list.(client.ObjectList); !ok {
		return nil, fmt.Errorf("%s is not a list", listKind)
	}
	return func() client.ObjectList {
		list, _ := scheme.New(listKind) // known above
		return list.(client.ObjectList)
	}, nil
}

// reconcileObject follows the fixed opening of both reconcilers: get (ignoring
// not found), add or remove the finalizer, then one deferred status
// patch, sent only when the status changed. It then finalizes a deleted
// object, settles a suspended one, or runs the kind's phases, and
// summarises Ready, Reconciling and Stalled from the outcome. deferred is
// the controller's count of retries deferred to the workqueue.
func reconcileObject[O Object](ctx context.Context, req ctrl.Request, k Kind[O], deferred *DeferredRetries) (_ ctrl.Result, retErr error) {
	c := k.Deps().Client
	obj, found, err := getObject(ctx, req, k, deferred)
	if err != nil || !found {
		return ctrl.Result{}, err
	}
	if err := EnsureFinalizer(ctx, c, obj, k); err != nil {
		return ctrl.Result{}, err
	}
	fin, finalizes := k.(Finalizer[O])
	deleting := !obj.GetDeletionTimestamp().IsZero()
	if deleting && (!finalizes || !controllerutil.ContainsFinalizer(obj, fin.Finalizer())) {
		return ctrl.Result{}, nil
	}

	base := obj.DeepCopyObject().(O)
	defer func() {
		if err := PatchStatus(ctx, c, base, obj, k); err != nil && retErr == nil {
			retErr = err
		}
	}()

	if !deleting {
		ctx = HandleReconcileRequest(ctx, obj, &obj.GetReconcileStatus().LastHandledReconcileAt)
	}
	switch {
	case deleting:
		return finalizeObject(ctx, obj, k, fin)
	case k.Suspended(obj):
		settleSuspended(obj, k)
		return ctrl.Result{}, nil
	}
	return runKind(ctx, req, obj, k, deferred)
}

// runKind runs the kind's reconcile of a live object and summarises its
// outcome.
func runKind[O Object](ctx context.Context, req ctrl.Request, obj O, k Kind[O], deferred *DeferredRetries) (ctrl.Result, error) {
	gen := obj.GetGeneration()
	editConditions(obj, func(conds *[]metav1.Condition) { markStale(conds, gen) })
	err := k.Reconcile(ctx, obj)
	after := partnercenter.RetryDeferred(err)
	if after == 0 {
		deferred.reset(req.NamespacedName)
	} else if n := deferred.add(req.NamespacedName); n <= partnercenter.QuietDeferrals {
		// The adapter left the wait before its next attempt to the
		// workqueue: the reconcile runs again then. Nothing failed yet,
		// so the conditions stay as they were; what the phases recorded
		// is written. Past QuietDeferrals in a row it is reported below.
		return ctrl.Result{RequeueAfter: after}, nil
	}
	o := Classify(err, v1alpha1.ReasonPartnerCenterError)
	msg := k.ReadyMessage(obj)
	editConditions(obj, func(conds *[]metav1.Condition) { summarize(conds, gen, o, msg) })
	if o.kind != outcomeError {
		obj.SetObservedGeneration(gen)
		obj.GetReconcileStatus().ObservedSpecDigest = k.SpecDigest(obj)
	}
	res, err := resultFor(ctx, o, err, &k.Deps().Options)
	if after > 0 {
		// Reported, and still tried again when Partner Center asked.
		res, err = ctrl.Result{RequeueAfter: after}, nil
	}
	return withResync(res, o, obj, k), err
}

// settleSuspended summarises a suspended object. Its generation is
// observed only when its spec, suspend apart, is the one observed last
// (suspend.go).
func settleSuspended[O Object](obj O, k Kind[O]) {
	pending := obj.GetReconcileStatus().ObservedSpecDigest != k.SpecDigest(obj)
	editConditions(obj, summarizeSuspended)
	if !pending {
		obj.SetObservedGeneration(obj.GetGeneration())
	}
}

// withResync wakes a settled or stalled object also for its resync, at
// low priority: an object created or edited meanwhile goes first.
func withResync[O Object](res ctrl.Result, o outcome, obj O, k Kind[O]) ctrl.Result {
	r, ok := k.(Resyncer[O])
	if !ok || (o.kind != outcomeDone && o.kind != outcomeStalled) {
		return res
	}
	if after := r.ResyncAfter(obj); after > 0 && (res.RequeueAfter == 0 || after < res.RequeueAfter) {
		res.RequeueAfter, res.Priority = after, ptr.To(handler.LowPriority)
	}
	return res
}

// getObject reads the object of req. An object that no longer exists is
// not found, and the reconciler drops what it kept about it.
func getObject[O Object](ctx context.Context, req ctrl.Request, k Kind[O], deferred *DeferredRetries) (O, bool, error) {
	obj := k.NewObject()
	err := k.Deps().Get(ctx, req.NamespacedName, obj)
	if apierrors.IsNotFound(err) {
		deferred.reset(req.NamespacedName)
		if f, ok := k.(Forgetter); ok {
			f.Forget(req.NamespacedName)
		}
		return obj, false, nil
	}
	return obj, err == nil, err
}

// EnsureFinalizer adds or removes the kind's finalizer on a live object.
func EnsureFinalizer[O Object](ctx context.Context, c client.Client, obj O, k Kind[O]) error {
	fin, ok := k.(Finalizer[O])
	if !ok || !obj.GetDeletionTimestamp().IsZero() {
		return nil
	}
	want := fin.WantsFinalizer(obj)
	if want == controllerutil.ContainsFinalizer(obj, fin.Finalizer()) {
		return nil
	}
	patch := finalizerPatch(obj)
	if want {
		controllerutil.AddFinalizer(obj, fin.Finalizer())
	} else {
		controllerutil.RemoveFinalizer(obj, fin.Finalizer())
	}
	return c.Patch(ctx, obj, patch)
}

// finalizerPatch is the patch of obj's finalizers from its state now. A
// JSON merge patch replaces the whole list, so it carries obj's resource
// version: had another controller added or removed a finalizer since obj
// was read, the API server refuses the patch (409) and the reconcile
// runs again on a fresh copy, instead of dropping the other's finalizer
// or bringing back one it removed.
func finalizerPatch(obj client.Object) client.Patch {
	return client.MergeFromWithOptions(obj.DeepCopyObject().(client.Object), client.MergeFromWithOptimisticLock{})
}

// finalizeObject carries out the deletion and releases the object once
// it is done; until then the status says what it waits for.
func finalizeObject[O Object](ctx context.Context, obj O, k Kind[O], fin Finalizer[O]) (ctrl.Result, error) {
	err := fin.Finalize(ctx, obj)
	o := Classify(err, v1alpha1.ReasonPartnerCenterError)
	if o.kind == outcomeDone {
		patch := finalizerPatch(obj)
		controllerutil.RemoveFinalizer(obj, fin.Finalizer())
		return ctrl.Result{}, k.Deps().Patch(ctx, obj, patch)
	}
	gen := obj.GetGeneration()
	editConditions(obj, func(conds *[]metav1.Condition) { summarize(conds, gen, o, "") })
	return resultFor(ctx, o, err, &k.Deps().Options)
}

// PatchStatus writes the status once, only when it changed, then records
// the kind's events and metrics of the change.
func PatchStatus[O Object](ctx context.Context, c client.Client, base, obj O, k Kind[O]) error {
	BoundConditions(obj)
	if equality.Semantic.DeepEqual(k.StatusOf(base), k.StatusOf(obj)) {
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
	reason, note := k.Transition(base, obj)
	recordTransitions(k.Deps().Recorder, base, obj, reason, note)
	if so, ok := k.(StatusObserver[O]); ok {
		so.StatusPatched(base, obj)
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
func editConditions(obj Object, edit func(*[]metav1.Condition)) {
	conds := obj.GetConditions()
	edit(&conds)
	obj.SetConditions(conds)
}

// Phase is one named step of a reconciler. A phase records what it finds
// in the scope S and in status fields; it sets no condition (the kind's
// status.go does, from the scope). It returns nil when its part of the
// desired state holds, errSkipRest when the whole desired state already
// holds, or a waiting, stalled or transient error (outcome.go).
type Phase[S any] struct {
	Name string
	Run  func(context.Context, S) error
}

// ErrSkipRest ends a list of phases early, successfully.
var ErrSkipRest = errors.New("the desired state holds")

// RunPhases runs phases in order until one does not return nil.
func RunPhases[S any](ctx context.Context, scope S, phases []Phase[S]) error {
	log := logf.FromContext(ctx)
	for _, p := range phases {
		err := p.Run(ctx, scope)
		if errors.Is(err, ErrSkipRest) {
			return nil
		}
		if err != nil {
			log.V(1).Info("phase ended the reconcile", "phase", p.Name, "outcome", err.Error())
			return err
		}
	}
	return nil
}

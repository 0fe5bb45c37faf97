package reconcile

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// What a kind is to the skeleton: the interfaces its objects and its
// reconciler implement. The skeleton itself is reconcile.go.

// Object is an API object the skeleton reconciles: MarketplaceOffer and
// Solution (api/v1alpha1). Its status carries kstatus conditions, the
// observed generation and v1alpha1.ReconcileStatus.
type Object interface {
	client.Object
	GetConditions() []metav1.Condition
	SetConditions([]metav1.Condition)
	GetObservedGeneration() int64
	SetObservedGeneration(int64)
	GetReconcileStatus() *v1alpha1.ReconcileStatus
}

// Kind is what one reconciler adds to the shared skeleton: what its
// objects are, its watches, and the steps that are its own. A Kind may
// also be a Finalizer, a Resyncer, a StatusObserver and a Forgetter.
type Kind[O Object] interface {
	// NewObject makes an empty object of the kind; the controller's name
	// (its metrics and logs) and its lists come from the kind's type in
	// the manager's scheme.
	NewObject() O
	// Watch adds the watches of related kinds to the controller.
	Watch(*builder.Builder) *builder.Builder
	// Deps are the reconciler's dependencies; SetupWithManager fills in
	// the clock and the option defaults.
	Deps() *Dependencies
	// Suspended reports spec.suspend; SpecDigest is the digest of the
	// spec without suspend (suspend.go).
	Suspended(O) bool
	SpecDigest(O) string
	// Reconcile runs the kind's phases and sets its own conditions from
	// what they found; its error is the outcome (see outcome.go).
	Reconcile(context.Context, O) error
	// ReadyMessage is Ready's message when the reconcile is done.
	ReadyMessage(O) string
	// StatusOf is the object's status, compared to decide on a patch.
	StatusOf(O) any
	// Transition is the Normal event of a status change that changed the
	// kind's own phase or state; reason is "" when it did not. The
	// skeleton records it, then the events of the conditions (events.go).
	Transition(old, cur O) (reason, note string)
}

// Finalizer is a Kind whose deletions have work to do in Partner Center.
type Finalizer[O Object] interface {
	// Finalizer names the finalizer that holds such objects.
	Finalizer() string
	// WantsFinalizer reports whether a live object should hold it.
	WantsFinalizer(O) bool
	// Finalize carries out a deletion; nil means the finalizer may go.
	Finalize(context.Context, O) error
}

// Resyncer is a Kind whose settled objects are read back from Partner
// Center: ResyncAfter is how long one waits (zero: the next event only).
type Resyncer[O Object] interface {
	ResyncAfter(O) time.Duration
}

// StatusObserver is a Kind that records metrics of a status change.
type StatusObserver[O Object] interface {
	StatusPatched(old, cur O)
}

// Forgetter is a Kind that keeps something in memory about its objects:
// Forget drops it once the object no longer exists.
type Forgetter interface {
	Forget(types.NamespacedName)
}

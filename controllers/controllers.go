package controllers

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/cosell-operator/cosell-operator/controllers/offer"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/controllers/solution"
)

// The entry points main.go and the tests use, from the packages that
// hold them.
type (
	// Dependencies is what a reconciler needs (controllers/reconcile).
	Dependencies = reconcile.Dependencies
	// Options tune a reconciler (controllers/reconcile).
	Options = reconcile.Options
	// BoundedRecorder caps the events of both kinds (controllers/reconcile).
	BoundedRecorder = reconcile.BoundedRecorder
)

// DefaultResyncInterval is how often a MarketplaceOffer is read back from
// Partner Center unless told otherwise.
const DefaultResyncInterval = offer.DefaultResyncInterval

// IndexFields registers the field indexes both reconcilers look objects
// up by; call it before the manager starts.
func IndexFields(ctx context.Context, indexer client.FieldIndexer) error {
	return reconcile.IndexFields(ctx, indexer)
}

// NewBoundedRecorder wraps inner in an event budget of perSecond events,
// bursting to burst.
func NewBoundedRecorder(inner recorder.EventRecorder, perSecond float64, burst int) *BoundedRecorder {
	return reconcile.NewBoundedRecorder(inner, perSecond, burst)
}

// ShareCachedStrings keeps one copy of the repeated strings of a cached
// object's status.
func ShareCachedStrings(obj client.Object) { reconcile.ShareCachedStrings(obj) }

// SetupWithManager registers the controllers of both kinds with mgr, each
// with its own dependencies (their concurrency differs).
func SetupWithManager(mgr ctrl.Manager, offers, solutions Dependencies) error {
	if err := offer.NewController(offers).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the MarketplaceOffer controller: %w", err)
	}
	if err := solution.NewController(solutions).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the Solution controller: %w", err)
	}
	return nil
}

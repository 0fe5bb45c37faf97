package reconcile

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// Field indexes over Solutions, so that an offer finds the Solutions that
// reference it without listing every Solution, and over offers, so that an
// offer finds the others declaring its offer ID.
const (
	// OfferIDIndex indexes MarketplaceOffers by spec.offerID, across
	// namespaces: one offer ID belongs to one object in the cluster
	// (offer/ownership.go).
	OfferIDIndex = ".spec.offerID"
	// MigrateOfferIndex indexes Solutions with action Migrate by
	// spec.migrate.offerRef.name.
	MigrateOfferIndex = ".spec.migrate.offerRef.name"
	// MergeOfferIndex indexes Solutions with action Merge by
	// spec.merge.offerRef.name.
	MergeOfferIndex = ".spec.merge.offerRef.name"
	// solutionIDIndex indexes Solutions by spec.solutionID, across
	// namespaces: one legacy solution is decided by one Solution object in
	// the cluster (solution/ownership.go).
	solutionIDIndex = ".spec.solutionID"
)

// IndexFields registers the field indexes the reconcilers use. Call it
// once per manager, before setting up the reconcilers.
func IndexFields(ctx context.Context, indexer client.FieldIndexer) error {
	if err := indexer.IndexField(ctx, &v1alpha1.MarketplaceOffer{}, OfferIDIndex, func(obj client.Object) []string {
		return []string{obj.(*v1alpha1.MarketplaceOffer).Spec.OfferID}
	}); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &v1alpha1.Solution{}, MigrateOfferIndex, func(obj client.Object) []string {
		if s := obj.(*v1alpha1.Solution); s.Spec.Action == v1alpha1.ActionMigrate && s.Spec.Migrate != nil {
			return []string{s.Spec.Migrate.OfferRef.Name}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &v1alpha1.Solution{}, solutionIDIndex, func(obj client.Object) []string {
		return []string{obj.(*v1alpha1.Solution).Spec.SolutionID}
	}); err != nil {
		return err
	}
	return indexer.IndexField(ctx, &v1alpha1.Solution{}, MergeOfferIndex, func(obj client.Object) []string {
		if s := obj.(*v1alpha1.Solution); s.Spec.Action == v1alpha1.ActionMerge && s.Spec.Merge != nil && s.Spec.Merge.OfferRef != nil {
			return []string{s.Spec.Merge.OfferRef.Name}
		}
		return nil
	})
}

// OfferRefName is the MarketplaceOffer a Solution references, or "".
func OfferRefName(s *v1alpha1.Solution) string {
	switch {
	case s.Spec.Action == v1alpha1.ActionMigrate && s.Spec.Migrate != nil:
		return s.Spec.Migrate.OfferRef.Name
	case s.Spec.Action == v1alpha1.ActionMerge && s.Spec.Merge != nil && s.Spec.Merge.OfferRef != nil:
		return s.Spec.Merge.OfferRef.Name
	}
	return ""
}

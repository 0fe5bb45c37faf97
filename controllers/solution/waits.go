package solution

import (
	"context"
	"fmt"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// offerRefusesMigration stalls a Migrate that the offer it names will not
// take, without asking Partner Center: the offer declares another legacy
// solution in spec.migrateFrom, or it holds another migration, or,
// declaring none, it already submitted a draft of its own, which Partner
// Center refuses to migrate into (applied apart, offer first). An offer
// that declares the solution waits for the migration and never submits
// before it.
func offerRefusesMigration(sol *v1alpha1.Solution, offer *v1alpha1.MarketplaceOffer) error {
	id, st := sol.Spec.SolutionID, &offer.Status
	switch {
	case offer.Spec.MigrateFrom != nil && offer.Spec.MigrateFrom.SolutionID != id:
		return reconcile.Stalled(v1alpha1.ReasonActionConflict,
			"MarketplaceOffer %s declares spec.migrateFrom.solutionID %s, so it takes the migration of that legacy solution only, not of %s: "+
				"reference a MarketplaceOffer that declares spec.migrateFrom.solutionID %s, or correct the offer's spec.migrateFrom",
			offer.Name, offer.Spec.MigrateFrom.SolutionID, id, id)
	case st.MigratedFrom != "" && st.MigratedFrom != id:
		return reconcile.Stalled(v1alpha1.ReasonActionConflict,
			"MarketplaceOffer %s already holds the migration of legacy solution %s, and an offer takes one migration: "+
				"reference a new MarketplaceOffer that declares spec.migrateFrom.solutionID %s, or set action to Merge into %s once it is live",
			offer.Name, st.MigratedFrom, id, offer.Name)
	case offer.Spec.MigrateFrom == nil && st.MigratedFrom == "" && (st.PreviewSubmission != nil || st.LiveSubmission != nil):
		return reconcile.Stalled(v1alpha1.ReasonActionConflict, "%s", submittedOfferMessage(sol, offer, ""))
	}
	return nil
}

// submittedOfferMessage says what to change when the offer a Migrate names
// was submitted before the migration: a migration needs a never-submitted
// draft, which an offer declaring spec.migrateFrom keeps for it.
func submittedOfferMessage(sol *v1alpha1.Solution, offer *v1alpha1.MarketplaceOffer, cause string) string {
	if cause != "" {
		cause = " (" + cause + ")"
	}
	return fmt.Sprintf("MarketplaceOffer %s (offer ID %s) was submitted in Partner Center before this migration, and legacy solution %s "+
		"can only be migrated into a never-submitted draft%s. Point spec.migrate.offerRef.name at a new MarketplaceOffer "+
		"with a new offer ID and spec.migrateFrom.solutionID: %s (it creates and submits nothing until the migration has filled its draft, "+
		"in whichever order the two are applied), or set action to Merge into %s once it is live",
		offer.Name, offer.Spec.OfferID, sol.Spec.SolutionID, cause, sol.Spec.SolutionID, offer.Name)
}

// offerWillNotGoLive stalls a Merge into an offer that is not live and
// whose target is not Live: it would wait for a go-live that never comes.
func offerWillNotGoLive(offer *v1alpha1.MarketplaceOffer) error {
	if offer.Spec.Target == v1alpha1.TargetLive || isLive(offer) {
		return nil
	}
	return reconcile.Stalled(v1alpha1.ReasonOfferTargetNotLive,
		"a merge needs a live offer, and MarketplaceOffer %s has target %s: set the offer's target to Live (spec.target: Live), "+
			"or merge by listing URL (spec.merge.offerURL)", offer.Name, offer.Spec.Target)
}

// migrationTaken stalls a Migrate whose offer already holds another
// Solution's migration, naming that Solution, instead of asking Partner
// Center for a migration it must refuse.
func (r *SolutionReconciler) migrationTaken(ctx context.Context, s *solutionScope) error {
	sol := s.sol
	var sols v1alpha1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(sol.Namespace), client.MatchingFields{reconcile.MigrateOfferIndex: sol.Spec.Migrate.OfferRef.Name}); err != nil {
		return err
	}
	others := slices.DeleteFunc(sols.Items, func(o v1alpha1.Solution) bool { return o.UID == sol.UID && o.Name == sol.Name })
	if done := reconcile.MigratedInto(others); done != nil {
		return reconcile.Stalled(v1alpha1.ReasonActionConflict,
			"MarketplaceOffer %s already holds the migration of Solution %s (legacy solution %s), and an offer takes one migration: "+
				"reference a new MarketplaceOffer, or set action to Merge into %s once it is live",
			sol.Spec.Migrate.OfferRef.Name, done.Name, done.Spec.SolutionID, sol.Spec.Migrate.OfferRef.Name)
	}
	return nil
}

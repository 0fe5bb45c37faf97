package solution

import (
	"context"
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
func offerRefusesMigration(s *solutionScope) error {
	id, offer := s.sol.Spec.SolutionID, s.offer
	st := &offer.Status
	switch {
	case offer.Spec.MigrateFrom != nil && offer.Spec.MigrateFrom.SolutionID != id:
		return s.stop(stopFact{kind: stallOfferDeclaresOther})
	case st.MigratedFrom != "" && st.MigratedFrom != id:
		return s.stop(stopFact{kind: stallOfferHoldsOther})
	case offer.Spec.MigrateFrom == nil && st.MigratedFrom == "" && (st.PreviewSubmission != nil || st.LiveSubmission != nil):
		return s.stop(stopFact{kind: stallOfferSubmitted})
	}
	return nil
}

// offerWillNotGoLive stalls a Merge into an offer that is not live and
// whose target is not Live: it would wait for a go-live that never comes.
func offerWillNotGoLive(s *solutionScope) error {
	if offer := s.offer; offer.Spec.Target == v1alpha1.TargetLive || isLive(offer) {
		return nil
	}
	return s.stop(stopFact{kind: stallOfferTargetNotLive})
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
		return s.stop(stopFact{kind: stallMigrationTaken, other: done})
	}
	return nil
}

package offer

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// migrationStalled stalls an offer whose migrating Solution is Stalled
// (a typo in solutionID, a lapsed membership, a second Solution migrating
// into the same offer, a host without the migration tool): the migration
// cannot fill the offer's draft until a person fixes the Solution.
func migrationStalled(offer *v1alpha1.MarketplaceOffer, sol *v1alpha1.Solution) error {
	c := meta.FindStatusCondition(sol.Status.Conditions, v1alpha1.StalledCondition)
	if c == nil || c.Status != "True" {
		return nil
	}
	return stopFact{kind: stallMigrationStalled, solution: sol, reason: c.Reason, feedback: c.Message}.outcome(offer)
}

// takesMigrationOf reports whether the offer takes the migration sol
// makes into it: any, unless spec.migrateFrom names the legacy solution.
func takesMigrationOf(offer *v1alpha1.MarketplaceOffer, sol *v1alpha1.Solution) bool {
	return offer.Spec.MigrateFrom == nil || offer.Spec.MigrateFrom.SolutionID == sol.Spec.SolutionID
}

// solutionStalledChanged passes Solution updates whose Stalled condition
// appeared, went or changed reason, so that the offer it migrates into
// notices (migrationStalled).
var solutionStalledChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*v1alpha1.Solution)
		n, ok2 := e.ObjectNew.(*v1alpha1.Solution)
		return ok1 && ok2 && stalledReason(o) != stalledReason(n)
	},
}

// stalledReason is the reason of a True Stalled condition, or "".
func stalledReason(sol *v1alpha1.Solution) string {
	if c := meta.FindStatusCondition(sol.Status.Conditions, v1alpha1.StalledCondition); c != nil && c.Status == "True" {
		return c.Reason
	}
	return ""
}

package reconcile

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// SolutionOwners returns, by partner ID, the owner among the Solutions
// naming solutionID (through the cluster-wide field index).
func SolutionOwners(ctx context.Context, c client.Reader, solutionID string) (map[string]*v1alpha1.Solution, error) {
	var sols v1alpha1.SolutionList
	if err := c.List(ctx, &sols, client.MatchingFields{solutionIDIndex: solutionID}); err != nil {
		return nil, err
	}
	owners := map[string]*v1alpha1.Solution{}
	for i := range sols.Items {
		s := &sols.Items[i]
		if o := owners[s.Spec.PartnerID]; o == nil || OwnsSolutionBefore(s, o) {
			owners[s.Spec.PartnerID] = s
		}
	}
	return owners, nil
}

// OwnsSolutionBefore reports whether a comes before b in deciding their
// legacy solution.
func OwnsSolutionBefore(a, b *v1alpha1.Solution) bool {
	if ha, hb := a.Status.State != "", b.Status.State != ""; ha != hb {
		return ha
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.UID < b.UID
}

// MigratedInto returns the Solution among sols that already migrated into
// the offer, or nil. One offer takes one migration: once one is done, the
// offer no longer waits for any other Solution naming it.
func MigratedInto(sols []v1alpha1.Solution) *v1alpha1.Solution {
	for i := range sols {
		if sols[i].Status.State == v1alpha1.StateMigrated {
			return &sols[i]
		}
	}
	return nil
}

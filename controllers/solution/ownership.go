package solution

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// One legacy solution (partnerID and solutionID) is decided by one
// Solution object in the cluster, as one offer ID belongs to one
// MarketplaceOffer (offer/ownership.go): otherwise any
// namespace sharing the credential could discard, migrate or merge
// another's solution, and a Migrate would undo another object's Discard.
// The owner is the Solution that recorded a state from Partner Center
// first, else the oldest, ties broken by UID. Every other Solution naming
// the same legacy solution stalls before any Partner Center call.

// solutionOwner returns the Solution that decides sol's legacy solution:
// sol itself, or another one.
func solutionOwner(ctx context.Context, c client.Reader, sol *v1alpha1.Solution) (*v1alpha1.Solution, error) {
	owners, err := reconcile.SolutionOwners(ctx, c, sol.Spec.SolutionID)
	if err != nil {
		return nil, err
	}
	owner := owners[sol.Spec.PartnerID]
	if owner == nil || owner.UID == sol.UID || reconcile.OwnsSolutionBefore(sol, owner) {
		return sol, nil
	}
	return owner, nil
}

// ownSolution stalls a Solution that does not decide its legacy solution,
// naming the one that does, before any Partner Center call.
func (r *SolutionReconciler) ownSolution(ctx context.Context, s *solutionScope) error {
	owner, err := solutionOwner(ctx, r.Client, s.sol)
	if err != nil {
		return err
	}
	if owner == s.sol {
		return nil
	}
	return s.stop(stopFact{kind: stallSolutionTaken, other: owner})
}

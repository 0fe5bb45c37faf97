package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// One legacy solution (partnerID and solutionID) is decided by one
// Solution object in the cluster, as one offer ID belongs to one
// MarketplaceOffer (marketplaceoffer_ownership.go): otherwise any
// namespace sharing the credential could discard, migrate or merge
// another's solution, and a Migrate would undo another object's Discard.
// The owner is the Solution that recorded a state from Partner Center
// first, else the oldest, ties broken by UID. Every other Solution naming
// the same legacy solution stalls before any Partner Center call.

// solutionOwner returns the Solution that decides sol's legacy solution:
// sol itself, or another one.
func solutionOwner(ctx context.Context, c client.Reader, sol *v1alpha1.Solution) (*v1alpha1.Solution, error) {
	owners, err := solutionOwners(ctx, c, sol.Spec.SolutionID)
	if err != nil {
		return nil, err
	}
	owner := owners[sol.Spec.PartnerID]
	if owner == nil || owner.UID == sol.UID || ownsSolutionBefore(sol, owner) {
		return sol, nil
	}
	return owner, nil
}

// solutionOwners returns, by partner ID, the owner among the Solutions
// naming solutionID (through the cluster-wide field index).
func solutionOwners(ctx context.Context, c client.Reader, solutionID string) (map[string]*v1alpha1.Solution, error) {
	var sols v1alpha1.SolutionList
	if err := c.List(ctx, &sols, client.MatchingFields{solutionIDIndex: solutionID}); err != nil {
		return nil, err
	}
	owners := map[string]*v1alpha1.Solution{}
	for i := range sols.Items {
		s := &sols.Items[i]
		if o := owners[s.Spec.PartnerID]; o == nil || ownsSolutionBefore(s, o) {
			owners[s.Spec.PartnerID] = s
		}
	}
	return owners, nil
}

// ownsSolutionBefore reports whether a comes before b in deciding their
// legacy solution.
func ownsSolutionBefore(a, b *v1alpha1.Solution) bool {
	if ha, hb := a.Status.State != "", b.Status.State != ""; ha != hb {
		return ha
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.UID < b.UID
}

// ownSolution stalls a Solution that does not decide its legacy solution,
// naming the one that does, before any Partner Center call.
func (r *SolutionReconciler) ownSolution(ctx context.Context, sol *v1alpha1.Solution) error {
	owner, err := solutionOwner(ctx, r.Client, sol)
	if err != nil {
		return err
	}
	if owner == sol {
		return nil
	}
	return stalled(v1alpha1.ReasonSolutionTaken,
		"legacy solution %s of partner %s is decided by Solution %s/%s; one legacy solution is decided by one Solution object "+
			"in the cluster: delete this Solution, or agree the decision with the owner of %s/%s",
		sol.Spec.SolutionID, sol.Spec.PartnerID, owner.Namespace, owner.Name, owner.Namespace, owner.Name)
}

// migrateFromDecidedElsewhere stalls an offer whose spec.migrateFrom names
// a legacy solution that a Solution of another namespace decides (and none
// of the offer's namespace): that migration is not the offer's to take.
func migrateFromDecidedElsewhere(ctx context.Context, c client.Reader, offer *v1alpha1.MarketplaceOffer) error {
	if offer.Spec.MigrateFrom == nil {
		return nil
	}
	owners, err := solutionOwners(ctx, c, offer.Spec.MigrateFrom.SolutionID)
	if err != nil {
		return err
	}
	var elsewhere *v1alpha1.Solution
	for _, o := range owners {
		if o.Namespace == offer.Namespace {
			return nil
		}
		elsewhere = o
	}
	if elsewhere == nil {
		return nil
	}
	return stalled(v1alpha1.ReasonSolutionTaken,
		"spec.migrateFrom names legacy solution %s, which Solution %s/%s in another namespace decides; "+
			"this offer takes no migration it does not decide: remove spec.migrateFrom, or decide the solution in this namespace",
		offer.Spec.MigrateFrom.SolutionID, elsewhere.Namespace, elsewhere.Name)
}

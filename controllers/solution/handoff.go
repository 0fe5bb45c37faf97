package solution

import (
	"context"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The Solution's hand-off against Microsoft's hosts. Microsoft publishes
// no API for merge, migrate, discard or undo discard (only a simulator
// serves them, as its OCP GTM extension): the Solution stalls with reason
// PortalActionRequired and the steps of Partner Center's migration guide
// for its action; a person carries them out and records it in
// spec.completedInPortal; the operator then verifies what the published
// APIs can verify and ends the Solution Migrated, Merged or Discarded,
// saying in ActionCompleted what it verified and what a person confirmed.

// migrationSurface is implemented by a Partner Center client that knows
// whether it serves the OCP GTM migration operations (ingestion.Client).
type migrationSurface interface{ ServesMigration() bool }

// servesMigration reports whether pc carries out the actions itself; a
// client that does not say (a fake) is taken to.
func servesMigration(pc partnercenter.Client) bool {
	m, ok := pc.(migrationSurface)
	return !ok || m.ServesMigration()
}

// handOff reconciles a Solution whose action a person carries out in
// Partner Center. It calls no migration operation.
func (r *solutionRun) handOff(ctx context.Context, s *solutionScope) error {
	if err := r.readOffer(ctx, s); err != nil {
		return err
	}
	sol := s.sol
	if actionRecordedComplete(sol) {
		return nil
	}
	if err := waitForOffer(s); err != nil {
		return err
	}
	c := sol.Spec.CompletedInPortal
	if c == nil || c.Action != sol.Spec.Action {
		return s.stop(stopFact{kind: stallPortalAction})
	}
	if err := r.verifyPortalAction(ctx, s); err != nil {
		return err
	}
	end := actionEnds[sol.Spec.Action]
	sol.Status.State = solutionStateFromPort(end.state)
	sol.Status.SupportRequestID, sol.Status.MergeRequestedAt = "", nil
	s.action = actionConfirmedInPortal
	setSolutionConditions(s)
	return nil
}

// verifyPortalAction verifies what the published APIs can verify of the
// action carried out in the portal, and records the product it verified
// in status.productID (portalVerifiedMessage, status.go, says what it
// verified).
func (r *solutionRun) verifyPortalAction(ctx context.Context, s *solutionScope) error {
	sol, offer := s.sol, s.offer
	switch sol.Spec.Action {
	case v1alpha1.ActionMigrate:
		return r.verifyMigratedDraft(ctx, s)
	case v1alpha1.ActionMerge:
		if offer == nil { // merge.offerURL
			sol.Status.ProductID = ""
			return nil
		}
		// waitForOffer let only a live offer with a product through.
		sol.Status.ProductID = offer.Status.ProductID
	}
	return nil
}

// verifyMigratedDraft finds the draft the migration made by the offer ID
// of the MarketplaceOffer it becomes, and checks its offer type.
func (r *solutionRun) verifyMigratedDraft(ctx context.Context, s *solutionScope) error {
	sol, spec := s.sol, &s.offer.Spec
	product, err := r.pc.FindProduct(ctx, spec.OfferID)
	if partnercenter.IsNotFound(err) {
		return s.stop(stopFact{kind: stallPortalNoDraft})
	}
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	if product.OfferType != string(spec.OfferType) {
		return s.stop(stopFact{kind: stallPortalOfferType, productType: product.OfferType})
	}
	sol.Status.ProductID = product.ID
	return nil
}

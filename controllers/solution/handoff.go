package solution

import (
	"context"
	"fmt"
	"strings"

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

// MigrationPageURL is Partner Center's page for migrating OCP GTM solutions.
const MigrationPageURL = "https://partner.microsoft.com/solutions/migration"

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

// confirmedBy says what a person recorded in spec.completedInPortal.
func confirmedBy(c *v1alpha1.PortalConfirmation) string {
	msg := fmt.Sprintf("%s in Partner Center confirmed by %s (spec.completedInPortal)", c.Action, c.ConfirmedBy)
	if c.Note != "" {
		msg += ": " + c.Note
	}
	return msg
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

// portalSteps are the steps of Partner Center's migration guide for the
// Solution's action, with the link, ending with what to record in Git.
func portalSteps(s *solutionScope) string {
	sol := s.sol
	steps := []string{
		"Open " + MigrationPageURL + " (an Admin or Developer of the publisher)",
		`on the Overview page select "Click here to start"`,
		fmt.Sprintf(`select the Solutions tab, which lists the solutions of MPN ID %s, and select "Start migration" for solution %s`,
			sol.Spec.PartnerID, sol.Spec.SolutionID),
	}
	if sol.Spec.Action != v1alpha1.ActionDiscard && sol.Status.State == v1alpha1.StateDiscarded {
		steps[2] = fmt.Sprintf(`select the Solutions tab and select "Undo discard" for solution %s, then "Start migration" for it`,
			sol.Spec.SolutionID)
	}
	steps = append(steps, actionSteps(s)...)
	var b strings.Builder
	fmt.Fprintf(&b, "Microsoft publishes no API to %s a legacy solution: carry it out in Partner Center. ", strings.ToLower(string(sol.Spec.Action)))
	for i, step := range steps {
		fmt.Fprintf(&b, "%d. %s. ", i+1, step)
	}
	fmt.Fprintf(&b, "Then record it in Git: set spec.completedInPortal {action: %s, confirmedBy: <who>} on Solution %s", sol.Spec.Action, sol.Name)
	return b.String()
}

// actionSteps are the guide's steps of the action itself.
func actionSteps(s *solutionScope) []string {
	sol, offer := s.sol, s.offer
	switch sol.Spec.Action {
	case v1alpha1.ActionMigrate:
		return []string{
			`select "I want to migrate this solution from OCP GTM to the commercial marketplace", then "Continue"`,
			fmt.Sprintf(`on the Action 1 tab select the offer type %s, then "Continue"`, offer.Spec.OfferType),
			fmt.Sprintf("on the Action 2 tab select the publisher profile %s", offer.Spec.PublisherID),
			fmt.Sprintf(`select "Create draft offer": the operator finds the draft by offer ID %s (spec.offerID of MarketplaceOffer %s), `+
				"and that offer then takes the draft over", offer.Spec.OfferID, offer.Name),
		}
	case v1alpha1.ActionMerge:
		into := "the customer-facing URL " + sol.Spec.Merge.OfferURL
		if offer != nil {
			into = fmt.Sprintf("the live offer with offer ID %s (MarketplaceOffer %s)", offer.Spec.OfferID, offer.Name)
		}
		return []string{
			`select "I want to merge this solution with a similar offer in the commercial marketplace"`,
			fmt.Sprintf(`on the Action 1 tab select %s from the list of live offers, or enter its AppSource or Azure Marketplace URL, then "Continue"`, into),
			`on the Action 2 tab select "Save and contact support"; in the partner support page select "Provide issue details", ` +
				`enter the offer type, offer name, OCP solution ID and listing URL, and select "Submit"`,
			"partner support contacts you within two business days and completes the merge; confirm once it has",
		}
	}
	return []string{`select "I want to discard this solution", then "Continue"`, `select "Discard" (it can be undone with "Undo discard")`}
}

package solution

import (
	"fmt"
	"strings"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The Solution's status, computed from what its phases found
// (solutionScope in scope.go). Nothing here does I/O. A fact
// left at its zero value leaves its condition as the last reconcile set it.

// setSolutionConditions sets the Solution's domain conditions from what
// the phases found.
func setSolutionConditions(s *solutionScope) {
	setPrerequisitesMetCondition(s.sol, s.publisherID, s.prerequisites)
	verified := ""
	if s.action == actionConfirmedInPortal {
		verified = portalVerifiedMessage(s)
	}
	setActionCompletedCondition(s.sol, s.action, verified)
}

// portalVerifiedMessage says what the published APIs verified of the
// action carried out in the portal (handOff, handoff.go): the migrated
// draft found by the offer's ID and type (status.productID), the live
// offer merged into, or nothing.
func portalVerifiedMessage(s *solutionScope) string {
	sol, offer := s.sol, s.offer
	switch sol.Spec.Action {
	case v1alpha1.ActionMigrate:
		return fmt.Sprintf("verified: Partner Center holds draft product %s with offer ID %s and type %s",
			sol.Status.ProductID, offer.Spec.OfferID, offer.Spec.OfferType)
	case v1alpha1.ActionMerge:
		if offer == nil { // merge.offerURL
			return fmt.Sprintf("not verified: no published API maps listing URL %s to an offer or reports a merge", sol.Spec.Merge.OfferURL)
		}
		return fmt.Sprintf("verified: MarketplaceOffer %s (product %s) is live; no published API reports the merge itself",
			offer.Name, offer.Status.ProductID)
	}
	return "nothing to verify: no published API reports a discard"
}

// setPrerequisitesMetCondition says whether the partner may carry out the
// action on publisherID's offers; pre is nil when they were not checked.
func setPrerequisitesMetCondition(sol *v1alpha1.Solution, publisherID string, pre *partnercenter.Prerequisites) {
	if pre == nil {
		return
	}
	conds, gen, partnerID := &sol.Status.Conditions, sol.Generation, sol.Spec.PartnerID
	if reason, msg := unmetPrerequisite(partnerID, publisherID, pre); reason != "" {
		reconcile.SetCondition(conds, gen, v1alpha1.PrerequisitesMetCondition, false, reason, "%s", msg)
		return
	}
	reconcile.SetCondition(conds, gen, v1alpha1.PrerequisitesMetCondition, true, v1alpha1.ReasonSucceeded,
		"partner %s has a valid membership, a marketplace account and a publishing role", partnerID)
}

// unmetPrerequisite names the first prerequisite pre lacks
// (missingPrerequisite, prerequisites.go), with what to do about it; ""
// when all are met.
func unmetPrerequisite(partnerID, publisherID string, pre *partnercenter.Prerequisites) (reason, message string) {
	switch missingPrerequisite(publisherID, pre) {
	case lacksMembership:
		return v1alpha1.ReasonMembershipInvalid, fmt.Sprintf(
			"partner %s has no valid Microsoft partner-network membership; renew it at https://partner.microsoft.com, then the operator retries", partnerID)
	case lacksMarketplaceAccount:
		return v1alpha1.ReasonMarketplaceAccountMissing, fmt.Sprintf(
			"partner %s has no commercial-marketplace account; enroll in Partner Center, then the operator retries", partnerID)
	case lacksPublisherRole:
		role := pre.PublisherRole
		if role == "" {
			role = "no role"
		}
		return v1alpha1.ReasonPublisherRoleMissing, fmt.Sprintf(
			"the operator's identity has %s on publisher %s; an account owner must add it as Admin or Developer", role, publisherID)
	}
	return "", ""
}

// setActionCompletedCondition says whether Partner Center carried out
// spec.action, from the state recorded in status; verified is what the
// published APIs verified of an action carried out in the portal.
func setActionCompletedCondition(sol *v1alpha1.Solution, fact actionFact, verified string) {
	st, gen := &sol.Status, sol.Generation
	switch fact {
	case actionConfirmedInPortal:
		end := actionEnds[sol.Spec.Action]
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.ActionCompletedCondition, true, end.reason,
			"%s; %s", verified, confirmedBy(sol.Spec.CompletedInPortal))
	case actionCompleted:
		end := actionEnds[sol.Spec.Action]
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.ActionCompletedCondition, true, end.reason, "%s", end.message)
	case actionConflicts:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.ActionCompletedCondition, false, v1alpha1.ReasonActionConflict,
			"%s", conflictMessage(st.State))
	case actionAwaitingMerge:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.ActionCompletedCondition, false, v1alpha1.ReasonMergeRequested,
			"merge request %s is with partner support, which usually answers within two business days", st.SupportRequestID)
	}
}

// actionEnds gives each action the Partner Center state that completes it,
// with ActionCompleted's reason and message.
var actionEnds = map[v1alpha1.SolutionAction]struct {
	state           partnercenter.SolutionState
	reason, message string
}{
	v1alpha1.ActionMigrate: {partnercenter.SolutionStateMigrated, v1alpha1.ReasonMigrated, "the solution was migrated into a draft offer"},
	v1alpha1.ActionMerge:   {partnercenter.SolutionStateMerged, v1alpha1.ReasonMerged, "the solution was merged into a live offer"},
	v1alpha1.ActionDiscard: {partnercenter.SolutionStateDiscarded, v1alpha1.ReasonDiscarded, "the solution was discarded"},
}

// actionDone reports whether Partner Center's state is the end state of
// the action, with ActionCompleted's message.
func actionDone(action v1alpha1.SolutionAction, state partnercenter.SolutionState) (bool, string) {
	end, ok := actionEnds[action]
	if !ok || end.state != state {
		return false, ""
	}
	return true, end.message
}

// decidedOtherwise reports whether Partner Center already carried out a
// decision other than spec.action: migrations and merges cannot be undone.
func decidedOtherwise(action v1alpha1.SolutionAction, state partnercenter.SolutionState) bool {
	if done, _ := actionDone(action, state); done {
		return false
	}
	switch state {
	case partnercenter.SolutionStateMigrated, partnercenter.SolutionStateMerged:
		return true
	case partnercenter.SolutionStateMergeRequested:
		return action != v1alpha1.ActionMerge
	}
	return false
}

func conflictMessage(state v1alpha1.SolutionState) string {
	return fmt.Sprintf("Partner Center already reports this solution %s, which cannot be undone; set spec.action to match or delete this Solution", state)
}

// solutionStateFromPort maps Partner Center's state of a legacy solution
// to the API's; a state the API does not know maps to "" (status.state is
// then left out).
func solutionStateFromPort(state partnercenter.SolutionState) v1alpha1.SolutionState {
	return solutionStates[state]
}

var solutionStates = map[partnercenter.SolutionState]v1alpha1.SolutionState{
	partnercenter.SolutionStatePendingMigration: v1alpha1.StatePendingMigration,
	partnercenter.SolutionStateMigrated:         v1alpha1.StateMigrated,
	partnercenter.SolutionStateMergeRequested:   v1alpha1.StateMergeRequested,
	partnercenter.SolutionStateMerged:           v1alpha1.StateMerged,
	partnercenter.SolutionStateDiscarded:        v1alpha1.StateDiscarded,
}

// solutionReadyMessage is Ready's message once the action is done.
func solutionReadyMessage(sol *v1alpha1.Solution) string {
	st := &sol.Status
	switch st.State {
	case v1alpha1.StateMigrated:
		return fmt.Sprintf("migrated into draft offer %s (product %s)", st.Offer, st.ProductID)
	case v1alpha1.StateMerged:
		if st.SupportRequestID == "" { // merged in Partner Center's portal (handoff.go)
			return fmt.Sprintf("merged into %s", st.Offer)
		}
		return fmt.Sprintf("merged into %s (support request %s)", st.Offer, st.SupportRequestID)
	case v1alpha1.StateDiscarded:
		return "discarded; change spec.action to undo"
	}
	return string(st.State)
}

// stop records the fact that ends the phases and returns its outcome.
func (s *solutionScope) stop(f stopFact) error {
	s.stopped = &f
	if err := waitOutcome(s, f); err != nil {
		return err
	}
	return stallOutcome(s, f)
}

// waitOutcome is the wait a fact means, nil for a stall.
func waitOutcome(s *solutionScope, f stopFact) error {
	sol := s.sol
	switch f.kind {
	case waitMigrateOffer:
		return reconcile.Waiting(f.after, v1alpha1.ReasonWaitingForOffer,
			"waiting for MarketplaceOffer %s, which the migrated draft becomes", sol.Spec.Migrate.OfferRef.Name)
	case waitMergeOfferExists:
		return reconcile.Waiting(f.after, v1alpha1.ReasonWaitingForOffer, "waiting for MarketplaceOffer %s to exist and go live", sol.Spec.Merge.OfferRef.Name)
	case waitMergeOfferLive:
		return reconcile.Waiting(f.after, v1alpha1.ReasonWaitingForOffer, "waiting for MarketplaceOffer %s to go live", sol.Spec.Merge.OfferRef.Name)
	case waitMergeRequested:
		return reconcile.Waiting(f.after, v1alpha1.ReasonMergeRequested, "merge request %s is with partner support", sol.Status.SupportRequestID)
	case waitProgressing:
		return reconcile.Waiting(f.after, v1alpha1.ReasonProgressing, "Partner Center reports %s after %s", f.state, sol.Spec.Action)
	}
	return nil
}

// stallOutcome is the stall a fact means.
func stallOutcome(s *solutionScope, f stopFact) error {
	sol, offer := s.sol, s.offer
	switch f.kind {
	case stallDecidedOtherwise:
		return reconcile.Stalled(v1alpha1.ReasonActionConflict, "%s", conflictMessage(solutionStateFromPort(f.state)))
	case stallOfferDeclaresOther, stallOfferHoldsOther, stallOfferSubmitted, stallMigrationTaken:
		return reconcile.Stalled(v1alpha1.ReasonActionConflict, "%s", migrationConflictMessage(s, f))
	case stallOfferTargetNotLive:
		return reconcile.Stalled(v1alpha1.ReasonOfferTargetNotLive,
			"a merge needs a live offer, and MarketplaceOffer %s has target %s: set the offer's target to Live (spec.target: Live), "+
				"or merge by listing URL (spec.merge.offerURL)", offer.Name, offer.Spec.Target)
	case stallSolutionNotFound:
		return reconcile.Stalled(v1alpha1.ReasonSolutionNotFound,
			"partner %s has no legacy solution %s in OCP GTM; check spec.solutionID and spec.partnerID", sol.Spec.PartnerID, sol.Spec.SolutionID)
	case stallPrerequisites:
		reason, msg := unmetPrerequisite(sol.Spec.PartnerID, s.publisherID, s.prerequisites)
		return reconcile.Stalled(reason, "%s", msg)
	case stallSolutionTaken:
		owner := f.other
		return reconcile.Stalled(v1alpha1.ReasonSolutionTaken,
			"legacy solution %s of partner %s is decided by Solution %s/%s; one legacy solution is decided by one Solution object "+
				"in the cluster: delete this Solution, or agree the decision with the owner of %s/%s",
			sol.Spec.SolutionID, sol.Spec.PartnerID, owner.Namespace, owner.Name, owner.Namespace, owner.Name)
	case stallPortalAction:
		return reconcile.Stalled(v1alpha1.ReasonPortalActionRequired, "%s", portalSteps(s))
	case stallPortalNoDraft:
		return reconcile.Stalled(v1alpha1.ReasonPortalActionRequired,
			"spec.completedInPortal confirms the migration, but Partner Center holds no product with offer ID %s "+
				"(spec.offerID of MarketplaceOffer %s): check that the draft was created with that offer ID, or fix spec.offerID; %s",
			offer.Spec.OfferID, offer.Name, portalSteps(s))
	case stallPortalOfferType:
		return reconcile.Stalled(v1alpha1.ReasonActionConflict,
			"the product with offer ID %s in Partner Center is a %s offer, and MarketplaceOffer %s declares %s: "+
				"the migration was made with another offer type, which cannot be changed; declare %s in a new MarketplaceOffer",
			offer.Spec.OfferID, f.productType, offer.Name, offer.Spec.OfferType, f.productType)
	}
	return nil
}

// migrationConflictMessage says why the offer a Migrate names will not
// take the migration, and what to change.
func migrationConflictMessage(s *solutionScope, f stopFact) string {
	sol, offer := s.sol, s.offer
	id := sol.Spec.SolutionID
	switch f.kind {
	case stallOfferDeclaresOther:
		return fmt.Sprintf("MarketplaceOffer %s declares spec.migrateFrom.solutionID %s, so it takes the migration of that legacy solution only, not of %s: "+
			"reference a MarketplaceOffer that declares spec.migrateFrom.solutionID %s, or correct the offer's spec.migrateFrom",
			offer.Name, offer.Spec.MigrateFrom.SolutionID, id, id)
	case stallOfferHoldsOther:
		return fmt.Sprintf("MarketplaceOffer %s already holds the migration of legacy solution %s, and an offer takes one migration: "+
			"reference a new MarketplaceOffer that declares spec.migrateFrom.solutionID %s, or set action to Merge into %s once it is live",
			offer.Name, offer.Status.MigratedFrom, id, offer.Name)
	case stallMigrationTaken:
		name := sol.Spec.Migrate.OfferRef.Name
		return fmt.Sprintf("MarketplaceOffer %s already holds the migration of Solution %s (legacy solution %s), and an offer takes one migration: "+
			"reference a new MarketplaceOffer, or set action to Merge into %s once it is live",
			name, f.other.Name, f.other.Spec.SolutionID, name)
	}
	return submittedOfferMessage(sol, offer, f.cause)
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

// MigrationPageURL is Partner Center's page for migrating OCP GTM solutions.
const MigrationPageURL = "https://partner.microsoft.com/solutions/migration"

// confirmedBy says what a person recorded in spec.completedInPortal.
func confirmedBy(c *v1alpha1.PortalConfirmation) string {
	msg := fmt.Sprintf("%s in Partner Center confirmed by %s (spec.completedInPortal)", c.Action, c.ConfirmedBy)
	if c.Note != "" {
		msg += ": " + c.Note
	}
	return msg
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

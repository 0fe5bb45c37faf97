package plan

import (
	"context"
	"fmt"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// SolutionReader is the part of the port plan calls for Solutions: the
// OCP GTM migration's reads. Against Microsoft's hosts they are
// Unsupported (Microsoft publishes no API for the migration).
type SolutionReader interface {
	GetSolution(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error)
	Prerequisites(ctx context.Context, partnerID, publisherID string) (*pc.Prerequisites, error)
}

// Kinds of Action of a Solution.
const (
	ActionUndoDiscard        = "undoDiscard"
	ActionMigrateSolution    = "migrateSolution"
	ActionRequestMerge       = "requestMerge"
	ActionDiscardSolution    = "discardSolution"
	ActionSolutionNotFound   = "solutionNotFound"
	ActionActionConflict     = "actionConflict"
	ActionPrerequisitesUnmet = "prerequisitesUnmet"
)

// finalStates are the legacy solution's states that end each action.
var finalStates = map[v1.SolutionAction]pc.SolutionState{
	v1.ActionMigrate: pc.SolutionStateMigrated,
	v1.ActionMerge:   pc.SolutionStateMerged,
	v1.ActionDiscard: pc.SolutionStateDiscarded,
}

// planSolution fills obj with what an apply of sol would ask Partner
// Center, as the Solution's phases decide it (controllers/solution/phases.go):
// read the legacy solution, stop when it is in the action's end state or
// in another final decision, check the partner's prerequisites, undo a
// discard, then carry out spec.action. offers are the input's offers, to
// find the one the Solution references.
func planSolution(ctx context.Context, r Reader, sol *v1.Solution, offers []*v1.MarketplaceOffer, obj *Object) error {
	spec := &sol.Spec
	if spec.Suspend {
		obj.Notes = append(obj.Notes, "suspend: the operator asks Partner Center nothing")
		return nil
	}
	offer, refName := referencedOffer(sol, offers)
	if refName != "" && offer == nil {
		obj.Notes = append(obj.Notes, fmt.Sprintf("MarketplaceOffer %s is not in the input: plan cannot see it (its publisher's role is not checked)", refName))
	}
	legacy, err := r.GetSolution(ctx, spec.PartnerID, spec.SolutionID)
	switch {
	case pc.ClassOf(err) == pc.ClassUnsupported:
		obj.Notes = append(obj.Notes, "this Partner Center serves no OCP GTM migration API (Microsoft publishes none): the operator calls no migration operation and says in status what to do in Partner Center")
		return nil
	case pc.IsNotFound(err):
		obj.Actions = append(obj.Actions, Action{Action: ActionSolutionNotFound, Message: fmt.Sprintf(
			"would stall: partner %s has no legacy solution %s in OCP GTM; check spec.solutionID and spec.partnerID", spec.PartnerID, spec.SolutionID)})
		return nil
	case err != nil:
		return err
	}
	obj.Notes = append(obj.Notes, fmt.Sprintf("Partner Center reports the legacy solution %s", legacy.State))
	if legacy.State == finalStates[spec.Action] {
		return nil
	}
	switch legacy.State {
	case pc.SolutionStateMigrated, pc.SolutionStateMerged:
		obj.Actions = append(obj.Actions, Action{Action: ActionActionConflict, Message: fmt.Sprintf(
			"would stall: Partner Center already reports this solution %s, which cannot be undone; set spec.action to match or delete this Solution", legacy.State)})
		return nil
	case pc.SolutionStateMergeRequested:
		if spec.Action == v1.ActionMerge {
			obj.Notes = append(obj.Notes, fmt.Sprintf("merge request %s is with partner support: the operator waits and writes nothing", legacy.SupportRequestID))
			return nil
		}
		obj.Actions = append(obj.Actions, Action{Action: ActionActionConflict, Message: fmt.Sprintf(
			"would stall: Partner Center already reports this solution %s, which cannot be undone; set spec.action to match or delete this Solution", legacy.State)})
		return nil
	}
	publisherID := ""
	if offer != nil {
		publisherID = offer.Spec.PublisherID
	}
	pre, err := r.Prerequisites(ctx, spec.PartnerID, publisherID)
	if err != nil {
		return err
	}
	if msg := unmet(spec.PartnerID, publisherID, pre); msg != "" {
		obj.Actions = append(obj.Actions, Action{Action: ActionPrerequisitesUnmet, Message: "would stall: " + msg})
		return nil
	}
	if legacy.State == pc.SolutionStateDiscarded {
		obj.Actions = append(obj.Actions, Action{Action: ActionUndoDiscard, Message: fmt.Sprintf("undo the discard of %s before %s", spec.SolutionID, spec.Action)})
	}
	obj.Actions = append(obj.Actions, carryOut(sol, offer, refName))
	return nil
}

// carryOut is the action's own call.
func carryOut(sol *v1.Solution, offer *v1.MarketplaceOffer, refName string) Action {
	spec := &sol.Spec
	switch spec.Action {
	case v1.ActionMigrate:
		into := "MarketplaceOffer " + refName
		if offer != nil {
			into = fmt.Sprintf("offer %s (%s, publisher %s), MarketplaceOffer %s", offer.Spec.OfferID, offer.Spec.OfferType, offer.Spec.PublisherID, refName)
		}
		return Action{Action: ActionMigrateSolution, Message: fmt.Sprintf(
			"migrate legacy solution %s into a new draft of %s, once that object exists; the offer's draft is then written over the migrated one (plan again after the migration to see those fields)", spec.SolutionID, into)}
	case v1.ActionMerge:
		if spec.Merge != nil && spec.Merge.OfferURL != "" {
			return Action{Action: ActionRequestMerge, Message: fmt.Sprintf(
				"open the partner-support request that merges legacy solution %s into the live offer %s", spec.SolutionID, spec.Merge.OfferURL)}
		}
		return Action{Action: ActionRequestMerge, Message: fmt.Sprintf(
			"open the partner-support request that merges legacy solution %s into MarketplaceOffer %s, once it is live", spec.SolutionID, refName)}
	}
	return Action{Action: ActionDiscardSolution, Message: fmt.Sprintf("discard legacy solution %s", spec.SolutionID)}
}

// unmet names the first prerequisite pre lacks, as the Solution's
// checkPrerequisites does (controllers/solution/prerequisites.go); "" when
// all are met.
func unmet(partnerID, publisherID string, pre *pc.Prerequisites) string {
	switch {
	case !pre.MembershipValid:
		return fmt.Sprintf("partner %s has no valid Microsoft partner-network membership (MembershipInvalid)", partnerID)
	case !pre.MarketplaceAccount:
		return fmt.Sprintf("partner %s has no commercial-marketplace account (MarketplaceAccountMissing)", partnerID)
	case publisherID != "" && !pre.CanPublish():
		role := pre.PublisherRole
		if role == "" {
			role = "no role"
		}
		return fmt.Sprintf("the operator's identity has %s on publisher %s; it needs Admin or Developer (PublisherRoleMissing)", role, publisherID)
	}
	return ""
}

// referencedOffer finds the MarketplaceOffer of the input the Solution
// references (migrate.offerRef or merge.offerRef, in its namespace), and
// returns the name referenced, "" for none.
func referencedOffer(sol *v1.Solution, offers []*v1.MarketplaceOffer) (*v1.MarketplaceOffer, string) {
	name := ""
	switch {
	case sol.Spec.Migrate != nil:
		name = sol.Spec.Migrate.OfferRef.Name
	case sol.Spec.Merge != nil && sol.Spec.Merge.OfferRef != nil:
		name = sol.Spec.Merge.OfferRef.Name
	}
	if name == "" {
		return nil, ""
	}
	for _, o := range offers {
		if o.Name == name && o.Namespace == sol.Namespace {
			return o, name
		}
	}
	return nil, name
}

// migratingInto reports the Solution of the input that migrates a legacy
// solution into o, if any.
func migratingInto(o *v1.MarketplaceOffer, solutions []*v1.Solution) *v1.Solution {
	for _, s := range solutions {
		if s.Spec.Action == v1.ActionMigrate && s.Namespace == o.Namespace && s.Spec.Migrate != nil &&
			s.Spec.Migrate.OfferRef.Name == o.Name {
			return s
		}
	}
	return nil
}

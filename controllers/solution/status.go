package solution

import (
	"fmt"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The Solution's status, computed from what its phases found
// (solutionScope in phases.go). Nothing here does I/O. A fact
// left at its zero value leaves its condition as the last reconcile set it.

// actionFact is what Partner Center's state means for spec.action.
type actionFact int

const (
	actionUnknown       actionFact = iota // not read, or the action is still to be carried out
	actionCompleted                       // the state is the action's end state
	actionConflicts                       // Partner Center carried out another decision
	actionAwaitingMerge                   // a merge request is open with partner support
)

// setSolutionConditions sets the Solution's domain conditions from what
// the phases found.
func setSolutionConditions(s *solutionScope) {
	setPrerequisitesMetCondition(s.sol, s.publisherID, s.prerequisites)
	setActionCompletedCondition(s.sol, s.action)
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

// setActionCompletedCondition says whether Partner Center carried out
// spec.action, from the state recorded in status.
func setActionCompletedCondition(sol *v1alpha1.Solution, fact actionFact) {
	st, gen := &sol.Status, sol.Generation
	switch fact {
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

// conflictingDecision stalls when Partner Center already carried out a
// decision other than spec.action: migrations and merges cannot be undone.
func conflictingDecision(action v1alpha1.SolutionAction, state partnercenter.SolutionState) error {
	if done, _ := actionDone(action, state); done {
		return nil
	}
	switch state {
	case partnercenter.SolutionStateMigrated, partnercenter.SolutionStateMerged:
	case partnercenter.SolutionStateMergeRequested:
		if action == v1alpha1.ActionMerge {
			return nil
		}
	default:
		return nil
	}
	return reconcile.Stalled(v1alpha1.ReasonActionConflict, "%s", conflictMessage(solutionStateFromPort(state)))
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

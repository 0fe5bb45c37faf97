package solution

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func statusSolution(action v1alpha1.SolutionAction, state v1alpha1.SolutionState) *v1alpha1.Solution {
	return &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso", Generation: 3},
		Spec:       v1alpha1.SolutionSpec{PartnerID: "4871234", SolutionID: "ocp-contoso", Action: action},
		Status: v1alpha1.SolutionStatus{State: state, SupportRequestID: "SR-42",
			Conditions: []metav1.Condition{ctrltest.Earlier(v1alpha1.PrerequisitesMetCondition), ctrltest.Earlier(v1alpha1.ActionCompletedCondition)}},
	}
}

func TestSetPrerequisitesMetCondition(t *testing.T) {
	met := partnercenter.Prerequisites{MembershipValid: true, MarketplaceAccount: true, PublisherRole: partnercenter.RoleDeveloper}
	without := func(edit func(*partnercenter.Prerequisites)) *partnercenter.Prerequisites {
		p := met
		edit(&p)
		return &p
	}
	for _, tc := range []struct {
		name      string
		publisher string
		pre       *partnercenter.Prerequisites
		want      *ctrltest.WantCondition
	}{
		{"not checked", "contoso", nil, nil},
		{"all met", "contoso", &met, &ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, InMessage: "partner 4871234 has a valid membership"}},
		{"membership lapsed", "contoso", without(func(p *partnercenter.Prerequisites) { p.MembershipValid = false }),
			&ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonMembershipInvalid, InMessage: "renew it"}},
		{"no marketplace account", "contoso", without(func(p *partnercenter.Prerequisites) { p.MarketplaceAccount = false }),
			&ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonMarketplaceAccountMissing, InMessage: "enroll in Partner Center"}},
		{"no role on the publisher", "contoso", without(func(p *partnercenter.Prerequisites) { p.PublisherRole = "" }),
			&ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonPublisherRoleMissing, InMessage: "has no role on publisher contoso"}},
		{"no publisher, so no role needed", "", without(func(p *partnercenter.Prerequisites) { p.PublisherRole = "" }),
			&ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, InMessage: "valid membership"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			sol := statusSolution(v1alpha1.ActionMerge, v1alpha1.StatePendingMigration)
			before := sol.Status.Conditions[0]
			setPrerequisitesMetCondition(sol, tc.publisher, tc.pre)
			ctrltest.ExpectCondition(g, sol.Status.Conditions, v1alpha1.PrerequisitesMetCondition, 3, tc.want, &before)
		})
	}
}

func TestSetActionCompletedCondition(t *testing.T) {
	for _, tc := range []struct {
		name   string
		action v1alpha1.SolutionAction
		state  v1alpha1.SolutionState
		fact   actionFact
		want   *ctrltest.WantCondition
	}{
		{"still to carry out", v1alpha1.ActionMigrate, v1alpha1.StatePendingMigration, actionUnknown, nil},
		{"migrated", v1alpha1.ActionMigrate, v1alpha1.StateMigrated, actionCompleted,
			&ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonMigrated, InMessage: "migrated into a draft offer"}},
		{"merged", v1alpha1.ActionMerge, v1alpha1.StateMerged, actionCompleted,
			&ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonMerged, InMessage: "merged into a live offer"}},
		{"discarded", v1alpha1.ActionDiscard, v1alpha1.StateDiscarded, actionCompleted,
			&ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonDiscarded, InMessage: "was discarded"}},
		{"another decision", v1alpha1.ActionDiscard, v1alpha1.StateMerged, actionConflicts,
			&ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonActionConflict, InMessage: "already reports this solution Merged"}},
		{"merge request open", v1alpha1.ActionMerge, v1alpha1.StateMergeRequested, actionAwaitingMerge,
			&ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonMergeRequested, InMessage: "merge request SR-42 is with partner support"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			sol := statusSolution(tc.action, tc.state)
			before := sol.Status.Conditions[1]
			setActionCompletedCondition(sol, tc.fact, "")
			ctrltest.ExpectCondition(g, sol.Status.Conditions, v1alpha1.ActionCompletedCondition, 3, tc.want, &before)
		})
	}
}

func TestSolutionStateFromPort(t *testing.T) {
	g := NewWithT(t)
	for port, api := range map[partnercenter.SolutionState]v1alpha1.SolutionState{
		partnercenter.SolutionStatePendingMigration: v1alpha1.StatePendingMigration,
		partnercenter.SolutionStateMigrated:         v1alpha1.StateMigrated,
		partnercenter.SolutionStateMergeRequested:   v1alpha1.StateMergeRequested,
		partnercenter.SolutionStateMerged:           v1alpha1.StateMerged,
		partnercenter.SolutionStateDiscarded:        v1alpha1.StateDiscarded,
		"Archived":                                  "",
	} {
		g.Expect(solutionStateFromPort(port)).To(Equal(api), "%s", port)
	}
}

func TestActionDoneAndConflicts(t *testing.T) {
	g := NewWithT(t)
	for _, tc := range []struct {
		action   v1alpha1.SolutionAction
		state    partnercenter.SolutionState
		done     bool
		conflict bool
	}{
		{v1alpha1.ActionMigrate, partnercenter.SolutionStatePendingMigration, false, false},
		{v1alpha1.ActionMigrate, partnercenter.SolutionStateMigrated, true, false},
		{v1alpha1.ActionMigrate, partnercenter.SolutionStateDiscarded, false, false},
		{v1alpha1.ActionMigrate, partnercenter.SolutionStateMerged, false, true},
		{v1alpha1.ActionMigrate, partnercenter.SolutionStateMergeRequested, false, true},
		{v1alpha1.ActionMerge, partnercenter.SolutionStateMergeRequested, false, false},
		{v1alpha1.ActionMerge, partnercenter.SolutionStateMerged, true, false},
		{v1alpha1.ActionMerge, partnercenter.SolutionStateMigrated, false, true},
		{v1alpha1.ActionDiscard, partnercenter.SolutionStateDiscarded, true, false},
		{v1alpha1.ActionDiscard, partnercenter.SolutionStatePendingMigration, false, false},
		{v1alpha1.ActionDiscard, partnercenter.SolutionStateMigrated, false, true},
	} {
		done, _ := actionDone(tc.action, tc.state)
		g.Expect(done).To(Equal(tc.done), "%s in %s", tc.action, tc.state)
		conflict := decidedOtherwise(tc.action, tc.state)
		g.Expect(conflict).To(Equal(tc.conflict), "%s in %s", tc.action, tc.state)
		if conflict {
			err := stallOutcome(&solutionScope{sol: &v1alpha1.Solution{}}, stopFact{kind: stallDecidedOtherwise, state: tc.state})
			g.Expect(reconcile.IsStalled(err)).To(BeTrue())
		}
	}
}

package controllers

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func statusSolution(action v1alpha1.SolutionAction, state v1alpha1.SolutionState) *v1alpha1.Solution {
	return &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso", Generation: 3},
		Spec:       v1alpha1.SolutionSpec{PartnerID: "4871234", SolutionID: "ocp-contoso", Action: action},
		Status: v1alpha1.SolutionStatus{State: state, SupportRequestID: "SR-42",
			Conditions: []metav1.Condition{earlier(v1alpha1.PrerequisitesMetCondition), earlier(v1alpha1.ActionCompletedCondition)}},
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
		want      *wantCondition
	}{
		{"not checked", "contoso", nil, nil},
		{"all met", "contoso", &met, &wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "partner 4871234 has a valid membership"}},
		{"membership lapsed", "contoso", without(func(p *partnercenter.Prerequisites) { p.MembershipValid = false }),
			&wantCondition{metav1.ConditionFalse, v1alpha1.ReasonMembershipInvalid, "renew it"}},
		{"no marketplace account", "contoso", without(func(p *partnercenter.Prerequisites) { p.MarketplaceAccount = false }),
			&wantCondition{metav1.ConditionFalse, v1alpha1.ReasonMarketplaceAccountMissing, "enroll in Partner Center"}},
		{"no role on the publisher", "contoso", without(func(p *partnercenter.Prerequisites) { p.PublisherRole = "" }),
			&wantCondition{metav1.ConditionFalse, v1alpha1.ReasonPublisherRoleMissing, "has no role on publisher contoso"}},
		{"no publisher, so no role needed", "", without(func(p *partnercenter.Prerequisites) { p.PublisherRole = "" }),
			&wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "valid membership"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			sol := statusSolution(v1alpha1.ActionMerge, v1alpha1.StatePendingMigration)
			before := sol.Status.Conditions[0]
			setPrerequisitesMetCondition(sol, tc.publisher, tc.pre)
			expectCondition(g, sol.Status.Conditions, v1alpha1.PrerequisitesMetCondition, 3, tc.want, &before)
		})
	}
}

func TestSetActionCompletedCondition(t *testing.T) {
	for _, tc := range []struct {
		name   string
		action v1alpha1.SolutionAction
		state  v1alpha1.SolutionState
		fact   actionFact
		want   *wantCondition
	}{
		{"still to carry out", v1alpha1.ActionMigrate, v1alpha1.StatePendingMigration, actionUnknown, nil},
		{"migrated", v1alpha1.ActionMigrate, v1alpha1.StateMigrated, actionCompleted,
			&wantCondition{metav1.ConditionTrue, v1alpha1.ReasonMigrated, "migrated into a draft offer"}},
		{"merged", v1alpha1.ActionMerge, v1alpha1.StateMerged, actionCompleted,
			&wantCondition{metav1.ConditionTrue, v1alpha1.ReasonMerged, "merged into a live offer"}},
		{"discarded", v1alpha1.ActionDiscard, v1alpha1.StateDiscarded, actionCompleted,
			&wantCondition{metav1.ConditionTrue, v1alpha1.ReasonDiscarded, "was discarded"}},
		{"another decision", v1alpha1.ActionDiscard, v1alpha1.StateMerged, actionConflicts,
			&wantCondition{metav1.ConditionFalse, v1alpha1.ReasonActionConflict, "already reports this solution Merged"}},
		{"merge request open", v1alpha1.ActionMerge, v1alpha1.StateMergeRequested, actionAwaitingMerge,
			&wantCondition{metav1.ConditionFalse, v1alpha1.ReasonMergeRequested, "merge request SR-42 is with partner support"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			sol := statusSolution(tc.action, tc.state)
			before := sol.Status.Conditions[1]
			setActionCompletedCondition(sol, tc.fact)
			expectCondition(g, sol.Status.Conditions, v1alpha1.ActionCompletedCondition, 3, tc.want, &before)
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

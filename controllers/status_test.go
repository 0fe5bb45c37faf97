package controllers

import (
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestSummarize(t *testing.T) {
	cases := []struct {
		name            string
		err             error
		wantReady       metav1.ConditionStatus
		wantReason      string
		wantReconciling bool
		wantStalled     bool
	}{
		{"done", nil, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, false, false},
		{"waiting", waiting(time.Second, v1alpha1.ReasonCertifying, "certifying"), metav1.ConditionFalse, v1alpha1.ReasonCertifying, true, false},
		{"stalled", stalled(v1alpha1.ReasonCertificationFailed, "fix it"), metav1.ConditionFalse, v1alpha1.ReasonCertificationFailed, false, true},
		{"transient", errors.New("HTTP 503"), metav1.ConditionFalse, v1alpha1.ReasonPartnerCenterError, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			// Start from the opposite: a stalled, reconciling, ready object.
			conds := []metav1.Condition{
				{Type: v1alpha1.ReadyCondition, Status: metav1.ConditionTrue, Reason: "Old"},
				{Type: v1alpha1.ReconcilingCondition, Status: metav1.ConditionTrue, Reason: "Old"},
				{Type: v1alpha1.StalledCondition, Status: metav1.ConditionTrue, Reason: "Old"},
			}
			summarize(&conds, 7, classify(tc.err, v1alpha1.ReasonPartnerCenterError), "all good")
			ready := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition)
			g.Expect(ready.Status).To(Equal(tc.wantReady))
			g.Expect(ready.Reason).To(Equal(tc.wantReason))
			g.Expect(ready.ObservedGeneration).To(Equal(int64(7)))
			g.Expect(meta.FindStatusCondition(conds, v1alpha1.ReconcilingCondition) != nil).To(Equal(tc.wantReconciling))
			g.Expect(meta.FindStatusCondition(conds, v1alpha1.StalledCondition) != nil).To(Equal(tc.wantStalled))
		})
	}
}

func TestMarkStaleTurnsReadyOffForANewGeneration(t *testing.T) {
	g := NewWithT(t)
	conds := []metav1.Condition{{Type: v1alpha1.ReadyCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, ObservedGeneration: 1}}
	markStale(&conds, 1)
	g.Expect(meta.IsStatusConditionTrue(conds, v1alpha1.ReadyCondition)).To(BeTrue(), "same generation keeps its truth")
	markStale(&conds, 2)
	g.Expect(meta.IsStatusConditionFalse(conds, v1alpha1.ReadyCondition)).To(BeTrue())
	g.Expect(meta.FindStatusCondition(conds, v1alpha1.ReadyCondition).ObservedGeneration).To(Equal(int64(2)))
}

func TestOfferPhase(t *testing.T) {
	live := metav1.Condition{Type: v1alpha1.LiveCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded}
	certified := metav1.Condition{Type: v1alpha1.CertifiedCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded}
	sub := func(digest string, r v1alpha1.SubmissionResult) *v1alpha1.SubmissionRef {
		return &v1alpha1.SubmissionRef{ID: "s-" + digest, DraftDigest: digest, Result: r}
	}
	cases := []struct {
		name string
		st   v1alpha1.MarketplaceOfferStatus
		want v1alpha1.OfferPhase
	}{
		{"new", v1alpha1.MarketplaceOfferStatus{}, v1alpha1.PhaseDraft},
		{"certifying", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", PreviewSubmission: sub("a", v1alpha1.SubmissionInProgress)}, v1alpha1.PhaseCertifying},
		{"failed", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", PreviewSubmission: sub("a", v1alpha1.SubmissionFailed)}, v1alpha1.PhaseCertificationFailed},
		{"failed, then fixed but not yet submitted", v1alpha1.MarketplaceOfferStatus{DraftDigest: "b", PreviewSubmission: sub("a", v1alpha1.SubmissionFailed)}, v1alpha1.PhaseDraft},
		{"preview", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", PreviewSubmission: sub("a", v1alpha1.SubmissionSucceeded),
			Conditions: []metav1.Condition{certified}}, v1alpha1.PhasePreview},
		{"going live", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", PreviewSubmission: sub("a", v1alpha1.SubmissionSucceeded),
			LiveSubmission: sub("a", v1alpha1.SubmissionInProgress), Conditions: []metav1.Condition{certified}}, v1alpha1.PhaseGoingLive},
		{"live", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", PreviewSubmission: sub("a", v1alpha1.SubmissionSucceeded),
			LiveSubmission: sub("a", v1alpha1.SubmissionSucceeded), Conditions: []metav1.Condition{certified, live}}, v1alpha1.PhaseLive},
		{"update of a live offer in certification", v1alpha1.MarketplaceOfferStatus{DraftDigest: "b", PreviewSubmission: sub("b", v1alpha1.SubmissionInProgress),
			LiveSubmission: sub("a", v1alpha1.SubmissionSucceeded), Conditions: []metav1.Condition{live}}, v1alpha1.PhaseCertifying},
		{"update of a live offer certified, target Preview", v1alpha1.MarketplaceOfferStatus{DraftDigest: "b", PreviewSubmission: sub("b", v1alpha1.SubmissionSucceeded),
			LiveSubmission: sub("a", v1alpha1.SubmissionSucceeded), Conditions: []metav1.Condition{certified, live}}, v1alpha1.PhasePreview},
		{"live offer with an unsubmitted draft change", v1alpha1.MarketplaceOfferStatus{DraftDigest: "c", PreviewSubmission: sub("a", v1alpha1.SubmissionSucceeded),
			LiveSubmission: sub("a", v1alpha1.SubmissionSucceeded), Conditions: []metav1.Condition{live}}, v1alpha1.PhaseLive},
		{"preview job in flight", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", Operation: &v1alpha1.Operation{Purpose: jobPreview, ID: "j1"}}, v1alpha1.PhaseCertifying},
		{"update of a live offer, preview job in flight", v1alpha1.MarketplaceOfferStatus{DraftDigest: "b", PreviewSubmission: sub("a", v1alpha1.SubmissionSucceeded),
			LiveSubmission: sub("a", v1alpha1.SubmissionSucceeded), Operation: &v1alpha1.Operation{Purpose: jobPreview, ID: "j2"}, Conditions: []metav1.Condition{certified, live}}, v1alpha1.PhaseCertifying},
		{"live job in flight", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", PreviewSubmission: sub("a", v1alpha1.SubmissionSucceeded),
			Operation: &v1alpha1.Operation{Purpose: jobLive, ID: "j3"}, Conditions: []metav1.Condition{certified}}, v1alpha1.PhaseGoingLive},
		{"draft job in flight", v1alpha1.MarketplaceOfferStatus{DraftDigest: "a", Operation: &v1alpha1.Operation{Purpose: jobDraft, ID: "j4"}}, v1alpha1.PhaseDraft},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(offerPhase(&tc.st)).To(Equal(tc.want))
		})
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
		err := conflictingDecision(tc.action, tc.state)
		g.Expect(err != nil).To(Equal(tc.conflict), "%s in %s", tc.action, tc.state)
		if err != nil {
			g.Expect(isStalled(err)).To(BeTrue())
		}
	}
}

func TestDraftDigestIgnoresOrder(t *testing.T) {
	g := NewWithT(t)
	spec := &v1alpha1.MarketplaceOfferSpec{
		Listing: v1alpha1.OfferListing{Title: "T", Keywords: []string{"b", "a"}},
		Plans:   []v1alpha1.Plan{{ID: "y", Markets: []string{"US", "DE"}}, {ID: "x"}},
		CoSell: &v1alpha1.CoSell{SolutionAreas: []string{"Security", "Data & AI"},
			Documents: []v1alpha1.CoSellDocument{{Type: v1alpha1.DocumentPitchDeck, URL: "https://a"}, {Type: v1alpha1.DocumentSolutionOnePager, URL: "https://b"}}},
	}
	a := draftFromSpec(spec)
	spec.Listing.Keywords = []string{"a", "b"}
	spec.Plans = []v1alpha1.Plan{{ID: "x"}, {ID: "y", Markets: []string{"DE", "US"}}}
	spec.CoSell.SolutionAreas = []string{"Data & AI", "Security"}
	b := draftFromSpec(spec)
	g.Expect(draftDigest(a)).To(Equal(draftDigest(b)))
	g.Expect(a.Resell.Policy).To(Equal("None"))

	spec.Listing.Title = "T2"
	g.Expect(draftDigest(draftFromSpec(spec))).NotTo(Equal(draftDigest(a)))
}

func TestPollAfterGrowsAndIsBounded(t *testing.T) {
	g := NewWithT(t)
	g.Expect(pollAfter(0, time.Second, time.Minute)).To(BeNumerically("~", time.Second, 110*time.Millisecond))
	g.Expect(pollAfter(40*time.Second, time.Second, time.Minute)).To(BeNumerically("~", 10*time.Second, time.Second+10*time.Millisecond))
	g.Expect(pollAfter(time.Hour, time.Second, time.Minute)).To(BeNumerically("<=", 66*time.Second))
}

func TestFeedbackMessage(t *testing.T) {
	g := NewWithT(t)
	msg := feedbackMessage([]partnercenter.FeedbackItem{
		{Code: "privacyPolicyMissing", Resource: "listing", Message: "add a privacy policy URL"},
		{Message: "description too short"},
	})
	g.Expect(msg).To(Equal("1) listing: add a privacy policy URL [privacyPolicyMissing]; 2) description too short"))
}

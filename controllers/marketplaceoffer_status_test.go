package controllers

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// wantCondition is what a status function should leave of one condition;
// nil means the condition keeps what it had.
type wantCondition struct {
	status    metav1.ConditionStatus
	reason    string
	inMessage string
}

func expectCondition(g Gomega, conds []metav1.Condition, condType string, gen int64, want *wantCondition, before *metav1.Condition) {
	got := meta.FindStatusCondition(conds, condType)
	if want == nil {
		if before == nil {
			g.Expect(got).To(BeNil())
			return
		}
		g.Expect(*got).To(Equal(*before), "%s untouched", condType)
		return
	}
	g.Expect(got).NotTo(BeNil(), condType)
	g.Expect(got.Status).To(Equal(want.status), "%s: %s", got.Reason, got.Message)
	g.Expect(got.Reason).To(Equal(want.reason))
	g.Expect(got.Message).To(ContainSubstring(want.inMessage))
	g.Expect(got.ObservedGeneration).To(Equal(gen))
}

// earlier is a condition a previous reconcile left.
func earlier(condType string) metav1.Condition {
	return metav1.Condition{Type: condType, Status: metav1.ConditionFalse, Reason: "Earlier", Message: "from before", ObservedGeneration: 1}
}

func statusOffer(gen int64) *v1alpha1.MarketplaceOffer {
	return &v1alpha1.MarketplaceOffer{
		ObjectMeta: metav1.ObjectMeta{Name: "contoso-analytics", Generation: gen},
		Spec:       v1alpha1.MarketplaceOfferSpec{Target: v1alpha1.TargetLive},
		Status: v1alpha1.MarketplaceOfferStatus{
			ProductID: "product-1", DraftDigest: "d2",
			PreviewSubmission: &v1alpha1.SubmissionRef{ID: "sub-7", Generation: gen, DraftDigest: "d2"},
			LiveSubmission:    &v1alpha1.SubmissionRef{ID: "sub-8", Generation: gen, DraftDigest: "d2"},
			Certification: &v1alpha1.Certification{Result: v1alpha1.CertificationFailed, Generation: gen,
				Feedback: []v1alpha1.FeedbackItem{{Code: "privacyPolicyMissing", Message: "add a privacy policy URL"}}},
		},
	}
}

// factCase is one row of a status function's table: the fact the phases
// recorded and the condition it should give (nil: left as it was).
type factCase[F any] struct {
	name string
	fact F
	want *wantCondition
}

// offerConditionTable runs set for each case on an offer of generation
// gen whose condition condType a previous reconcile left.
func offerConditionTable[F any](t *testing.T, condType string, gen int64, cases []factCase[F], set func(*v1alpha1.MarketplaceOffer, F)) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(gen)
			before := earlier(condType)
			offer.Status.Conditions = []metav1.Condition{before}
			set(offer, tc.fact)
			expectCondition(g, offer.Status.Conditions, condType, gen, tc.want, &before)
		})
	}
}

func TestSetDraftSyncedCondition(t *testing.T) {
	offerConditionTable(t, v1alpha1.DraftSyncedCondition, 2, []factCase[draftFact]{
		{"not reached", draftUnknown, nil},
		{"written", draftWritten, &wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "draft of generation 2 written"}},
		{"found", draftFound, &wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "draft of generation 2 is in Partner Center"}},
		{"writing", draftWriting, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonSyncingDraft, "(job job-3)"}},
		{"rejected", draftRejected, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonDraftRejected, "refused the draft: 1) plan missing"}},
		{"waiting for a submission job", draftWaiting, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonSyncingDraft,
			"the draft of generation 2 is written once the submission job job-3 in flight has finished"}},
	}, func(offer *v1alpha1.MarketplaceOffer, fact draftFact) {
		setDraftSyncedCondition(offer, fact, "job-3", "1) plan missing", "")
	})
	// What has no published place is named, and kept while the draft stays written.
	g := NewWithT(t)
	offer := statusOffer(2)
	setDraftSyncedCondition(offer, draftWritten, "", "", unwrittenSuffix([]partnercenter.FeedbackItem{{Resource: "spec.listing.keywords", Message: "no field"}}))
	setDraftSyncedCondition(offer, draftWritten, "", "", "")
	c := meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.DraftSyncedCondition)
	g.Expect(c.Message).To(Equal("draft of generation 2 written to Partner Center; not written (no published place): 1) spec.listing.keywords: no field"))
}

func TestSetCertifiedCondition(t *testing.T) {
	offerConditionTable(t, v1alpha1.CertifiedCondition, 3, []factCase[certificationFact]{
		{"not reached or still certifying", certificationUnknown, nil},
		{"target Draft", certificationNotRequested, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonNotRequested, "target is Draft"}},
		{"submitting", certificationSubmitting, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonCertifying, "generation 3 submitted for certification (job job-9)"}},
		{"submitted", certificationSubmitted, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonCertifying, "generation 3 submitted for certification (submission sub-7)"}},
		{"passed", certificationPassed, &wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "passed certification and is in preview (submission sub-7)"}},
		{"failed", certificationFailed, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonCertificationFailed, "add a privacy policy URL [privacyPolicyMissing]"}},
	}, func(offer *v1alpha1.MarketplaceOffer, fact certificationFact) {
		setCertifiedCondition(offer, fact, "job-9")
	})
}

func TestSetLiveCondition(t *testing.T) {
	live := metav1.Condition{Type: v1alpha1.LiveCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded,
		Message: "generation 1 is live", ObservedGeneration: 1}
	for _, tc := range []struct {
		name   string
		before metav1.Condition
		fact   liveFact
		want   *wantCondition
	}{
		{"still going live", earlier(v1alpha1.LiveCondition), liveUnknown, nil},
		{"first job", earlier(v1alpha1.LiveCondition), liveSubmitting, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonGoingLive, "is going live (job job-9)"}},
		{"first submission", earlier(v1alpha1.LiveCondition), liveSubmitted, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonGoingLive, "generation 4 is going live"}},
		{"an update keeps the live version Live", live, liveSubmitted, nil},
		{"an update's job keeps the live version Live", live, liveSubmitting, nil},
		{"live", earlier(v1alpha1.LiveCondition), liveSucceeded, &wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "generation 4 is live (submission"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(4)
			offer.Status.Conditions = []metav1.Condition{tc.before}
			setLiveCondition(offer, tc.fact, "job-9")
			expectCondition(g, offer.Status.Conditions, v1alpha1.LiveCondition, 4, tc.want, &tc.before)
		})
	}
}

// CoSellReady is the operator's judgement of the spec, once live, and says
// so: no Partner Center API reports a co-sell status.
func TestSetOfferConditionsSetsCoSellReadyOnlyOnceLive(t *testing.T) {
	ready := &v1alpha1.CoSell{SolutionAreas: []string{"Data & AI"}, LandingPageURL: "https://contoso.example",
		Contacts:  []v1alpha1.CoSellContact{{Role: "Sales", Name: "S", Email: "s@contoso.example"}},
		Documents: []v1alpha1.CoSellDocument{{Type: v1alpha1.DocumentSolutionOnePager, URL: "https://a"}, {Type: v1alpha1.DocumentPitchDeck, URL: "https://b"}}}
	for _, tc := range []struct {
		name   string
		live   liveFact
		cosell *v1alpha1.CoSell
		want   *wantCondition
	}{
		{"not live", liveSubmitted, ready, nil},
		{"meets the documented requirements", liveSucceeded, ready, &wantCondition{metav1.ConditionTrue, v1alpha1.ReasonCoSellReady, "operator's judgement"}},
		{"lacks a pitch deck", liveSucceeded, &v1alpha1.CoSell{SolutionAreas: ready.SolutionAreas, LandingPageURL: ready.LandingPageURL, Contacts: ready.Contacts,
			Documents: ready.Documents[:1]}, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonCoSellNotReady, "lacks a PitchDeck document"}},
		{"no co-sell tab", liveSucceeded, nil, &wantCondition{metav1.ConditionFalse, v1alpha1.ReasonCoSellNotReady, "operator's judgement"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(5)
			offer.Spec.CoSell = tc.cosell
			setOfferConditions(&offerScope{offer: offer, live: tc.live})
			expectCondition(g, offer.Status.Conditions, v1alpha1.CoSellReadyCondition, 5, tc.want, nil)
		})
	}
}

func TestSetOfferConditionsDerivesThePhase(t *testing.T) {
	g := NewWithT(t)
	offer := statusOffer(6)
	offer.Status.PreviewSubmission.Result = v1alpha1.SubmissionSucceeded
	offer.Status.LiveSubmission = nil
	setOfferConditions(&offerScope{offer: offer, draft: draftWritten, certification: certificationPassed})
	g.Expect(offer.Status.Phase).To(Equal(v1alpha1.PhasePreview))
}

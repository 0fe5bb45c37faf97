package offer

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

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
	want *ctrltest.WantCondition
}

// offerConditionTable runs set for each case on an offer of generation
// gen whose condition condType a previous reconcile left.
func offerConditionTable[F any](t *testing.T, condType string, gen int64, cases []factCase[F], set func(*v1alpha1.MarketplaceOffer, F)) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(gen)
			before := ctrltest.Earlier(condType)
			offer.Status.Conditions = []metav1.Condition{before}
			set(offer, tc.fact)
			ctrltest.ExpectCondition(g, offer.Status.Conditions, condType, gen, tc.want, &before)
		})
	}
}

func TestSetDraftSyncedCondition(t *testing.T) {
	offerConditionTable(t, v1alpha1.DraftSyncedCondition, 2, []factCase[draftFact]{
		{"not reached", draftUnknown, nil},
		{"written", draftWritten, &ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, InMessage: "draft of generation 2 written"}},
		{"found", draftFound, &ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, InMessage: "draft of generation 2 is in Partner Center"}},
		{"writing", draftWriting, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonSyncingDraft, InMessage: "(job job-3)"}},
		{"rejected", draftRejected, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonDraftRejected, InMessage: "refused the draft: 1) plan missing"}},
		{"waiting for a submission job", draftWaiting, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonSyncingDraft, InMessage: "the draft of generation 2 is written once the submission job job-3 in flight has finished"}},
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
		{"target Draft", certificationNotRequested, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonNotRequested, InMessage: "target is Draft"}},
		{"submitting", certificationSubmitting, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonCertifying, InMessage: "generation 3 submitted for certification (job job-9)"}},
		{"submitted", certificationSubmitted, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonCertifying, InMessage: "generation 3 submitted for certification (submission sub-7)"}},
		{"passed", certificationPassed, &ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, InMessage: "passed certification and is in preview (submission sub-7)"}},
		{"failed", certificationFailed, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonCertificationFailed, InMessage: "add a privacy policy URL [privacyPolicyMissing]"}},
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
		want   *ctrltest.WantCondition
	}{
		{"still going live", ctrltest.Earlier(v1alpha1.LiveCondition), liveUnknown, nil},
		{"first job", ctrltest.Earlier(v1alpha1.LiveCondition), liveSubmitting, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonGoingLive, InMessage: "is going live (job job-9)"}},
		{"first submission", ctrltest.Earlier(v1alpha1.LiveCondition), liveSubmitted, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonGoingLive, InMessage: "generation 4 is going live"}},
		{"an update keeps the live version Live", live, liveSubmitted, nil},
		{"an update's job keeps the live version Live", live, liveSubmitting, nil},
		{"live", ctrltest.Earlier(v1alpha1.LiveCondition), liveSucceeded, &ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, InMessage: "generation 4 is live (submission"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(4)
			offer.Status.Conditions = []metav1.Condition{tc.before}
			setLiveCondition(offer, tc.fact, "job-9")
			ctrltest.ExpectCondition(g, offer.Status.Conditions, v1alpha1.LiveCondition, 4, tc.want, &tc.before)
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
		want   *ctrltest.WantCondition
	}{
		{"not live", liveSubmitted, ready, nil},
		{"meets the documented requirements", liveSucceeded, ready, &ctrltest.WantCondition{Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonCoSellReady, InMessage: "operator's judgement"}},
		{"lacks a pitch deck", liveSucceeded, &v1alpha1.CoSell{SolutionAreas: ready.SolutionAreas, LandingPageURL: ready.LandingPageURL, Contacts: ready.Contacts,
			Documents: ready.Documents[:1]}, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonCoSellNotReady, InMessage: "lacks a PitchDeck document"}},
		{"no co-sell tab", liveSucceeded, nil, &ctrltest.WantCondition{Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonCoSellNotReady, InMessage: "operator's judgement"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			offer := statusOffer(5)
			offer.Spec.CoSell = tc.cosell
			setOfferConditions(&offerScope{offer: offer, live: tc.live})
			ctrltest.ExpectCondition(g, offer.Status.Conditions, v1alpha1.CoSellReadyCondition, 5, tc.want, nil)
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

func TestFeedbackMessage(t *testing.T) {
	g := NewWithT(t)
	msg := feedbackMessage([]partnercenter.FeedbackItem{
		{Code: "privacyPolicyMissing", Resource: "listing", Message: "add a privacy policy URL"},
		{Message: "description too short"},
	})
	g.Expect(msg).To(Equal("1) listing: add a privacy policy URL [privacyPolicyMissing]; 2) description too short"))
}

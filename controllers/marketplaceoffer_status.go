package controllers

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The offer's status, computed from what its phases found (offerScope in
// marketplaceoffer_phases.go). Nothing here does I/O. A fact left at its
// zero value leaves its condition as the last reconcile set it.

// draftFact is what syncDraft found of the draft in Partner Center.
type draftFact int

const (
	draftUnknown  draftFact = iota // not reached, or a job still runs
	draftWritten                   // the operator wrote the current draft
	draftFound                     // the current draft was already there (adopted or migrated)
	draftWriting                   // a configure job writes it (offerScope.draftJob)
	draftRejected                  // Partner Center refused it (offerScope.draftFeedback)
)

// certificationFact is where the preview submission of the draft stands.
type certificationFact int

const (
	certificationUnknown      certificationFact = iota // unchanged, or still in certification
	certificationNotRequested                          // spec.target is Draft
	certificationSubmitted                             // just submitted
	certificationPassed                                // passed; in preview
	certificationFailed                                // failed with feedback
)

// liveFact is where the live submission stands.
type liveFact int

const (
	liveUnknown   liveFact = iota // unchanged, or still going live
	liveSubmitted                 // just submitted
	liveSucceeded                 // live (status.liveURL, status.coSellLevel)
)

// setOfferConditions sets the offer's domain conditions and display phase
// from what the phases found.
func setOfferConditions(s *offerScope) {
	setDraftSyncedCondition(s.offer, s.draft, s.draftJob, s.draftFeedback)
	setCertifiedCondition(s.offer, s.certification)
	setLiveCondition(s.offer, s.live)
	if s.live == liveSucceeded {
		setCoSellReadyCondition(s.offer)
	}
	s.offer.Status.Phase = offerPhase(&s.offer.Status)
}

// setDraftSyncedCondition says whether Partner Center holds the draft of
// the current generation.
func setDraftSyncedCondition(offer *v1alpha1.MarketplaceOffer, fact draftFact, job, feedback string) {
	conds, gen := &offer.Status.Conditions, offer.Generation
	switch fact {
	case draftWritten:
		setCondition(conds, gen, v1alpha1.DraftSyncedCondition, true, v1alpha1.ReasonSucceeded,
			"draft of generation %d written to Partner Center", gen)
	case draftFound:
		setCondition(conds, gen, v1alpha1.DraftSyncedCondition, true, v1alpha1.ReasonSucceeded,
			"draft of generation %d is in Partner Center", gen)
	case draftWriting:
		setCondition(conds, gen, v1alpha1.DraftSyncedCondition, false, v1alpha1.ReasonSyncingDraft,
			"writing the draft of generation %d (job %s)", gen, job)
	case draftRejected:
		setCondition(conds, gen, v1alpha1.DraftSyncedCondition, false, v1alpha1.ReasonDraftRejected,
			"%s", draftRejectedMessage(feedback))
	}
}

// setCertifiedCondition says whether the current draft passed
// certification, from the preview submission recorded in status.
func setCertifiedCondition(offer *v1alpha1.MarketplaceOffer, fact certificationFact) {
	st, gen := &offer.Status, offer.Generation
	ps := st.PreviewSubmission
	switch fact {
	case certificationNotRequested:
		setCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, false, v1alpha1.ReasonNotRequested,
			"target is Draft: set spec.target to Preview or Live to publish")
	case certificationSubmitted:
		setCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, false, v1alpha1.ReasonCertifying,
			"generation %d submitted for certification (submission %s)", ps.Generation, ps.ID)
	case certificationPassed:
		setCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, true, v1alpha1.ReasonSucceeded,
			"generation %d passed certification; preview: %v", ps.Generation, st.PreviewURLs)
	case certificationFailed:
		setCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, false, v1alpha1.ReasonCertificationFailed,
			"%s", certificationFailedMessage(ps.Generation, st.Certification))
	}
}

// setLiveCondition says whether a version of the offer is live. A version
// already live stays Live while an update goes live.
func setLiveCondition(offer *v1alpha1.MarketplaceOffer, fact liveFact) {
	st, gen := &offer.Status, offer.Generation
	ls := st.LiveSubmission
	switch fact {
	case liveSubmitted:
		if !meta.IsStatusConditionTrue(st.Conditions, v1alpha1.LiveCondition) {
			setCondition(&st.Conditions, gen, v1alpha1.LiveCondition, false, v1alpha1.ReasonGoingLive,
				"generation %d is going live", ls.Generation)
		}
	case liveSucceeded:
		setCondition(&st.Conditions, gen, v1alpha1.LiveCondition, true, v1alpha1.ReasonSucceeded,
			"generation %d is live at %s", ls.Generation, st.LiveURL)
	}
}

// setCoSellReadyCondition says what co-sell level Partner Center grants
// the live offer (status.coSellLevel).
func setCoSellReadyCondition(offer *v1alpha1.MarketplaceOffer) {
	st, gen := &offer.Status, offer.Generation
	switch st.CoSellLevel {
	case v1alpha1.CoSellIncentiveEligible:
		setCondition(&st.Conditions, gen, v1alpha1.CoSellReadyCondition, true, v1alpha1.ReasonCoSellIncentiveEligible,
			"the offer is co-sell ready and incentive eligible")
	case v1alpha1.CoSellReady:
		setCondition(&st.Conditions, gen, v1alpha1.CoSellReadyCondition, true, v1alpha1.ReasonCoSellReady,
			"the offer is co-sell ready; add a reference architecture and a revenue or technical validation to become incentive eligible")
	default:
		setCondition(&st.Conditions, gen, v1alpha1.CoSellReadyCondition, false, v1alpha1.ReasonCoSellNotReady,
			"not co-sell ready: spec.coSell needs a SolutionOnePager and PitchDeck document, a contact, 1-5 solution areas and a landing page")
	}
}

// coSellLevelFromPort maps Partner Center's co-sell level to the API's;
// a level the API does not know reads as not co-sell ready.
func coSellLevelFromPort(level partnercenter.CoSellLevel) v1alpha1.CoSellLevel {
	if l, ok := coSellLevels[level]; ok {
		return l
	}
	return v1alpha1.CoSellNotReady
}

var coSellLevels = map[partnercenter.CoSellLevel]v1alpha1.CoSellLevel{
	partnercenter.CoSellNotReady:          v1alpha1.CoSellNotReady,
	partnercenter.CoSellReady:             v1alpha1.CoSellReady,
	partnercenter.CoSellIncentiveEligible: v1alpha1.CoSellIncentiveEligible,
}

// draftRejectedMessage is DraftSynced's and Stalled's message when Partner
// Center refused the draft with feedback.
func draftRejectedMessage(feedback string) string {
	return "Partner Center refused the draft: " + feedback + "; fix the spec and the operator writes it again"
}

// certificationFailedMessage is Certified's and Stalled's message when
// generation gen failed certification.
func certificationFailedMessage(gen int64, c *v1alpha1.Certification) string {
	items := []partnercenter.FeedbackItem{}
	if c != nil {
		for _, f := range c.Feedback {
			items = append(items, partnercenter.FeedbackItem{Code: f.Code, Resource: f.Resource, Message: f.Message})
		}
	}
	return fmt.Sprintf("generation %d failed certification: %s. Fix the spec and the operator publishes again",
		gen, feedbackMessage(items))
}

// goLiveFailedMessage is Stalled's message when going live with
// generation gen failed, with Partner Center's feedback when it gave any.
func goLiveFailedMessage(gen int64, feedback string) string {
	if feedback == "" {
		return fmt.Sprintf("going live with generation %d failed; change the spec to publish again", gen)
	}
	return fmt.Sprintf("going live with generation %d failed: %s; change the spec to publish again", gen, feedback)
}

// readyMessage is Ready's message once the offer reached its target.
func readyMessage(offer *v1alpha1.MarketplaceOffer) string {
	st := &offer.Status
	switch offer.Spec.Target {
	case v1alpha1.TargetLive:
		return fmt.Sprintf("generation %d is live at %s", st.LiveGeneration, st.LiveURL)
	case v1alpha1.TargetPreview:
		return fmt.Sprintf("generation %d passed certification and is in preview", offer.Generation)
	}
	return fmt.Sprintf("draft of generation %d is in Partner Center (product %s)", offer.Generation, st.ProductID)
}

// offerPhase derives the display phase from the status. It does no I/O.
func offerPhase(st *v1alpha1.MarketplaceOfferStatus) v1alpha1.OfferPhase {
	certified := meta.FindStatusCondition(st.Conditions, v1alpha1.CertifiedCondition)
	live := meta.IsStatusConditionTrue(st.Conditions, v1alpha1.LiveCondition)
	ps, ls := st.PreviewSubmission, st.LiveSubmission
	switch {
	case ps != nil && ps.Result == v1alpha1.SubmissionInProgress:
		return v1alpha1.PhaseCertifying
	case ps != nil && ps.Result == v1alpha1.SubmissionFailed && ps.DraftDigest == st.DraftDigest:
		return v1alpha1.PhaseCertificationFailed
	case ls != nil && ls.Result == v1alpha1.SubmissionInProgress:
		return v1alpha1.PhaseGoingLive
	case live && (ps == nil || ls != nil && ls.DraftDigest == ps.DraftDigest):
		return v1alpha1.PhaseLive
	case certified != nil && certified.Status == "True":
		return v1alpha1.PhasePreview
	case live:
		return v1alpha1.PhaseLive
	}
	return v1alpha1.PhaseDraft
}

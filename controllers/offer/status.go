package offer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The offer's status, computed from what its phases found (offerScope in
// scope.go). Nothing here does I/O. A fact left at its
// zero value leaves its condition as the last reconcile set it.

// setOfferConditions sets the offer's domain conditions and display phase
// from what the phases found, and returns the event they call for, if any.
func setOfferConditions(s *offerScope) *statusEvent {
	prevDraft := meta.FindStatusCondition(s.offer.Status.Conditions, v1alpha1.DraftSyncedCondition).DeepCopy()
	setDraftSyncedCondition(s.offer, s.draft, s.draftJob, feedbackMessage(s.draftFeedback), declaredSuffix(s.offer)+unwrittenSuffix(s.unwritten))
	setDraftDriftCondition(s.offer, prevDraft, s.draft, s.driftFound, s.draftJob)
	setCertifiedCondition(s.offer, s.certification, s.submitJob)
	setLiveCondition(s.offer, s.live, s.submitJob)
	setLiveDriftCondition(s.offer, s.live, s.stoppedSubmission)
	if s.live == liveSucceeded {
		setCoSellReadyCondition(s.offer)
	}
	if c := meta.FindStatusCondition(s.offer.Status.Conditions, v1alpha1.AdoptedCondition); s.adoptionChanged ||
		c != nil && c.ObservedGeneration != s.offer.Generation && !adoptionHeld(s.offer) {
		setAdoptedCondition(s.offer, s.adoptedDiff)
	}
	// InSync reports in managementPolicy Observe (setObservedConditions)
	// and driftPolicy Report only.
	setDriftReportCondition(s)
	s.offer.Status.Phase = offerPhase(&s.offer.Status)
	return adoptionEvent(s)
}

// statusEvent is an event that what the phases found calls for, decided
// with the status here and recorded by the reconcile (offerRun.record,
// phases.go).
type statusEvent struct {
	eventType, reason, action, note string
}

// InSync: what managementPolicy Observe found (observe.go) and, in
// driftPolicy Report, the drift left as it is (drift_report.go).

// maxDifferences bounds the differences InSync lists; the count says how
// many more there are.
const maxDifferences = 20

// setObservedConditions sets InSync and the display phase from what
// observe (observe.go) found and, when every read succeeded and InSync's
// message changed, returns the event that says the differences.
func setObservedConditions(s *offerScope) *statusEvent {
	obs := s.observed
	if s.refused {
		// Stalled before reading: nothing read earlier (perhaps of an
		// offer ID another object owns) stays in status.
		meta.RemoveStatusCondition(&s.offer.Status.Conditions, v1alpha1.InSyncCondition)
		return nil
	}
	if obs == nil || !obs.complete {
		// Nothing was read, or a read failed: what was read is not all
		// of what InSync compares, so InSync and the phase stay as they
		// were until a reconcile reads everything.
		return nil
	}
	s.offer.Status.Phase = obs.phase
	msg := observedMessage(s.offer, obs)
	var ev *statusEvent
	if c := meta.FindStatusCondition(s.offer.Status.Conditions, v1alpha1.InSyncCondition); obs.complete && (c == nil || c.Message != msg) {
		ev = &statusEvent{eventType: "Normal", reason: v1alpha1.InSyncCondition, action: "Observe", note: msg}
		if len(obs.differences) > 0 {
			ev.eventType, ev.reason = "Warning", v1alpha1.ReasonDiffers
		}
	}
	reconcile.SetCondition(&s.offer.Status.Conditions, s.offer.Generation, v1alpha1.InSyncCondition, len(obs.differences) == 0,
		inSyncReason(obs), "%s", msg)
	return ev
}

func inSyncReason(obs *observation) string {
	if len(obs.differences) > 0 {
		return v1alpha1.ReasonDiffers
	}
	return v1alpha1.ReasonSucceeded
}

// observedMessage is InSync's message: the differences, or that there are
// none, and what was not compared.
func observedMessage(offer *v1alpha1.MarketplaceOffer, obs *observation) string {
	msg := fmt.Sprintf("Partner Center holds what the spec says (product %s)", obs.productID)
	if n := len(obs.differences); n > 0 {
		lines := firstN(obs.differences, maxDifferences)
		msg = fmt.Sprintf("Partner Center differs from the spec in %d field(s): %s", n, strings.Join(lines, "; "))
		if n > maxDifferences {
			msg += fmt.Sprintf("; and %d more", n-maxDifferences)
		}
	}
	if len(obs.notCompared) > 0 {
		msg += "; not compared: " + strings.Join(obs.notCompared, ", ")
	}
	return msg + fmt.Sprintf(". managementPolicy is Observe: nothing is written; set it to Manage to make Partner Center hold the spec%s",
		adoptHint(offer, obs))
}

// adoptHint says that a product found needs the adopt annotation to be
// managed, when the object lacks it and did not record the product.
func adoptHint(offer *v1alpha1.MarketplaceOffer, obs *observation) string {
	if obs.productID == "" || offer.Status.ProductID != "" || offer.GetAnnotations()[v1alpha1.AdoptAnnotation] == "true" {
		return ""
	}
	return fmt.Sprintf(" (with the annotation %s: \"true\", since this object did not create product %s)", v1alpha1.AdoptAnnotation, obs.productID)
}

// observedReadyMessage is Ready's message in managementPolicy Observe.
const observedReadyMessage = "managementPolicy is Observe: the operator reads Partner Center and writes nothing (see InSync)"

// setDriftReportCondition sets InSync in driftPolicy Report from what the
// draft read back this reconcile showed (offerScope.driftChecked and
// driftDiffs, recorded by checkDrift and recordDraftBaseline, drift.go), and keeps it as it was when the
// draft was not read; in driftPolicy Correct it removes InSync (which
// managementPolicy Observe alone sets otherwise).
func setDriftReportCondition(s *offerScope) {
	offer := s.offer
	conds := &offer.Status.Conditions
	if offer.Spec.DriftPolicy != v1alpha1.DriftPolicyReport {
		meta.RemoveStatusCondition(conds, v1alpha1.InSyncCondition)
		return
	}
	if !s.driftChecked {
		return
	}
	if len(s.driftDiffs) > 0 {
		reconcile.SetCondition(conds, offer.Generation, v1alpha1.InSyncCondition, false, v1alpha1.ReasonDriftReported,
			"%s", driftReportedMessage(offer, s.driftDiffs))
		return
	}
	reconcile.SetCondition(conds, offer.Generation, v1alpha1.InSyncCondition, true, v1alpha1.ReasonDraftHeld,
		"the draft of product %s holds what the operator wrote", offer.Status.ProductID)
}

// driftReportedMessage is InSync's message for differences left as they
// are, at most maxDifferences of them listed.
func driftReportedMessage(offer *v1alpha1.MarketplaceOffer, diffs []string) string {
	msg := fmt.Sprintf("the draft of product %s was changed outside the operator and differs from the spec in %d field(s): %s",
		offer.Status.ProductID, len(diffs), strings.Join(firstN(diffs, maxDifferences), "; "))
	if n := len(diffs); n > maxDifferences {
		msg += fmt.Sprintf("; and %d more", n-maxDifferences)
	}
	return msg + ". driftPolicy is Report: the change is left as it is; set driftPolicy to Correct, or edit the spec, to write the spec's draft"
}

// driftAlreadyReported reports whether InSync already says that the draft
// differs in diffs (driftPolicy Report), so that reportDrift (drift_report.go)
// counts a drift once, not at each resync that finds it still there.
func driftAlreadyReported(offer *v1alpha1.MarketplaceOffer, diffs []string) bool {
	c := meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.InSyncCondition)
	return c != nil && c.Reason == v1alpha1.ReasonDriftReported && c.Message == driftReportedMessage(offer, diffs)
}

// driftLeftInPlace is the outcome of a lifecycle that is done while, in
// driftPolicy Report, InSync says the draft was changed outside the
// operator and left as it is: the offer stalls with InSync's message.
// Ready means Partner Center holds what the spec declares, and it does
// not until a person puts the draft back, edits the spec or switches to
// Correct; the next resync (or the reconcile-requested-at annotation)
// reads the draft again.
func driftLeftInPlace(offer *v1alpha1.MarketplaceOffer) error {
	if offer.Spec.DriftPolicy != v1alpha1.DriftPolicyReport {
		return nil
	}
	c := meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.InSyncCondition)
	if c == nil || c.Status != metav1.ConditionFalse || c.Reason != v1alpha1.ReasonDriftReported {
		return nil
	}
	return stopFact{kind: stallConditionKept, reason: v1alpha1.ReasonDriftReported, feedback: c.Message}.outcome(offer)
}

// feedbackMessage renders certification feedback as one actionable message.
func feedbackMessage(items []partnercenter.FeedbackItem) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d) ", i+1)
		if it.Resource != "" {
			b.WriteString(it.Resource + ": ")
		}
		b.WriteString(it.Message)
		if it.Code != "" {
			b.WriteString(" [" + it.Code + "]")
		}
	}
	return b.String()
}

// setDraftSyncedCondition says whether Partner Center holds the draft of
// the current generation.
func setDraftSyncedCondition(offer *v1alpha1.MarketplaceOffer, fact draftFact, job, feedback, unwritten string) {
	conds, gen := &offer.Status.Conditions, offer.Generation
	switch fact {
	case draftWritten:
		if a := offer.Status.Adoption; a != nil && a.Generation == gen && unwritten == declaredSuffix(offer) {
			// Adopted as it was: the operator wrote nothing.
			reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, true, v1alpha1.ReasonSucceeded,
				"draft of generation %d is in Partner Center%s", gen, unwritten)
			return
		}
		if unwritten == declaredSuffix(offer) {
			// Keep what an earlier reconcile said was not written.
			if c := meta.FindStatusCondition(*conds, v1alpha1.DraftSyncedCondition); c != nil && c.ObservedGeneration == gen &&
				strings.Contains(c.Message, unwrittenPrefix) {
				unwritten += c.Message[strings.Index(c.Message, unwrittenPrefix):]
			}
		}
		reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, true, v1alpha1.ReasonSucceeded,
			"draft of generation %d written to Partner Center%s", gen, unwritten)
	case draftFound:
		reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, true, v1alpha1.ReasonSucceeded,
			"draft of generation %d is in Partner Center%s", gen, declaredSuffix(offer))
	case draftWriting:
		reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, false, v1alpha1.ReasonSyncingDraft,
			"writing the draft of generation %d (job %s)%s", gen, job, unwritten)
	case draftRejected:
		reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, false, v1alpha1.ReasonDraftRejected,
			"%s", draftRejectedMessage(feedback))
	case draftWaiting:
		reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, false, v1alpha1.ReasonSyncingDraft,
			"the draft of generation %d is written once the submission job %s in flight has finished", gen, job)
	}
}

// setDraftDriftCondition reports a draft changed outside the operator and
// written back (checkDrift, drift.go): DraftSynced False
// with reason DriftDetected while the write runs, then True with reason
// DriftCorrected, kept until a new generation's draft is written. prev is
// DraftSynced before this reconcile; found is set when this reconcile
// found the drift.
func setDraftDriftCondition(offer *v1alpha1.MarketplaceOffer, prev *metav1.Condition, fact draftFact, found bool, job string) {
	conds, gen := &offer.Status.Conditions, offer.Generation
	drifted := found || prev != nil && prev.ObservedGeneration == gen &&
		(prev.Reason == v1alpha1.ReasonDriftDetected || prev.Reason == v1alpha1.ReasonDriftCorrected)
	if !drifted {
		return
	}
	switch fact {
	case draftWriting:
		reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, false, v1alpha1.ReasonDriftDetected,
			"the draft in Partner Center was changed outside the operator; writing the draft of generation %d back (job %s)", gen, job)
	case draftWritten:
		reconcile.SetCondition(conds, gen, v1alpha1.DraftSyncedCondition, true, v1alpha1.ReasonDriftCorrected,
			"the draft in Partner Center was changed outside the operator; the draft of generation %d was written back", gen)
	}
}

// setLiveDriftCondition reports a sale stopped or a product deleted outside
// the operator (checkDrift), and their end: Live False with reason
// SaleStopped or ProductDeleted, with what to do; once a check no longer
// finds them, Live True again for an offer whose sale had been stopped, and
// no Live condition for one whose product had been reported deleted.
func setLiveDriftCondition(offer *v1alpha1.MarketplaceOffer, fact liveFact, stoppedSubmission string) {
	st, gen := &offer.Status, offer.Generation
	switch fact {
	case liveSaleStopped:
		if stoppedSubmission == "" {
			return // found at adoption: setLiveCondition said so
		}
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, false, v1alpha1.ReasonSaleStopped,
			"%s", saleStoppedMessage(offer, stoppedOutside(stoppedSubmission)))
	case liveProductDeleted:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, false, v1alpha1.ReasonProductDeleted,
			"%s", productDeletedMessage(offer))
	case liveRestored:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, false, v1alpha1.ReasonGoingLive,
			"offer %s was restored in Partner Center after its sale was stopped; publishing generation %d to preview and live again",
			offer.Spec.OfferID, gen)
	case liveResumed:
		c := meta.FindStatusCondition(st.Conditions, v1alpha1.LiveCondition)
		if c != nil && c.Reason == v1alpha1.ReasonSaleStopped {
			reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, true, v1alpha1.ReasonSucceeded,
				"offer %s is on sale again: its live submission is no longer deprecated (restored and published outside the operator)",
				offer.Spec.OfferID)
			return
		}
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.LiveCondition)
	}
}

// saleStoppedMessage is the message of every stopped sale (Live, Stalled,
// Adopted): found says how it was found; what to do is the same.
func saleStoppedMessage(offer *v1alpha1.MarketplaceOffer, found string) string {
	return fmt.Sprintf("the sale of offer %s (product %s) is stopped in Partner Center: %s. Partner Center publishes nothing of it, "+
		"and the operator neither restores nor publishes it on its own. To sell it again, restore it in Partner Center "+
		"(lifecycleState generallyAvailable) and set the %s annotation: the operator then publishes it to preview and live again "+
		"(Microsoft requires both after a restore). To stop managing it, delete this object",
		offer.Spec.OfferID, offer.Status.ProductID, found, v1alpha1.ReconcileRequestedAtAnnotation)
}

// Where a stopped sale was found, for saleStoppedMessage.
const stoppedWhenAdopted = "it was stopped when the offer was adopted"

func stoppedOutside(submission string) string {
	return fmt.Sprintf("live submission %s is deprecated, stopped outside the operator", submission)
}

// productDeletedMessage is Live's and Stalled's message when the product
// was deleted outside the operator.
func productDeletedMessage(offer *v1alpha1.MarketplaceOffer) string {
	return fmt.Sprintf("product %s (offer ID %s) no longer exists in Partner Center: it was deleted outside the operator. "+
		"The operator does not create it again on its own. To create a new product, delete this object and apply it again; "+
		"to leave the offer deleted, delete this object",
		offer.Status.ProductID, offer.Spec.OfferID)
}

// setCertifiedCondition says whether the current draft passed
// certification, from the preview submission recorded in status.
func setCertifiedCondition(offer *v1alpha1.MarketplaceOffer, fact certificationFact, job string) {
	st, gen := &offer.Status, offer.Generation
	ps := st.PreviewSubmission
	switch fact {
	case certificationSubmitting:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, false, v1alpha1.ReasonCertifying,
			"generation %d submitted for certification (job %s)", gen, job)
	case certificationNotRequested:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, false, v1alpha1.ReasonNotRequested,
			"target is Draft: set spec.target to Preview or Live to publish")
	case certificationSubmitted:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, false, v1alpha1.ReasonCertifying,
			"generation %d submitted for certification (submission %s)", ps.Generation, ps.ID)
	case certificationPassed:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, true, v1alpha1.ReasonSucceeded,
			"generation %d passed certification and is in preview (submission %s)", ps.Generation, ps.ID)
	case certificationFailed:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.CertifiedCondition, false, v1alpha1.ReasonCertificationFailed,
			"%s", certificationFailedMessage(ps.Generation, st.Certification))
	}
}

// setLiveCondition says whether a version of the offer is live. A version
// already live stays Live while an update goes live.
func setLiveCondition(offer *v1alpha1.MarketplaceOffer, fact liveFact, job string) {
	st, gen := &offer.Status, offer.Generation
	ls := st.LiveSubmission
	switch fact {
	case liveSubmitting:
		if !meta.IsStatusConditionTrue(st.Conditions, v1alpha1.LiveCondition) {
			reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, false, v1alpha1.ReasonGoingLive,
				"generation %d is going live (job %s)", st.PreviewSubmission.Generation, job)
		}
	case liveSubmitted:
		if !meta.IsStatusConditionTrue(st.Conditions, v1alpha1.LiveCondition) {
			reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, false, v1alpha1.ReasonGoingLive,
				"generation %d is going live", ls.Generation)
		}
	case liveSucceeded:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, true, v1alpha1.ReasonSucceeded,
			"generation %d is live (submission %s)", ls.Generation, ls.ID)
	case liveSaleStopped:
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.LiveCondition, false, v1alpha1.ReasonSaleStopped, "%s", saleStoppedMessage(offer, stoppedWhenAdopted))
	}
}

// setAdoptedCondition says what the operator took over and what it left
// as it found it (status.adoption); diff is what differed between the
// published version and the draft at adoption.
func setAdoptedCondition(offer *v1alpha1.MarketplaceOffer, diff []string) {
	st, gen := &offer.Status, offer.Generation
	reason := v1alpha1.ReasonSucceeded
	switch a := st.Adoption; {
	case a == nil:
		return
	case a.SaleStopped:
		reason = v1alpha1.ReasonSaleStopped
	case a.UnpublishedDraft:
		reason = v1alpha1.ReasonUnpublishedDraft
	}
	reconcile.SetCondition(&st.Conditions, gen, v1alpha1.AdoptedCondition, true, reason, "%s", adoptedMessage(offer, diff))
}

// adoptionEvent is the Warning of what adoptPublished (adopt.go) left as
// Partner Center held it this reconcile; nil when it adopted nothing or
// left nothing so.
func adoptionEvent(s *offerScope) *statusEvent {
	a := s.offer.Status.Adoption
	if !s.adoptedPublished || a == nil {
		return nil
	}
	reason := ""
	switch {
	case a.SaleStopped:
		reason = v1alpha1.ReasonSaleStopped
	case a.UnpublishedDraft:
		reason = v1alpha1.ReasonUnpublishedDraft
	default:
		return nil
	}
	return &statusEvent{eventType: "Warning", reason: reason, action: "Adopt", note: adoptedMessage(s.offer, s.adoptedDiff)}
}

// adoptedMessage is the Adopted condition's and event's message.
func adoptedMessage(offer *v1alpha1.MarketplaceOffer, diff []string) string {
	st := &offer.Status
	a := st.Adoption
	msg := fmt.Sprintf("took over product %s as Partner Center holds it", st.ProductID)
	if ps := st.PreviewSubmission; ps != nil && a != nil && ps.Generation == a.Generation {
		msg += fmt.Sprintf(" (published submission %s)", ps.ID)
	}
	switch {
	case a == nil:
	case a.SaleStopped:
		msg += "; " + saleStoppedMessage(offer, stoppedWhenAdopted)
	case a.UnpublishedDraft:
		msg += fmt.Sprintf("; Partner Center's draft differs from the published version and is not published until the spec changes "+
			"(a generation after %d) or the %s annotation is removed", a.Generation, v1alpha1.AdoptAnnotation)
		if len(diff) > 0 {
			msg += ": " + strings.Join(diff, "; ")
		}
	case a.Generation != offer.Generation || offer.GetAnnotations()[v1alpha1.AdoptAnnotation] != "true":
		msg += fmt.Sprintf("; generation %d is managed from the spec", offer.Generation)
	default:
		msg += "; the spec equals it, so nothing was written"
	}
	return msg
}

// adoptionHeld reports whether the adopted generation stands with
// something left as Partner Center held it (adopt.go).
func adoptionHeld(offer *v1alpha1.MarketplaceOffer) bool {
	a := offer.Status.Adoption
	return a != nil && (a.UnpublishedDraft || a.SaleStopped) && a.Generation == offer.Generation &&
		offer.GetAnnotations()[v1alpha1.AdoptAnnotation] == "true"
}

// setCoSellReadyCondition records the operator's judgement of spec.coSell
// against Microsoft's documented co-sell requirements. No Partner Center
// API reports an offer's co-sell status, so the condition (and the CO-SELL
// column, its reason) says whose judgement it is.
func setCoSellReadyCondition(offer *v1alpha1.MarketplaceOffer) {
	st, gen := &offer.Status, offer.Generation
	const whose = "operator's judgement of spec.coSell against Microsoft's documented co-sell requirements (Partner Center reports no co-sell status through any API)"
	if missing := coSellMissing(offer.Spec.CoSell); len(missing) > 0 {
		reconcile.SetCondition(&st.Conditions, gen, v1alpha1.CoSellReadyCondition, false, v1alpha1.ReasonCoSellNotReady,
			"%s: not co-sell ready, spec.coSell lacks %s", whose, strings.Join(missing, ", "))
		return
	}
	reconcile.SetCondition(&st.Conditions, gen, v1alpha1.CoSellReadyCondition, true, v1alpha1.ReasonCoSellReady,
		"%s: the spec meets the co-sell ready requirements; Partner Center decides", whose)
}

// coSellMissing lists what the co-sell ready requirements need and cs
// lacks: a solution one-pager and a pitch deck, a contact, 1 to 5 solution
// areas and a landing page.
func coSellMissing(cs *v1alpha1.CoSell) []string {
	if cs == nil {
		return []string{"everything (spec.coSell is empty)"}
	}
	var missing []string
	has := func(t v1alpha1.DocumentType) bool {
		return slices.ContainsFunc(cs.Documents, func(d v1alpha1.CoSellDocument) bool { return d.Type == t })
	}
	if !has(v1alpha1.DocumentSolutionOnePager) {
		missing = append(missing, "a SolutionOnePager document")
	}
	if !has(v1alpha1.DocumentPitchDeck) {
		missing = append(missing, "a PitchDeck document")
	}
	if len(cs.Contacts) == 0 {
		missing = append(missing, "a contact")
	}
	if n := len(cs.SolutionAreas); n < 1 || n > 5 {
		missing = append(missing, "1 to 5 solution areas")
	}
	if cs.LandingPageURL == "" {
		missing = append(missing, "a landing page")
	}
	return missing
}

// unwrittenPrefix starts the part of DraftSynced's message naming what of
// the spec has no published place.
const unwrittenPrefix = "; not written (no published place): "

func unwrittenSuffix(items []partnercenter.FeedbackItem) string {
	if len(items) == 0 {
		return ""
	}
	return unwrittenPrefix + feedbackMessage(items)
}

// retryHint ends the messages of refusals that a reconcile request
// retries once without an edit (reconcile/annotations.go).
const retryHint = "or set a new value of the annotation " + v1alpha1.ReconcileRequestedAtAnnotation + " to try again unchanged"

// draftRejectedMessage is DraftSynced's and Stalled's message when Partner
// Center refused the draft with feedback.
func draftRejectedMessage(feedback string) string {
	return "Partner Center refused the draft: " + feedback + "; fix the spec and the operator writes it again, " + retryHint
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
	return fmt.Sprintf("generation %d failed certification: %s. Fix the spec and the operator publishes again, %s",
		gen, feedbackMessage(items), retryHint)
}

// goLiveFailedMessage is Stalled's message when going live with
// generation gen failed, with Partner Center's feedback when it gave any.
func goLiveFailedMessage(gen int64, feedback string) string {
	if feedback == "" {
		return fmt.Sprintf("going live with generation %d failed; change the spec to publish again, %s", gen, retryHint)
	}
	return fmt.Sprintf("going live with generation %d failed: %s; change the spec to publish again, %s", gen, feedback, retryHint)
}

// readyMessage is Ready's message once the offer reached its target.
func readyMessage(offer *v1alpha1.MarketplaceOffer) string {
	return readyState(offer) + declaredSuffix(offer)
}

// declaredPrefix starts what Ready and DraftSynced say of the parts
// spec.managedInPartnerCenter declares.
const declaredPrefix = "; kept in Partner Center (declared in spec.managedInPartnerCenter): "

// declaredSuffix names the parts spec.managedInPartnerCenter declares as
// kept in Partner Center, which the operator neither writes nor reads.
func declaredSuffix(offer *v1alpha1.MarketplaceOffer) string {
	parts := offer.Spec.ManagedInPartnerCenter
	if len(parts) == 0 {
		return ""
	}
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = string(p)
	}
	return declaredPrefix + strings.Join(names, ", ")
}

// readyState is what Ready says of where the offer stands.
func readyState(offer *v1alpha1.MarketplaceOffer) string {
	st := &offer.Status
	if observing(offer) {
		return observedReadyMessage
	}
	if adoptionHeld(offer) {
		if st.Adoption.SaleStopped {
			return fmt.Sprintf("generation %d adopted as Partner Center holds it, its sale stopped (see Live)", offer.Generation)
		}
		return fmt.Sprintf("generation %d adopted as Partner Center holds it, with a draft not published (see Adopted)", offer.Generation)
	}
	switch offer.Spec.Target {
	case v1alpha1.TargetLive:
		return fmt.Sprintf("generation %d is live", st.LiveGeneration)
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
	// A submission job in flight: Partner Center certifies (or pushes
	// live) before the job completes and names the submission.
	if ref := st.Operation; ref != nil {
		switch purpose := ref.Purpose; purpose {
		case jobPreview:
			return v1alpha1.PhaseCertifying
		case jobLive:
			return v1alpha1.PhaseGoingLive
		}
	}
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

// stop records the fact that ends the phases and returns its outcome.
func (s *offerScope) stop(f stopFact) error {
	s.stopped = &f
	return f.outcome(s.offer)
}

// outcome is the wait or stall the fact means for offer.
func (f stopFact) outcome(offer *v1alpha1.MarketplaceOffer) error {
	if err := f.productWait(offer); err != nil {
		return err
	}
	if err := f.deletionWait(offer); err != nil {
		return err
	}
	if err := f.submitWait(); err != nil {
		return err
	}
	if err := f.submitStall(offer); err != nil {
		return err
	}
	if err := f.ownershipStall(offer); err != nil {
		return err
	}
	return f.stall(offer)
}

// ownershipStall is the stall of a fact of admit or adoption, nil for
// another.
func (f stopFact) ownershipStall(offer *v1alpha1.MarketplaceOffer) error {
	switch f.kind {
	case stallOfferIDTaken:
		owner := f.owner
		return reconcile.Stalled(v1alpha1.ReasonOfferIDTaken,
			"offer ID %s belongs to MarketplaceOffer %s/%s, which manages it or declared it first; this object reads and changes nothing of it in Partner Center. "+
				"Declare another offer ID in a new MarketplaceOffer (spec.offerID is immutable) and delete this one, "+
				"or delete %s/%s to let this object take the offer over",
			offer.Spec.OfferID, owner.Namespace, owner.Name, owner.Namespace, owner.Name)
	case stallAdoptionRequired:
		made := "which this MarketplaceOffer did not create"
		if f.lostCreate {
			made = "which no create job of this MarketplaceOffer reported making (its create failed or its answer was lost, " +
				"so the product may be another's)"
		}
		return reconcile.Stalled(v1alpha1.ReasonAdoptionRequired,
			"Partner Center already holds product %s with offer ID %s, %s; "+
				"to manage that product from here, annotate this object with %s: \"true\" "+
				"(kubectl annotate marketplaceoffer %s %s=true); otherwise declare another offer ID in a new MarketplaceOffer",
			f.product, offer.Spec.OfferID, made, v1alpha1.AdoptAnnotation, offer.Name, v1alpha1.AdoptAnnotation)
	case stallMigrateFromTaken:
		return reconcile.Stalled(v1alpha1.ReasonSolutionTaken,
			"spec.migrateFrom names legacy solution %s, which Solution %s/%s in another namespace decides; "+
				"this offer takes no migration it does not decide: remove spec.migrateFrom, or decide the solution in this namespace",
			offer.Spec.MigrateFrom.SolutionID, f.solution.Namespace, f.solution.Name)
	case stallOfferTypeRefused:
		return reconcile.Stalled(v1alpha1.ReasonOfferTypeRefused, "%s", f.feedback)
	case stallMigrationStalled:
		instead := "set its spec.suspend to true or delete it to let this offer create its own draft"
		if offer.Spec.MigrateFrom != nil {
			instead = "remove spec.migrateFrom from this offer to let it create its own draft"
		}
		return reconcile.Stalled(v1alpha1.ReasonMigrationStalled,
			"Solution %s, which migrates legacy solution %s into this offer, is stalled (%s: %s); fix that Solution, or %s",
			f.solution.Name, f.solution.Spec.SolutionID, f.reason, f.feedback, instead)
	}
	return nil
}

// submitWait is the wait of a fact of syncDraft, certify or goLive, nil
// for another.
func (f stopFact) submitWait() error {
	switch f.kind {
	case waitWritingDraft:
		return reconcile.Waiting(f.after, v1alpha1.ReasonSyncingDraft, "Partner Center is writing the draft (job %s)", f.job)
	case waitSubmitting:
		return reconcile.Waiting(f.after, submitReason(f.purpose), "Partner Center is %s (job %s)", submitting(f.purpose, f.gen), f.job)
	case waitJobBeforeSubmit:
		return reconcile.Waiting(f.after, submitReason(f.purpose), "waiting for job %s before %s", f.job, submitting(f.purpose, f.gen))
	case waitBusy:
		return reconcile.Waiting(f.after, submitReason(f.purpose), "Partner Center is busy before %s: %s", submitting(f.purpose, f.gen), f.feedback)
	case waitSubmission:
		doing := "is in certification"
		if f.purpose == jobLive {
			doing = "is going live"
		}
		return reconcile.Waiting(f.after, submitReason(f.purpose), "generation %d %s (submission %s)", f.gen, doing, f.submission)
	}
	return nil
}

// submitStall is the stall of a fact of syncDraft, certify or goLive, nil
// for another.
func (f stopFact) submitStall(offer *v1alpha1.MarketplaceOffer) error {
	st := &offer.Status
	switch f.kind {
	case stallDraftRejected:
		return reconcile.Stalled(v1alpha1.ReasonDraftRejected, "%s", draftRejectedMessage(feedbackMessage(f.items)))
	case stallStillRejected:
		return reconcile.Stalled(v1alpha1.ReasonDraftRejected, "%s", f.feedback)
	case stallCertification:
		return reconcile.Stalled(v1alpha1.ReasonCertificationFailed, "%s", certificationFailedMessage(st.PreviewSubmission.Generation, st.Certification))
	case stallGoLiveFailed:
		return reconcile.Stalled(v1alpha1.ReasonPartnerCenterRejected, "%s", goLiveFailedMessage(f.gen, feedbackMessage(f.items)))
	case stallNoSubmissionMade:
		return reconcile.Stalled(v1alpha1.ReasonPartnerCenterRejected, "job %s succeeded but Partner Center lists no %s submission made by it", f.job, f.target)
	case stallSaleRefused:
		return reconcile.Stalled(v1alpha1.ReasonSaleStopped, "%s",
			saleStoppedMessage(offer, "Partner Center refused to publish it (invalidState: its lifecycleState is deprecated)"))
	}
	return nil
}

// waitThen is what follows a wait once it is over, which andThen adds to
// the wait's message.
type waitThen int

const (
	thenWriteDraft       waitThen = iota + 1 // syncDraft writes the draft of generation gen
	thenCertify                              // certify submits generation gen for certification
	thenFollowSubmission                     // target Draft: certify follows the submission to its end
	thenFollowGoLive                         // a target below Live: goLive follows the go-live to its end
)

// andThen adds to a wait what follows once it is over; other errors are
// returned as they are.
func andThen(err error, then waitThen, offer *v1alpha1.MarketplaceOffer, gen int64) error {
	var w *reconcile.WaitError
	if err == nil {
		return nil
	}
	if !errors.As(err, &w) {
		return err
	}
	var next string
	switch then {
	case thenWriteDraft:
		next = fmt.Sprintf("the draft of generation %d is written once it has finished", gen)
	case thenCertify:
		next = fmt.Sprintf("generation %d is submitted for certification once it has finished", gen)
	case thenFollowSubmission:
		next = "target is Draft, and Partner Center documents no way to withdraw a submission: it is followed to its end"
	case thenFollowGoLive:
		next = fmt.Sprintf("target is %s, and Partner Center documents no way to withdraw a go-live: it is followed to its end", offer.Spec.Target)
	}
	return reconcile.Waiting(w.After, w.Reason, "%s; %s", w.Message, next)
}

// submitReason is Reconciling's reason while purpose's submission is
// made or runs.
func submitReason(purpose v1alpha1.OperationPurpose) string {
	if purpose == jobLive {
		return v1alpha1.ReasonGoingLive
	}
	return v1alpha1.ReasonCertifying
}

// submitting says what purpose's submission of generation gen does.
func submitting(purpose v1alpha1.OperationPurpose, gen int64) string {
	if purpose == jobLive {
		return fmt.Sprintf("publishing generation %d live", gen)
	}
	return fmt.Sprintf("submitting generation %d for certification", gen)
}

// productWait is the wait of a fact of ensureProduct, nil for another.
func (f stopFact) productWait(offer *v1alpha1.MarketplaceOffer) error {
	switch f.kind {
	case waitCreating:
		return reconcile.Waiting(f.after, v1alpha1.ReasonSyncingDraft, "Partner Center is creating product %s (job %s)", offer.Spec.OfferID, f.job)
	case waitMigration:
		return reconcile.Waiting(f.after, v1alpha1.ReasonWaitingForMigration,
			"waiting for Solution %s to migrate legacy solution %s into this offer; the operator then adopts the migrated draft",
			f.solution.Name, f.solution.Spec.SolutionID)
	case waitMigrationSuspended:
		return reconcile.Waiting(f.after, v1alpha1.ReasonWaitingForMigration,
			"Solution %s, which migrates legacy solution %s into this offer, is suspended; this offer creates and submits nothing "+
				"until the migration has filled its draft (spec.migrateFrom): resume the Solution (spec.suspend: false)",
			f.solution.Name, offer.Spec.MigrateFrom.SolutionID)
	case waitDeclaredMigration:
		return reconcile.Waiting(f.after, v1alpha1.ReasonWaitingForMigration,
			"waiting for a Solution in namespace %s with action Migrate, spec.solutionID %s and spec.migrate.offerRef.name %s "+
				"(spec.migrateFrom); this offer creates and submits nothing in Partner Center until that migration has filled its draft",
			offer.Namespace, offer.Spec.MigrateFrom.SolutionID, offer.Name)
	}
	return nil
}

// deletionWait is the wait of a fact of cleanUp, nil for another.
func (f stopFact) deletionWait(offer *v1alpha1.MarketplaceOffer) error {
	productID := offer.Status.ProductID
	switch f.kind {
	case waitCleanUpJob:
		return reconcile.Waiting(f.after, v1alpha1.ReasonDeleting, "waiting for the %s job of product %s (job %s)", words(f.purpose), productID, f.job)
	case waitJobBeforeDeleting:
		return reconcile.Waiting(f.after, v1alpha1.ReasonDeleting, "%s (job %s)", deletionWaitMessage(productID, f.purpose), f.job)
	case waitCreateBeforeDeleting:
		return reconcile.Waiting(f.after, v1alpha1.ReasonDeleting, "waiting for the create of product %s to finish before deleting it (job %s)",
			offer.Status.CreatePending.OfferID, f.job)
	case waitJobEndedDeleting:
		return reconcile.Waiting(f.after, v1alpha1.ReasonDeleting, "the %s job of product %s has finished; deleting", words(f.purpose), productID)
	case waitSubmissionDeleting:
		return reconcile.Waiting(f.after, v1alpha1.ReasonDeleting, "%s (submission %s)", deletionWaitMessage(productID, f.purpose), f.submission)
	case waitStoppingSale:
		return reconcile.Waiting(f.after, v1alpha1.ReasonDeleting, "stopping sale of product %s (job %s)", productID, f.job)
	case waitDeletingDraft:
		return reconcile.Waiting(f.after, v1alpha1.ReasonDeleting, "deleting never-published draft %s (job %s)", productID, f.job)
	}
	return nil
}

// stall is the stall a fact means.
func (f stopFact) stall(offer *v1alpha1.MarketplaceOffer) error {
	spec, st := &offer.Spec, &offer.Status
	switch f.kind {
	case stallOfferTypeClash:
		return reconcile.Stalled(v1alpha1.ReasonPartnerCenterRejected,
			"offer ID %s already belongs to a %s offer in Partner Center; choose another spec.offerID", spec.OfferID, f.productType)
	case stallJobRefused:
		subject := st.ProductID
		if f.purpose == jobCreate {
			subject = spec.OfferID
		}
		return reconcile.Stalled(v1alpha1.ReasonPartnerCenterRejected, "Partner Center refused to %s product %s: %s", words(f.purpose), subject, feedbackMessage(f.items))
	case stallMigratedElsewhere:
		product, by := "", ""
		if f.solution != nil {
			product, by = f.solution.Status.ProductID, f.solution.Name
		}
		return reconcile.Stalled(v1alpha1.ReasonActionConflict,
			"Solution %s reports legacy solution %s migrated into product %s, and Partner Center holds no product with offer ID %s: "+
				"the solution was migrated into another offer. Remove spec.migrateFrom to let this offer create a draft of its own, "+
				"or manage product %s with a MarketplaceOffer declaring its offer ID",
			by, spec.MigrateFrom.SolutionID, product, spec.OfferID, product)
	case stallAdoptedStopped:
		return reconcile.Stalled(v1alpha1.ReasonSaleStopped, "%s", saleStoppedMessage(offer, stoppedWhenAdopted))
	case stallSaleStopped:
		return reconcile.Stalled(v1alpha1.ReasonSaleStopped, "%s", saleStoppedMessage(offer, stoppedOutside(f.submission)))
	case stallProductDeleted:
		return reconcile.Stalled(v1alpha1.ReasonProductDeleted, "%s", productDeletedMessage(offer))
	case stallConditionKept:
		return reconcile.Stalled(f.reason, "%s", f.feedback)
	}
	return nil
}

// deletionWaitMessage says what deletion waits for while a job or
// submission of the given purpose runs.
func deletionWaitMessage(productID string, purpose v1alpha1.OperationPurpose) string {
	switch purpose {
	case jobPreview:
		return "waiting for certification of product " + productID + " to complete: Partner Center deletes only a never-published draft " +
			"and documents no way to withdraw a submission; a draft that fails certification is then deleted, one that passes is left in preview"
	case jobLive:
		return "waiting for product " + productID + " to finish going live: Partner Center stops the sale only of a live offer; its sale is then stopped"
	}
	return "waiting for the " + words(purpose) + " job of product " + productID + " to finish before deleting"
}

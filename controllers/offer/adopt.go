package offer

import (
	"context"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Adoption without a write. An offer applied with the adopt annotation
// (often from `cosell-operator export`) names a product that Partner
// Center already publishes. Before the draft is compared or written, the
// adopt phase reads what Partner Center holds once (the draft, the
// submissions and the published version: three reads) and records it in
// status as if the operator had made it: the draft digest, and the
// completed, succeeded preview and live submissions whose version equals
// the spec. certify and goLive then find the digests equal and make no
// call. What the operator would otherwise have to overwrite or publish
// is held instead, in status.adoption, until the spec changes:
//
//   - a draft newer than the published version is left unpublished
//     (Adopted reason UnpublishedDraft, naming the fields that differ);
//   - a stopped sale is reported (Live=False, reason SaleStopped) and
//     never restored: target Live does not mean "sell again".

// adopt is the phase between followSolutions and syncDraft: it adopts a
// product once (adoptPublished), then holds what it left as it found it
// for as long as the adopted generation stands (holdAdopted).
func (r *offerRun) adopt(ctx context.Context, s *offerScope) error {
	if adopting(s) && coSellFromSpec(&s.offer.Spec) == nil {
		if err := r.adoptPublished(ctx, s); err != nil {
			return err
		}
	}
	return r.holdAdopted(ctx, s)
}

// adoptPublished reads the draft and, for target Preview or Live, the
// submissions and the version published, and records them in status. The
// spec's co-sell tab has no read in any published API, so an offer that
// declares one is not adopted here (syncDraft writes it).
func (r *offerRun) adoptPublished(ctx context.Context, s *offerScope) error {
	offer := s.offer
	st := &offer.Status
	// Compared: what Partner Center can hold for the offer type.
	// Recorded: the digest syncDraft and certify compare, of the whole spec.
	full := draftDigest(draftFromSpec(&offer.Spec))
	holdable := func(d partnercenter.Draft) string { return holdableDigest(offer, d) }
	spec := holdable(draftFromSpec(&offer.Spec))
	current, err := r.pc.GetDraft(ctx, st.ProductID)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	draft := holdable(*current)
	adoption := &v1alpha1.Adoption{Generation: offer.Generation}
	st.Adoption, s.adoptionChanged = adoption, true
	if draft == spec {
		st.DraftDigest = full
		s.draft = draftFound
	}
	if offer.Spec.Target == v1alpha1.TargetDraft {
		return nil
	}
	pub, held, err := r.readPublished(ctx, st.ProductID, offer.Spec.Target)
	if err != nil {
		return err
	}
	if pub == nil { // never published, or not readable: certify submits the draft
		return nil
	}
	published := normalizeDraft(*held)
	digest := holdable(published)
	stopped := pub.Target == partnercenter.TargetLive && pub.State == partnercenter.LifecycleDeprecated
	if stopped && digest != spec {
		// The spec is not what was on sale: that earlier life's
		// submissions are not this object's. certify submits the spec,
		// and stalls with SaleStopped when Partner Center refuses it.
		return nil
	}
	switch {
	case digest == spec && draft == spec, stopped:
		// Partner Center publishes the spec (or its sale is stopped and
		// nothing is published again).
	case digest == spec || draft == spec:
		// The spec is either the published version or the draft, and
		// the other differs: leave the draft unpublished.
		adoption.UnpublishedDraft = true
		s.adoptedDiff = draftDiff(published, normalizeDraft(*current), "published", "draft")
	default:
		// The spec is neither: Git wins (syncDraft writes it, certify
		// and goLive publish it).
	}
	adoption.SaleStopped = stopped
	if digest == spec {
		digest = full
	}
	recordPublished(s, pub, digest, stopped)
	s.adoptedPublished = true
	return nil
}

// holdableDigest is the digest of what of d Partner Center can hold for
// the offer's type (partnercenter.WritableDraft).
func holdableDigest(offer *v1alpha1.MarketplaceOffer, d partnercenter.Draft) string {
	w, _ := partnercenter.WritableDraft(string(offer.Spec.OfferType), normalizeDraft(d))
	return draftDigest(w)
}

// readPublished reads the submission published for target (the live one
// for target Live once there is one, else the preview) and the version it
// published. A nil submission means none was published, or its version
// cannot be read.
func (r *offerRun) readPublished(ctx context.Context, productID string, target v1alpha1.OfferTarget) (*partnercenter.Submission, *partnercenter.Draft, error) {
	subs, err := r.pc.ListSubmissions(ctx, productID)
	if err != nil {
		return nil, nil, reconcile.PartnerCenterError(err)
	}
	preview, live := publishedSubmissions(subs)
	pub := preview
	if target == v1alpha1.TargetLive && live != nil {
		pub = live
	}
	if pub == nil {
		return nil, nil, nil
	}
	// A preview pushed live is listed as the live submission: its
	// version is the live one.
	held, err := r.pc.GetTarget(ctx, productID, pub.Target)
	if partnercenter.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, reconcile.PartnerCenterError(err)
	}
	return pub, held, nil
}

// recordPublished records the adopted submission pub, whose version has
// digest, as certified and, when it is the live one, live (unless its
// sale is stopped).
func recordPublished(s *offerScope, pub *partnercenter.Submission, digest string, stopped bool) {
	st, gen := &s.offer.Status, s.offer.Generation
	ref := &v1alpha1.SubmissionRef{ID: pub.ID, Generation: gen, DraftDigest: digest, Result: v1alpha1.SubmissionSucceeded}
	st.PreviewSubmission = ref
	st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationPassed, Generation: gen}
	s.certification = certificationPassed
	if pub.Target == partnercenter.TargetLive {
		ls := *ref
		st.LiveSubmission = &ls
		st.LiveGeneration = gen
		if !stopped {
			s.live = liveSucceeded
		}
	}
}

// holdAdopted keeps what adoption left as it found it while the adopted
// generation stands: an unpublished draft stays unpublished and a stopped
// sale stays stopped, and the rest of the phases do not run. A stopped
// sale also holds every later generation that would publish: Partner
// Center refuses to publish it, and the operator never restores a sale; it
// reads the product again to see whether a person restored it
// (saleRestored), and then publishes it again.
func (r *offerRun) holdAdopted(ctx context.Context, s *offerScope) error {
	offer := s.offer
	a := offer.Status.Adoption
	if a == nil || !a.UnpublishedDraft && !a.SaleStopped {
		return nil
	}
	held := a.Generation == offer.Generation && offer.GetAnnotations()[v1alpha1.AdoptAnnotation] == "true"
	if held {
		if a.SaleStopped {
			s.live = liveSaleStopped
		}
		return reconcile.ErrSkipRest
	}
	if a.UnpublishedDraft {
		a.UnpublishedDraft, s.adoptionChanged = false, true
	}
	if !a.SaleStopped || offer.Spec.Target == v1alpha1.TargetDraft {
		return nil
	}
	restored, err := r.saleRestored(ctx, offer.Status.ProductID)
	if err != nil {
		return err
	}
	if restored {
		a.SaleStopped, s.adoptionChanged = false, true
		r.republishRestored(s)
		return nil
	}
	s.live = liveSaleStopped
	return s.stop(stopFact{kind: stallAdoptedStopped})
}

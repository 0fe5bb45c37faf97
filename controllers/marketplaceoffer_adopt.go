package controllers

import (
	"context"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
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

// adopting reports whether the offer is to be adopted now: it asks for it,
// holds a product it neither created nor got from a migration, and its
// status records nothing written or submitted yet.
func adopting(s *offerScope) bool {
	o, st := s.offer, &s.offer.Status
	return o.GetAnnotations()[v1alpha1.AdoptAnnotation] == "true" && st.Adoption == nil &&
		st.ProductID != "" && !s.createdProduct && st.MigratedFrom == "" && st.DraftDigest == "" &&
		st.ConfigureJob == nil && st.PreviewSubmission == nil && st.LiveSubmission == nil
}

// adopt is the phase between followSolutions and syncDraft: it adopts a
// product once (adoptPublished), then holds what it left as it found it
// for as long as the adopted generation stands (holdAdopted).
func (r *MarketplaceOfferReconciler) adopt(ctx context.Context, s *offerScope) error {
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
func (r *MarketplaceOfferReconciler) adoptPublished(ctx context.Context, s *offerScope) error {
	offer := s.offer
	st, gen := &offer.Status, offer.Generation
	// Compared: what Partner Center can hold for the offer type.
	// Recorded: the digest syncDraft and certify compare, of the whole spec.
	full := draftDigest(draftFromSpec(&offer.Spec))
	holdable := func(d partnercenter.Draft) string {
		w, _ := writableDraft(string(offer.Spec.OfferType), normalizeDraft(d))
		return draftDigest(w)
	}
	spec := holdable(draftFromSpec(&offer.Spec))
	current, err := r.partnerCenter(ctx).GetDraft(ctx, st.ProductID)
	if err != nil {
		return pcError(err)
	}
	draft := holdable(*current)
	adoption := &v1alpha1.Adoption{Generation: gen}
	s.adoptionChanged = true
	if draft == spec {
		st.DraftDigest = full
		s.draft = draftFound
	}
	if offer.Spec.Target == v1alpha1.TargetDraft {
		st.Adoption = adoption
		return nil
	}
	subs, err := r.partnerCenter(ctx).ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return pcError(err)
	}
	preview, live := publishedSubmissions(subs)
	pub := preview
	if offer.Spec.Target == v1alpha1.TargetLive && live != nil {
		pub = live
	}
	if pub == nil { // never published: certify submits the draft
		st.Adoption = adoption
		return nil
	}
	// A preview pushed live is listed as the live submission: its
	// version is the live one.
	version := pub.Target
	held, err := r.partnerCenter(ctx).GetTarget(ctx, st.ProductID, version)
	if partnercenter.IsNotFound(err) { // not readable: certify submits the draft
		st.Adoption = adoption
		return nil
	}
	if err != nil {
		return pcError(err)
	}
	published := normalizeDraft(*held)
	digest := holdable(published)
	stopped := pub.Target == partnercenter.TargetLive && pub.State == partnercenter.LifecycleDeprecated
	if stopped && digest != spec {
		// The spec is not what was on sale: that earlier life's
		// submissions are not this object's. certify submits the spec,
		// and stalls with SaleStopped when Partner Center refuses it.
		st.Adoption = adoption
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
	ref := &v1alpha1.SubmissionRef{ID: pub.ID, Generation: gen, DraftDigest: digest, Result: v1alpha1.SubmissionSucceeded}
	st.PreviewSubmission = ref
	st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationPassed, Generation: gen}
	s.certification = certificationPassed
	if version == partnercenter.TargetLive {
		ls := *ref
		st.LiveSubmission = &ls
		st.LiveGeneration = gen
		if !stopped {
			s.live = liveSucceeded
		}
	}
	st.Adoption = adoption
	// mayAdopt recorded the take-over; what was left as found is a warning.
	switch {
	case stopped:
		r.Recorder.Eventf(offer, nil, "Warning", v1alpha1.ReasonSaleStopped, "Adopt", "%s", adoptedMessage(offer, s.adoptedDiff))
	case adoption.UnpublishedDraft:
		r.Recorder.Eventf(offer, nil, "Warning", v1alpha1.ReasonUnpublishedDraft, "Adopt", "%s", adoptedMessage(offer, s.adoptedDiff))
	}
	return nil
}

// publishedSubmissions returns the newest completed, succeeded preview and
// live submissions, if any (ListSubmissions lists the newest first). A
// preview pushed live is listed as the live submission: it stands for
// both, so it is also the preview when no newer preview exists.
func publishedSubmissions(subs []partnercenter.Submission) (preview, live *partnercenter.Submission) {
	for i := range subs {
		sub := &subs[i]
		if sub.Status != partnercenter.SubmissionCompleted || sub.Result != partnercenter.SubmissionSucceeded {
			continue
		}
		switch {
		case sub.Target == partnercenter.TargetLive && live == nil:
			live = sub
			if preview == nil {
				preview = sub
			}
		case sub.Target == partnercenter.TargetPreview && preview == nil && live == nil:
			preview = sub
		}
	}
	return preview, live
}

// holdAdopted keeps what adoption left as it found it while the adopted
// generation stands: an unpublished draft stays unpublished and a stopped
// sale stays stopped, and the rest of the phases do not run. A stopped
// sale also holds every later generation that would publish: Partner
// Center refuses to publish it, and the operator never restores a sale; it
// reads the product again to see whether a person restored it
// (saleRestored), and then publishes it again.
func (r *MarketplaceOfferReconciler) holdAdopted(ctx context.Context, s *offerScope) error {
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
		return errSkipRest
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
	return stalled(v1alpha1.ReasonSaleStopped, "%s", saleStoppedMessage(offer, stoppedWhenAdopted))
}

// writableDraft is the part of d that Partner Center can hold for the
// offer type (wire.OfferTypes, the published contract), and what of d it
// cannot: ConfigureDraft sends nothing for those fields, so they never
// differ from Partner Center in a way a write could change.
func writableDraft(offerType string, d partnercenter.Draft) (partnercenter.Draft, []string) {
	var dropped []string
	t, ok := wire.LookupOfferType(offerType)
	if !ok {
		return d, nil
	}
	if len(d.Listing.Keywords) > 0 {
		dropped = append(dropped, "spec.listing.keywords (no field in the published listing schema)")
		d.Listing.Keywords = nil
	}
	if l := d.Listing; t.ListingKind == "" && l.Title+l.Summary+l.ShortDescription+l.Description+l.PrivacyPolicyURL+l.SupportURL != "" {
		dropped = append(dropped, "spec.listing (Microsoft publishes no listing shape for "+offerType+")")
		d.Listing = partnercenter.Listing{}
	}
	if !t.Plans && len(d.Plans) > 0 {
		dropped = append(dropped, "spec.plans (Microsoft publishes no plan resources for "+offerType+")")
		d.Plans = nil
	}
	if !t.Reseller && d.Resell.Policy != string(v1alpha1.ResellNone) {
		dropped = append(dropped, "spec.resell (Microsoft publishes no reseller configuration for "+offerType+")")
		d.Resell = partnercenter.Resell{Policy: string(v1alpha1.ResellNone)}
	}
	return d, dropped
}

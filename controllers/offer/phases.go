package offer

import (
	"context"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// reconcileOffer checks what needs no Partner Center call (admit), then
// connects and runs the offer's phases in order, and sets its conditions
// and display phase from what they found.
func (r *MarketplaceOfferReconciler) reconcileOffer(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	s := &offerScope{offer: offer}
	upgradeOperation(&offer.Status)
	err := r.admit(ctx, s)
	if err == nil {
		var pc partnercenter.Client
		if pc, err = r.PartnerCenter.Connect(ctx, offer.Namespace); err == nil {
			return (&offerRun{MarketplaceOfferReconciler: r, pc: pc}).reconcile(ctx, s)
		}
		err = reconcile.PartnerCenterError(err)
	}
	// Stopped before the phases: no phase found what an event says.
	if observing(offer) {
		setObservedConditions(s)
	} else {
		setOfferConditions(s)
	}
	return err
}

// admit stalls, in every management policy and before any Partner Center
// call, an object whose spec its offer type refuses (an object stored
// before the CRD's offer-type rules existed: the same refusals as
// admission, api/v1alpha1/offerparts.go), then an object that does not
// own its offer ID (ownership.go) or migrates a solution
// another namespace decides: it reads and writes nothing of the offer at
// Partner Center.
func (r *MarketplaceOfferReconciler) admit(ctx context.Context, s *offerScope) error {
	offer := s.offer
	if msg := offer.Spec.OfferTypeRefusalMessage(); msg != "" {
		s.refused = true
		return s.stop(stopFact{kind: stallOfferTypeRefused, feedback: msg})
	}
	owner, err := r.offerIDOwner(ctx, offer)
	if err != nil {
		return err
	}
	if owner != offer {
		s.refused = true
		return offerIDTaken(offer, owner)
	}
	// An offer whose spec.migrateFrom names a legacy solution that a
	// Solution of another namespace decides (solution/ownership.go). A
	// draft migrated in the portal needs no check: the Solution that
	// verified it records Migrated and its product, which madeByMigration
	// accepts.
	if err := migrateFromDecidedElsewhere(ctx, r.Client, offer); err != nil {
		s.refused = reconcile.IsStalled(err)
		return err
	}
	return nil
}

// reconcile runs the phases over s.
func (r *offerRun) reconcile(ctx context.Context, s *offerScope) error {
	offer := s.offer
	if observing(offer) {
		err := r.observe(ctx, s)
		r.record(s, setObservedConditions(s))
		return err
	}
	err := reconcile.RunPhases(ctx, s, []reconcile.Phase[*offerScope]{
		// ensureProduct finds, adopts or creates the product (status.productID).
		{Name: "ensureProduct", Run: r.ensureProduct},
		// checkDrift reads the offer back on an edit, a request or the
		// resync: a draft changed outside is written back, a stopped sale
		// or deleted product stalls (drift.go).
		{Name: "checkDrift", Run: r.checkDrift},
		// followSolutions follows the Solutions migrating or merged into it.
		{Name: "followSolutions", Run: r.followSolutions},
		// adopt takes over a published product as Partner Center holds
		// it, without a write (adopt.go).
		{Name: "adopt", Run: r.adopt},
		// syncDraft writes the draft resources when they changed (DraftSynced).
		{Name: "syncDraft", Run: r.syncDraft},
		// recordDraftBaseline reads a draft just written once, the
		// baseline checkDrift compares with (drift.go).
		{Name: "recordDraftBaseline", Run: r.recordDraftBaseline},
		// certify submits the draft to preview and tracks certification (Certified).
		{Name: "certify", Run: r.certify},
		// goLive publishes the certified preview (Live, CoSellReady).
		{Name: "goLive", Run: r.goLive},
	})
	err = r.explainRefusal(ctx, s, err)
	r.record(s, setOfferConditions(s))
	if err == nil {
		err = driftLeftInPlace(s.offer)
	}
	return err
}

// record records the event the status decided on (status.go), if any.
func (r *offerRun) record(s *offerScope, ev *statusEvent) {
	if ev != nil {
		reconcile.Eventf(r.Recorder, s.offer, ev.eventType, ev.reason, ev.action, "%s", ev.note)
	}
}

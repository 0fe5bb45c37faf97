package offer

import (
	"context"
	"fmt"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// managementPolicy Observe: the operator only reads Partner Center and
// reports how it differs from the spec, in the InSync condition and an
// event, so that a team can review before it lets Git win. It runs
// instead of the offer's phases; nothing is written, no status.productID
// is recorded (switching to Manage then adopts only with the adopt
// annotation), and deletion leaves Partner Center as it is
// (finalizeOffer). Crossplane's managementPolicies ["Observe"] and Azure
// Service Operator's reconcile-policy: skip are the models.

// observing reports whether the offer is in managementPolicy Observe.
func observing(offer *v1alpha1.MarketplaceOffer) bool {
	return offer.Spec.ManagementPolicy == v1alpha1.ManagementPolicyObserve
}

// observe compares the spec with Partner Center (readObservation) and
// records whether every read succeeded; setObservedConditions (status.go)
// says what it found. At most four reads, no write.
func (r *offerRun) observe(ctx context.Context, s *offerScope) error {
	if err := r.readObservation(ctx, s); err != nil {
		return err
	}
	s.observed.complete = true
	return nil
}

// observePublished records the phase Partner Center's submissions show
// and how they differ from target, and returns the submission whose
// version is compared with the spec: nil when there is none to compare
// (target Draft, or nothing published).
func observePublished(obs *observation, target v1alpha1.OfferTarget, subs []partnercenter.Submission) *partnercenter.Submission {
	preview, live := publishedSubmissions(subs)
	switch {
	case live != nil && live.State != partnercenter.LifecycleDeprecated:
		obs.phase = v1alpha1.PhaseLive
	case preview != nil:
		obs.phase = v1alpha1.PhasePreview
	}
	if target == v1alpha1.TargetDraft {
		return nil
	}
	pub := preview
	if target == v1alpha1.TargetLive {
		pub = live
	}
	switch {
	case pub == nil && preview != nil:
		obs.differences = append(obs.differences, fmt.Sprintf("target: spec %s, Partner Center publishes a preview only", target))
		pub = preview
	case pub == nil:
		obs.differences = append(obs.differences, fmt.Sprintf("target: spec %s, Partner Center holds a draft only", target))
	case pub.State == partnercenter.LifecycleDeprecated:
		obs.differences = append(obs.differences, fmt.Sprintf("target: spec %s, the sale was stopped in Partner Center", target))
	}
	return pub
}

// readObservation reads the product (by status.productID, or by offer
// ID), its draft, its submissions and the version published at the
// spec's target, and compares each with the spec.
func (r *offerRun) readObservation(ctx context.Context, s *offerScope) error {
	offer := s.offer
	spec := &offer.Spec
	obs := &observation{phase: v1alpha1.PhaseDraft}
	s.observed = obs
	if spec.CoSell != nil {
		obs.notCompared = append(obs.notCompared, "spec.coSell (no published API reads the co-sell tab)")
	}
	var product *partnercenter.Product
	var err error
	if id := offer.Status.ProductID; id != "" {
		product, err = r.pc.GetProduct(ctx, id)
	} else {
		product, err = r.pc.FindProduct(ctx, spec.OfferID)
	}
	if partnercenter.IsNotFound(err) {
		obs.differences = append(obs.differences, fmt.Sprintf("product: Partner Center holds no product with offer ID %s", spec.OfferID))
		return nil
	}
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	obs.productID = product.ID
	if product.OfferType != string(spec.OfferType) {
		obs.differences = append(obs.differences, fmt.Sprintf("offerType: spec %s, Partner Center %s", spec.OfferType, product.OfferType))
		return nil
	}
	want, dropped := partnercenter.WritableDraft(string(spec.OfferType), draftFromSpec(spec))
	obs.notCompared = append(obs.notCompared, dropped...)
	holdable := func(d partnercenter.Draft) partnercenter.Draft {
		w, _ := partnercenter.WritableDraft(string(spec.OfferType), normalizeDraft(d))
		return w
	}
	draft, err := r.pc.GetDraft(ctx, product.ID)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	obs.differences = append(obs.differences, prefixed("draft ", draftDiff(want, holdable(*draft), "spec", "draft"))...)
	subs, err := r.pc.ListSubmissions(ctx, product.ID)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	pub := observePublished(obs, spec.Target, subs)
	if pub == nil {
		return nil
	}
	// A preview pushed live is listed as the live submission: its
	// version is the live one.
	version := pub.Target
	held, err := r.pc.GetTarget(ctx, product.ID, version)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	obs.differences = append(obs.differences, prefixed(string(version)+" ", draftDiff(want, holdable(*held), "spec", string(version)))...)
	return nil
}

func prefixed(prefix string, lines []string) []string {
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return lines
}

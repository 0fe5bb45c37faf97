package offer

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/offerdraft"
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

// maxDifferences bounds the differences InSync lists; the count says how
// many more there are.
const maxDifferences = 20

// observation is what observe found: the product, if any, and how
// Partner Center differs from the spec, one readable line per field.
type observation struct {
	productID   string
	differences []string
	// notCompared lists what the spec declares and no published API reads.
	notCompared []string
	// phase is where the offer is in Partner Center, for display.
	phase v1alpha1.OfferPhase
}

// observe compares the spec with Partner Center (readObservation) and,
// when the differences changed since the last reconcile, records them in
// an event. At most four reads, no write.
func (r *offerRun) observe(ctx context.Context, s *offerScope) error {
	if err := r.readObservation(ctx, s); err != nil {
		return err
	}
	msg := observedMessage(s.offer, s.observed)
	if c := meta.FindStatusCondition(s.offer.Status.Conditions, v1alpha1.InSyncCondition); c == nil || c.Message != msg {
		if len(s.observed.differences) > 0 {
			reconcile.Eventf(r.Recorder, s.offer, "Warning", v1alpha1.ReasonDiffers, "Observe", "%s", msg)
		} else {
			reconcile.Eventf(r.Recorder, s.offer, "Normal", v1alpha1.InSyncCondition, "Observe", "%s", msg)
		}
	}
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

// draftDiff lists, one readable line per field, how draft b differs from
// draft a (both normalised), naming them an and bn. The fields compared
// are the whole draft model (offerdraft.Diff, shared with
// `cosell-operator plan`), so a field added to it is never left out.
func draftDiff(a, b partnercenter.Draft, an, bn string) []string {
	var out []string
	for _, c := range offerdraft.Diff(a, b) {
		switch {
		case c.OnlyOld:
			out = append(out, fmt.Sprintf("%s: in %s only", c.Field, an))
		case c.OnlyNew:
			out = append(out, fmt.Sprintf("%s: in %s only", c.Field, bn))
		default:
			out = append(out, fmt.Sprintf("%s: %s %s, %s %s", c.Field, an, quoted(c.Old), bn, quoted(c.New)))
		}
	}
	return out
}

// quoted quotes a field's value for a message, shortened to 60 characters.
func quoted(v string) string {
	if r := []rune(v); len(r) > 60 {
		v = string(r[:57]) + "..."
	}
	return fmt.Sprintf("%q", v)
}

// setObservedConditions sets InSync from what observe found and, when the
// differences changed, records them in an event.
func setObservedConditions(s *offerScope) {
	obs := s.observed
	if s.refused {
		// Stalled before reading: nothing read earlier (perhaps of an
		// offer ID another object owns) stays in status.
		meta.RemoveStatusCondition(&s.offer.Status.Conditions, v1alpha1.InSyncCondition)
		return
	}
	if obs == nil { // a read failed: InSync stays as it was
		return
	}
	s.offer.Status.Phase = obs.phase
	msg := observedMessage(s.offer, obs)
	reconcile.SetCondition(&s.offer.Status.Conditions, s.offer.Generation, v1alpha1.InSyncCondition, len(obs.differences) == 0,
		inSyncReason(obs), "%s", msg)
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

package offer

import (
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Drift made visible: what the resync finds changed outside the operator
// is counted by kind of difference (cosell_offer_drift_detected_total,
// cosell_offer_drift_corrected_total, metrics.go), and in driftPolicy
// Report it is left as it is and reported in the InSync condition and a
// Warning event instead of being written back.

// The kinds of difference the drift counters use: a bounded set, one per
// part of the offer the draft comparison (draftDiff) names, plus lifecycle
// (a sale stopped or a product deleted outside the operator) and other (a
// change in a part the comparison does not name).
const (
	driftListing   = "listing"
	driftPlans     = "plans"
	driftPricing   = "pricing"
	driftResell    = "resell"
	driftLifecycle = "lifecycle"
	driftOther     = "other"
)

// driftKind is the kind of difference of one line of draftDiff.
func driftKind(line string) string {
	field, _, _ := strings.Cut(line, ":")
	switch {
	case strings.HasPrefix(field, "listing."):
		return driftListing
	case strings.HasPrefix(field, "plans[") && (strings.HasSuffix(field, ".pricing") || strings.HasSuffix(field, ".price")):
		return driftPricing
	case strings.HasPrefix(field, "plans["):
		return driftPlans
	case strings.HasPrefix(field, "resell."):
		return driftResell
	}
	return driftOther
}

// driftKinds is the sorted set of kinds of the differences; other when
// there is none to name (the draft changed in a part not compared).
func driftKinds(diffs []string) []string {
	if len(diffs) == 0 {
		return []string{driftOther}
	}
	var kinds []string
	for _, d := range diffs {
		if k := driftKind(d); !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// draftDrift lists how the draft read from Partner Center differs from the
// spec, both in the form Partner Center holds (as observe compares them).
func draftDrift(spec *v1alpha1.MarketplaceOfferSpec, read partnercenter.Draft) []string {
	want, _ := partnercenter.WritableDraft(string(spec.OfferType), draftFromSpec(spec))
	held, _ := partnercenter.WritableDraft(string(spec.OfferType), normalizeDraft(read))
	return draftDiff(want, held, "spec", "Partner Center")
}

// initDriftMetrics makes the drift series of the offer's namespace exist
// at zero, once per namespace, so that increase() and rate() see the
// first drift.
func initDriftMetrics(offer *v1alpha1.MarketplaceOffer) {
	if _, done := driftNamespaces.LoadOrStore(offer.Namespace, true); done {
		return
	}
	for _, k := range []string{driftListing, driftPlans, driftPricing, driftResell, driftLifecycle, driftOther} {
		driftDetected.WithLabelValues(offer.Namespace, k)
		if k != driftLifecycle {
			driftCorrected.WithLabelValues(offer.Namespace, k)
		}
	}
}

// countDrift adds one to counter for each kind, labelled with the offer's
// namespace.
func countDrift(counter *prometheus.CounterVec, offer *v1alpha1.MarketplaceOffer, kinds []string) {
	for _, k := range kinds {
		counter.WithLabelValues(offer.Namespace, k).Inc()
	}
}

// reportDrift records, in driftPolicy Report, a draft changed outside the
// operator and left as it is: from its differences setDriftReportCondition
// (status.go) turns InSync False, and driftLeftInPlace (status.go) stalls
// the offer (the skeleton's Warning event DriftReported says so once per
// new or changed difference). The detected counter marks the transition
// only, not each resync that finds it still there.
func (r *offerRun) reportDrift(s *offerScope, diffs []string) {
	offer := s.offer
	if len(diffs) == 0 {
		diffs = []string{"the draft changed in a part the operator does not compare"}
	}
	s.driftChecked, s.driftDiffs = true, diffs
	if driftAlreadyReported(offer, diffs) {
		return
	}
	countDrift(driftDetected, offer, driftKinds(diffs))
}

// correctionPending records, in driftPolicy Correct, the kinds of a drift
// about to be written back; correctionDone counts them corrected once the
// write is read back (recordDraftBaseline). Kept in memory: a correction
// under way when the operator restarts is not counted.
func (r *offerRun) correctionPending(offer *v1alpha1.MarketplaceOffer, kinds []string) {
	r.resyncs.corrections.Store(client.ObjectKeyFromObject(offer), kinds)
}

func (r *offerRun) correctionDone(offer *v1alpha1.MarketplaceOffer) {
	key := client.ObjectKeyFromObject(offer)
	if kinds, ok := r.resyncs.corrections.Load(key); ok {
		countDrift(driftCorrected, offer, kinds)
		r.resyncs.corrections.Delete(key)
	}
}

package offer

import (
	"context"
	"errors"
	"hash/fnv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Drift: what people (or other tools) change in Partner Center behind the
// operator's back. The offer is read back from Partner Center on a slow
// timer (the resync), each object at its own moment of the period, on
// every edit of the spec, and when a reconcile is requested through the
// reconcile-requested-at annotation:
//
//   - a draft edited outside the operator is written back (Git wins),
//     with a DriftDetected event and DraftSynced reasons driftDetected,
//     then DriftCorrected;
//   - a sale stopped outside the operator turns Live False with reason
//     SaleStopped, a product deleted outside it Live False with reason
//     ProductDeleted, and both stall the offer saying what to do: nothing
//     is re-created, restored or published again on the operator's own.
//
// Cost, per object and resync: one read of the product's submissions and,
// when the draft is at rest (written, no job writing it), one read of the
// draft: two reads. A product found deleted costs the submissions read and
// one product read that confirms it; a stopped sale only the submissions
// read and one product read (a restored product reads generallyAvailable
// while its old live submission stays deprecated). After each write of the draft, one more read records what Partner
// Center returned (the baseline the resync compares with). An edit costs
// one read (the submissions) before the draft is written. A resync that
// finds nothing writes nothing, to Partner Center or to the API server:
// when the next one is due is computed (resyncSchedule), not stored.
//
// What Microsoft publishes: a sale is stopped through the live submission,
// with lifecycleState deprecated (the SaaS page of the Product Ingestion
// API), so a stopped sale is read as the current live submission's
// lifecycleState deprecated. Microsoft publishes nothing on how a deleted
// product answers reads: the simulator answers 404, and the adapter reports
// a 404 or a product with lifecycleState deleted as not found; so a
// submissions read that is not found is confirmed with GetProduct before
// the offer is reported deleted. A restore is documented as the
// lifecycleState generallyAvailable, after which the product must be
// published to preview and live again: an offer whose product reads
// generallyAvailable again is published again by the operator; one whose
// current live submission is no longer deprecated (restored and published
// outside) is Live again.
// The co-sell tab has no read in the port: its drift is not detected.

const (
	// DefaultResyncInterval is how often an offer is read back from
	// Partner Center when neither the manager's --resync-interval nor the
	// offer's spec.resyncInterval says otherwise.
	DefaultResyncInterval = time.Hour
	// draftDrifted stands in status.draftDigest for a draft found changed
	// outside the operator: it differs from every digest, so syncDraft
	// writes the spec's draft again (without reading it first, as it would
	// for an empty digest).
	draftDrifted = "drifted"
)

// Why checkDrift reads Partner Center in this reconcile.
const (
	checkResync  = "resync"
	checkEdit    = "edit"
	checkRequest = "request"
)

// resyncInterval is the offer's resync interval: spec.resyncInterval, else
// the manager's. Zero means the resync is off.
func resyncInterval(offer *v1alpha1.MarketplaceOffer, opts *reconcile.Options) time.Duration {
	if ri := offer.Spec.ResyncInterval; ri != nil && ri.Duration > 0 {
		return ri.Duration
	}
	if opts.ResyncInterval < 0 {
		return 0
	}
	if opts.ResyncInterval == 0 {
		return DefaultResyncInterval
	}
	return opts.ResyncInterval
}

// resyncSlot is the first of the object's resync slots at or after t: one
// per interval, at a fixed offset from the Unix epoch taken from a hash of
// its UID, so that objects are spread evenly over the period.
func resyncSlot(t time.Time, interval time.Duration, uid types.UID) time.Time {
	h := fnv.New64a()
	_, _ = h.Write([]byte(uid))
	offset := int64(h.Sum64() % uint64(interval)) //nolint:gosec // interval > 0, so the remainder fits an int64
	from := t.UnixNano() - offset
	slot := (from + int64(interval) - 1) / int64(interval) // ceiling, for times after 1970
	return time.Unix(0, slot*int64(interval)+offset)
}

// forget drops the entries of an offer that no longer exists.
func (s *resyncSchedule) forget(key types.NamespacedName) {
	s.due.Delete(key)
	s.corrections.Delete(key)
}

// resyncDueAt is when the offer's next resync is due: as its last check
// in this process set it, else (first seen, or its interval changed) its
// next slot from now.
func (r *MarketplaceOfferReconciler) resyncDueAt(offer *v1alpha1.MarketplaceOffer, interval time.Duration) time.Time {
	key := client.ObjectKeyFromObject(offer)
	if e, ok := r.resyncs.due.Load(key); ok && e.uid == offer.UID && e.interval == interval {
		return e.at
	}
	at := resyncSlot(r.Clock.Now(), interval, offer.UID)
	r.resyncs.due.Store(key, resyncEntry{uid: offer.UID, at: at, interval: interval})
	return at
}

// markChecked records that the offer was read back now (and makes its
// namespace's drift series exist): its next resync is its first slot at least half an
// interval later, whatever (an edit, a requested reconcile, its slot) made
// it read.
func (r *offerRun) markChecked(offer *v1alpha1.MarketplaceOffer) {
	initDriftMetrics(offer)
	interval := resyncInterval(offer, &r.Options)
	if interval <= 0 {
		return
	}
	at := resyncSlot(r.Clock.Now().Add(interval/2), interval, offer.UID)
	r.resyncs.due.Store(client.ObjectKeyFromObject(offer), resyncEntry{uid: offer.UID, at: at, interval: interval})
}

// resyncAfter is how long a settled offer waits for its next resync; zero
// when the resync is off or the offer has no product yet.
func (r *MarketplaceOfferReconciler) resyncAfter(offer *v1alpha1.MarketplaceOffer) time.Duration {
	interval := resyncInterval(offer, &r.Options)
	if interval <= 0 || offer.Status.ProductID == "" {
		return 0
	}
	return max(r.resyncDueAt(offer, interval).Sub(r.Clock.Now()), time.Second)
}

// checkReason says why checkDrift should read Partner Center now: an edit
// of the spec, a requested reconcile, or a due resync; "" when nothing
// asks for a read.
func (r *offerRun) checkReason(ctx context.Context, offer *v1alpha1.MarketplaceOffer) string {
	switch {
	case offer.Generation != offer.Status.ObservedGeneration:
		return checkEdit
	case reconcile.RetryRequested(ctx):
		return checkRequest
	}
	if interval := resyncInterval(offer, &r.Options); interval > 0 && !r.Clock.Now().Before(r.resyncDueAt(offer, interval)) {
		return checkResync
	}
	return ""
}

// checkDrift reads the offer back from Partner Center when an edit, a
// requested reconcile or the resync asks for it (see checkReason). A sale
// stopped or a product deleted outside the operator stalls the offer, and
// keeps it stalled, without reading again, until a later check finds
// otherwise. A draft changed outside the operator is marked for syncDraft
// to write again.
func (r *offerRun) checkDrift(ctx context.Context, s *offerScope) error {
	offer := s.offer
	st := &offer.Status
	if st.ProductID == "" {
		return nil
	}
	if adoptionHeld(offer) || adopting(s) && coSellFromSpec(&offer.Spec) == nil {
		// About to be adopted (the adopt phase reads what Partner Center
		// holds, a stopped sale included, and reports it), or
		// adopted with something left as Partner Center held it (an
		// unpublished draft, a stopped sale): the adopt phase reports it,
		// and nothing is written back until the spec changes. An adopted
		// stopped sale is read again when a check is due: a person may
		// have restored it, as its message asks.
		if a := st.Adoption; adoptionHeld(offer) && a.SaleStopped && r.checkReason(ctx, offer) != "" {
			restored, err := r.saleRestored(ctx, st.ProductID)
			if err != nil {
				return err
			}
			if restored {
				a.SaleStopped, s.adoptionChanged = false, true
				r.republishRestored(s)
			}
		}
		r.markChecked(offer)
		return nil
	}
	if s.createdProduct || s.migratedProduct {
		// Nothing was changed outside yet: a product just created, or
		// just made by the migration into the offer (found this
		// reconcile, its migrated draft read once by syncDraft), was never
		// published, so no sale can have been stopped. The first resync
		// is due an interval after.
		r.markChecked(offer)
		return nil
	}
	why := r.checkReason(ctx, offer)
	if why == "" {
		return driftStall(offer)
	}
	wasGone := driftStall(offer) != nil
	if err := r.productGone(ctx, s); err != nil {
		if reconcile.IsStalled(err) {
			r.markChecked(offer)
		}
		return err
	}
	r.markChecked(offer)
	switch {
	case wasGone && s.restored:
		// Restored by a person, as the stall asked: publish it again.
		r.republishRestored(s)
	case wasGone:
		s.live = liveResumed
	}
	if why == checkEdit {
		return nil // the edit's draft is written next: no draft read
	}
	return r.compareDraft(ctx, s)
}

// productGone reads the product's submissions (one read) and returns a
// stalled error, with s.live set, when the product's sale was stopped or
// the product was deleted outside the operator; otherwise nil, or the read's
// error.
func (r *offerRun) productGone(ctx context.Context, s *offerScope) error {
	wasGone := driftStall(s.offer) != nil
	err := r.readProductGone(ctx, s)
	if !wasGone && reconcile.IsStalled(err) {
		countDrift(driftDetected, s.offer, []string{driftLifecycle})
	}
	return err
}

// readProductGone is productGone without the count of a new stall.
func (r *offerRun) readProductGone(ctx context.Context, s *offerScope) error {
	offer := s.offer
	st := &offer.Status
	s.productChecked = true
	subs, err := r.pc.ListSubmissions(ctx, st.ProductID)
	if partnercenter.IsNotFound(err) {
		// Microsoft publishes nothing on how a deleted product answers:
		// confirm with the product itself before saying it is gone.
		_, perr := r.pc.GetProduct(ctx, st.ProductID)
		switch {
		case partnercenter.IsNotFound(perr):
			s.live = liveProductDeleted
			return s.stop(stopFact{kind: stallProductDeleted})
		case perr != nil:
			return reconcile.PartnerCenterError(perr)
		}
		return err // the product is there but its submissions are not: retry
	}
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	live := currentLive(subs)
	if live == nil || live.State != partnercenter.LifecycleDeprecated {
		return nil
	}
	restored, err := r.saleRestored(ctx, st.ProductID)
	if err != nil {
		return err
	}
	if restored {
		s.restored = true
		return nil
	}
	s.live, s.stoppedSubmission = liveSaleStopped, live.ID
	return s.stop(stopFact{kind: stallSaleStopped, submission: live.ID})
}

// saleRestored reads the product of a stopped sale (its live submission
// deprecated, or a publish refused as invalidState) and reports whether a
// person restored it since. A restore sets the product back to
// generallyAvailable and leaves the deprecated live submission as it is
// until the product is published again (the SaaS page: a restored product
// must be published to preview and live again), so the product tells the
// two apart, not the submission.
func (r *offerRun) saleRestored(ctx context.Context, productID string) (bool, error) {
	product, err := r.pc.GetProduct(ctx, productID)
	if err != nil {
		return false, reconcile.PartnerCenterError(err)
	}
	return product.State != partnercenter.LifecycleDeprecated, nil
}

// republishRestored forgets the submissions of a product whose stopped
// sale a person restored, so that certify and goLive publish it to
// preview and live again, as Microsoft requires after a restore.
func (r *offerRun) republishRestored(s *offerScope) {
	st := &s.offer.Status
	st.PreviewSubmission, st.LiveSubmission, st.Certification = nil, nil, nil
	s.live = liveRestored
	if r.Recorder != nil {
		reconcile.Eventf(r.Recorder, s.offer, "Normal", "SaleRestored", "Resync",
			"product %s was restored in Partner Center; publishing generation %d to preview and live again", st.ProductID, s.offer.Generation)
	}
}

// currentLive is the product's newest live submission, or nil (subs are
// newest first, as ListSubmissions returns them).
func currentLive(subs []partnercenter.Submission) *partnercenter.Submission {
	for i := range subs {
		if subs[i].Target == partnercenter.TargetLive {
			return &subs[i]
		}
	}
	return nil
}

// driftStall returns the stall a check recorded in the Live condition (a
// stopped sale or a deleted product), or nil.
func driftStall(offer *v1alpha1.MarketplaceOffer) error {
	c := meta.FindStatusCondition(offer.Status.Conditions, v1alpha1.LiveCondition)
	if c == nil || c.Status != metav1.ConditionFalse {
		return nil
	}
	switch c.Reason {
	case v1alpha1.ReasonSaleStopped, v1alpha1.ReasonProductDeleted:
		return stopFact{kind: stallConditionKept, reason: c.Reason, feedback: c.Message}.outcome(offer)
	}
	return nil
}

// settledDraft reports whether the draft in Partner Center should hold
// what status.draftDigest says the operator wrote: the spec's draft is the
// one written, and no job is creating the product or writing the draft.
func settledDraft(offer *v1alpha1.MarketplaceOffer) bool {
	st := &offer.Status
	if st.DraftDigest == "" || st.DraftDigest != specDigest(draftFromSpec(&offer.Spec), coSellFromSpec(&offer.Spec)) {
		return false
	}
	if ref := st.Operation; ref != nil {
		if purpose := ref.Purpose; purpose == jobDraft || purpose == jobCreate {
			return false
		}
	}
	return true
}

// recordDraftBaseline runs after syncDraft: it reads the draft once after
// each write (one read), in the reconcile that finds the write done, and
// records the digest of what Partner Center returned. What the adapter
// could not write, or wrote in its own form, is then not taken for drift.
func (r *offerRun) recordDraftBaseline(ctx context.Context, s *offerScope) error {
	st := &s.offer.Status
	if st.ProductID == "" || !settledDraft(s.offer) || (st.Resync != nil && st.Resync.DraftDigest == st.DraftDigest) {
		return nil
	}
	read, err := r.readDraftDigest(ctx, st.ProductID)
	if err != nil && partnercenter.ClassOf(err) == partnercenter.ClassTransient {
		return err
	}
	if st.Resync == nil {
		st.Resync = &v1alpha1.Resync{}
	}
	// A draft Partner Center refuses to return does not hold up
	// publishing: the read is tried again at the next resync only.
	st.Resync.DraftDigest, st.Resync.ReadDigest = st.DraftDigest, read
	if err != nil {
		logf.FromContext(ctx).Info("reading the draft back failed; drift of the draft is looked for at the next resync", "error", err.Error())
		return nil
	}
	// The draft holds what was just written: a drift written back is
	// corrected, one reported is gone.
	s.driftChecked, s.driftDiffs = true, nil
	r.correctionDone(s.offer)
	return nil
}

// compareDraft reads the settled draft (one read) and compares it with
// the baseline: a draft that differs was changed outside the operator, and
// syncDraft writes the spec's draft back. Without a baseline for the
// current draft, the read becomes the baseline.
func (r *offerRun) compareDraft(ctx context.Context, s *offerScope) error {
	offer := s.offer
	st := &offer.Status
	rs := st.Resync
	if !settledDraft(offer) {
		return nil
	}
	if rs == nil || rs.DraftDigest != st.DraftDigest || rs.ReadDigest == "" {
		st.Resync = nil // read it, also after a failed read
		return r.recordDraftBaseline(ctx, s)
	}
	draft, err := r.pc.GetDraft(ctx, st.ProductID)
	if err != nil {
		if partnercenter.ClassOf(err) == partnercenter.ClassTransient {
			return err
		}
		logf.FromContext(ctx).Info("reading the draft back failed; drift of the draft is looked for at the next resync", "error", err.Error())
		return nil
	}
	if draftDigest(normalizeDraft(*draft)) == rs.ReadDigest {
		s.driftChecked, s.driftDiffs = true, nil
		return nil
	}
	diffs := draftDrift(&offer.Spec, *draft)
	if offer.Spec.DriftPolicy == v1alpha1.DriftPolicyReport {
		// Left as it is, and the baseline kept: each resync compares
		// with what the operator wrote.
		r.reportDrift(s, diffs)
		return nil
	}
	kinds := driftKinds(diffs)
	countDrift(driftDetected, offer, kinds)
	r.correctionPending(offer, kinds)
	if r.Recorder != nil {
		reconcile.Eventf(r.Recorder, offer, "Warning", v1alpha1.ReasonDriftDetected, "Resync",
			"the draft of product %s was changed outside the operator (in the Partner Center portal or by another client); writing the draft of generation %d back",
			st.ProductID, offer.Generation)
	}
	// Written back, the draft is read again for a new baseline: a change
	// the write cannot undo is reported once, not at every resync.
	st.DraftDigest, rs.DraftDigest, rs.ReadDigest = draftDrifted, "", ""
	s.driftFound = true
	return nil
}

// readDraftDigest reads the draft (one read) and returns its digest, or
// Partner Center's error as it is.
func (r *offerRun) readDraftDigest(ctx context.Context, productID string) (string, error) {
	d, err := r.pc.GetDraft(ctx, productID)
	if err != nil {
		return "", err
	}
	return draftDigest(normalizeDraft(*d)), nil
}

// explainRefusal checks, after the phases failed with what a stopped sale
// or a deleted product causes (not found, an invalid state), whether that
// is what happened, when checkDrift did not read this reconcile: an edit
// racing a change in the portal then stalls saying what happened instead
// of retrying a refusal forever. It returns the stall, or err unchanged.
func (r *offerRun) explainRefusal(ctx context.Context, s *offerScope, err error) error {
	if err == nil || s.productChecked || s.offer.Status.ProductID == "" || !mayBeGone(err) {
		return err
	}
	if gone := r.productGone(ctx, s); gone != nil && reconcile.IsStalled(gone) {
		r.markChecked(s.offer)
		return gone
	}
	return err
}

// mayBeGone reports whether err is what Partner Center answers about a
// product deleted or no longer on sale: not found, a conflict with its
// state, or a refusal carrying resourceNotFound or invalidState.
func mayBeGone(err error) bool {
	switch partnercenter.ClassOf(err) {
	case partnercenter.ClassNotFound, partnercenter.ClassConflict:
		return true
	}
	var st *reconcile.StalledError
	if !errors.As(err, &st) {
		return false
	}
	for _, code := range []string{partnercenter.CodeResourceNotFound, partnercenter.CodeInvalidState, partnercenter.CodeInvalidEntityStatus} {
		if strings.Contains(st.Message, "["+code+"]") {
			return true
		}
	}
	return false
}

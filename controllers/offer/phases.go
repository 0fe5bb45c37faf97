package offer

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// offerScope is what the offer's phases found out in one reconcile. The
// phases record it, with the IDs, digests and submissions they keep in
// status; the status functions (status.go) compute the
// conditions from it.
type offerScope struct {
	// offer is the object reconciled.
	offer *v1alpha1.MarketplaceOffer
	// refused is set by admit when the offer stalled before any Partner
	// Center call: its offer type refuses the spec, or another object owns
	// its offer ID. Nothing read before is kept (InSync goes).
	refused bool
	// lostCreate is set by ensureProduct when it cleared a create-pending
	// mark that no create job's detail resolved to a product: a product
	// found then is taken only through adoption.
	lostCreate bool
	// createdProduct is set by ensureProduct when it created the product,
	// whose draft is then known to be empty.
	createdProduct bool
	// migratedProduct is set by ensureProduct when it found the product a
	// Solution migrated into the offer, never published by anyone yet.
	migratedProduct bool
	// draft is set by syncDraft: what it found of the draft in Partner
	// Center; draftUnknown while it waits on a job it started before.
	draft draftFact
	// draftJob is set by syncDraft with draftWriting: the job it started.
	draftJob string
	// draftFeedback is set by syncDraft with draftRejected: why Partner
	// Center refused the draft (the job's errors).
	draftFeedback []partnercenter.FeedbackItem
	// unwritten is set by syncDraft when it wrote the draft: what of the
	// spec has no published place (Job.Unwritten, ConfigureCoSell's answer).
	unwritten []partnercenter.FeedbackItem
	// draftJobStarted is set by syncDraft when it saw the draft job of a
	// previous reconcile complete: when that job was started. A process
	// that stopped after submitting the draft but before recording the
	// submission left this job in status; certify then looks for that
	// submission before submitting again.
	draftJobStarted *metav1.Time
	// submitJob is set by certify with certificationSubmitting and by goLive
	// with liveSubmitting: the submission job in flight.
	submitJob string
	// certification is set by certify: where the preview submission stands.
	certification certificationFact
	// live is set by goLive: where the live submission stands; or by
	// checkDrift: a sale stopped or a product deleted outside the operator.
	live liveFact
	// adoptionChanged is set by adopt when it adopted the product or
	// released what it held (status.adoption); adoptedDiff is what
	// differed between the published version and the draft then.
	adoptionChanged bool
	adoptedDiff     []string
	// adoptedPublished is set by adopt when it took over a published
	// product this reconcile (adoptPublished): what it left as it found
	// it is then warned of (adoptionEvent, status.go).
	adoptedPublished bool
	// observed is set by observe (managementPolicy Observe): how Partner
	// Center differs from the spec.
	observed *observation
	// stoppedSubmission is set by checkDrift with liveSaleStopped: the
	// deprecated live submission.
	stoppedSubmission string
	// stopped is set by the phase that ended the phases before the offer
	// reached its target: what it waits for or stalls on (status.go says
	// it).
	stopped *stopFact
	// driftFound is set by checkDrift when the draft in Partner Center was
	// changed outside the operator; syncDraft then writes it back.
	driftFound bool
	// driftChecked is set when the draft was read back this reconcile
	// (compareDraft, recordDraftBaseline); driftDiffs then lists the
	// fields changed outside the operator and left as they are
	// (driftPolicy Report), empty when the draft holds what was written.
	driftChecked bool
	driftDiffs   []string
	// restored is set by checkDrift when the product's sale, stopped,
	// was restored (lifecycleState generallyAvailable) but not published
	// again.
	restored bool
	// productChecked is set once this reconcile read the product's state
	// (checkDrift, explainRefusal), so that it is read at most once.
	productChecked bool
}

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

// offerRun is one reconcile of an offer: the reconciler and the Partner
// Center client of the offer's namespace (Connect).
type offerRun struct {
	*MarketplaceOfferReconciler
	pc partnercenter.Client
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

func (r *offerRun) since(t *metav1.Time) time.Duration {
	if t == nil {
		return 0
	}
	return r.Clock.Since(t.Time)
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (r *offerRun) now() metav1.Time { return metav1.NewTime(r.Clock.Now()) }

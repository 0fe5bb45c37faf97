package controllers

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// OfferFinalizer holds a MarketplaceOffer with deletionPolicy Delete until
// its offer has been deleted or its sale stopped in Partner Center.
const OfferFinalizer = "marketplace.cosell.io/offer-cleanup"

// Options tune both reconcilers.
type Options struct {
	// Concurrency is the number of objects reconciled at once.
	Concurrency int
	// RateLimiter backs off objects whose reconcile failed.
	RateLimiter workqueue.TypedRateLimiter[reconcile.Request]
	// StalledRecheck is how often a stalled object is checked again.
	StalledRecheck time.Duration
	// CredentialsSecret, when set, is the Secret holding Partner Center
	// credentials; its changes wake every object that is not Ready.
	CredentialsSecret *types.NamespacedName
	// MinPoll and MaxPoll bound the interval of polls of Partner Center's
	// long-running work (jobs, certification, merges).
	MinPoll, MaxPoll time.Duration
}

func (o *Options) defaults() {
	if o.StalledRecheck == 0 {
		o.StalledRecheck = 10 * time.Minute
	}
	if o.MinPoll == 0 {
		o.MinPoll = 250 * time.Millisecond
	}
	if o.MaxPoll == 0 {
		o.MaxPoll = 2 * time.Minute
	}
}

// MarketplaceOfferReconciler takes MarketplaceOffers through draft,
// certification, preview and live in Partner Center.
type MarketplaceOfferReconciler struct {
	client.Client
	PartnerCenter partnercenter.Client
	Recorder      recorder.EventRecorder
	Clock         clock.PassiveClock
	Options       Options
}

// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=marketplace.cosell.io,resources=marketplaceoffers/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// SetupWithManager registers the reconciler; the field indexes must exist
// (see IndexFields).
func (r *MarketplaceOfferReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.PartnerCenter == nil {
		return fmt.Errorf("MarketplaceOfferReconciler needs a Partner Center client")
	}
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	r.Options.defaults()
	b := ctrl.NewControllerManagedBy(mgr).
		For(&v1.MarketplaceOffer{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// A Solution migrating into or merged into an offer wakes it: the
		// offer adopts the migrated draft and lists merged solutions.
		Watches(&v1.Solution{}, handler.EnqueueRequestsFromMapFunc(offersOfSolution),
			builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, solutionStateChanged)))
	if s := r.Options.CredentialsSecret; s != nil {
		b = b.Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.notReadyOffers), builder.WithPredicates(isSecret(*s)))
	}
	return b.WithOptions(controller.Options{MaxConcurrentReconciles: max(r.Options.Concurrency, 1), RateLimiter: r.Options.RateLimiter}).
		Named("marketplaceoffer").
		Complete(r)
}

// Reconcile follows a fixed opening: get, finalizer, one deferred status
// patch, then the ordered phases.
func (r *MarketplaceOfferReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	offer := &v1.MarketplaceOffer{}
	if err := r.Get(ctx, req.NamespacedName, offer); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	// Only deletionPolicy Delete needs a finalizer: Orphan leaves Partner
	// Center alone, so deleting the object must not wait for the operator.
	wantFinalizer := offer.Spec.DeletionPolicy == v1.DeletionPolicyDelete && offer.DeletionTimestamp.IsZero()
	if wantFinalizer != controllerutil.ContainsFinalizer(offer, OfferFinalizer) && offer.DeletionTimestamp.IsZero() {
		patch := client.MergeFrom(offer.DeepCopy())
		if wantFinalizer {
			controllerutil.AddFinalizer(offer, OfferFinalizer)
		} else {
			controllerutil.RemoveFinalizer(offer, OfferFinalizer)
		}
		if err := r.Patch(ctx, offer, patch); err != nil {
			return ctrl.Result{}, err
		}
	}

	base := offer.DeepCopy()
	gen := offer.Generation
	defer func() {
		if err := r.patchStatus(ctx, base, offer); err != nil && retErr == nil {
			retErr = err
		}
	}()

	if !offer.DeletionTimestamp.IsZero() {
		return r.finalize(ctx, offer)
	}
	if offer.Spec.Suspend {
		summarizeSuspended(&offer.Status.Conditions, gen)
		offer.Status.ObservedGeneration = gen
		return ctrl.Result{}, nil
	}
	markStale(&offer.Status.Conditions, gen)

	err := r.reconcileOffer(ctx, offer)
	o := classify(err, v1.ReasonPartnerCenterError)
	offer.Status.Phase = offerPhase(&offer.Status)
	summarize(&offer.Status.Conditions, gen, o, readyMessage(offer))
	if o.kind != outcomeError {
		offer.Status.ObservedGeneration = gen
	}
	switch o.kind {
	case outcomeError:
		logf.FromContext(ctx).Info("Partner Center call failed; retrying with backoff", "error", err.Error())
		return ctrl.Result{}, err
	case outcomeStalled:
		return ctrl.Result{RequeueAfter: jitter(r.Options.StalledRecheck)}, nil
	case outcomeWaiting:
		return ctrl.Result{RequeueAfter: o.after}, nil
	}
	return ctrl.Result{}, nil
}

// reconcileOffer runs the phases in order; each returns nil when its part
// of the desired state holds, and a waiting, stalled or transient error
// otherwise.
//
//   - ensureProduct finds, adopts or creates the product (status.productID).
//   - observeSolutions follows the Solutions migrating or merged into it.
//   - syncDraft writes the draft resources when they changed (DraftSynced).
//   - certify submits the draft to preview and tracks certification (Certified).
//   - goLive publishes the certified preview (Live, CoSellReady).
func (r *MarketplaceOfferReconciler) reconcileOffer(ctx context.Context, offer *v1.MarketplaceOffer) error {
	created, err := r.ensureProduct(ctx, offer)
	if err != nil {
		return err
	}
	if err := r.observeSolutions(ctx, offer); err != nil {
		return err
	}
	if err := r.syncDraft(ctx, offer, created); err != nil {
		return err
	}
	if offer.Spec.Target == v1.TargetDraft {
		setCondition(&offer.Status.Conditions, offer.Generation, v1.CertifiedCondition, false, v1.ReasonNotRequested,
			"target is Draft: set spec.target to Preview or Live to publish")
		return nil
	}
	if err := r.certify(ctx, offer); err != nil {
		return err
	}
	if offer.Spec.Target != v1.TargetLive {
		return nil
	}
	return r.goLive(ctx, offer)
}

// patchStatus writes the status once, only when it changed, and records an
// event when the phase or readiness changed.
func (r *MarketplaceOfferReconciler) patchStatus(ctx context.Context, base, offer *v1.MarketplaceOffer) error {
	if equality.Semantic.DeepEqual(base.Status, offer.Status) {
		return nil
	}
	if err := r.Status().Patch(ctx, offer, client.MergeFrom(base)); err != nil {
		return client.IgnoreNotFound(err)
	}
	recordOfferTransitions(r.Recorder, base, offer)
	observeOffer(base, offer)
	return nil
}

// readyMessage is Ready's message once the offer reached its target.
func readyMessage(offer *v1.MarketplaceOffer) string {
	st := &offer.Status
	switch offer.Spec.Target {
	case v1.TargetLive:
		return fmt.Sprintf("generation %d is live at %s", st.LiveGeneration, st.LiveURL)
	case v1.TargetPreview:
		return fmt.Sprintf("generation %d passed certification and is in preview", offer.Generation)
	}
	return fmt.Sprintf("draft of generation %d is in Partner Center (product %s)", offer.Generation, st.ProductID)
}

// offerPhase derives the display phase from the status. It does no I/O.
func offerPhase(st *v1.MarketplaceOfferStatus) v1.OfferPhase {
	certified := meta.FindStatusCondition(st.Conditions, v1.CertifiedCondition)
	live := meta.IsStatusConditionTrue(st.Conditions, v1.LiveCondition)
	ps, ls := st.PreviewSubmission, st.LiveSubmission
	// A submission job in flight: Partner Center certifies (or pushes
	// live) before the job completes and names the submission.
	if ref := st.ConfigureJob; ref != nil {
		switch purpose, _ := parseJobRef(ref.ID); purpose {
		case jobPreview:
			return v1.PhaseCertifying
		case jobLive:
			return v1.PhaseGoingLive
		}
	}
	switch {
	case ps != nil && ps.Result == v1.SubmissionInProgress:
		return v1.PhaseCertifying
	case ps != nil && ps.Result == v1.SubmissionFailed && ps.DraftDigest == st.DraftDigest:
		return v1.PhaseCertificationFailed
	case ls != nil && ls.Result == v1.SubmissionInProgress:
		return v1.PhaseGoingLive
	case live && (ps == nil || ls != nil && ls.DraftDigest == ps.DraftDigest):
		return v1.PhaseLive
	case certified != nil && certified.Status == "True":
		return v1.PhasePreview
	case live:
		return v1.PhaseLive
	}
	return v1.PhaseDraft
}

// offersOfSolution maps a Solution to the offer it references.
func offersOfSolution(_ context.Context, obj client.Object) []reconcile.Request {
	sol, ok := obj.(*v1.Solution)
	if !ok {
		return nil
	}
	if name := offerRefName(sol); name != "" {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: sol.Namespace, Name: name}}}
	}
	return nil
}

// solutionStateChanged passes Solution updates whose state changed.
var solutionStateChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*v1.Solution)
		n, ok2 := e.ObjectNew.(*v1.Solution)
		return ok1 && ok2 && o.Status.State != n.Status.State
	},
}

package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/test/workload"
)

const benchNS = "bench"

var scheme = runtime.NewScheme()

func init() {
	_ = clientgoscheme.AddToScheme(scheme)
	_ = v1alpha1.AddToScheme(scheme)
}

// mix counts the actions among n pairs.
func mix(n int) (migrate, merge, discard int) {
	for i := 1; i <= n; i++ {
		switch actionOf(i) {
		case v1alpha1.ActionMigrate:
			migrate++
		case v1alpha1.ActionMerge:
			merge++
		default:
			discard++
		}
	}
	return
}

func offerName(i int) string { return fmt.Sprintf("bench-offer-%05d", i) }

func actionOf(i int) v1alpha1.SolutionAction { return workload.Action(i) }

func newOffer(i int) *v1alpha1.MarketplaceOffer { return workload.Offer(benchNS, offerName(i), i) }

func newSolution(i int) *v1alpha1.Solution { return workload.Solution(benchNS, i, offerName(i)) }

// createAll creates the namespace and n offers and n solutions, pair by
// pair, with workers goroutines; each created object
// is handed to done when it is not nil.
func createAll(ctx context.Context, c client.Client, n, workers int, done chan<- client.Object) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNS}}
	if err := c.Create(ctx, ns); err != nil && !isAlreadyExists(err) {
		return err
	}
	work := make(chan []client.Object, 256)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for pair := range work {
				for _, obj := range pair {
					var err error
					for attempt := 0; attempt < 5; attempt++ {
						if err = c.Create(ctx, obj); err == nil || isAlreadyExists(err) {
							err = nil
							break
						}
						time.Sleep(200 * time.Millisecond)
					}
					if err != nil {
						once.Do(func() { firstErr = fmt.Errorf("creating %s: %w", obj.GetName(), err) })
						continue
					}
					if done != nil {
						done <- obj
					}
				}
			}
		})
	}
	// A pair is created in order by one worker: a migrating Solution
	// before its offer (so that the offer waits for the migrated draft
	// instead of publishing its own first, which would make the migration
	// conflict), otherwise the offer first.
	for i := 1; i <= n; i++ {
		if actionOf(i) == v1alpha1.ActionMigrate {
			work <- []client.Object{newSolution(i), newOffer(i)}
		} else {
			work <- []client.Object{newOffer(i), newSolution(i)}
		}
	}
	close(work)
	wg.Wait()
	return firstErr
}

func isAlreadyExists(err error) bool {
	type statusErr interface{ Status() metav1.Status }
	if se, ok := err.(statusErr); ok {
		return se.Status().Reason == metav1.StatusReasonAlreadyExists
	}
	return false
}

// tracker counts Ready objects from a watch (a cache in the bench
// process), so that polling convergence costs the API server nothing but
// one watch per kind.
type tracker struct {
	mu          sync.Mutex
	ready       map[string]bool
	offers      atomic.Int64
	sols        atomic.Int64
	changed     chan struct{}
	cacheCancel context.CancelFunc
}

func isReady(conds []metav1.Condition, gen int64) bool {
	c := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == gen
}

func startTracker(ctx context.Context, cfg *rest.Config) (*tracker, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 100, 200
	ctx, cancel := context.WithCancel(ctx)
	c, err := cache.New(cfg, cache.Options{Scheme: scheme, DefaultTransform: cache.TransformStripManagedFields(),
		DefaultNamespaces: map[string]cache.Config{benchNS: {}}})
	if err != nil {
		cancel()
		return nil, err
	}
	t := &tracker{ready: map[string]bool{}, changed: make(chan struct{}, 1), cacheCancel: cancel}
	set := func(key string, ready bool, counter *atomic.Int64) {
		t.mu.Lock()
		was := t.ready[key]
		t.ready[key] = ready
		t.mu.Unlock()
		switch {
		case ready && !was:
			counter.Add(1)
		case !ready && was:
			counter.Add(-1)
		}
		select {
		case t.changed <- struct{}{}:
		default:
		}
	}
	handle := func(obj any) {
		switch o := obj.(type) {
		case *v1alpha1.MarketplaceOffer:
			set("offer/"+o.Name, isReady(o.Status.Conditions, o.Generation), &t.offers)
		case *v1alpha1.Solution:
			set("sol/"+o.Name, isReady(o.Status.Conditions, o.Generation), &t.sols)
		}
	}
	for _, obj := range []client.Object{&v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}} {
		inf, err := c.GetInformer(ctx, obj)
		if err != nil {
			cancel()
			return nil, err
		}
		if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    handle,
			UpdateFunc: func(_, n any) { handle(n) },
		}); err != nil {
			cancel()
			return nil, err
		}
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		cancel()
		return nil, fmt.Errorf("the bench's watch cache did not sync")
	}
	return t, nil
}

// wait blocks until n offers and n solutions are Ready or ctx ends.
func (t *tracker) wait(ctx context.Context, n int) bool {
	for {
		if t.offers.Load() >= int64(n) && t.sols.Load() >= int64(n) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.changed:
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (t *tracker) stop() { t.cacheCancel() }

// timeToReady creates obj and returns how long it took to be Ready for its
// generation, as the tracker saw it.
func (t *tracker) timeToReady(ctx context.Context, c client.Client, obj client.Object, key string, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	if err := c.Create(ctx, obj); err != nil {
		return 0, err
	}
	for {
		t.mu.Lock()
		ready := t.ready[key]
		t.mu.Unlock()
		if ready {
			return time.Since(start), nil
		}
		if time.Since(start) > timeout {
			return 0, fmt.Errorf("%s not Ready after %s", key, timeout)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// The floor: what a plain client-go loop needs to take the same objects
// to the same end state with the minimal status writes (see README.md in
// this folder). Each asynchronous Partner Center step must be recorded
// before waiting on it (crash safety: a restarted process must find what
// it waits for; kstatus Reconciling), and the end state once:
//
//   - MarketplaceOffer: 5 status writes. Partner Center answers each of
//     its four steps with a configure job that runs on its own, and each
//     can only start once the one before has finished: the product's
//     create, the draft's write, the preview submission (certification)
//     and the live submission; then the live result (Ready, Live,
//     CoSellReady). An offer a Migrate Solution migrates into has no
//     create of its own (the migration makes the product): 4.
//   - Solution with Migrate or Discard: 1 status write (the end state,
//     Ready): Partner Center answers the action synchronously.
//   - Solution with Merge: 2 status writes: the merge request (support
//     request ID, MergeRequested) is asynchronous, then Merged (Ready).
//
// Dependencies between objects (a merge waits for its offer to go live)
// and Partner Center's own time are ignored: the floor is a lower bound on
// API-server time.
func floorWrites(ctx context.Context, c client.Client, obj client.Object) error {
	now := metav1.NewTime(time.Now())
	cond := func(t string, s metav1.ConditionStatus, reason, msg string, gen int64) metav1.Condition {
		return metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen, LastTransitionTime: now}
	}
	switch o := obj.(type) {
	case *v1alpha1.MarketplaceOffer:
		gen := o.Generation
		steps := []struct {
			phase   v1alpha1.OfferPhase
			job     v1alpha1.OperationPurpose
			reason  string
			message string
		}{
			{v1alpha1.PhaseDraft, v1alpha1.OperationCreate, v1alpha1.ReasonSyncingDraft, "Partner Center is creating product " + o.Spec.OfferID},
			{v1alpha1.PhaseDraft, v1alpha1.OperationDraft, v1alpha1.ReasonSyncingDraft, "Partner Center is writing the draft"},
			{v1alpha1.PhaseCertifying, v1alpha1.OperationPreview, v1alpha1.ReasonCertifying, "Partner Center is submitting generation 1 for certification"},
			{v1alpha1.PhaseGoingLive, v1alpha1.OperationLive, v1alpha1.ReasonGoingLive, "Partner Center is publishing generation 1 live"},
		}
		if migratedInto(o.Name) {
			steps = steps[1:]
		}
		st := &o.Status
		st.ObservedGeneration, st.DraftDigest = gen, "sha256:0123456789abcdef0123456789abcdef"
		for _, step := range steps {
			base := o.DeepCopy()
			msg := step.message + " (job 0f8fad5b-d9cb-469f-a165-70867728950e)"
			st.Phase, st.Operation = step.phase, &v1alpha1.Operation{Purpose: step.job, ID: "0f8fad5b-d9cb-469f-a165-70867728950e", StartedAt: &now, Generation: gen}
			if step.job != v1alpha1.OperationCreate {
				st.ProductID = "product-" + o.Name
			}
			st.Conditions = []metav1.Condition{
				cond(v1alpha1.ReadyCondition, metav1.ConditionFalse, step.reason, msg, gen),
				cond(v1alpha1.ReconcilingCondition, metav1.ConditionTrue, step.reason, msg, gen),
			}
			if err := c.Status().Patch(ctx, o, client.MergeFrom(base)); err != nil {
				return err
			}
		}
		base := o.DeepCopy()
		st.Phase, st.Operation = v1alpha1.PhaseLive, nil
		st.PreviewSubmission = &v1alpha1.SubmissionRef{ID: "1152921504606846977", Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: &now, Result: v1alpha1.SubmissionSucceeded}
		st.LiveSubmission = &v1alpha1.SubmissionRef{ID: "1152921504606846978", Generation: gen, DraftDigest: st.DraftDigest, SubmittedAt: &now, Result: v1alpha1.SubmissionSucceeded}
		st.Certification = &v1alpha1.Certification{Result: v1alpha1.CertificationPassed, Generation: gen}
		// No published API reports preview links, a live URL or a co-sell
		// level: the operator leaves them empty, and so does the floor.
		st.LiveGeneration, st.LiveSince = gen, &now
		live := "generation 1 is live (submission " + st.LiveSubmission.ID + ")"
		st.Conditions = []metav1.Condition{
			cond(v1alpha1.ReadyCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "generation 1 is live", gen),
			cond(v1alpha1.DraftSyncedCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "draft of generation 1 written to Partner Center", gen),
			cond(v1alpha1.CertifiedCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "generation 1 passed certification", gen),
			cond(v1alpha1.LiveCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, live, gen),
			cond(v1alpha1.CoSellReadyCondition, metav1.ConditionTrue, v1alpha1.ReasonCoSellReady,
				"operator's judgement of spec.coSell against Microsoft's documented co-sell requirements "+
					"(Partner Center reports no co-sell status through any API): the spec meets the co-sell ready requirements; Partner Center decides", gen),
		}
		return c.Status().Patch(ctx, o, client.MergeFrom(base))
	case *v1alpha1.Solution:
		gen := o.Generation
		base := o.DeepCopy()
		st := &o.Status
		st.ObservedGeneration, st.Offer = gen, offerNameOf(o)
		if o.Spec.Action == v1alpha1.ActionMerge {
			st.State, st.SupportRequestID, st.MergeRequestedAt = v1alpha1.StateMergeRequested, "SR-"+o.Name, &now
			st.Conditions = []metav1.Condition{
				cond(v1alpha1.ReadyCondition, metav1.ConditionFalse, v1alpha1.ReasonMergeRequested, "merge request SR-"+o.Name+" is with partner support", gen),
				cond(v1alpha1.ReconcilingCondition, metav1.ConditionTrue, v1alpha1.ReasonMergeRequested, "merge request SR-"+o.Name+" is with partner support", gen),
				cond(v1alpha1.PrerequisitesMetCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "partner "+workload.Partner+" has a valid membership", gen),
			}
			if err := c.Status().Patch(ctx, o, client.MergeFrom(base)); err != nil {
				return err
			}
			base = o.DeepCopy()
		}
		switch o.Spec.Action {
		case v1alpha1.ActionMerge:
			st.State = v1alpha1.StateMerged
		case v1alpha1.ActionMigrate:
			st.State, st.ProductID = v1alpha1.StateMigrated, "product-"+offerNameOf(o)
		default:
			st.State = v1alpha1.StateDiscarded
		}
		st.Conditions = []metav1.Condition{
			cond(v1alpha1.ReadyCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "the solution is "+string(st.State), gen),
			cond(v1alpha1.PrerequisitesMetCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "partner "+workload.Partner+" has a valid membership", gen),
			cond(v1alpha1.ActionCompletedCondition, metav1.ConditionTrue, string(st.State), "the solution is "+string(st.State), gen),
		}
		return c.Status().Patch(ctx, o, client.MergeFrom(base))
	}
	return nil
}

func offerNameOf(s *v1alpha1.Solution) string {
	switch {
	case s.Spec.Migrate != nil:
		return s.Spec.Migrate.OfferRef.Name
	case s.Spec.Merge != nil && s.Spec.Merge.OfferRef != nil:
		return s.Spec.Merge.OfferRef.Name
	}
	return ""
}

// minStatusWrites is the floor's number of status writes for n pairs.
func minStatusWrites(n int) (offers, sols int) {
	migrate, merge, _ := mix(n)
	return 5*n - migrate, n + merge
}

// migratedInto reports whether the bench offer named name is the one its
// pair's Solution migrates into.
func migratedInto(name string) bool {
	var i int
	if _, err := fmt.Sscanf(name, "bench-offer-%05d", &i); err != nil {
		return false
	}
	return actionOf(i) == v1alpha1.ActionMigrate
}

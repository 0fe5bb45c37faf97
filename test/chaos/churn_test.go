package chaos_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/test/workload"
)

// The churn run's namespaces: offers start in the first; movers end in the
// second.
const (
	churnFrom = "churn-a"
	churnTo   = "churn-b"
)

// churnKind is what happens to offer i while the operator is killed.
type churnKind int

const (
	churnStay     churnKind = iota // left alone: it must go live
	churnMove                      // deleted (Orphan) and declared again in churnTo, adopted
	churnRecreate                  // deleted (Orphan) and declared again in churnFrom, adopted
	churnDelete                    // deleted with deletionPolicy Delete: nothing may be left on sale
)

func (k churnKind) String() string {
	return [...]string{"stay", "move", "recreate", "delete"}[k]
}

func churnOf(i int) churnKind { return churnKind(i % 4) }

func churnName(i int) string { return fmt.Sprintf("churn-offer-%05d", i) }

// churnOffer is offer i as first declared: Delete policy for the offers
// that are deleted for good, Orphan for those declared again elsewhere.
func churnOffer(ns string, i int, adopt bool) *v1alpha1.MarketplaceOffer {
	o := workload.Offer(ns, churnName(i), i)
	o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyOrphan
	if churnOf(i) == churnDelete {
		o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	}
	if adopt {
		o.Annotations = map[string]string{v1alpha1.AdoptAnnotation: "true"}
	}
	return o
}

// TestChurn deletes, re-creates and moves offers between namespaces while
// the operator is SIGKILLed at random moments, then checks Partner Center:
// exactly one product per offer ID that is still declared, each live and
// owned by exactly one object, and nothing left on sale or in draft for
// the offers deleted with deletionPolicy Delete.
func TestChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos: skipped in -short mode")
	}
	n, kills, maxInterval := 40, 12, time.Second
	converge := 4 * time.Minute
	if full() {
		n, kills, maxInterval, converge = 200, 20, 3*time.Second, 20*time.Minute
	}
	n, kills = envInt("CHAOS_CHURN_N", n), envInt("CHAOS_KILLS", kills)
	rng := newRand(t)
	s := startSimulator(t, "churn", 1, "")
	ctx := context.Background()
	for _, ns := range []string{churnFrom, churnTo} {
		if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { deleteChurnObjects(t) })
	for i := 1; i <= n; i++ {
		if err := k8s.Create(ctx, churnOffer(churnFrom, i, false)); err != nil {
			t.Fatal(err)
		}
	}
	log := filepath.Join(workDir, "churn", "operator.log")
	op := startOperator(t, "operator", log, s)

	// The churn: each offer that is not left alone is acted on once, at a
	// random moment of the kill window, by its own goroutine.
	window := time.Duration(kills) * (minInterval + maxInterval) / 2
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 1; i <= n; i++ {
		if churnOf(i) == churnStay {
			continue
		}
		at := time.Duration(rng.Int64N(int64(window)))
		wg.Go(func() {
			time.Sleep(at)
			if err := churn(ctx, i); err != nil {
				errs <- fmt.Errorf("%s (%s): %w", churnName(i), churnOf(i), err)
			}
		})
	}
	t.Logf("%d offers in %s; churn over %s (a quarter each: stay, move to %s, re-create, delete with policy Delete); %d SIGKILLs at %s-%s",
		n, churnFrom, window.Round(time.Millisecond), churnTo, kills, minInterval, maxInterval)
	start := time.Now()
	for k := 1; k <= kills; k++ {
		time.Sleep(minInterval + time.Duration(rng.Int64N(int64(maxInterval-minInterval)+1)))
		if op.exited() {
			failed = true
			t.Fatalf("the operator exited by itself (%v) before kill %d:\n%s", op.err, k, tail(log, 6000))
		}
		op.kill()
		op = startOperator(t, "operator", log, s)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("churn and %d kills done after %s", kills, time.Since(start).Round(time.Millisecond))

	took := awaitChurn(t, n, converge, log, s.log)
	time.Sleep(2 * time.Second)
	op.stop(10 * time.Second)
	checkChurnPartnerCenter(t, s, n)
	t.Logf("RESULT %s churn: %d offers, %d SIGKILLs; converged %s after the last kill; %d Partner Center requests",
		runSize(n >= fullChurnN && kills >= fullKills && maxInterval >= fullMaxInterval), n, kills, took.Round(time.Millisecond), sum(s.stats(t).Requests))
}

// churn acts on offer i: deletes it, and for a move or re-create declares
// it again, with the adopt opt-in, once the old object is gone.
func churn(ctx context.Context, i int) error {
	old := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Namespace: churnFrom, Name: churnName(i)}}
	if err := k8s.Delete(ctx, old); err != nil {
		return fmt.Errorf("deleting: %w", err)
	}
	if churnOf(i) == churnDelete {
		return nil
	}
	// An Orphan offer holds no finalizer: it goes at once.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(old), old)
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still there 30s after its deletion (finalizers %v): %w", old.Finalizers, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ns := churnFrom
	if churnOf(i) == churnMove {
		ns = churnTo
	}
	return k8s.Create(ctx, churnOffer(ns, i, true))
}

// churnWhere is the namespace offer i ends in ("" when it was deleted).
func churnWhere(i int) string {
	switch churnOf(i) {
	case churnMove:
		return churnTo
	case churnDelete:
		return ""
	}
	return churnFrom
}

// awaitChurn waits until every declared offer is live in its namespace and
// every deleted one is gone.
func awaitChurn(t *testing.T, n int, timeout time.Duration, logs ...string) time.Duration {
	t.Helper()
	start, lastPrint := time.Now(), time.Time{}
	for {
		var problems []string
		done := 0
		for i := 1; i <= n; i++ {
			o := &v1alpha1.MarketplaceOffer{}
			ns := churnWhere(i)
			if ns == "" {
				err := k8s.Get(context.Background(), client.ObjectKey{Namespace: churnFrom, Name: churnName(i)}, o)
				if apierrors.IsNotFound(err) {
					done++
				} else {
					problems = append(problems, fmt.Sprintf("%s (deleted, policy Delete) still there: %v %s", churnName(i), err, readyMessage(o)))
				}
				continue
			}
			if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: churnName(i)}, o); err != nil {
				problems = append(problems, fmt.Sprintf("%s/%s (%s): %v", ns, churnName(i), churnOf(i), err))
				continue
			}
			if ok, why := offerDone(o); ok {
				done++
			} else {
				problems = append(problems, fmt.Sprintf("%s/%s (%s): %s", ns, churnName(i), churnOf(i), why))
			}
		}
		if len(problems) == 0 {
			t.Logf("churn converged after %s: %d offers done", time.Since(start).Round(time.Millisecond), done)
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			failed = true
			for _, l := range logs {
				t.Logf("tail of %s:\n%s", l, tail(l, 6000))
			}
			t.Fatalf("churn not converged after %s: %d/%d done\n  %s", timeout, done, n, strings.Join(firstN(problems, 15), "\n  "))
		}
		if time.Since(lastPrint) > 10*time.Second {
			t.Logf("  %s: %d/%d done; e.g. %s", time.Since(start).Round(time.Second), done, n, problems[0])
			lastPrint = time.Now()
		}
		time.Sleep(time.Second)
	}
}

func readyMessage(o *v1alpha1.MarketplaceOffer) string {
	for _, c := range o.Status.Conditions {
		if c.Type == v1alpha1.ReadyCondition {
			return fmt.Sprintf("Ready=%s %s: %s", c.Status, c.Reason, c.Message)
		}
	}
	return ""
}

// checkChurnPartnerCenter reads Partner Center (the simulator, through the
// operator's own adapter) and the cluster: one product per declared offer
// ID, recorded by the one object that declares it; for an offer deleted
// with policy Delete, no product left on sale and no draft left.
func checkChurnPartnerCenter(t *testing.T, s *sim, n int) {
	t.Helper()
	ctx := context.Background()
	pc, err := ingestion.New(ingestion.Options{BaseURL: s.url(), JobPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st := s.stats(t)
	owners := map[string][]string{} // offer ID -> objects declaring it, both namespaces
	for _, ns := range []string{churnFrom, churnTo} {
		var list v1alpha1.MarketplaceOfferList
		if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		for _, o := range list.Items {
			owners[o.Spec.OfferID] = append(owners[o.Spec.OfferID], ns+"/"+o.Name)
		}
	}
	var problems []string
	counts := map[churnKind]int{}
	for i := 1; i <= n; i++ {
		id := churnName(i)
		counts[churnOf(i)]++
		if st.ProductsByOfferID[id] > 1 {
			problems = append(problems, fmt.Sprintf("%s: %d products", id, st.ProductsByOfferID[id]))
		}
		if churnOf(i) != churnDelete {
			if len(owners[id]) != 1 || st.ProductsByOfferID[id] != 1 {
				problems = append(problems, fmt.Sprintf("%s (%s): %d products, declared by %v", id, churnOf(i), st.ProductsByOfferID[id], owners[id]))
			}
			continue
		}
		if len(owners[id]) != 0 {
			problems = append(problems, fmt.Sprintf("%s (deleted) still declared by %v", id, owners[id]))
		}
		product, err := pc.FindProduct(ctx, id)
		switch {
		case partnercenter.IsNotFound(err):
			// Deleted before it was published (or never created).
		case err != nil:
			t.Fatalf("reading product %s: %v", id, err)
		case product.State == partnercenter.LifecycleDeprecated || product.State == partnercenter.LifecycleDeleted:
		default:
			if leaked := onSale(ctx, t, pc, product); leaked != "" {
				problems = append(problems, fmt.Sprintf("%s (deleted, policy Delete): product %s leaked: %s", id, product.ID, leaked))
			}
		}
	}
	t.Logf("Partner Center after the churn, offers by what happened to them: %v; %d requests", counts, sum(st.Requests))
	if len(problems) > 0 {
		failed = true
		t.Errorf("Partner Center after the churn:\n  %s", strings.Join(firstN(problems, 20), "\n  "))
	}
}

// onSale says what of product is still there after its offer was deleted
// with deletionPolicy Delete: a live submission not deprecated, or a draft
// that was never deleted. "" when nothing is.
func onSale(ctx context.Context, t *testing.T, pc *ingestion.Client, product *partnercenter.Product) string {
	t.Helper()
	subs, err := pc.ListSubmissions(ctx, product.ID)
	if err != nil {
		t.Fatalf("listing submissions of %s: %v", product.ID, err)
	}
	published := false
	for _, sub := range subs {
		if sub.IsDraft() {
			continue
		}
		published = true
		if sub.Target == partnercenter.TargetLive && sub.Result == partnercenter.SubmissionSucceeded && sub.State != partnercenter.LifecycleDeprecated {
			return fmt.Sprintf("live submission %s still on sale (state %q)", sub.ID, sub.State)
		}
	}
	if !published {
		return fmt.Sprintf("never-published draft left (product state %q)", product.State)
	}
	return ""
}

// deleteChurnObjects removes the run's offers from both namespaces,
// releasing finalizers (no operator runs by then).
func deleteChurnObjects(t *testing.T) {
	ctx := context.Background()
	for _, ns := range []string{churnFrom, churnTo} {
		_ = k8s.DeleteAllOf(ctx, &v1alpha1.MarketplaceOffer{}, client.InNamespace(ns))
		var list v1alpha1.MarketplaceOfferList
		if k8s.List(ctx, &list, client.InNamespace(ns)) == nil {
			for i := range list.Items {
				if o := &list.Items[i]; len(o.Finalizers) > 0 {
					patch := client.MergeFrom(o.DeepCopy())
					o.Finalizers = nil
					_ = k8s.Patch(ctx, o, patch)
				}
			}
		}
	}
}

package controllers_test

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// sample reads config/samples/<file> into obj, in namespace ns.
func sample(t *testing.T, file, ns string, obj client.Object) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, obj); err != nil {
		t.Fatal(err)
	}
	obj.SetNamespace(ns)
}

const (
	migrateOfferSample    = "marketplace_v1alpha1_marketplaceoffer_fieldservice.yaml"
	migrateSolutionSample = "marketplace_v1alpha1_solution_migrate.yaml"
)

// requestReconcile asks the operator for a reconcile of obj now and waits
// until it echoes the request: the object was reconciled again since.
func requestReconcile[T client.Object](g Gomega, obj T, handled func(T) string) {
	at := time.Now().UTC().Format(time.RFC3339Nano)
	update(g, obj, func(o T) {
		a := o.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[v1alpha1.ReconcileRequestedAtAnnotation] = at
		o.SetAnnotations(a)
	})
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		g.Expect(handled(obj)).To(Equal(at))
	}, timeout, interval).Should(Succeed())
}

// expectMigrated waits for the sample migration to end: the Solution
// migrated, the offer live on the migrated product, one product, one
// migration and one preview submission in Partner Center.
func expectMigrated(g Gomega, sim *simulator.Simulator, offer *v1alpha1.MarketplaceOffer, sol *v1alpha1.Solution) {
	g.Eventually(func(g Gomega) {
		s := getSolution(g, sol.Namespace, sol.Name)
		ready(g, s.Status.Conditions, s.Generation)
		g.Expect(s.Status.State).To(Equal(v1alpha1.StateMigrated))
		g.Expect(kstatusOf(g, s)).To(Equal(status.CurrentStatus))
		o := getOffer(g, offer.Namespace, offer.Name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(o.Status.MigratedFrom).To(Equal(sol.Spec.SolutionID))
		g.Expect(o.Status.ProductID).To(Equal(s.Status.ProductID))
		g.Expect(kstatusOf(g, o)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
	st := sim.Stats()
	g.Expect(st.ProductsByOfferID[offer.Spec.OfferID]).To(Equal(1))
	g.Expect(st.Migrations[sol.Spec.SolutionID]).To(Equal(1))
	g.Expect(st.PreviewSubmissions[offer.Spec.OfferID]).To(Equal(1))
}

// Issue 11 item 0: applied apart, in either order, the sample offer (which
// declares spec.migrateFrom) and the Solution migrating into it end
// migrated. The first object is applied, seen waiting, reconciled again on
// request, and only then is the second applied: however long apart, the
// offer creates and submits nothing before the migration. Before, the
// offer applied first created and submitted its own product within
// seconds, and the migration was refused.
func TestMigrationEndsMigratedWhicheverIsAppliedFirstAndHowLongApart(t *testing.T) {
	for _, tc := range []struct {
		name       string
		offerFirst bool
	}{
		{name: "offer applied first, Solution later", offerFirst: true},
		{name: "Solution applied first, offer later", offerFirst: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			sim := startSimulator(t, simOptions{certificationDelay: 200 * time.Millisecond})
			ns := newNamespace(t)
			startOperator(t, sim, ns)
			offer, sol := &v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}
			sample(t, migrateOfferSample, ns, offer)
			sample(t, migrateSolutionSample, ns, sol)
			g.Expect(offer.Spec.MigrateFrom).NotTo(BeNil(), "the sample declares its migration")

			if tc.offerFirst {
				g.Expect(k8s.Create(ctx, offer)).To(Succeed())
				holding := func(g Gomega) {
					o := getOffer(g, ns, offer.Name)
					c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.ReconcilingCondition)
					g.Expect(c).NotTo(BeNil())
					g.Expect(c.Reason).To(Equal(v1alpha1.ReasonWaitingForMigration))
					g.Expect(c.Message).To(ContainSubstring("spec.solutionID " + sol.Spec.SolutionID))
					g.Expect(o.Status.ProductID).To(BeEmpty())
					g.Expect(kstatusOf(g, o)).To(Equal(status.InProgressStatus))
					health, msg := argoHealth(g, o)
					g.Expect(health).To(Equal("Progressing"))
					g.Expect(msg).To(HavePrefix(v1alpha1.ReasonWaitingForMigration + ": "))
				}
				g.Eventually(holding, timeout, interval).Should(Succeed())
				requestReconcile(g, offer, func(o *v1alpha1.MarketplaceOffer) string { return o.Status.LastHandledReconcileAt })
				holding(g)
			} else {
				g.Expect(k8s.Create(ctx, sol)).To(Succeed())
				waiting := func(g Gomega) {
					s := getSolution(g, ns, sol.Name)
					c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.ReconcilingCondition)
					g.Expect(c).NotTo(BeNil())
					g.Expect(c.Reason).To(Equal(v1alpha1.ReasonWaitingForOffer))
					g.Expect(s.Status.State).To(Equal(v1alpha1.StatePendingMigration))
				}
				g.Eventually(waiting, timeout, interval).Should(Succeed())
				requestReconcile(g, sol, func(s *v1alpha1.Solution) string { return s.Status.LastHandledReconcileAt })
				waiting(g)
			}
			st := sim.Stats()
			g.Expect(st.ProductsByOfferID[offer.Spec.OfferID]).To(BeZero(), "nothing created before the other object exists")
			g.Expect(st.PreviewSubmissions[offer.Spec.OfferID]).To(BeZero())
			g.Expect(st.Migrations[sol.Spec.SolutionID]).To(BeZero())

			if tc.offerFirst {
				g.Expect(k8s.Create(ctx, sol)).To(Succeed())
			} else {
				g.Expect(k8s.Create(ctx, offer)).To(Succeed())
			}
			expectMigrated(g, sim, offer, sol)
			// A Solution applied after its offer migrates without reading
			// the legacy solution first (the migration's answer is its
			// state); one applied first reads it once, to report a
			// mistyped ID at once, waits, and migrates on that state.
			reads := map[bool]int{true: 0, false: 1}[tc.offerFirst]
			g.Expect(sim.Stats().Requests["GET ocp-gtm/solution 200"]).To(Equal(reads), "legacy solution reads")
		})
	}
}

// argoSyncWave is an object's argocd.argoproj.io/sync-wave, 0 when unset.
func argoSyncWave(g Gomega, u *unstructured.Unstructured) int {
	w, ok := u.GetAnnotations()["argocd.argoproj.io/sync-wave"]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(w)
	g.Expect(err).NotTo(HaveOccurred())
	return n
}

// The README's GitOps advice, carried out on config/samples as Argo CD
// syncs them (with the health checks of config/argocd): wave by wave in
// the samples' argocd.argoproj.io/sync-wave order, each wave's objects
// applied in one pass (by name, as Argo CD orders custom resources within
// a wave; the order within a wave does not matter, see the test above),
// the next wave only once every object of the wave is Healthy (Argo CD's
// gate: the next wave is the first with an object out of sync or
// unhealthy); then every object is kstatus Current, which is what a Flux
// Kustomization with wait: true holding them all waits for. The
// migration ends migrated. With the earlier advice (Solutions in a wave
// after their offers) the offer declaring its migration would stay
// Progressing and the sync would never reach the Solution's wave. The
// sample that fails certification on purpose is left out: Argo CD would
// stop at it by design.
func TestMigrationWithTheREADMEGitOpsOrdering(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{certificationDelay: 200 * time.Millisecond, mergeDelay: 200 * time.Millisecond})
	ns := newNamespace(t)
	startOperator(t, sim, ns)

	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "samples", "*.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	var objs []*unstructured.Unstructured
	for _, f := range files {
		if filepath.Base(f) == "marketplace_v1alpha1_marketplaceoffer_assessment.yaml" {
			continue
		}
		u := &unstructured.Unstructured{}
		sample(t, filepath.Base(f), ns, u)
		objs = append(objs, u)
	}
	slices.SortFunc(objs, func(a, b *unstructured.Unstructured) int {
		return cmp.Or(cmp.Compare(argoSyncWave(g, a), argoSyncWave(g, b)), cmp.Compare(a.GetName(), b.GetName()))
	})
	typed := func(g Gomega, u *unstructured.Unstructured) runtime.Object {
		var obj client.Object = &v1alpha1.Solution{}
		if u.GetKind() == "MarketplaceOffer" {
			obj = &v1alpha1.MarketplaceOffer{}
		}
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(u), obj)).To(Succeed())
		return obj
	}
	for len(objs) > 0 { // one wave per round
		wave := argoSyncWave(g, objs[0])
		n := 1
		for n < len(objs) && argoSyncWave(g, objs[n]) == wave {
			n++
		}
		for _, u := range objs[:n] {
			g.Expect(k8s.Create(ctx, u)).To(Succeed(), u.GetName())
		}
		for _, u := range objs[:n] {
			g.Eventually(func(g Gomega) {
				health, msg := argoHealth(g, typed(g, u))
				g.Expect(health).To(Equal("Healthy"), "%s %s in wave %d: %s", u.GetKind(), u.GetName(), wave, msg)
			}, timeout, interval).Should(Succeed())
		}
		objs = objs[n:]
	}

	offer, sol := &v1alpha1.MarketplaceOffer{}, &v1alpha1.Solution{}
	sample(t, migrateOfferSample, ns, offer)
	sample(t, migrateSolutionSample, ns, sol)
	expectMigrated(g, sim, offer, sol)
	g.Eventually(func(g Gomega) {
		s := getSolution(g, ns, "ocp-contoso-analytics")
		g.Expect(s.Status.State).To(Equal(v1alpha1.StateMerged))
		g.Expect(kstatusOf(g, s)).To(Equal(status.CurrentStatus))
	}, timeout, interval).Should(Succeed())
}

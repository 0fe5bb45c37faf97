// Issue 29 part 2: a plan is exactly what an apply does. Manifests are
// planned against the simulator (reads only), then applied to a control
// plane with the operator running, and the writes the operator makes
// (the simulator's counters, and every request that is not a GET on the
// operator's HTTP client) must be the ones the plan printed: no more, no
// less, down to the draft fields that changed in Partner Center.
package plan_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/offerdraft"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/plan"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/internal/cluster"
)

const ns = "plan"

// recorder keeps the requests that are not GETs, as "METHOD path".
type recorder struct {
	mu     sync.Mutex
	writes []string
	next   http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		r.mu.Lock()
		r.writes = append(r.writes, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.writes
	r.writes = nil
	return out
}

func sample(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "marketplace_v1alpha1_marketplaceoffer_"+name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestAnApplyMakesExactlyTheWritesThePlanPrinted(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	sim, err := simulator.New(simulator.Options{Addr: "127.0.0.1:0", CertificationDelay: 200 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sim.Start(ctx)).To(Succeed())
	t.Cleanup(func() { _ = sim.Close() })
	reader, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 50 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())

	cl := cluster.Start(ctx, t, g, ns)
	k8s := cl.Client

	rec := &recorder{next: http.DefaultTransport}
	opc, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 50 * time.Millisecond, HTTPClient: &http.Client{Transport: rec}})
	g.Expect(err).NotTo(HaveOccurred())
	cl.RunOperator(ctx, t, g, opc, cluster.Operator{Concurrency: 2, Solutions: true})

	dir := t.TempDir()
	write := func(name, text string) string {
		f := filepath.Join(dir, name)
		g.Expect(os.WriteFile(f, []byte(text), 0o600)).To(Succeed())
		return f
	}

	// Round 1: a new offer (no product), taken live from nothing.
	round(ctx, t, k8s, sim, reader, rec, []string{write("analytics.yaml", sample(t, "analytics"))})

	// Round 2: the live offer changed (a price, the title, a plan added)
	// and a new offer taken to preview only.
	fresh := strings.ReplaceAll(sample(t, "analytics"), "contoso-analytics", "contoso-insights")
	fresh = strings.Replace(fresh, "target: Live", "target: Preview", 1)
	changed := sample(t, "analytics")
	changed = strings.Replace(changed, `price: "499.00"`, `price: "599.00"`, 1)
	changed = strings.Replace(changed, "title: Contoso Analytics", "title: Contoso Retail Analytics", 1)
	changed = strings.Replace(changed, "  coSell:", `    - id: starter
      name: Starter
      description: One store.
      pricing: FlatRate
      price: "49.00"
      markets: [US]
  coSell:`, 1)
	g.Expect(changed).To(ContainSubstring("id: starter"))
	round(ctx, t, k8s, sim, reader, rec, []string{
		write("analytics.yaml", changed),
		write("insights.yaml", fresh),
	})

	// Round 3: nothing changed: the plan is empty, exit status 0, and the
	// operator writes nothing.
	res := round(ctx, t, k8s, sim, reader, rec, []string{
		write("analytics.yaml", changed),
		write("insights.yaml", fresh),
	})
	g.Expect(res.Changes).To(BeFalse(), "%+v", res)

	// Round 4: Solutions: a legacy solution discarded, another merged
	// into the live offer (its merge request opened); and two offers to
	// delete in round 5, one taken live and one left a draft.
	scratch := func(name, target string) string {
		text := strings.ReplaceAll(sample(t, "analytics"), "contoso-analytics", name)
		text = strings.Replace(text, "target: Live", "target: "+target+"\n  deletionPolicy: Delete", 1)
		return write(name+".yaml", text)
	}
	solution := func(name string) string {
		data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "marketplace_v1alpha1_solution_"+name+".yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		return string(data)
	}
	round4 := []string{
		write("analytics.yaml", changed),
		write("insights.yaml", fresh),
		write("discard.yaml", solution("discard")),
		write("merge.yaml", solution("merge")),
		scratch("contoso-retired", "Live"),
		scratch("contoso-sketch", "Draft"),
	}
	round(ctx, t, k8s, sim, reader, rec, round4)

	// Round 5: the pull request deletes three offers (--previous holds
	// them): the live one's sale is stopped, the draft deleted, and the
	// preview offer (deletionPolicy Orphan) left as it is. The Solutions
	// stay: the discard is done and the merge request open, so nothing.
	prev := t.TempDir()
	for _, f := range round4 {
		data, err := os.ReadFile(f)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(os.WriteFile(filepath.Join(prev, filepath.Base(f)), data, 0o600)).To(Succeed())
	}
	res = round(ctx, t, k8s, sim, reader, rec, []string{round4[0], round4[2], round4[3]}, prev)
	var deleted []string
	for _, o := range res.Objects {
		if o.Deleted {
			deleted = append(deleted, o.Name+":"+strings.Join(actionsOf(o), ","))
		}
	}
	g.Expect(deleted).To(ConsistOf("contoso-insights:", "contoso-retired:"+plan.ActionStopSale, "contoso-sketch:"+plan.ActionDeleteDraft))
}

func actionsOf(o plan.Object) []string {
	var out []string
	for _, a := range o.Actions {
		out = append(out, a.Action)
	}
	return out
}

// round plans files, applies them, waits for the operator to settle and
// checks that it wrote exactly what the plan printed.
func round(ctx context.Context, t *testing.T, k8s client.Client, sim *simulator.Simulator, reader *ingestion.Client, rec *recorder, files []string, previous ...string) *plan.Result {
	t.Helper()
	g := NewWithT(t)
	in, err := plan.ReadInput(files, nil)
	g.Expect(err).NotTo(HaveOccurred())
	if len(previous) > 0 {
		prev, err := plan.ReadInput(previous, nil)
		g.Expect(err).NotTo(HaveOccurred())
		in.Deleted = plan.Deleted(prev.Offers, in.Offers)
		for _, o := range in.Deleted {
			o.Namespace = ns
		}
	}
	offers := in.Offers
	for _, o := range offers {
		o.Namespace = ns
	}
	for _, s := range in.Solutions {
		s.Namespace = ns
	}
	before := sim.Stats()
	res, err := plan.Run(ctx, reader, in)
	g.Expect(err).NotTo(HaveOccurred())
	for _, k := range nonGETs(before, sim.Stats()) {
		t.Errorf("plan wrote: %s", k)
	}
	for _, o := range res.Objects {
		for _, a := range o.Actions {
			t.Logf("plan %s: %s: %s", o.Name, a.Action, a.Message)
		}
	}
	transcript(t, g, res)

	// The drafts before the apply, to see which fields it changed.
	held := map[string]pc.Draft{}
	for _, o := range offers {
		held[o.Spec.OfferID] = readDraft(ctx, g, reader, o)
	}
	_ = rec.take()
	before = sim.Stats()

	// kubectl apply.
	for _, o := range offers {
		var cur v1.MarketplaceOffer
		err := k8s.Get(ctx, client.ObjectKeyFromObject(o), &cur)
		if err == nil {
			cur.Spec = o.Spec
			g.Expect(k8s.Update(ctx, &cur)).To(Succeed())
			continue
		}
		g.Expect(client.IgnoreNotFound(err)).To(Succeed())
		g.Expect(k8s.Create(ctx, o.DeepCopy())).To(Succeed())
	}
	for _, s := range in.Solutions {
		var cur v1.Solution
		err := k8s.Get(ctx, client.ObjectKeyFromObject(s), &cur)
		if err == nil {
			cur.Spec = s.Spec
			g.Expect(k8s.Update(ctx, &cur)).To(Succeed())
			continue
		}
		g.Expect(client.IgnoreNotFound(err)).To(Succeed())
		g.Expect(k8s.Create(ctx, s.DeepCopy())).To(Succeed())
	}
	for _, o := range in.Deleted {
		g.Expect(k8s.Delete(ctx, o.DeepCopy())).To(Succeed())
	}
	settle(ctx, g, k8s, offers)
	settleSolutions(ctx, g, k8s, in.Solutions)
	g.Eventually(func(g Gomega) {
		for _, o := range in.Deleted {
			err := k8s.Get(ctx, client.ObjectKeyFromObject(o), &v1.MarketplaceOffer{})
			g.Expect(err).To(HaveOccurred(), "%s is not gone", o.Name)
			g.Expect(client.IgnoreNotFound(err)).To(Succeed())
		}
	}).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
	// Settled means no write comes later either.
	g.Consistently(func() []string { return nonGETs(before, sim.Stats()) }).WithTimeout(2 * time.Second).WithPolling(200 * time.Millisecond).
		Should(Equal(nonGETs(before, sim.Stats())))
	after := sim.Stats()
	writes := rec.take()

	total, coSells := 0, 0
	for i, o := range offers {
		id := o.Spec.OfferID
		obj := res.Objects[i]
		planned := map[string]int{}
		var fields []offerdraft.Change
		for _, a := range obj.Actions {
			planned[a.Action]++
			if a.Action == plan.ActionWriteDraft {
				fields = append(fields, a.Change)
			}
		}
		made := map[string]int{
			plan.ActionCreateProduct: after.ConfigureJobs["create"][id] - before.ConfigureJobs["create"][id],
			plan.ActionSubmitPreview: after.ConfigureJobs["preview"][id] - before.ConfigureJobs["preview"][id],
			plan.ActionGoLive:        after.ConfigureJobs["live"][id] - before.ConfigureJobs["live"][id],
		}
		for _, a := range []string{plan.ActionCreateProduct, plan.ActionSubmitPreview, plan.ActionGoLive} {
			g.Expect(made[a]).To(Equal(planned[a]), "%s: %s; plan %+v; writes %v", id, a, obj.Actions, writes)
			total += made[a]
		}
		// The draft fields are written in one configure job.
		draftJobs := after.ConfigureJobs["draft"][id] - before.ConfigureJobs["draft"][id]
		g.Expect(draftJobs).To(Equal(min(planned[plan.ActionWriteDraft], 1)), "%s: draft configure jobs; plan %+v", id, obj.Actions)
		total += draftJobs
		coSells += planned[plan.ActionWriteCoSell]

		// The draft fields the apply changed in Partner Center are the
		// ones the plan printed, old and new values included.
		g.Expect(offerdraft.Diff(held[id], readDraft(ctx, g, reader, o))).To(Equal(fields), "%s: fields the apply changed", id)
	}
	// Deleted offers: a stop-sale (the live submission's lifecycle) or a
	// draft delete per action printed.
	for i, o := range in.Deleted {
		id := o.Spec.OfferID
		obj := res.Objects[len(offers)+i]
		g.Expect(obj.Deleted).To(BeTrue())
		planned := map[string]int{}
		for _, a := range obj.Actions {
			planned[a.Action]++
		}
		made := map[string]int{
			plan.ActionStopSale:    after.ConfigureJobs["lifecycle"][id] - before.ConfigureJobs["lifecycle"][id],
			plan.ActionDeleteDraft: after.ConfigureJobs["product"][id] - before.ConfigureJobs["product"][id],
		}
		for a, n := range made {
			g.Expect(n).To(Equal(planned[a]), "%s: %s; plan %+v; writes %v", id, a, obj.Actions, writes)
			total += n
		}
	}
	// Solutions: one accepted call per action printed (the simulator
	// counts state changes by solution ID).
	for i, sol := range in.Solutions {
		id := sol.Spec.SolutionID
		obj := res.Objects[len(offers)+len(in.Deleted)+i]
		planned := map[string]int{}
		for _, a := range obj.Actions {
			planned[a.Action]++
		}
		made := map[string]int{
			plan.ActionDiscardSolution: after.Discards[id] - before.Discards[id],
			plan.ActionRequestMerge:    after.MergeRequests[id] - before.MergeRequests[id],
			plan.ActionMigrateSolution: after.Migrations[id] - before.Migrations[id],
			plan.ActionUndoDiscard:     after.UndoDiscards[id] - before.UndoDiscards[id],
		}
		for a, n := range made {
			g.Expect(n).To(Equal(planned[a]), "%s: %s; plan %+v; writes %v", id, a, obj.Actions, writes)
			total += n
		}
	}
	var coSellWrites int
	for _, w := range writes {
		if strings.HasPrefix(w, "PUT ") && strings.Contains(w, "/cosellListing/") {
			coSellWrites++
		}
	}
	g.Expect(coSellWrites).To(Equal(coSells), "co-sell tab writes: %v", writes)
	total += coSellWrites
	g.Expect(writes).To(HaveLen(total), "every write the operator made is one the plan printed: %v", writes)
	return res
}

// transcript appends the plan, as text, to the file
// $PLAN_TRANSCRIPT names, if any: docs/guides/plan.md shows the plans of a
// run (PLAN_TRANSCRIPT=/tmp/plan.txt go test ./test/plan/).
func transcript(t *testing.T, g Gomega, res *plan.Result) {
	name := os.Getenv("PLAN_TRANSCRIPT")
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { g.Expect(f.Close()).To(Succeed()) }()
	exit := plan.ExitNoChanges
	if res.Changes {
		exit = plan.ExitChanges
	}
	_, err = fmt.Fprintf(f, "=== %s (exit status %d)\n", t.Name(), exit)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(plan.WriteText(f, res)).To(Succeed())
}

// readDraft reads what Partner Center holds of the offer's draft, as the
// plan compares it; the empty draft when there is no product yet.
func readDraft(ctx context.Context, g Gomega, r *ingestion.Client, o *v1.MarketplaceOffer) pc.Draft {
	d := pc.Draft{}
	p, err := r.FindProduct(ctx, o.Spec.OfferID)
	if err == nil {
		got, err := r.GetDraft(ctx, p.ID)
		g.Expect(err).NotTo(HaveOccurred())
		d = *got
	} else {
		g.Expect(pc.IsNotFound(err)).To(BeTrue(), "%v", err)
	}
	w, _ := pc.WritableDraft(string(o.Spec.OfferType), offerdraft.Normalize(d))
	return w
}

// nonGETs lists the simulator's request counters, other than GETs, that
// changed between two reads.
func nonGETs(before, after simulator.Stats) []string {
	var out []string
	for k, n := range after.Requests {
		if !strings.HasPrefix(k, "GET ") && n != before.Requests[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// settleSolutions waits until Partner Center reports each Solution's
// action done, or its merge request open (the simulator's partner support
// closes it after a while).
func settleSolutions(ctx context.Context, g Gomega, k8s client.Client, sols []*v1.Solution) {
	g.Eventually(func(g Gomega) {
		for _, s := range sols {
			var cur v1.Solution
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), &cur)).To(Succeed())
			want := map[v1.SolutionAction][]v1.SolutionState{v1.ActionDiscard: {v1.StateDiscarded},
				v1.ActionMerge: {v1.StateMergeRequested, v1.StateMerged}}[s.Spec.Action]
			g.Expect(cur.Status.State).To(BeElementOf(want), "%s: %v", s.Name, cur.Status.Conditions)
		}
	}).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
}

// settle waits until every offer is Ready at its generation.
func settle(ctx context.Context, g Gomega, k8s client.Client, offers []*v1.MarketplaceOffer) {
	g.Eventually(func(g Gomega) {
		for _, o := range offers {
			var cur v1.MarketplaceOffer
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(o), &cur)).To(Succeed())
			ready := meta.FindStatusCondition(cur.Status.Conditions, v1.ReadyCondition)
			g.Expect(ready).NotTo(BeNil(), o.Name)
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "%s: %v", o.Name, cur.Status.Conditions)
			g.Expect(ready.ObservedGeneration).To(Equal(cur.Generation), o.Name)
		}
	}).WithTimeout(90 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
}

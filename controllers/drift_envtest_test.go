package controllers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// The drift tests act behind the operator's back through the simulator's
// admin routes (internal/simulator/admin.go): edit a draft, stop a sale,
// delete a product, as a person in the Partner Center portal would.

// analyticsOffer is the SaaS sample offer, named name with offer ID name,
// in namespace ns.
func analyticsOffer(t *testing.T, ns, name string) *v1alpha1.MarketplaceOffer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "marketplace_v1alpha1_marketplaceoffer_analytics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	o := &v1alpha1.MarketplaceOffer{}
	if err := yaml.Unmarshal(data, o); err != nil {
		t.Fatal(err)
	}
	o.Namespace, o.Name, o.Spec.OfferID = ns, name, name
	return o
}

// goLive creates offer and waits until it is live and Ready, with the
// draft read back once (the baseline the resync compares with).
func goLive(t *testing.T, g Gomega, offer *v1alpha1.MarketplaceOffer) *v1alpha1.MarketplaceOffer {
	t.Helper()
	g.Expect(k8s.Create(context.Background(), offer)).To(Succeed())
	var got *v1alpha1.MarketplaceOffer
	g.Eventually(func(g Gomega) {
		got = getOffer(g, offer.Namespace, offer.Name)
		ready(g, got.Status.Conditions, got.Generation)
		g.Expect(got.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(got.Status.Resync).NotTo(BeNil())
		g.Expect(got.Status.Resync.ReadDigest).NotTo(BeEmpty())
		g.Expect(got.Status.Resync.DraftDigest).To(Equal(got.Status.DraftDigest))
	}, timeout, interval).Should(Succeed())
	return got
}

// simAdmin sends a request to the simulator's admin routes and returns the
// answer's body; it fails the test unless the answer is 2xx.
func simAdmin(t *testing.T, sim *simulator.Simulator, method, path string, body any) []byte {
	t.Helper()
	base := strings.TrimSuffix(sim.URL(), simulator.APIPrefix)
	return simDo(t, method, base+simulator.ExtensionPrefix+path, body)
}

func simDo(t *testing.T, method, url string, body any) []byte {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, out)
	}
	return out
}

// editListingInPortal changes the title of the product's draft listing
// behind the operator's back, keeping the rest of the listing.
func editListingInPortal(t *testing.T, sim *simulator.Simulator, productID, title string) {
	t.Helper()
	tree := simDo(t, http.MethodGet, sim.URL()+"/resource-tree/product/"+productID+"?targetType=draft&$version=2022-03-01-preview5", nil) // the SaaS listing is a preview5 resource
	var parsed struct {
		Resources []map[string]any `json:"resources"`
	}
	if err := json.Unmarshal(tree, &parsed); err != nil {
		t.Fatal(err)
	}
	for _, res := range parsed.Resources {
		id, _ := res["id"].(string)
		if strings.HasPrefix(id, "listing/") {
			res["title"] = title
			simAdmin(t, sim, http.MethodPut, "/drafts/"+id, res)
			return
		}
	}
	t.Fatalf("no listing in the draft of %s: %s", productID, tree)
}

// eventReasons lists the reasons of the events recorded about an object.
func eventReasons(g Gomega, ns, name string) []string {
	var list eventsv1.EventList
	g.Expect(k8s.List(context.Background(), &list, client.InNamespace(ns))).To(Succeed())
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == name {
			out = append(out, e.Reason)
		}
	}
	return out
}

func condition(g Gomega, o *v1alpha1.MarketplaceOffer, t string) *metav1.Condition {
	c := meta.FindStatusCondition(o.Status.Conditions, t)
	g.Expect(c).NotTo(BeNil(), "no %s condition", t)
	return c
}

// published counts the preview and live submissions made for an offer ID.
func published(sim *simulator.Simulator, offerID string) int {
	st := sim.Stats()
	return st.PreviewSubmissions[offerID] + st.LiveSubmissions[offerID]
}

// A draft edited in the Partner Center portal is written back at the next
// resync (Git wins), with a DriftDetected event and DraftSynced reason
// DriftCorrected; the offer stays Ready and live and is not published
// again. Before the edit, resyncs find nothing: what the adapter cannot
// write (the sample's keywords) or writes in its own form is not drift.
func TestPortalEditedDraftIsWrittenBackWithEventAndCondition(t *testing.T) {
	g := NewWithT(t)
	sim, ns, op := startDriftOperator(t, 300*time.Millisecond)
	offer := goLive(t, g, analyticsOffer(t, ns, "drift-edited"))
	pid := offer.Status.ProductID
	before := published(sim, offer.Spec.OfferID)

	// Several resyncs of an untouched draft find no drift, and write
	// nothing.
	reads := func() int { return sim.Stats().Requests["GET resource-tree 200"] }
	first, settled := reads(), getOffer(g, ns, offer.Name).ResourceVersion
	g.Eventually(func() int { return reads() }, timeout, interval).Should(BeNumerically(">=", first+3))
	o := getOffer(g, ns, offer.Name)
	g.Expect(o.ResourceVersion).To(Equal(settled), "a resync that finds nothing writes no status")
	g.Expect(condition(g, o, v1alpha1.DraftSyncedCondition).Reason).To(Equal(v1alpha1.ReasonSucceeded))
	g.Expect(eventReasons(g, ns, offer.Name)).NotTo(ContainElement(v1alpha1.ReasonDriftDetected))

	editListingInPortal(t, sim, pid, "Edited in the portal")
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		c := condition(g, o, v1alpha1.DraftSyncedCondition)
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonDriftCorrected), c.Message)
		g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
		d, err := op.pc.GetDraft(context.Background(), pid)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d.Listing.Title).To(Equal(offer.Spec.Listing.Title))
		g.Expect(eventReasons(g, ns, offer.Name)).To(ContainElement(v1alpha1.ReasonDriftDetected))
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
	}, timeout, interval).Should(Succeed())
	g.Expect(published(sim, offer.Spec.OfferID)).To(Equal(before), "a draft written back is not published again")
}

// A sale stopped in the portal turns Live False with reason SaleStopped
// at the next resync and stalls the offer (kstatus Failed) saying what to
// do; the operator publishes nothing again.
func TestSaleStoppedInPortalTurnsLiveFalseAndStallsWithoutRepublishing(t *testing.T) {
	g := NewWithT(t)
	sim, ns, _ := startDriftOperator(t, 300*time.Millisecond)
	offer := goLive(t, g, analyticsOffer(t, ns, "drift-stopped"))
	before := published(sim, offer.Spec.OfferID)

	simAdmin(t, sim, http.MethodPost, "/products/"+offer.Status.ProductID+"/stop-sale", nil)
	expectStalledOutside(g, ns, offer.Name, v1alpha1.ReasonSaleStopped, "stopped outside the operator", "restore")
	expectStaysStalled(g, ns, offer.Name, v1alpha1.ReasonSaleStopped, func(g Gomega, _ *v1alpha1.MarketplaceOffer) {
		g.Expect(published(sim, offer.Spec.OfferID)).To(Equal(before))
	})
}

// A product deleted in the portal turns Live False with reason
// ProductDeleted at the next resync and stalls the offer; the operator
// does not create another product.
func TestProductDeletedInPortalStallsWithoutRecreating(t *testing.T) {
	g := NewWithT(t)
	sim, ns, _ := startDriftOperator(t, 300*time.Millisecond)
	offer := goLive(t, g, analyticsOffer(t, ns, "drift-deleted"))
	pid := offer.Status.ProductID

	simAdmin(t, sim, http.MethodDelete, "/products/"+pid, nil)
	expectStalledOutside(g, ns, offer.Name, v1alpha1.ReasonProductDeleted, "delete this object and apply it again")
	expectStaysStalled(g, ns, offer.Name, v1alpha1.ReasonProductDeleted, func(g Gomega, o *v1alpha1.MarketplaceOffer) {
		g.Expect(sim.Stats().ProductsByOfferID[offer.Spec.OfferID]).To(BeZero(), "no product created again")
		g.Expect(o.Status.ProductID).To(Equal(pid))
	})
}

// startDriftOperator starts a simulator and an operator for a new
// namespace whose manager resyncs every interval (negative: never).
func startDriftOperator(t *testing.T, interval time.Duration) (*simulator.Simulator, string, *operator) {
	t.Helper()
	sim := startSimulator(t, simOptions{})
	ns := newNamespace(t)
	opts := testOptions()
	opts.ResyncInterval = interval
	return sim, ns, startOperatorWith(t, sim, opts, ns)
}

// expectStalledOutside waits until a change made outside the operator
// turns the offer's Live False with reason and stalls it (kstatus Failed)
// with a message that says each of says.
func expectStalledOutside(g Gomega, ns, name, reason string, says ...string) {
	g.EventuallyWithOffset(1, func(g Gomega) {
		o := getOffer(g, ns, name)
		live := condition(g, o, v1alpha1.LiveCondition)
		g.Expect(live.Status).To(Equal(metav1.ConditionFalse))
		g.Expect(live.Reason).To(Equal(reason))
		st := condition(g, o, v1alpha1.StalledCondition)
		g.Expect(st.Reason).To(Equal(reason))
		for _, text := range says {
			g.Expect(st.Message).To(ContainSubstring(text))
		}
		g.Expect(kstatusOf(g, o)).To(Equal(status.FailedStatus))
	}, timeout, interval).Should(Succeed())
}

// expectStaysStalled checks over two stalled rechecks (and a second more)
// that the offer stays stalled with reason and that nothing was redone.
func expectStaysStalled(g Gomega, ns, name, reason string, check func(Gomega, *v1alpha1.MarketplaceOffer)) {
	g.ConsistentlyWithOffset(1, func(g Gomega) {
		o := getOffer(g, ns, name)
		check(g, o)
		g.Expect(condition(g, o, v1alpha1.StalledCondition).Reason).To(Equal(reason))
	}, 2*testOptions().StalledRecheck+time.Second, interval).Should(Succeed()) // two stalled rechecks and more
}

// With the resync off, an edit of an offer whose sale was stopped, or
// whose product was deleted, in the portal says what happened (Stalled,
// SaleStopped or ProductDeleted) instead of retrying Partner Center's
// refusals; nothing is published or created again.
func TestEditAfterPortalChangeSaysWhatHappened(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		path   string
		reason string
	}{
		{"stop-sale", http.MethodPost, "/products/%s/stop-sale", v1alpha1.ReasonSaleStopped},
		{"delete", http.MethodDelete, "/products/%s", v1alpha1.ReasonProductDeleted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			sim, ns, _ := startDriftOperator(t, -1)
			offer := goLive(t, g, analyticsOffer(t, ns, "drift-edit-"+tc.name))
			before := published(sim, offer.Spec.OfferID)

			simAdmin(t, sim, tc.method, strings.ReplaceAll(tc.path, "%s", offer.Status.ProductID), nil)
			update(g, offer, func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Title = "Contoso Analytics 2" })
			g.Eventually(func(g Gomega) {
				o := getOffer(g, ns, offer.Name)
				g.Expect(o.Status.ObservedGeneration).To(Equal(o.Generation))
				st := condition(g, o, v1alpha1.StalledCondition)
				g.Expect(st.Reason).To(Equal(tc.reason), st.Message)
				g.Expect(condition(g, o, v1alpha1.LiveCondition).Reason).To(Equal(tc.reason))
				g.Expect(kstatusOf(g, o)).To(Equal(status.FailedStatus))
			}, timeout, interval).Should(Succeed())
			expectStaysStalled(g, ns, offer.Name, tc.reason, func(g Gomega, _ *v1alpha1.MarketplaceOffer) {
				g.Expect(published(sim, offer.Spec.OfferID)).To(Equal(before))
				g.Expect(sim.Stats().ProductsByOfferID[offer.Spec.OfferID]).To(BeNumerically("<=", 1))
			})
		})
	}
}

// spec.resyncInterval overrides the manager's interval for one object:
// with the manager resyncing every 300ms, an offer with its own 1h
// interval keeps a portal edit until its resync is due or a reconcile is
// requested, while an offer without one has it written back.
func TestPerObjectResyncIntervalOverridesTheManagers(t *testing.T) {
	g := NewWithT(t)
	sim, ns, op := startDriftOperator(t, 300*time.Millisecond)
	slow := analyticsOffer(t, ns, "drift-hourly")
	slow.Spec.ResyncInterval = &metav1.Duration{Duration: time.Hour}
	fast := goLive(t, g, analyticsOffer(t, ns, "drift-default"))
	slow = goLive(t, g, slow)

	editListingInPortal(t, sim, fast.Status.ProductID, "Edited in the portal")
	editListingInPortal(t, sim, slow.Status.ProductID, "Edited in the portal")
	title := func(g Gomega, pid string) string {
		d, err := op.pc.GetDraft(context.Background(), pid)
		g.Expect(err).NotTo(HaveOccurred())
		return d.Listing.Title
	}
	g.Eventually(func(g Gomega) {
		g.Expect(title(g, fast.Status.ProductID)).To(Equal(fast.Spec.Listing.Title))
	}, timeout, interval).Should(Succeed())
	g.Consistently(func(g Gomega) {
		g.Expect(title(g, slow.Status.ProductID)).To(Equal("Edited in the portal"))
	}, 2*time.Second, interval).Should(Succeed())

	update(g, slow, func(o *v1alpha1.MarketplaceOffer) {
		if o.Annotations == nil {
			o.Annotations = map[string]string{}
		}
		o.Annotations[v1alpha1.ReconcileRequestedAtAnnotation] = time.Now().Format(time.RFC3339Nano)
	})
	g.Eventually(func(g Gomega) {
		g.Expect(title(g, slow.Status.ProductID)).To(Equal(slow.Spec.Listing.Title))
		o := getOffer(g, ns, slow.Name)
		g.Expect(condition(g, o, v1alpha1.DraftSyncedCondition).Reason).To(Equal(v1alpha1.ReasonDriftCorrected))
	}, timeout, interval).Should(Succeed())
}

// An offer stalled because its sale was stopped in the portal is published
// again once a person restores it in Partner Center (lifecycleState
// generallyAvailable), as its stall message says: the next resync finds
// the product restored and the operator publishes it to preview and live
// again (Microsoft requires both after a restore), once.
func TestSaleRestoredInPortalIsPublishedAgain(t *testing.T) {
	g := NewWithT(t)
	sim, ns, _ := startDriftOperator(t, 300*time.Millisecond)
	offer := goLive(t, g, analyticsOffer(t, ns, "drift-restored"))
	pid := offer.Status.ProductID
	simAdmin(t, sim, http.MethodPost, "/products/"+pid+"/stop-sale", nil)
	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		c := condition(g, o, v1alpha1.StalledCondition)
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonSaleStopped))
		g.Expect(c.Message).To(ContainSubstring("generallyAvailable"))
	}, timeout, interval).Should(Succeed())
	before := published(sim, offer.Spec.OfferID)

	// The person restores it: the live submission with lifecycleState
	// generallyAvailable, the SaaS page's restore.
	restore := map[string]any{"$schema": wire.SchemaOf(wire.KindConfigure), "resources": []any{map[string]any{
		"$schema": wire.SchemaOf(wire.KindSubmission), "id": wire.SubmissionRef(pid, offer.Status.LiveSubmission.ID),
		"product": wire.ProductRef(pid), "target": map[string]any{"targetType": "live"}, "lifecycleState": "generallyAvailable",
	}}}
	simDo(t, http.MethodPost, sim.URL()+"/configure?$version="+wire.Version, restore)

	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		g.Expect(meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)).To(BeNil())
		live := condition(g, o, v1alpha1.LiveCondition)
		g.Expect(live.Status).To(Equal(metav1.ConditionTrue), live.Message)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
		g.Expect(o.Status.LiveSubmission.ID).NotTo(Equal(offer.Status.LiveSubmission.ID))
		g.Expect(kstatusOf(g, o)).To(Equal(status.CurrentStatus))
		g.Expect(eventReasons(g, ns, offer.Name)).To(ContainElement("SaleRestored"))
	}, timeout, interval).Should(Succeed())
	g.Consistently(func() int { return published(sim, offer.Spec.OfferID) }, 2*testOptions().StalledRecheck+time.Second, interval).
		Should(Equal(before+2), "one preview and one live submission")
}

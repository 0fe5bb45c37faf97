package simulator

import (
	"net/http"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// TestPublishedAPIFlow follows only the published Product Ingestion API flow
// from an empty product to a live offer.
func TestPublishedAPIFlow(t *testing.T) {
	a := newAPI(t, Options{JobDelay: 20 * time.Millisecond, CertificationDelay: 300 * time.Millisecond}, nil)
	g := a.g

	g.Expect(a.findProducts("contoso-analytics")).To(BeEmpty(), "no product yet: an empty list, not a 404")

	// Create the product; the job completes after JobDelay.
	accepted := a.configure(newProduct("contoso-analytics", "softwareAsAService", "Contoso Analytics"))
	done := a.waitJob(accepted.JobID)
	g.Expect(done.JobResult).To(Equal(wire.JobSucceeded))
	g.Expect(done.JobEnd).NotTo(BeNil())
	created := resourceOf(done, wire.KindProduct)
	pid, ok := wire.ParseProductRef(created.ID)
	g.Expect(ok).To(BeTrue())
	g.Expect(pid).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))

	found := a.findProducts("contoso-analytics")
	g.Expect(found).To(HaveLen(1))
	g.Expect(found[0].ID).To(Equal(wire.ProductRef(pid)))
	g.Expect(found[0].Identity.ExternalID).To(Equal("contoso-analytics"))
	g.Expect(found[0].LifecycleState).To(Equal(wire.LifecycleDraft))
	g.Expect(found[0].Alias).To(Equal("Contoso Analytics"))

	// Fill in every tab.
	st := a.mustSucceed(analyticsDraft(pid)...)
	g.Expect(resourceOf(st, wire.KindListing).ID).NotTo(BeEmpty())
	g.Expect(resourceOf(st, wire.KindPlan).ID).To(HavePrefix("plan/" + pid + "/"))

	var tree wire.ResourceTree
	code, _ := a.call("GET", "resource-tree/product/"+pid+"?targetType=draft", nil, &tree)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(tree.Root).To(Equal(wire.ProductRef(pid)))
	kinds := map[string]int{}
	for _, r := range tree.Resources {
		kinds[wire.KindOf(r.Schema)]++
	}
	g.Expect(kinds).To(Equal(map[string]int{wire.KindProduct: 1, wire.KindListing: 1, wire.KindPlan: 2,
		wire.KindPriceAndAvail: 2, wire.KindCoSellListing: 1, wire.KindReseller: 1}))
	for _, r := range tree.Resources {
		if wire.KindOf(r.Schema) == wire.KindPriceAndAvail && r.Plan == wire.PlanRef(pid, "standard") {
			g.Expect(r.Pricing).To(Equal(&wire.Pricing{Model: "flatRate", Price: "499.00"}))
			g.Expect(r.Markets).To(Equal([]string{"US", "CA"}))
		}
	}

	// Review and publish: certification.
	sid := a.submit(pid, wire.TargetPreview, "")
	g.Expect(a.submission(pid, sid).Status).To(Equal(wire.SubmissionInProgress))
	preview := a.waitSubmission(pid, sid)
	g.Expect(preview.Result).To(Equal(wire.JobSucceeded))
	g.Expect(preview.PreviewLinks).To(ConsistOf(HavePrefix("https://appsource.microsoft.com/preview/contoso-analytics")))
	g.Expect(preview.CertificationReport).To(BeNil())
	p := a.product(pid)
	g.Expect(p.LifecycleState).To(Equal(wire.LifecyclePublished))
	g.Expect(p.LiveSubmission).To(BeEmpty())

	// Go live with the preview submission's durable ID.
	liveID := a.submit(pid, wire.TargetLive, wire.SubmissionRef(pid, sid))
	live := a.waitSubmission(pid, liveID)
	g.Expect(live.Result).To(Equal(wire.JobSucceeded))
	g.Expect(live.LiveLink).To(Equal("https://appsource.microsoft.com/product/contoso-analytics"))
	p = a.product(pid)
	g.Expect(p.LiveSubmission).To(Equal(wire.SubmissionRef(pid, liveID)))
	g.Expect(p.LiveLink).To(Equal("https://appsource.microsoft.com/product/contoso-analytics"))
	g.Expect(p.CoSellStatus).To(Equal(wire.CoSellIncentiveEligible))

	// Going live again with the same preview answers the same live submission.
	g.Expect(a.submit(pid, wire.TargetLive, wire.SubmissionRef(pid, sid))).To(Equal(liveID))

	var subs wire.List[wire.Submission]
	code, _ = a.call("GET", "submission/"+pid, nil, &subs)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(subs.Value).To(HaveLen(2))
	g.Expect(subs.Value[0].ID).To(Equal(wire.SubmissionRef(pid, liveID)), "newest first")
	g.Expect(subs.Value[1].ID).To(Equal(wire.SubmissionRef(pid, sid)))

	stats := a.sim.Stats()
	g.Expect(stats.ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.LiveSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.Requests).To(HaveKeyWithValue("POST configure 202", BeNumerically(">=", 5)))
	g.Expect(stats.Requests).To(HaveKey("GET configure/status 200"))

	// Reads of what does not exist.
	code, e := a.call("GET", "product/00000000-0000-4000-8000-000000000000", nil, nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	g.Expect(e.Error.Code).To(Equal(wire.CodeNotFound))
	code, _ = a.call("GET", "submission/"+pid+"/42", nil, nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	code, _ = a.call("GET", "configure/nope/status", nil, nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
}

func TestJobTakesJobDelay(t *testing.T) {
	clk := newClock()
	a := newAPI(t, Options{JobDelay: time.Second}, clk)
	g := a.g
	accepted := a.configure(newProduct("contoso-analytics", "softwareAsAService", "Contoso Analytics"))
	running := a.job(accepted.JobID)
	g.Expect(running.JobStatus).To(Equal(wire.JobRunning))
	g.Expect(running.JobResult).To(Equal(wire.JobPending))
	g.Expect(running.Resources).To(BeEmpty())
	clk.Advance(time.Second)
	done := a.job(accepted.JobID)
	g.Expect(done.JobStatus).To(Equal(wire.JobCompleted))
	g.Expect(done.JobResult).To(Equal(wire.JobSucceeded))
	g.Expect(done.JobEnd.Sub(*done.JobStart)).To(Equal(time.Second))
}

func TestCertificationFailureThenFix(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g

	pid := a.createProduct("contoso-retail-assessment", "consultingService")
	a.mustSucceed(retailDraft(pid, false)...)
	sid := a.submit(pid, wire.TargetPreview, "")
	s := a.waitSubmission(pid, sid)
	g.Expect(s.Result).To(Equal(wire.JobFailed))
	g.Expect(s.CertificationReport).NotTo(BeNil())
	g.Expect(codes(s.CertificationReport.Items)).To(ConsistOf(codePrivacyPolicyMissing, codeDescriptionTooShort))
	for _, item := range s.CertificationReport.Items {
		g.Expect(item.Resource).To(Equal("listing"))
		g.Expect(item.Message).NotTo(BeEmpty())
	}
	g.Expect(a.product(pid).LifecycleState).To(Equal(wire.LifecycleDraft), "a failed certification publishes nothing")

	// A failed preview cannot go live.
	e := a.mustFail(wire.CodeInvalidState, submissionRes(pid, wire.TargetLive, wire.SubmissionRef(pid, sid)))
	g.Expect(e.Message).To(ContainSubstring("did not pass certification"))

	// Resubmitting the same draft changes nothing.
	a.mustFail(wire.CodeNoChanges, submissionRes(pid, wire.TargetPreview, ""))

	a.mustSucceed(retailDraft(pid, true)...)
	fixed := a.waitSubmission(pid, a.submit(pid, wire.TargetPreview, ""))
	g.Expect(fixed.Result).To(Equal(wire.JobSucceeded), "report: %+v", fixed.CertificationReport)
	g.Expect(a.product(pid).LifecycleState).To(Equal(wire.LifecyclePublished))
}

// TestPlanWithoutPricing sends a plan whose price-and-availability-plan has
// markets but no pricing, as the HTTP adapter does for a plan without one:
// accepted, then reported by certification.
func TestPlanWithoutPricing(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	draft := analyticsDraft(pid)
	draft[2].Pricing = nil
	a.mustSucceed(draft...)
	s := a.waitSubmission(pid, a.submit(pid, wire.TargetPreview, ""))
	g.Expect(s.Result).To(Equal(wire.JobFailed))
	g.Expect(s.CertificationReport.Items).To(ConsistOf(And(HaveField("Code", codePlanPricingMissing), HaveField("Resource", "plan/standard"))))
}

func TestFieldServiceGoesLiveOnAzureMarketplace(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid := a.createProduct("contoso-fieldservice", "azureApplication")
	a.mustSucceed(fieldServiceDraft(pid)...)
	p := a.publish(pid)
	g.Expect(p.LiveLink).To(Equal("https://azuremarketplace.microsoft.com/product/contoso-fieldservice"))
	g.Expect(p.CoSellStatus).To(Equal(wire.CoSellReady))
}

func TestCertificationRules(t *testing.T) {
	good := func() draftRec {
		return draftRec{
			Listing: &wire.Resource{Title: "T", Summary: "S", Description: longDescription, PrivacyPolicyLink: "https://x.example/p"},
			Plans: []planRec{{Plan: wire.Resource{Identity: &wire.Identity{ExternalID: "basic"}},
				Price: &wire.Resource{Pricing: &wire.Pricing{Model: "free"}}}},
			CoSell: &wire.Resource{SolutionAreas: []string{"Security"}, Documents: []wire.Document{
				{Type: docOnePager, URL: "https://x.example/1"}, {Type: docPitchDeck, URL: "https://x.example/2"}}},
		}
	}
	for _, tc := range []struct {
		name      string
		offerType string
		change    func(*draftRec)
		want      []string
	}{
		{"complete", "softwareAsAService", func(*draftRec) {}, nil},
		{"no listing", "softwareAsAService", func(d *draftRec) { d.Listing = nil },
			[]string{codeTitleMissing, codeSummaryMissing, codeDescriptionTooShort, codePrivacyPolicyMissing}},
		{"tags do not count", "softwareAsAService", func(d *draftRec) {
			d.Listing.Description = "<p>short</p><br/><br/><br/><br/><br/><br/><br/><br/><br/><br/><br/><br/><br/><br/>"
		},
			[]string{codeDescriptionTooShort}},
		{"no pitch deck", "softwareAsAService", func(d *draftRec) { d.CoSell.Documents = d.CoSell.Documents[:1] },
			[]string{codeCoSellDocumentMissing}},
		{"no areas, no documents needed", "softwareAsAService", func(d *draftRec) { d.CoSell = &wire.Resource{} }, nil},
		{"plan without pricing", "azureApplication", func(d *draftRec) { d.Plans[0].Price = nil }, []string{codePlanPricingMissing}},
		{"per user without price", "softwareAsAService", func(d *draftRec) { d.Plans[0].Price.Pricing.Model = "perUser" },
			[]string{codePlanPricingMissing}},
		{"consulting needs no pricing", "consultingService", func(d *draftRec) { d.Plans[0].Price = nil }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			d := good()
			tc.change(&d)
			items := certify(tc.offerType, d)
			if tc.want == nil {
				g.Expect(items).To(BeEmpty())
				return
			}
			g.Expect(codes(items)).To(ConsistOf(tc.want))
			for _, i := range items {
				g.Expect(i.Message).To(MatchRegexp(`\.$`), "messages are sentences that say what to do")
			}
		})
	}
}

func TestCoSellStatus(t *testing.T) {
	g := NewWithT(t)
	docs := []wire.Document{{Type: docOnePager, URL: "u"}, {Type: docPitchDeck, URL: "u"}}
	ready := &wire.Resource{SolutionAreas: []string{"A"}, Documents: docs, Contacts: []wire.Contact{{Role: "Sales", Email: "e"}},
		LandingPageLink: "https://x.example"}
	g.Expect(coSellStatus(draftRec{})).To(Equal(wire.CoSellNotReady))
	g.Expect(coSellStatus(draftRec{CoSell: ready})).To(Equal(wire.CoSellReady))
	six := *ready
	six.SolutionAreas = []string{"1", "2", "3", "4", "5", "6"}
	g.Expect(coSellStatus(draftRec{CoSell: &six})).To(Equal(wire.CoSellNotReady))
	eligible := *ready
	eligible.Documents = append(append([]wire.Document{}, docs...), wire.Document{Type: docArchitecture, URL: "u"}, wire.Document{Type: docRevenue, URL: "u"})
	g.Expect(coSellStatus(draftRec{CoSell: &eligible})).To(Equal(wire.CoSellIncentiveEligible))
	onlyArch := *ready
	onlyArch.Documents = append(append([]wire.Document{}, docs...), wire.Document{Type: docArchitecture, URL: "u"})
	g.Expect(coSellStatus(draftRec{CoSell: &onlyArch})).To(Equal(wire.CoSellReady))
}

func TestConflicts(t *testing.T) {
	clk := newClock()
	a := newAPI(t, Options{CertificationDelay: time.Minute}, clk)
	g := a.g

	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	e := a.mustFail(wire.CodeProductExists, newProduct("contoso-analytics", "softwareAsAService", "Again"))
	g.Expect(e.Message).To(ContainSubstring("contoso-analytics"))
	g.Expect(a.findProducts("contoso-analytics")).To(HaveLen(1))

	a.mustSucceed(analyticsDraft(pid)...)
	sid := a.submit(pid, wire.TargetPreview, "")
	// A second submission while the first is certifying, even with a changed draft.
	a.mustSucceed(retailDraft(pid, true)...)
	e = a.mustFail(wire.CodeInProgressSubmission, submissionRes(pid, wire.TargetPreview, ""))
	g.Expect(e.Target).To(Equal(wire.SubmissionRef(pid, sid)))
	// Going live before the preview completed.
	a.mustFail(wire.CodeInProgressSubmission, submissionRes(pid, wire.TargetLive, wire.SubmissionRef(pid, sid)))

	clk.Advance(time.Minute)
	g.Expect(a.submission(pid, sid).Result).To(Equal(wire.JobSucceeded))
	// The failed request above did not record the draft as submitted: the
	// changed draft may be submitted once.
	sid2 := a.submit(pid, wire.TargetPreview, "")
	clk.Advance(time.Minute)
	g.Expect(a.submission(pid, sid2).Status).To(Equal(wire.SubmissionCompleted))
	a.mustFail(wire.CodeNoChanges, submissionRes(pid, wire.TargetPreview, ""))
	// Only the newest preview may go live.
	e = a.mustFail(wire.CodeInvalidState, submissionRes(pid, wire.TargetLive, wire.SubmissionRef(pid, sid)))
	g.Expect(e.Message).To(ContainSubstring(sid2))

	stats := a.sim.Stats()
	g.Expect(stats.PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 2}))
	g.Expect(stats.ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}))
}

func TestConcurrentCreatesMakeOneProduct(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	var wg sync.WaitGroup
	jobs := make(chan string, 16)
	for range 16 {
		wg.Go(func() {
			var st wire.ConfigureStatus
			code, _ := a.call("POST", "configure", configureBody(newProduct("race-offer", "softwareAsAService", "Race")), &st)
			if code == http.StatusAccepted {
				jobs <- st.JobID
			}
		})
	}
	wg.Wait()
	close(jobs)
	results := map[string]int{}
	for id := range jobs {
		results[a.waitJob(id).JobResult]++
	}
	g.Expect(results).To(Equal(map[string]int{wire.JobSucceeded: 1, wire.JobFailed: 15}))
	g.Expect(a.sim.Stats().ProductsByOfferID).To(Equal(map[string]int{"race-offer": 1}))
}

func TestUpdateOfLiveOfferKeepsLiveVersion(t *testing.T) {
	clk := newClock()
	a := newAPI(t, Options{CertificationDelay: time.Minute, JobDelay: time.Second}, clk)
	g := a.g

	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	a.mustSucceed(analyticsDraft(pid)...)
	sid := a.submit(pid, wire.TargetPreview, "")
	clk.Advance(time.Minute)
	accepted := a.configure(submissionRes(pid, wire.TargetLive, wire.SubmissionRef(pid, sid)))
	g.Expect(a.product(pid).LiveSubmission).To(BeEmpty(), "going live takes JobDelay")
	_, liveID, _ := wire.ParseSubmissionRef(resourceOf(a.waitJob(accepted.JobID), wire.KindSubmission).ID)
	before := a.product(pid)
	g.Expect(before.LiveSubmission).To(Equal(wire.SubmissionRef(pid, liveID)))

	// Update: a new draft (co-sell documents dropped) certifies while the old version stays live.
	draft := analyticsDraft(pid)
	draft[0].Title = "Contoso Analytics 2"
	draft[5].Documents = nil
	draft[5].SolutionAreas = nil
	a.mustSucceed(draft...)
	sid2 := a.submit(pid, wire.TargetPreview, "")
	g.Expect(a.product(pid)).To(Equal(before), "live version unchanged while certifying")
	clk.Advance(time.Minute)
	g.Expect(a.submission(pid, sid2).Result).To(Equal(wire.JobSucceeded))
	g.Expect(a.product(pid)).To(Equal(before), "live version unchanged until the new version goes live")

	live2 := a.submit(pid, wire.TargetLive, wire.SubmissionRef(pid, sid2))
	after := a.product(pid)
	g.Expect(after.LiveSubmission).To(Equal(wire.SubmissionRef(pid, live2)))
	g.Expect(after.LiveLink).To(Equal(before.LiveLink))
	g.Expect(after.CoSellStatus).To(Equal(wire.CoSellNotReady), "co-sell status follows the live snapshot")
}

func TestStopSaleAndDeleteDraft(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	deprecate := func(pid string) wire.Resource {
		return wire.Resource{Schema: wire.Schema(wire.KindProduct), ID: wire.ProductRef(pid), LifecycleState: wire.LifecycleDeprecated}
	}
	remove := func(pid string) wire.Resource {
		return wire.Resource{Schema: wire.Schema(wire.KindProduct), ID: wire.ProductRef(pid), LifecycleState: wire.LifecycleDeleted}
	}

	draft := a.createProduct("contoso-draft", "softwareAsAService")
	e := a.mustFail(wire.CodeInvalidState, deprecate(draft))
	g.Expect(e.Message).To(ContainSubstring("never published"))
	a.mustSucceed(remove(draft))
	g.Expect(a.findProducts("contoso-draft")).To(BeEmpty())
	code, _ := a.call("GET", "product/"+draft, nil, nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	g.Expect(a.sim.Stats().ProductsByOfferID).NotTo(HaveKey("contoso-draft"))
	// The offer ID is free again.
	a.createProduct("contoso-draft", "softwareAsAService")

	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	a.mustSucceed(analyticsDraft(pid)...)
	a.publish(pid)
	e = a.mustFail(wire.CodeInvalidState, remove(pid))
	g.Expect(e.Message).To(ContainSubstring("deprecated"))
	a.mustSucceed(deprecate(pid))
	p := a.product(pid)
	g.Expect(p.LifecycleState).To(Equal(wire.LifecycleDeprecated))
	g.Expect(p.LiveLink).To(BeEmpty())
	a.mustSucceed(deprecate(pid)) // idempotent
	a.mustSucceed(listing(pid, "Changed", "S", longDescription, "https://contoso.example/privacy"))
	a.mustFail(wire.CodeInvalidState, submissionRes(pid, wire.TargetPreview, ""))
}

//go:build contract

// This suite drives the simulator through the operator's HTTP adapter
// (package ingestion). The adapter and the simulator are rewritten to
// Microsoft's published contract in parallel branches (issue 10); the lead
// re-enables this file (drops the build tag and ports it to the new
// adapter) after merging both. Run it with -tags contract.

package simulator_test

// The contract suite: a real simulator, listening on a loopback port, driven
// only through the partnercenter.Client port of the HTTP adapter (package
// ingestion), the operator's own code path. Every lifecycle path the
// controllers rely on is exercised here, then every fault the simulator can
// inject, then a restart in the middle of a certification.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

const (
	contoso       = "4871234"
	lapsedPartner = "5550001" // membership not valid
	marketer      = "5550002" // Marketer role on fabrikam

	solAnalytics    = "ocp-contoso-analytics"
	solFieldService = "ocp-contoso-fieldservice"
	solLegacyCRM    = "ocp-contoso-legacy-crm"

	contractJobDelay   = 10 * time.Millisecond
	contractCertDelay  = 150 * time.Millisecond
	contractMergeDelay = 200 * time.Millisecond
)

// contract is one simulator and one adapter of it.
type contract struct {
	t   *testing.T
	g   *WithT
	ctx context.Context
	sim *simulator.Simulator
	// pc is the adapter, held as the port: the suite may use nothing else.
	pc pc.Client
	// attempts records every HTTP attempt the adapter made.
	attempts *attemptLog
}

// attemptLog is the adapter's Observer: the status of every attempt.
type attemptLog struct {
	mu       sync.Mutex
	statuses []int
}

func (l *attemptLog) observe(_ string, status int, _ time.Duration) {
	l.mu.Lock()
	l.statuses = append(l.statuses, status)
	l.mu.Unlock()
}

// count returns how many attempts ended with a status for which match is true.
func (l *attemptLog) count(match func(int) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.statuses {
		if match(s) {
			n++
		}
	}
	return n
}

// startSimulator starts a simulator on a free loopback port. Unset delays
// get the suite's short defaults; an unset StoreDir a fresh folder.
func startSimulator(t *testing.T, opts simulator.Options) *simulator.Simulator {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	if opts.StoreDir == "" {
		opts.StoreDir = t.TempDir()
	}
	if opts.JobDelay == 0 {
		opts.JobDelay = contractJobDelay
	}
	if opts.CertificationDelay == 0 {
		opts.CertificationDelay = contractCertDelay
	}
	if opts.MergeDelay == 0 {
		opts.MergeDelay = contractMergeDelay
	}
	sim, err := simulator.New(opts)
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	if err := sim.Start(context.Background()); err != nil {
		t.Fatalf("simulator.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("simulator.Close: %v", err)
		}
	})
	return sim
}

// adapterOptions are small backoffs, so that retried faults keep the suite
// fast.
func adapterOptions(baseURL string, log *attemptLog) ingestion.Options {
	return ingestion.Options{
		BaseURL:          baseURL,
		MigrationSurface: true,
		RequestTimeout:   5 * time.Second,
		MaxAttempts:      10,
		MinBackoff:       5 * time.Millisecond,
		MaxBackoff:       50 * time.Millisecond,
		MaxRetryAfter:    time.Second,
		JobPollInterval:  5 * time.Millisecond,
		Observer:         log.observe,
	}
}

func newAdapter(t *testing.T, opts ingestion.Options) pc.Client {
	t.Helper()
	c, err := ingestion.New(opts)
	if err != nil {
		t.Fatalf("ingestion.New: %v", err)
	}
	return c
}

// newContract starts a simulator with opts and an adapter of it; tune, when
// given, changes the adapter's options.
func newContract(t *testing.T, opts simulator.Options, tune ...func(*ingestion.Options)) *contract {
	t.Helper()
	sim := startSimulator(t, opts)
	log := &attemptLog{}
	o := adapterOptions(sim.URL(), log)
	for _, f := range tune {
		f(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return &contract{t: t, g: NewWithT(t), ctx: ctx, sim: sim, pc: newAdapter(t, o), attempts: log}
}

// --- Drafts, normalised as the controllers' normalizeDraft leaves them:
// every set sorted, plans by ID, documents by type then URL, contacts by
// role then email, empty lists nil, the resell policy set.

const description = "<p>Contoso Analytics turns point-of-sale, inventory and shelf-sensor data into live dashboards " +
	"and demand forecasts for retail chains.</p>"

func analyticsDraft() pc.Draft {
	return pc.Draft{
		Listing: pc.Listing{
			Title:            "Contoso Analytics",
			Summary:          "Real-time analytics for retail stores.",
			ShortDescription: "Dashboards and forecasts for retail.",
			Description:      description,
			PrivacyPolicyURL: "https://contoso.example/privacy",
			SupportURL:       "https://contoso.example/support",
			Keywords:         []string{"analytics", "forecasting", "retail"},
		},
		Plans: []pc.Plan{
			{ID: "enterprise", Name: "Enterprise", Description: "Talk to us.", Pricing: "Contact", Markets: []string{"US"}},
			{ID: "standard", Name: "Standard", Description: "Up to 50 stores.", Pricing: "FlatRate", Price: "499.00", Markets: []string{"CA", "GB", "US"}},
			{ID: "trial", Name: "Trial", Pricing: "Free"},
		},
		CoSell: pc.CoSellListing{
			SolutionType:  "Software",
			SolutionAreas: []string{"Data & AI"},
			Industries:    []string{"Retail"},
			Documents: []pc.Document{
				{Type: "PitchDeck", URL: "https://contoso.example/analytics/deck.pptx"},
				{Type: "ReferenceArchitecture", URL: "https://contoso.example/analytics/architecture.pdf"},
				{Type: "SolutionOnePager", URL: "https://contoso.example/analytics/one-pager.pdf"},
				{Type: "TechnicalValidation", URL: "https://contoso.example/analytics/validation.pdf"},
			},
			Contacts: []pc.Contact{
				{Role: "Engineering", Name: "Ravi Natarajan", Email: "ravi.natarajan@contoso.example"},
				{Role: "Sales", Name: "Dana Whitfield", Email: "dana.whitfield@contoso.example"},
			},
			LandingPageURL: "https://contoso.example/analytics",
		},
		Resell: pc.Resell{Policy: "Specific", PartnerIDs: []string{"5123456", "5234567"}},
	}
}

// failingDraft breaks four certification rules: no privacy policy, a short
// description, a plan without pricing and co-sell solution areas without a
// one-pager or pitch deck.
func failingDraft() pc.Draft {
	d := analyticsDraft()
	d.Listing.PrivacyPolicyURL = ""
	d.Listing.Description = "Too short."
	d.Plans = []pc.Plan{{ID: "basic", Name: "Basic"}}
	d.CoSell.Documents = []pc.Document{{Type: "CaseStudy", URL: "https://contoso.example/analytics/case.pdf"}}
	return d
}

// --- Helpers over the port.

func (c *contract) createProduct(offerID, offerType string) *pc.Product {
	c.t.Helper()
	p, err := c.pc.CreateProduct(c.ctx, pc.ProductSpec{OfferID: offerID, OfferType: offerType, PublisherID: "contoso", Name: offerID})
	c.g.Expect(err).NotTo(HaveOccurred())
	c.g.Expect(p.ID).NotTo(BeEmpty())
	return p
}

// waitJob polls a job through the port until it is done; transient errors
// (injected faults) are polled through.
func (c *contract) waitJob(jobID string) *pc.Job {
	c.t.Helper()
	var job *pc.Job
	c.g.Eventually(func(g Gomega) {
		var err error
		job, err = c.pc.GetJob(c.ctx, jobID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(job.Done()).To(BeTrue())
	}).WithTimeout(20 * time.Second).WithPolling(10 * time.Millisecond).Should(Succeed())
	return job
}

// configure writes a draft and waits for its job to succeed.
func (c *contract) configure(productID string, d pc.Draft) {
	c.t.Helper()
	job, err := c.pc.ConfigureDraft(c.ctx, productID, d)
	c.g.Expect(err).NotTo(HaveOccurred())
	c.g.Expect(job.ID).NotTo(BeEmpty())
	done := c.waitJob(job.ID)
	c.g.Expect(done.Result).To(Equal(pc.JobSucceeded), "job errors: %+v", done.Errors)
}

// waitSubmission polls a submission until it completed.
func (c *contract) waitSubmission(productID, submissionID string) *pc.Submission {
	c.t.Helper()
	var s *pc.Submission
	c.g.Eventually(func(g Gomega) {
		var err error
		s, err = c.pc.GetSubmission(c.ctx, productID, submissionID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(s.Status).To(Equal(pc.SubmissionCompleted))
	}).WithTimeout(20 * time.Second).WithPolling(10 * time.Millisecond).Should(Succeed())
	return s
}

// certify submits the draft for preview and expects certification to pass.
func (c *contract) certify(productID string) *pc.Submission {
	c.t.Helper()
	sub, err := c.pc.SubmitPreview(c.ctx, productID)
	c.g.Expect(err).NotTo(HaveOccurred())
	c.g.Expect(sub.Target).To(Equal(pc.TargetPreview))
	done := c.waitSubmission(productID, sub.ID)
	c.g.Expect(done.Result).To(Equal(pc.SubmissionSucceeded), "feedback: %+v", done.Feedback)
	return done
}

// goLive takes a certified preview live and returns the live submission.
func (c *contract) goLive(productID, previewID string) *pc.Submission {
	c.t.Helper()
	sub, err := c.pc.GoLive(c.ctx, productID, previewID)
	c.g.Expect(err).NotTo(HaveOccurred())
	c.g.Expect(sub.Target).To(Equal(pc.TargetLive))
	done := c.waitSubmission(productID, sub.ID)
	c.g.Expect(done.Result).To(Equal(pc.SubmissionSucceeded))
	return done
}

// publish takes a new product with the analytics draft live.
func (c *contract) publish(offerID string) *pc.Product {
	c.t.Helper()
	p := c.createProduct(offerID, "SoftwareAsAService")
	c.configure(p.ID, analyticsDraft())
	preview := c.certify(p.ID)
	c.goLive(p.ID, preview.ID)
	live, err := c.pc.GetProduct(c.ctx, p.ID)
	c.g.Expect(err).NotTo(HaveOccurred())
	c.g.Expect(live.LiveURL).NotTo(BeEmpty())
	return live
}

func (c *contract) solution(partnerID, solutionID string) *pc.LegacySolution {
	c.t.Helper()
	s, err := c.pc.GetSolution(c.ctx, partnerID, solutionID)
	c.g.Expect(err).NotTo(HaveOccurred())
	return s
}

func migrateRequest(solutionID, offerID, offerType string) pc.MigrateRequest {
	return pc.MigrateRequest{PartnerID: contoso, SolutionID: solutionID, OfferID: offerID, OfferType: offerType, PublisherID: "contoso"}
}

// expectClass checks an error's class and, when code is not empty, its code.
func expectClass(g *WithT, err error, class pc.Class, code string) {
	g.THelper()
	g.Expect(err).To(HaveOccurred())
	var pcErr *pc.Error
	g.Expect(errors.As(err, &pcErr)).To(BeTrue(), "error %T is not a *partnercenter.Error: %v", err, err)
	g.Expect(pcErr.Class).To(Equal(class), "error: %v", err)
	if code != "" {
		g.Expect(pc.CodeOf(err)).To(Equal(code), "error: %v", err)
	}
}

// --- Lifecycle paths.

func TestContractPrerequisites(t *testing.T) {
	c := newContract(t, simulator.Options{})
	g := c.g

	p, err := c.pc.Prerequisites(c.ctx, contoso, "contoso")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*p).To(Equal(pc.Prerequisites{MembershipValid: true, MarketplaceAccount: true, PublisherRole: pc.RoleAdmin}))
	g.Expect(p.CanPublish()).To(BeTrue())

	p, err = c.pc.Prerequisites(c.ctx, contoso, "")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.PublisherRole).To(BeEmpty(), "no publisher, no role check")
	g.Expect(p.MembershipValid).To(BeTrue())

	p, err = c.pc.Prerequisites(c.ctx, lapsedPartner, "northwind")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.MembershipValid).To(BeFalse())
	g.Expect(p.MarketplaceAccount).To(BeTrue())

	p, err = c.pc.Prerequisites(c.ctx, marketer, "fabrikam")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.MembershipValid).To(BeTrue())
	g.Expect(p.PublisherRole).To(Equal("Marketer"))
	g.Expect(p.CanPublish()).To(BeFalse())

	_, err = c.pc.Prerequisites(c.ctx, "9999999", "contoso")
	expectClass(g, err, pc.ClassNotFound, "")
	g.Expect(pc.IsNotFound(err)).To(BeTrue())

	// Acting without the prerequisites is refused, terminally, and changes
	// nothing.
	_, err = c.pc.DiscardSolution(c.ctx, lapsedPartner, "ocp-northwind-inventory")
	expectClass(g, err, pc.ClassTerminal, "")
	g.Expect(c.solution(lapsedPartner, "ocp-northwind-inventory").State).To(Equal(pc.SolutionStatePendingMigration))
	_, err = c.pc.MigrateSolution(c.ctx, pc.MigrateRequest{PartnerID: marketer, SolutionID: "ocp-fabrikam-payroll",
		OfferID: "fabrikam-payroll", OfferType: "SoftwareAsAService", PublisherID: "fabrikam"})
	expectClass(g, err, pc.ClassTerminal, "")
	g.Expect(err.Error()).To(ContainSubstring("Marketer"))
	_, err = c.pc.FindProduct(c.ctx, "fabrikam-payroll")
	g.Expect(pc.IsNotFound(err)).To(BeTrue(), "a refused migration creates no product")
}

func TestContractGetSolution(t *testing.T) {
	c := newContract(t, simulator.Options{})
	g := c.g

	s := c.solution(contoso, solAnalytics)
	g.Expect(s.PartnerID).To(Equal(contoso))
	g.Expect(s.SolutionID).To(Equal(solAnalytics))
	g.Expect(s.Name).To(Equal("Contoso Analytics"))
	g.Expect(s.Summary).NotTo(BeEmpty())
	g.Expect(s.State).To(Equal(pc.SolutionStatePendingMigration))
	g.Expect(s.ProductID).To(BeEmpty())
	g.Expect(s.SupportRequestID).To(BeEmpty())
	g.Expect(s.BillOfMaterials).To(ConsistOf(
		pc.Document{Type: "SolutionOnePager", URL: "https://contoso.example/analytics/one-pager.pdf"},
		pc.Document{Type: "PitchDeck", URL: "https://contoso.example/analytics/deck.pptx"},
		pc.Document{Type: "ReferenceArchitecture", URL: "https://contoso.example/analytics/architecture.pdf"},
	))

	_, err := c.pc.GetSolution(c.ctx, contoso, "ocp-no-such-solution")
	expectClass(g, err, pc.ClassNotFound, "")
	_, err = c.pc.GetSolution(c.ctx, "9999999", solAnalytics)
	expectClass(g, err, pc.ClassNotFound, "")
}

func TestContractMigrate(t *testing.T) {
	t.Run("new draft with the bill of materials", func(t *testing.T) {
		c := newContract(t, simulator.Options{})
		g := c.g
		sol, err := c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-analytics", "SoftwareAsAService"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(sol.State).To(Equal(pc.SolutionStateMigrated))
		g.Expect(sol.ProductID).NotTo(BeEmpty())

		p, err := c.pc.FindProduct(c.ctx, "contoso-analytics")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(p.ID).To(Equal(sol.ProductID))
		g.Expect(p.OfferType).To(Equal("SoftwareAsAService"))
		g.Expect(p.PublisherID).To(Equal("contoso"))
		g.Expect(p.State).To(Equal(pc.LifecycleDraft))
		g.Expect(p.MigratedFrom).To(Equal(solAnalytics))
		g.Expect(p.Name).To(Equal("Contoso Analytics"))

		d, err := c.pc.GetDraft(c.ctx, p.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d.Listing.Title).To(Equal(sol.Name), "the draft keeps the solution's name")
		g.Expect(d.Listing.Summary).To(Equal(sol.Summary))
		g.Expect(d.CoSell.Documents).To(Equal([]pc.Document{ // sorted by type
			{Type: "PitchDeck", URL: "https://contoso.example/analytics/deck.pptx"},
			{Type: "ReferenceArchitecture", URL: "https://contoso.example/analytics/architecture.pdf"},
			{Type: "SolutionOnePager", URL: "https://contoso.example/analytics/one-pager.pdf"},
		}), "the bill of materials becomes the co-sell documents")
		g.Expect(c.solution(contoso, solAnalytics).State).To(Equal(pc.SolutionStateMigrated))

		// Idempotent: the same request returns the same product.
		again, err := c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-analytics", "SoftwareAsAService"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(again.ProductID).To(Equal(sol.ProductID))
		g.Expect(again.State).To(Equal(pc.SolutionStateMigrated))
		stats := c.sim.Stats()
		g.Expect(stats.Migrations).To(Equal(map[string]int{solAnalytics: 1}))
		g.Expect(stats.ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}))

		// The migrated draft goes all the way like any other.
		c.configure(p.ID, analyticsDraft())
		preview := c.certify(p.ID)
		c.goLive(p.ID, preview.ID)
	})

	t.Run("adopts a never-submitted draft", func(t *testing.T) {
		c := newContract(t, simulator.Options{})
		g := c.g
		// The MarketplaceOffer was applied before the Solution.
		p := c.createProduct("contoso-fieldservice", "AzureApplication")
		d := analyticsDraft()
		d.Listing.Title = "Contoso Field Service (our title)"
		d.CoSell.Documents = nil
		c.configure(p.ID, d)

		sol, err := c.pc.MigrateSolution(c.ctx, migrateRequest(solFieldService, "contoso-fieldservice", "AzureApplication"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(sol.State).To(Equal(pc.SolutionStateMigrated))
		g.Expect(sol.ProductID).To(Equal(p.ID), "the existing draft is adopted, no second product")
		g.Expect(c.sim.Stats().ProductsByOfferID).To(Equal(map[string]int{"contoso-fieldservice": 1}))

		got, err := c.pc.GetDraft(c.ctx, p.ID)
		g.Expect(err).NotTo(HaveOccurred())
		want := d
		want.CoSell.Documents = []pc.Document{
			{Type: "PitchDeck", URL: "https://contoso.example/fieldservice/deck.pptx"},
			{Type: "SolutionOnePager", URL: "https://contoso.example/fieldservice/one-pager.pdf"},
		}
		g.Expect(*got).To(Equal(want), "the draft keeps everything and gains the bill of materials")
		prod, err := c.pc.GetProduct(c.ctx, p.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(prod.MigratedFrom).To(Equal(solFieldService))

		// A draft that has documents keeps them.
		p2 := c.createProduct("contoso-crm", "SoftwareAsAService")
		c.configure(p2.ID, analyticsDraft())
		sol, err = c.pc.MigrateSolution(c.ctx, migrateRequest(solLegacyCRM, "contoso-crm", "SoftwareAsAService"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(sol.ProductID).To(Equal(p2.ID))
		got, err = c.pc.GetDraft(c.ctx, p2.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(*got).To(Equal(analyticsDraft()))
	})

	t.Run("conflicts with a submitted product", func(t *testing.T) {
		c := newContract(t, simulator.Options{})
		g := c.g
		p := c.createProduct("contoso-analytics", "SoftwareAsAService")
		c.configure(p.ID, analyticsDraft())
		_, err := c.pc.SubmitPreview(c.ctx, p.ID)
		g.Expect(err).NotTo(HaveOccurred())

		_, err = c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-analytics", "SoftwareAsAService"))
		expectClass(g, err, pc.ClassConflict, pc.CodeProductExists)
		g.Expect(c.solution(contoso, solAnalytics).State).To(Equal(pc.SolutionStatePendingMigration), "nothing changed")
		g.Expect(c.sim.Stats().Migrations).To(BeEmpty())

		// Published and live: still a conflict.
		c.waitSubmission(p.ID, mustNewest(c, p.ID).ID)
		_, err = c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-analytics", "SoftwareAsAService"))
		expectClass(g, err, pc.ClassConflict, pc.CodeProductExists)

		// A request the adapter cannot express is refused before any call.
		_, err = c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-x", "NoSuchType"))
		expectClass(g, err, pc.ClassTerminal, "")
	})
}

// mustNewest returns the newest submission of a product.
func mustNewest(c *contract, productID string) pc.Submission {
	c.t.Helper()
	subs, err := c.pc.ListSubmissions(c.ctx, productID)
	c.g.Expect(err).NotTo(HaveOccurred())
	c.g.Expect(subs).NotTo(BeEmpty())
	return subs[0]
}

func TestContractMerge(t *testing.T) {
	const mergeDelay = 500 * time.Millisecond
	c := newContract(t, simulator.Options{MergeDelay: mergeDelay})
	g := c.g

	// The offer is not live yet: the merge waits (Conflict).
	p := c.createProduct("contoso-analytics", "SoftwareAsAService")
	c.configure(p.ID, analyticsDraft())
	_, err := c.pc.RequestMerge(c.ctx, pc.MergeRequest{PartnerID: contoso, SolutionID: solAnalytics, ProductID: p.ID,
		OfferType: "SoftwareAsAService", OfferName: "Contoso Analytics"})
	expectClass(g, err, pc.ClassConflict, "invalidState")
	g.Expect(c.solution(contoso, solAnalytics).State).To(Equal(pc.SolutionStatePendingMigration))

	preview := c.certify(p.ID)
	_, err = c.pc.RequestMerge(c.ctx, pc.MergeRequest{PartnerID: contoso, SolutionID: solAnalytics, ProductID: p.ID})
	expectClass(g, err, pc.ClassConflict, "invalidState")
	c.goLive(p.ID, preview.ID)
	live, err := c.pc.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())

	// By product, once live.
	start := time.Now()
	req := pc.MergeRequest{PartnerID: contoso, SolutionID: solAnalytics, ProductID: p.ID,
		OfferType: "SoftwareAsAService", OfferName: "Contoso Analytics"}
	sol, err := c.pc.RequestMerge(c.ctx, req)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sol.State).To(Equal(pc.SolutionStateMergeRequested))
	g.Expect(sol.SupportRequestID).NotTo(BeEmpty())
	g.Expect(sol.ProductID).To(Equal(p.ID))

	// Idempotent while requested.
	again, err := c.pc.RequestMerge(c.ctx, req)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again.SupportRequestID).To(Equal(sol.SupportRequestID))
	g.Expect(again.State).To(Equal(pc.SolutionStateMergeRequested))

	// Another target while a merge is open is a conflict.
	_, err = c.pc.RequestMerge(c.ctx, pc.MergeRequest{PartnerID: contoso, SolutionID: solAnalytics,
		ListingURL: "https://appsource.microsoft.com/product/someone-else"})
	expectClass(g, err, pc.ClassConflict, "invalidState")

	// By listing URL: linked to the product that has that live link.
	byURL, err := c.pc.RequestMerge(c.ctx, pc.MergeRequest{PartnerID: contoso, SolutionID: solFieldService, ListingURL: live.LiveURL})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(byURL.State).To(Equal(pc.SolutionStateMergeRequested))
	g.Expect(byURL.ProductID).To(Equal(p.ID))
	g.Expect(byURL.SupportRequestID).NotTo(BeEmpty())
	g.Expect(byURL.SupportRequestID).NotTo(Equal(sol.SupportRequestID))

	// A listing URL off the storefronts is refused.
	_, err = c.pc.RequestMerge(c.ctx, pc.MergeRequest{PartnerID: contoso, SolutionID: solLegacyCRM, ListingURL: "https://contoso.example/crm"})
	expectClass(g, err, pc.ClassTerminal, "")

	// Both complete after MergeDelay, not before.
	g.Expect(c.solution(contoso, solAnalytics).State).To(Equal(pc.SolutionStateMergeRequested))
	g.Eventually(func() pc.SolutionState { return c.solution(contoso, solAnalytics).State }).
		WithTimeout(5 * time.Second).WithPolling(20 * time.Millisecond).Should(Equal(pc.SolutionStateMerged))
	g.Expect(time.Since(start)).To(BeNumerically(">=", mergeDelay))
	g.Eventually(func() pc.SolutionState { return c.solution(contoso, solFieldService).State }).
		WithTimeout(5 * time.Second).WithPolling(20 * time.Millisecond).Should(Equal(pc.SolutionStateMerged))
	merged := c.solution(contoso, solAnalytics)
	g.Expect(merged.SupportRequestID).To(Equal(sol.SupportRequestID))
	g.Expect(merged.ProductID).To(Equal(p.ID))

	prod, err := c.pc.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(prod.MergedSolutions).To(ConsistOf(solAnalytics, solFieldService))

	// Idempotent once merged.
	done, err := c.pc.RequestMerge(c.ctx, req)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(done.State).To(Equal(pc.SolutionStateMerged))
	g.Expect(done.SupportRequestID).To(Equal(sol.SupportRequestID))
	g.Expect(c.sim.Stats().MergeRequests).To(Equal(map[string]int{solAnalytics: 1, solFieldService: 1}))

	// A merged solution cannot be discarded or migrated.
	_, err = c.pc.DiscardSolution(c.ctx, contoso, solAnalytics)
	expectClass(g, err, pc.ClassConflict, "invalidState")
	_, err = c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-analytics-2", "SoftwareAsAService"))
	expectClass(g, err, pc.ClassConflict, "invalidState")
}

func TestContractDiscardAndUndo(t *testing.T) {
	c := newContract(t, simulator.Options{})
	g := c.g

	s, err := c.pc.DiscardSolution(c.ctx, contoso, solLegacyCRM)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.State).To(Equal(pc.SolutionStateDiscarded))
	s, err = c.pc.DiscardSolution(c.ctx, contoso, solLegacyCRM)
	g.Expect(err).NotTo(HaveOccurred(), "discarding twice is idempotent")
	g.Expect(s.State).To(Equal(pc.SolutionStateDiscarded))
	g.Expect(c.solution(contoso, solLegacyCRM).State).To(Equal(pc.SolutionStateDiscarded))

	// A discarded solution can be neither migrated nor merged.
	_, err = c.pc.MigrateSolution(c.ctx, migrateRequest(solLegacyCRM, "contoso-crm", "SoftwareAsAService"))
	expectClass(g, err, pc.ClassConflict, "invalidState")
	_, err = c.pc.RequestMerge(c.ctx, pc.MergeRequest{PartnerID: contoso, SolutionID: solLegacyCRM,
		ListingURL: "https://appsource.microsoft.com/product/contoso-crm"})
	expectClass(g, err, pc.ClassConflict, "invalidState")

	s, err = c.pc.UndoDiscard(c.ctx, contoso, solLegacyCRM)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.State).To(Equal(pc.SolutionStatePendingMigration))
	s, err = c.pc.UndoDiscard(c.ctx, contoso, solLegacyCRM)
	g.Expect(err).NotTo(HaveOccurred(), "undoing twice is idempotent")
	g.Expect(s.State).To(Equal(pc.SolutionStatePendingMigration))

	stats := c.sim.Stats()
	g.Expect(stats.Discards).To(Equal(map[string]int{solLegacyCRM: 1}))
	g.Expect(stats.UndoDiscards).To(Equal(map[string]int{solLegacyCRM: 1}))

	// Invalid transitions: a migrated solution cannot be discarded, and
	// there is no discard to undo.
	_, err = c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-analytics", "SoftwareAsAService"))
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.pc.DiscardSolution(c.ctx, contoso, solAnalytics)
	expectClass(g, err, pc.ClassConflict, "invalidState")
	_, err = c.pc.UndoDiscard(c.ctx, contoso, solAnalytics)
	expectClass(g, err, pc.ClassConflict, "invalidState")
	g.Expect(c.solution(contoso, solAnalytics).State).To(Equal(pc.SolutionStateMigrated))

	_, err = c.pc.DiscardSolution(c.ctx, contoso, "ocp-no-such-solution")
	expectClass(g, err, pc.ClassNotFound, "")
}

func TestContractProducts(t *testing.T) {
	c := newContract(t, simulator.Options{})
	g := c.g

	_, err := c.pc.FindProduct(c.ctx, "contoso-analytics")
	expectClass(g, err, pc.ClassNotFound, "")

	created, err := c.pc.CreateProduct(c.ctx, pc.ProductSpec{OfferID: "contoso-analytics", OfferType: "SoftwareAsAService",
		PublisherID: "contoso", Name: "Contoso Analytics"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(created.ID).NotTo(BeEmpty())
	g.Expect(created.State).To(Equal(pc.LifecycleDraft))

	found, err := c.pc.FindProduct(c.ctx, "contoso-analytics")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(found.ID).To(Equal(created.ID))
	g.Expect(found.OfferID).To(Equal("contoso-analytics"))
	g.Expect(found.OfferType).To(Equal("SoftwareAsAService"))
	g.Expect(found.PublisherID).To(Equal("contoso"))
	g.Expect(found.Name).To(Equal("Contoso Analytics"))
	g.Expect(found.State).To(Equal(pc.LifecycleDraft))
	g.Expect(found.LiveSubmissionID).To(BeEmpty())
	g.Expect(found.LiveURL).To(BeEmpty())

	byID, err := c.pc.GetProduct(c.ctx, created.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(byID).To(Equal(found))

	_, err = c.pc.CreateProduct(c.ctx, pc.ProductSpec{OfferID: "contoso-analytics", OfferType: "SoftwareAsAService",
		PublisherID: "contoso", Name: "Again"})
	expectClass(g, err, pc.ClassConflict, pc.CodeProductExists)
	g.Expect(c.sim.Stats().ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}))

	_, err = c.pc.GetProduct(c.ctx, "00000000-0000-4000-8000-000000000000")
	expectClass(g, err, pc.ClassNotFound, "")
	_, err = c.pc.GetDraft(c.ctx, "00000000-0000-4000-8000-000000000000")
	expectClass(g, err, pc.ClassNotFound, "")
	_, err = c.pc.ListSubmissions(c.ctx, "00000000-0000-4000-8000-000000000000")
	expectClass(g, err, pc.ClassNotFound, "")

	// Invalid offer IDs are refused terminally by Partner Center.
	_, err = c.pc.CreateProduct(c.ctx, pc.ProductSpec{OfferID: "Not Valid!", OfferType: "SoftwareAsAService", PublisherID: "contoso"})
	expectClass(g, err, pc.ClassTerminal, "")
}

func TestContractDraftRoundTrip(t *testing.T) {
	c := newContract(t, simulator.Options{})
	g := c.g
	p := c.createProduct("contoso-analytics", "SoftwareAsAService")

	// A fresh product's draft is empty, in normal form.
	empty, err := c.pc.GetDraft(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*empty).To(Equal(pc.Draft{Resell: pc.Resell{Policy: "None"}}))

	want := analyticsDraft()
	job, err := c.pc.ConfigureDraft(c.ctx, p.ID, want)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.ID).NotTo(BeEmpty())
	g.Expect(job.Done()).To(BeFalse(), "the job is returned unawaited")
	g.Expect(job.Result).To(Equal(pc.JobPending))
	done := c.waitJob(job.ID)
	g.Expect(done.ID).To(Equal(job.ID))
	g.Expect(done.Result).To(Equal(pc.JobSucceeded))
	g.Expect(done.Errors).To(BeEmpty())

	got, err := c.pc.GetDraft(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*got).To(Equal(want))

	// A second write replaces the draft: the plan set becomes exactly the
	// new one, resell and co-sell follow.
	next := analyticsDraft()
	next.Listing.Keywords = nil
	next.Plans = []pc.Plan{{ID: "standard", Name: "Standard", Pricing: "PerUser", Price: "12.50", Markets: []string{"US"}}}
	next.CoSell.Contacts = next.CoSell.Contacts[1:]
	next.Resell = pc.Resell{Policy: "All"}
	c.configure(p.ID, next)
	got, err = c.pc.GetDraft(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*got).To(Equal(next))

	// A draft Partner Center refuses (a market that is no ISO code) fails
	// terminally and changes nothing.
	bad := next
	bad.Plans = []pc.Plan{{ID: "standard", Name: "Standard", Pricing: "Free", Markets: []string{"usa"}}}
	_, err = c.pc.ConfigureDraft(c.ctx, p.ID, bad)
	expectClass(g, err, pc.ClassTerminal, "")
	got, err = c.pc.GetDraft(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*got).To(Equal(next))

	// A draft the adapter cannot express is refused before any call.
	bad.Plans = []pc.Plan{{ID: "standard", Pricing: "Bartering"}}
	_, err = c.pc.ConfigureDraft(c.ctx, p.ID, bad)
	expectClass(g, err, pc.ClassTerminal, "")

	// An unknown product.
	_, err = c.pc.ConfigureDraft(c.ctx, "00000000-0000-4000-8000-000000000000", next)
	expectClass(g, err, pc.ClassNotFound, "")
	_, err = c.pc.GetJob(c.ctx, "no-such-job")
	expectClass(g, err, pc.ClassNotFound, "")
}

func TestContractCertification(t *testing.T) {
	// Long enough to see the submission in progress on a loaded machine.
	c := newContract(t, simulator.Options{CertificationDelay: 600 * time.Millisecond})
	g := c.g
	p := c.createProduct("contoso-analytics", "SoftwareAsAService")
	c.configure(p.ID, failingDraft())

	first, err := c.pc.SubmitPreview(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(first.ProductID).To(Equal(p.ID))
	g.Expect(first.Target).To(Equal(pc.TargetPreview))
	g.Expect(first.Status).To(Equal(pc.SubmissionInProgress), "certification takes CertificationDelay")
	g.Expect(first.Result).To(Equal(pc.SubmissionPending))

	// A second submission while one is in progress.
	_, err = c.pc.SubmitPreview(c.ctx, p.ID)
	expectClass(g, err, pc.ClassConflict, pc.CodeInProgressSubmission)
	g.Expect(c.sim.Stats().PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))

	failed := c.waitSubmission(p.ID, first.ID)
	g.Expect(failed.Result).To(Equal(pc.SubmissionFailed))
	g.Expect(failed.PreviewURLs).To(BeEmpty())
	codes := map[string]string{}
	for _, it := range failed.Feedback {
		g.Expect(it.Message).NotTo(BeEmpty(), "every item says what to fix")
		codes[it.Code] = it.Resource
	}
	g.Expect(codes).To(Equal(map[string]string{
		"privacyPolicyMissing":   "listing",
		"descriptionTooShort":    "listing",
		"planPricingMissing":     "plan/basic",
		"coSellDocumentsMissing": "cosell-listing",
	}))
	prod, err := c.pc.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(prod.State).To(Equal(pc.LifecycleDraft), "a failed certification publishes nothing")

	// Nothing changed since: noChangesToSubmit, and the failed submission
	// is what ListSubmissions finds.
	_, err = c.pc.SubmitPreview(c.ctx, p.ID)
	expectClass(g, err, pc.ClassConflict, pc.CodeNoChanges)
	g.Expect(mustNewest(c, p.ID).ID).To(Equal(first.ID))

	// A failed preview cannot go live.
	_, err = c.pc.GoLive(c.ctx, p.ID, first.ID)
	expectClass(g, err, pc.ClassConflict, "invalidState")

	// Fix and pass.
	c.configure(p.ID, analyticsDraft())
	preview := c.certify(p.ID)
	g.Expect(preview.ID).NotTo(Equal(first.ID))
	g.Expect(preview.Feedback).To(BeEmpty())
	g.Expect(preview.PreviewURLs).To(ConsistOf(HavePrefix("https://appsource.microsoft.com/preview/contoso-analytics")))
	prod, err = c.pc.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(prod.State).To(Equal(pc.LifecyclePublished))
	g.Expect(prod.LiveSubmissionID).To(BeEmpty(), "preview is not live")
	g.Expect(prod.LiveURL).To(BeEmpty())

	// Go live.
	live := c.goLive(p.ID, preview.ID)
	g.Expect(live.LiveURL).To(Equal("https://appsource.microsoft.com/product/contoso-analytics"))
	prod, err = c.pc.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(prod.LiveSubmissionID).To(Equal(live.ID))
	g.Expect(prod.LiveURL).To(Equal(live.LiveURL))
	g.Expect(prod.CoSellLevel).To(Equal(pc.CoSellIncentiveEligible))

	// Going live again with the same preview is the same live submission.
	again, err := c.pc.GoLive(c.ctx, p.ID, preview.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again.ID).To(Equal(live.ID))
	g.Expect(c.sim.Stats().LiveSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))

	// ListSubmissions: newest first.
	subs, err := c.pc.ListSubmissions(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(subs).To(HaveLen(3))
	g.Expect([]string{subs[0].ID, subs[1].ID, subs[2].ID}).To(Equal([]string{live.ID, preview.ID, first.ID}))
	g.Expect([]pc.SubmissionTarget{subs[0].Target, subs[1].Target, subs[2].Target}).
		To(Equal([]pc.SubmissionTarget{pc.TargetLive, pc.TargetPreview, pc.TargetPreview}))
	for i := 1; i < len(subs); i++ {
		g.Expect(subs[i-1].Created.Before(subs[i].Created)).To(BeFalse(), "newest first")
	}
	g.Expect(subs[2].Feedback).To(HaveLen(4))

	// A submission of another product, or none at all, is not found.
	_, err = c.pc.GetSubmission(c.ctx, p.ID, "12345")
	expectClass(g, err, pc.ClassNotFound, "")
}

func TestContractCoSellLevels(t *testing.T) {
	c := newContract(t, simulator.Options{})
	ready := analyticsDraft()
	ready.CoSell.Documents = []pc.Document{
		{Type: "PitchDeck", URL: "https://contoso.example/deck.pptx"},
		{Type: "SolutionOnePager", URL: "https://contoso.example/one-pager.pdf"},
	}
	notReady := ready
	notReady.CoSell.Contacts = nil
	noLanding := ready
	noLanding.CoSell.LandingPageURL = ""
	revenue := ready
	revenue.CoSell.Documents = []pc.Document{
		{Type: "PitchDeck", URL: "https://contoso.example/deck.pptx"},
		{Type: "ReferenceArchitecture", URL: "https://contoso.example/architecture.pdf"},
		{Type: "RevenueValidation", URL: "https://contoso.example/revenue.pdf"},
		{Type: "SolutionOnePager", URL: "https://contoso.example/one-pager.pdf"},
	}
	for i, tc := range []struct {
		draft pc.Draft
		level pc.CoSellLevel
	}{
		{notReady, pc.CoSellNotReady},
		{noLanding, pc.CoSellNotReady},
		{ready, pc.CoSellReady},
		{analyticsDraft(), pc.CoSellIncentiveEligible},
		{revenue, pc.CoSellIncentiveEligible},
	} {
		p := c.createProduct(fmt.Sprintf("cosell-level-%d", i), "SoftwareAsAService")
		c.configure(p.ID, tc.draft)
		preview := c.certify(p.ID)
		c.goLive(p.ID, preview.ID)
		prod, err := c.pc.GetProduct(c.ctx, p.ID)
		c.g.Expect(err).NotTo(HaveOccurred())
		c.g.Expect(prod.CoSellLevel).To(Equal(tc.level), "case %d", i)
	}
}

func TestContractUpdateOfLiveOffer(t *testing.T) {
	c := newContract(t, simulator.Options{CertificationDelay: 600 * time.Millisecond})
	g := c.g
	live := c.publish("contoso-analytics")
	oldLive, oldURL := live.LiveSubmissionID, live.LiveURL
	g.Expect(live.CoSellLevel).To(Equal(pc.CoSellIncentiveEligible))

	// A new version without contacts: a lower co-sell level once live.
	update := analyticsDraft()
	update.Listing.Title = "Contoso Analytics 2"
	update.CoSell.Contacts = nil
	c.configure(live.ID, update)
	keepsLive := func(when string) {
		t.Helper()
		p, err := c.pc.GetProduct(c.ctx, live.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(p.LiveSubmissionID).To(Equal(oldLive), when)
		g.Expect(p.LiveURL).To(Equal(oldURL), when)
		g.Expect(p.CoSellLevel).To(Equal(pc.CoSellIncentiveEligible), when)
		g.Expect(p.State).To(Equal(pc.LifecyclePublished), when)
	}
	keepsLive("after the draft changed")

	sub, err := c.pc.SubmitPreview(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sub.Status).To(Equal(pc.SubmissionInProgress))
	keepsLive("while the new version is certified")
	preview := c.waitSubmission(live.ID, sub.ID)
	g.Expect(preview.Result).To(Equal(pc.SubmissionSucceeded), "feedback: %+v", preview.Feedback)
	keepsLive("while the new version is in preview")

	newLive := c.goLive(live.ID, preview.ID)
	g.Expect(newLive.ID).NotTo(Equal(oldLive))
	p, err := c.pc.GetProduct(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.LiveSubmissionID).To(Equal(newLive.ID))
	g.Expect(p.LiveURL).To(Equal(oldURL), "the listing URL of an offer does not change")
	g.Expect(p.CoSellLevel).To(Equal(pc.CoSellNotReady))

	// The old preview went live already: going live with it again is
	// idempotent and answers its own live submission, changing nothing.
	subs, err := c.pc.ListSubmissions(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(subs).To(HaveLen(4))
	oldPreview := subs[3]
	g.Expect(oldPreview.Target).To(Equal(pc.TargetPreview))
	replay, err := c.pc.GoLive(c.ctx, live.ID, oldPreview.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(replay.ID).To(Equal(oldLive))
	p, err = c.pc.GetProduct(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.LiveSubmissionID).To(Equal(newLive.ID))
}

func TestContractStopSaleAndDelete(t *testing.T) {
	c := newContract(t, simulator.Options{})
	g := c.g

	live := c.publish("contoso-analytics")
	job, err := c.pc.StopSale(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.ID).NotTo(BeEmpty())
	done := c.waitJob(job.ID)
	g.Expect(done.Result).To(Equal(pc.JobSucceeded), "errors: %+v", done.Errors)
	p, err := c.pc.GetProduct(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.State).To(Equal(pc.LifecycleDeprecated))
	g.Expect(p.LiveURL).To(BeEmpty(), "a deprecated offer has left the marketplace")

	// Stopping again is harmless; a deprecated product takes no submission.
	job, err = c.pc.StopSale(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.waitJob(job.ID).Result).To(Equal(pc.JobSucceeded))
	d := analyticsDraft()
	d.Listing.Title = "Changed"
	c.configure(live.ID, d)
	_, err = c.pc.SubmitPreview(c.ctx, live.ID)
	expectClass(g, err, pc.ClassConflict, "invalidState")

	// A published product cannot be deleted.
	err = c.pc.DeleteDraft(c.ctx, live.ID)
	expectClass(g, err, pc.ClassTerminal, "invalidState")
	_, err = c.pc.GetProduct(c.ctx, live.ID)
	g.Expect(err).NotTo(HaveOccurred())

	// A never-published draft: StopSale fails its job, DeleteDraft deletes.
	draft := c.createProduct("contoso-draft", "ConsultingService")
	c.configure(draft.ID, analyticsDraft())
	job, err = c.pc.StopSale(c.ctx, draft.ID)
	g.Expect(err).NotTo(HaveOccurred())
	failed := c.waitJob(job.ID)
	g.Expect(failed.Result).To(Equal(pc.JobFailed))
	g.Expect(failed.Errors).NotTo(BeEmpty())
	g.Expect(failed.Errors[0].Code).To(Equal("invalidState"))

	g.Expect(c.pc.DeleteDraft(c.ctx, draft.ID)).To(Succeed())
	_, err = c.pc.FindProduct(c.ctx, "contoso-draft")
	expectClass(g, err, pc.ClassNotFound, "")
	_, err = c.pc.GetProduct(c.ctx, draft.ID)
	expectClass(g, err, pc.ClassNotFound, "")
	err = c.pc.DeleteDraft(c.ctx, draft.ID)
	expectClass(g, err, pc.ClassNotFound, "")
	g.Expect(c.sim.Stats().ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}))

	// The offer ID is free again.
	again := c.createProduct("contoso-draft", "ConsultingService")
	g.Expect(again.ID).NotTo(Equal(draft.ID))

	// A draft with a submission in progress is not deleted.
	c.configure(again.ID, analyticsDraft())
	_, err = c.pc.SubmitPreview(c.ctx, again.ID)
	g.Expect(err).NotTo(HaveOccurred())
	err = c.pc.DeleteDraft(c.ctx, again.ID)
	g.Expect(err).To(HaveOccurred())
	g.Expect(pc.CodeOf(err)).To(Equal(pc.CodeInProgressSubmission))
}

// --- Faults, through the adapter.

// flow takes a legacy solution from migration to a live offer through the
// port, with every call's retries left to the adapter. Polls tolerate
// transient errors, as the controllers' requeues do.
func (c *contract) flow() {
	c.t.Helper()
	g := c.g
	pre, err := c.pc.Prerequisites(c.ctx, contoso, "contoso")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(pre.CanPublish()).To(BeTrue())
	sol, err := c.pc.MigrateSolution(c.ctx, migrateRequest(solAnalytics, "contoso-analytics", "SoftwareAsAService"))
	g.Expect(err).NotTo(HaveOccurred())
	p, err := c.pc.FindProduct(c.ctx, "contoso-analytics")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID).To(Equal(sol.ProductID))

	c.configure(p.ID, analyticsDraft())
	d, err := c.pc.GetDraft(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*d).To(Equal(analyticsDraft()))
	preview := c.certify(p.ID)
	live := c.goLive(p.ID, preview.ID)

	prod, err := c.pc.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(prod.LiveSubmissionID).To(Equal(live.ID))
	g.Expect(prod.LiveURL).To(Equal("https://appsource.microsoft.com/product/contoso-analytics"))
	g.Expect(prod.CoSellLevel).To(Equal(pc.CoSellIncentiveEligible))

	stats := c.sim.Stats()
	g.Expect(stats.ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}), "retries made no duplicate")
	g.Expect(stats.PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.LiveSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.Migrations).To(Equal(map[string]int{solAnalytics: 1}))
	c.t.Logf("injected faults %v over %d attempts", stats.Faults, c.attempts.count(func(int) bool { return true }))
}

func TestContractFaults(t *testing.T) {
	const retryAfterCap = 100 * time.Millisecond
	capRetryAfter := func(o *ingestion.Options) { o.MaxRetryAfter = retryAfterCap }
	is := func(want int) func(int) bool { return func(s int) bool { return s == want } }
	is5xx := func(s int) bool { return s >= 500 }

	t.Run("429", func(t *testing.T) {
		c := newContract(t, simulator.Options{Faults: "429=0.3,seed=11"}, capRetryAfter)
		start := time.Now()
		c.flow()
		elapsed := time.Since(start)
		n := c.sim.Stats().Faults["429"]
		c.g.Expect(n).To(BeNumerically(">", 0))
		c.g.Expect(c.attempts.count(is(429))).To(Equal(n), "the adapter saw every injected 429")
		// Each 429 carries Retry-After: 1, capped at retryAfterCap: the
		// adapter waited that long each time rather than its 5-50ms backoff.
		c.g.Expect(elapsed).To(BeNumerically(">=", time.Duration(n)*retryAfterCap))
	})

	t.Run("5xx", func(t *testing.T) {
		c := newContract(t, simulator.Options{Faults: "5xx=0.3,seed=12"})
		c.flow()
		n := c.sim.Stats().Faults["5xx"]
		c.g.Expect(n).To(BeNumerically(">", 0))
		c.g.Expect(c.attempts.count(is5xx)).To(Equal(n))
	})

	t.Run("drop", func(t *testing.T) {
		c := newContract(t, simulator.Options{Faults: "drop=0.25,seed=13"})
		c.flow()
		n := c.sim.Stats().Faults["drop"]
		c.g.Expect(n).To(BeNumerically(">", 0))
		// Go's transport silently retries a GET whose reused connection
		// closed before answering, so the adapter sees at most as many.
		seen := c.attempts.count(is(0))
		c.g.Expect(seen).To(BeNumerically(">", 0))
		c.g.Expect(seen).To(BeNumerically("<=", n))
		c.g.Expect(c.sim.Stats().Requests).To(HaveKey(ContainSubstring("dropped")))
	})

	t.Run("latency", func(t *testing.T) {
		c := newContract(t, simulator.Options{Faults: "latency=15ms,seed=14"})
		start := time.Now()
		c.flow()
		n := c.sim.Stats().Faults["latency"]
		attempts := c.attempts.count(func(int) bool { return true })
		c.g.Expect(n).To(Equal(attempts), "every request was delayed")
		c.g.Expect(time.Since(start)).To(BeNumerically(">=", time.Duration(n)*15*time.Millisecond))
	})

	t.Run("qps", func(t *testing.T) {
		c := newContract(t, simulator.Options{Faults: "qps=10,seed=15"}, capRetryAfter)
		c.flow()
		n := c.sim.Stats().Faults["qps"]
		c.g.Expect(n).To(BeNumerically(">", 0), "the flow exceeds 10 requests per second")
		c.g.Expect(c.attempts.count(is(429))).To(Equal(n))
	})

	t.Run("everything at once", func(t *testing.T) {
		c := newContract(t, simulator.Options{Faults: "429=0.1,5xx=0.1,drop=0.1,latency=2ms,qps=50,seed=16"}, capRetryAfter)
		c.flow()
		f := c.sim.Stats().Faults
		c.g.Expect(f["429"] + f["5xx"] + f["drop"]).To(BeNumerically(">", 0))
		c.g.Expect(f["latency"]).To(BeNumerically(">", 0))
	})
}

// TestContractSetFaults changes faults at run time: while every request is
// throttled, calls fail transiently once the adapter's attempts run out;
// cleared, they succeed; and the adapter waits the Retry-After it is given.
func TestContractSetFaults(t *testing.T) {
	c := newContract(t, simulator.Options{}, func(o *ingestion.Options) {
		o.MaxAttempts = 3
		o.MaxRetryAfter = 10 * time.Millisecond
	})
	g := c.g
	p := c.createProduct("contoso-analytics", "SoftwareAsAService")

	g.Expect(c.sim.SetFaults("429=1")).To(Succeed())
	_, err := c.pc.GetProduct(c.ctx, p.ID)
	expectClass(g, err, pc.ClassTransient, "tooManyRequests")
	g.Expect(pc.IsTransient(err)).To(BeTrue())
	g.Expect(err.Error()).To(ContainSubstring("gave up after 3 attempts"))
	var pcErr *pc.Error
	g.Expect(errors.As(err, &pcErr)).To(BeTrue())
	g.Expect(pcErr.StatusCode).To(Equal(429))
	g.Expect(pcErr.RetryAfter).To(Equal(time.Second), "Retry-After is handed to the caller for its requeue")
	g.Expect(c.sim.Stats().Faults["429"]).To(Equal(3))
	_, err = c.pc.CreateProduct(c.ctx, pc.ProductSpec{OfferID: "contoso-other", OfferType: "SoftwareAsAService", PublisherID: "contoso"})
	expectClass(g, err, pc.ClassTransient, "")
	g.Expect(c.sim.Stats().ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}), "a faulted request changes nothing")

	g.Expect(c.sim.SetFaults("")).To(Succeed())
	got, err := c.pc.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got.ID).To(Equal(p.ID))
	g.Expect(c.sim.SetFaults("429=2")).To(MatchError(ContainSubstring("429")), "a bad spec is refused")

	// Honouring Retry-After: with a one-second cap, an adapter whose
	// attempts would all fit in well under 300ms of backoff rides out 300ms
	// of throttling only by waiting the Retry-After of one second.
	// The throttling ends 300ms after the first 429.
	log := &attemptLog{}
	var once sync.Once
	opts := adapterOptions(c.sim.URL(), log)
	opts.MaxAttempts = 6
	opts.Observer = func(op string, status int, d time.Duration) {
		log.observe(op, status, d)
		if status == 429 {
			once.Do(func() { time.AfterFunc(300*time.Millisecond, func() { _ = c.sim.SetFaults("") }) })
		}
	}
	patient := newAdapter(t, opts)
	g.Expect(c.sim.SetFaults("429=1")).To(Succeed())
	start := time.Now()
	got, err = patient.GetProduct(c.ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got.ID).To(Equal(p.ID))
	g.Expect(time.Since(start)).To(BeNumerically(">=", 900*time.Millisecond))
	g.Expect(log.count(func(s int) bool { return s == 429 })).To(BeNumerically(">=", 1))
}

// TestContractRestart closes the simulator during a certification and
// finds it completed, with all other state, on a new simulator over the
// same store, reached through a new adapter on a new port.
func TestContractRestart(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	opts := simulator.Options{StoreDir: dir, CertificationDelay: time.Second}

	first := startSimulator(t, opts)
	c := &contract{t: t, g: g, ctx: ctx, sim: first, pc: newAdapter(t, adapterOptions(first.URL(), &attemptLog{}))}
	sol, err := c.pc.MigrateSolution(ctx, migrateRequest(solAnalytics, "contoso-analytics", "SoftwareAsAService"))
	g.Expect(err).NotTo(HaveOccurred())
	pid := sol.ProductID
	c.configure(pid, analyticsDraft())
	sub, err := c.pc.SubmitPreview(ctx, pid)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sub.Status).To(Equal(pc.SubmissionInProgress))
	_, err = c.pc.DiscardSolution(ctx, contoso, solLegacyCRM)
	g.Expect(err).NotTo(HaveOccurred())
	firstURL := first.URL()
	g.Expect(first.Close()).To(Succeed())

	// The old adapter now fails transiently: nobody listens.
	old := newAdapter(t, ingestion.Options{BaseURL: firstURL, MigrationSurface: true, MaxAttempts: 2,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	_, err = old.GetProduct(ctx, pid)
	expectClass(g, err, pc.ClassTransient, "")

	second := startSimulator(t, opts)
	g.Expect(second.URL()).NotTo(Equal(firstURL), "a new port")
	c = &contract{t: t, g: g, ctx: ctx, sim: second, pc: newAdapter(t, adapterOptions(second.URL(), &attemptLog{}))}

	done := c.waitSubmission(pid, sub.ID)
	g.Expect(done.Result).To(Equal(pc.SubmissionSucceeded), "feedback: %+v", done.Feedback)
	g.Expect(done.PreviewURLs).NotTo(BeEmpty())

	p, err := c.pc.FindProduct(ctx, "contoso-analytics")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID).To(Equal(pid))
	g.Expect(p.State).To(Equal(pc.LifecyclePublished))
	g.Expect(p.MigratedFrom).To(Equal(solAnalytics))
	d, err := c.pc.GetDraft(ctx, pid)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*d).To(Equal(analyticsDraft()))
	g.Expect(c.solution(contoso, solAnalytics).State).To(Equal(pc.SolutionStateMigrated))
	g.Expect(c.solution(contoso, solAnalytics).ProductID).To(Equal(pid))
	g.Expect(c.solution(contoso, solLegacyCRM).State).To(Equal(pc.SolutionStateDiscarded))
	g.Expect(c.solution(contoso, solFieldService).State).To(Equal(pc.SolutionStatePendingMigration))

	// The unchanged draft is known to be submitted; the flow goes on.
	_, err = c.pc.SubmitPreview(ctx, pid)
	expectClass(g, err, pc.ClassConflict, pc.CodeNoChanges)
	live := c.goLive(pid, sub.ID)
	g.Expect(live.LiveURL).To(Equal("https://appsource.microsoft.com/product/contoso-analytics"))
	stats := second.Stats()
	g.Expect(stats.PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 1}))
	g.Expect(stats.Migrations).To(Equal(map[string]int{solAnalytics: 1}))
	g.Expect(stats.Discards).To(Equal(map[string]int{solLegacyCRM: 1}))
}

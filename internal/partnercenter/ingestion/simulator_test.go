package ingestion_test

// The adapter against the simulator of the same contract (package
// simulator), through the port only, the way the controllers use it: every
// write returns a job that is polled until it completes, never waited for
// inside a call.

import (
	"context"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// startSim starts a simulator with the embedded seed and an adapter of it
// that polls jobs every 10 ms; tests that read the simulator's counters
// keep it.
func startSim(t *testing.T) (*simulator.Simulator, pc.Client) {
	t.Helper()
	sim, err := simulator.New(simulator.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); _ = sim.Close() })
	if err := sim.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

// startSimulator is startSim for tests that need only the adapter.
func startSimulator(t *testing.T) pc.Client {
	t.Helper()
	_, c := startSim(t)
	return c
}

// createProduct creates a product, awaits its job's success and finds it
// by its offer ID.
func createProduct(g Gomega, c pc.Client, spec pc.ProductSpec) *pc.Product {
	job, err := c.CreateProduct(context.Background(), spec)
	g.Expect(err).NotTo(HaveOccurred())
	done := await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
	p, err := c.FindProduct(context.Background(), spec.OfferID)
	g.Expect(err).NotTo(HaveOccurred())
	return p
}

// await polls a job the way a controller requeues: one read per interval.
func await(g Gomega, c pc.Client, job *pc.Job) *pc.Job {
	if job.ID == "" {
		return job
	}
	var got *pc.Job
	g.Eventually(func(g Gomega) {
		var err error
		got, err = c.GetJob(context.Background(), job.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Done()).To(BeTrue())
	}).WithTimeout(10 * time.Second).WithPolling(c.JobPollInterval()).Should(Succeed())
	return got
}

func TestAgainstSimulator(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	c := startSimulator(t)

	job, err := c.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso-analytics", OfferType: "SoftwareAsAService", Name: "Contoso Analytics"})
	g.Expect(err).NotTo(HaveOccurred())
	done := await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
	detail, err := c.GetJobDetail(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	productID := detail.ProductID()
	g.Expect(productID).NotTo(BeEmpty())
	p, err := c.FindProduct(ctx, "contoso-analytics")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID).To(Equal(productID))
	g.Expect(p.OfferType).To(Equal("SoftwareAsAService"))

	draft := pc.Draft{
		Listing: pc.Listing{Title: "Contoso Analytics", Summary: "Real-time analytics for retail.", ShortDescription: "Retail analytics",
			Description: "<p>Contoso Analytics turns shelf sensors into live dashboards for retail store managers, delivered as a managed SaaS service on Azure.</p>", PrivacyPolicyURL: "https://contoso.example/privacy", SupportURL: "https://contoso.example/support"},
		Plans:  []pc.Plan{{ID: "standard", Name: "Standard", Description: "Standard plan", Pricing: "FlatRate", Price: "99.00", Markets: []string{"DE", "US"}}},
		Resell: pc.Resell{Policy: "All"},
	}
	job, err = c.ConfigureDraft(ctx, productID, "SoftwareAsAService", draft)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Unwritten).To(BeEmpty())
	done = await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
	got, err := c.GetDraft(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got.Listing).To(Equal(draft.Listing))
	g.Expect(got.Plans).To(Equal(draft.Plans))
	g.Expect(got.Resell).To(Equal(draft.Resell))

	// An update of an existing draft: existing plans are updated by their
	// durable IDs, a new plan is created alongside.
	draft.Plans[0].Name = "Standard (renamed)"
	draft.Plans = append(draft.Plans, pc.Plan{ID: "premium", Name: "Premium", Pricing: "PerUser", Price: "10.00"})
	job, err = c.ConfigureDraft(ctx, productID, "SoftwareAsAService", draft)
	g.Expect(err).NotTo(HaveOccurred())
	done = await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
	got, err = c.GetDraft(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got.Plans).To(Equal([]pc.Plan{
		{ID: "premium", Name: "Premium", Pricing: "PerUser", Price: "10.00"},
		{ID: "standard", Name: "Standard (renamed)", Description: "Standard plan", Pricing: "FlatRate", Price: "99.00", Markets: []string{"DE", "US"}},
	}))

	unwritten, err := c.ConfigureCoSell(ctx, "contoso-analytics", "SoftwareAsAService", pc.CoSellListing{
		SolutionAreas: []string{"Data & AI"}, Contacts: []pc.Contact{{Role: "Sales", Name: "Sam", Email: "sam@contoso.example"}}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(unwritten).To(BeEmpty())

	job, err = c.SubmitPreview(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	done = await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
	detail, err = c.GetJobDetail(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	previewID := detail.SubmissionID()
	if previewID == "" {
		subs, err := c.ListSubmissions(ctx, productID)
		g.Expect(err).NotTo(HaveOccurred())
		for _, s := range subs {
			if s.Target == pc.TargetPreview {
				previewID = s.ID
				break
			}
		}
	}
	g.Expect(previewID).NotTo(BeEmpty())
	g.Eventually(func(g Gomega) {
		s, err := c.GetSubmission(ctx, productID, previewID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(s.Status).To(Equal(pc.SubmissionCompleted))
		g.Expect(s.Result).To(Equal(pc.SubmissionSucceeded), "%+v", s.Feedback)
	}).WithTimeout(20 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())

	job, err = c.GoLive(ctx, productID, previewID)
	g.Expect(err).NotTo(HaveOccurred())
	done = await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
	var liveID string
	g.Eventually(func(g Gomega) {
		subs, err := c.ListSubmissions(ctx, productID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(subs[len(subs)-1].IsDraft()).To(BeTrue())
		for _, s := range subs {
			if s.Target == pc.TargetLive && s.Result == pc.SubmissionSucceeded {
				liveID = s.ID
			}
		}
		g.Expect(liveID).NotTo(BeEmpty())
	}).WithTimeout(20 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())

	p, err = c.GetProduct(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	job, err = c.DeleteDraft(ctx, *p)
	g.Expect(err).NotTo(HaveOccurred())
	done = await(g, c, job)
	g.Expect(done.Result).To(Equal(pc.JobFailed), "a published product cannot be deleted")
	g.Expect(pc.ClassOfCode(done.Errors[0].Code)).To(Equal(pc.ClassConflict))

	job, err = c.StopSale(ctx, productID, liveID)
	g.Expect(err).NotTo(HaveOccurred())
	done = await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
	p, err = c.GetProduct(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.State).To(Equal(pc.LifecycleDeprecated))
}

func TestAgainstSimulatorDeleteNeverPublished(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	c := startSimulator(t)
	p := createProduct(g, c, pc.ProductSpec{OfferID: "contoso-cosell", OfferType: "CoSellOnly", Name: "Contoso"})
	g.Expect(p.OfferType).To(Equal("CoSellOnly"))
	_, err := c.ConfigureCoSell(ctx, "contoso-cosell", "CoSellOnly", pc.CoSellListing{SolutionAreas: []string{"Security"}})
	g.Expect(pc.ClassOf(err)).To(Equal(pc.ClassUnsupported))
	job, err := c.DeleteDraft(ctx, *p)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(await(g, c, job).Succeeded()).To(BeTrue())
	_, err = c.FindProduct(ctx, "contoso-cosell")
	g.Expect(pc.IsNotFound(err)).To(BeTrue())
}

func TestAgainstSimulatorMigration(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	c := startSimulator(t)
	pre, err := c.Prerequisites(ctx, "4871234", "contoso")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(pre.CanPublish()).To(BeTrue())
	sol, err := c.GetSolution(ctx, "4871234", "ocp-contoso-analytics")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sol.State).To(Equal(pc.SolutionStatePendingMigration))
	sol, err = c.MigrateSolution(ctx, pc.MigrateRequest{PartnerID: "4871234", SolutionID: "ocp-contoso-analytics",
		OfferID: "contoso-analytics", OfferType: "SoftwareAsAService", PublisherID: "contoso"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sol.State).To(Equal(pc.SolutionStateMigrated))
	p, err := c.GetProduct(ctx, sol.ProductID)
	g.Expect(err).NotTo(HaveOccurred(), "a migrated solution names its Product Ingestion product")
	g.Expect(p.OfferID).To(Equal("contoso-analytics"))
}

// TestAgainstSimulatorCertificationRefused: a refused certification is a
// failed preview job whose errors name each resource to fix, read through
// the port as the controllers read it.
func TestAgainstSimulatorCertificationRefused(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	c := startSimulator(t)
	job, err := c.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso-retail-assessment", OfferType: "SoftwareAsAService", Name: "Contoso Retail Data Assessment"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(await(g, c, job).Succeeded()).To(BeTrue())
	detail, err := c.GetJobDetail(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	productID := detail.ProductID()

	draft := pc.Draft{
		Listing: pc.Listing{Title: "Contoso Retail Data Assessment", Summary: "Score your retail data estate.", Description: "Scores your retail data estate."},
		Plans:   []pc.Plan{{ID: "assessment", Name: "Assessment", Pricing: "FlatRate", Price: "199.00", Markets: []string{"US"}}},
	}
	job, err = c.ConfigureDraft(ctx, productID, "SoftwareAsAService", draft)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(await(g, c, job).Succeeded()).To(BeTrue())

	job, err = c.SubmitPreview(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	done := await(g, c, job)
	g.Expect(done.Result).To(Equal(pc.JobFailed))
	var privacy, description bool
	for _, e := range done.Errors {
		g.Expect(e.Code).To(Equal("businessValidationError"))
		if strings.HasPrefix(e.Resource, "listing/"+productID+"/") {
			privacy = privacy || strings.Contains(e.Message, "privacy policy")
			description = description || strings.Contains(e.Message, "description")
		}
	}
	g.Expect(privacy).To(BeTrue(), "the listing's missing privacy link is named: %+v", done.Errors)
	g.Expect(description).To(BeTrue(), "the listing's short description is named: %+v", done.Errors)

	draft.Listing.PrivacyPolicyURL = "https://contoso.example/privacy"
	draft.Listing.Description = "Contoso Retail Data Assessment scores your retail data estate: it checks sales, stock and customer data for gaps."
	job, err = c.ConfigureDraft(ctx, productID, "SoftwareAsAService", draft)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(await(g, c, job).Succeeded()).To(BeTrue())
	job, err = c.SubmitPreview(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	done = await(g, c, job)
	g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
}

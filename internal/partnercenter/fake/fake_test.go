package fake

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// TestRequeueFlow walks an offer from creation to stop-sale the way the
// controllers do: every write returns a running job, a later read completes
// it, and the job detail names what it created.
func TestRequeueFlow(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := New()
	f.JobReads = 2

	complete := func(j *pc.Job) *pc.Job {
		t.Helper()
		g.Expect(j.Done()).To(BeFalse(), "a job is running when it is returned")
		got, err := f.GetJob(ctx, j.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Done()).To(BeFalse(), "one read is not enough with JobReads 2")
		_, err = f.GetJobDetail(ctx, j.ID)
		g.Expect(pc.IsConflict(err)).To(BeTrue(), "no detail before completion")
		got, err = f.GetJob(ctx, j.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Done()).To(BeTrue())
		return got
	}

	job, err := f.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso", OfferType: "SoftwareAsAService", Name: "Contoso"})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = f.FindProduct(ctx, "contoso")
	g.Expect(pc.IsNotFound(err)).To(BeTrue(), "the product exists once the job completed")
	g.Expect(complete(job).Succeeded()).To(BeTrue())
	detail, err := f.GetJobDetail(ctx, job.ID)
	g.Expect(err).NotTo(HaveOccurred())
	productID := detail.ProductID()
	g.Expect(productID).NotTo(BeEmpty())

	job, err = f.ConfigureDraft(ctx, productID, "SoftwareAsAService", pc.Draft{
		Listing: pc.Listing{Title: "Contoso", Keywords: []string{"analytics"}},
		Plans:   []pc.Plan{{ID: "basic", Name: "Basic", Pricing: "Free"}},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Unwritten).To(ContainElements(
		HaveField("Resource", "spec.listing.keywords"),
		HaveField("Resource", "spec.plans[basic].pricing"),
	))
	g.Expect(complete(job).Succeeded()).To(BeTrue())

	job, err = f.SubmitPreview(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	second, err := f.SubmitPreview(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(complete(job).Succeeded()).To(BeTrue())
	detail, _ = f.GetJobDetail(ctx, job.ID)
	previewID := detail.SubmissionID()
	g.Expect(previewID).To(Equal("1"))
	failedJob := complete(second)
	g.Expect(failedJob.Result).To(Equal(pc.JobFailed), "a second submission while one is in progress fails")
	g.Expect(failedJob.Errors[0].Code).To(Equal(pc.CodeProductLocked))

	subs, err := f.ListSubmissions(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(subs[len(subs)-1].IsDraft()).To(BeTrue(), "the list ends with the draft entry")
	sub, err := f.GetSubmission(ctx, productID, previewID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sub.Result).To(Equal(pc.SubmissionSucceeded))

	job, _ = f.GoLive(ctx, productID, previewID)
	g.Expect(complete(job).Succeeded()).To(BeTrue())
	sub, _ = f.GetSubmission(ctx, productID, previewID)
	g.Expect(sub.Target).To(Equal(pc.TargetLive))
	g.Expect(sub.Result).To(Equal(pc.SubmissionSucceeded))

	p, _ := f.GetProduct(ctx, productID)
	job, _ = f.DeleteDraft(ctx, *p)
	g.Expect(complete(job).Result).To(Equal(pc.JobFailed), "a published product cannot be deleted")

	job, _ = f.StopSale(ctx, productID, previewID)
	g.Expect(complete(job).Succeeded()).To(BeTrue())
	p, _ = f.GetProduct(ctx, productID)
	g.Expect(p.State).To(Equal(pc.LifecycleDeprecated))

	unwritten, err := f.ConfigureCoSell(ctx, "contoso", "SoftwareAsAService", pc.CoSellListing{SolutionAreas: []string{"Data"}, LandingPageURL: "https://contoso.com"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(unwritten).To(ConsistOf(HaveField("Resource", "spec.coSell.landingPageURL")))
	_, err = f.ConfigureCoSell(ctx, "contoso", "CoSellOnly", pc.CoSellListing{})
	g.Expect(pc.ClassOf(err)).To(Equal(pc.ClassUnsupported))
}

func TestDeleteNeverPublishedDraft(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := New()
	job, _ := f.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso", OfferType: "CoSellOnly", Name: "Contoso"})
	_, _ = f.GetJob(ctx, job.ID)
	p, err := f.FindProduct(ctx, "contoso")
	g.Expect(err).NotTo(HaveOccurred())
	cfg, err := f.ConfigureDraft(ctx, p.ID, "CoSellOnly", pc.Draft{Listing: pc.Listing{Title: "Contoso"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.ID).To(BeEmpty(), "nothing to send for a co-sell only offer")
	g.Expect(cfg.Succeeded()).To(BeTrue())
	g.Expect(cfg.Unwritten).To(ConsistOf(HaveField("Resource", "spec.listing")))
	job, _ = f.DeleteDraft(ctx, *p)
	got, _ := f.GetJob(ctx, job.ID)
	g.Expect(got.Succeeded()).To(BeTrue())
	g.Expect(f.Products()).To(BeEmpty())
}

// TestGetTargetReadsThePublishedVersions: the preview and live versions
// are the drafts their submissions carried, not the draft edited since.
func TestGetTargetReadsThePublishedVersions(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := New()
	run := func(j *pc.Job, err error) string {
		g.Expect(err).NotTo(HaveOccurred())
		got, err := f.GetJob(ctx, j.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Succeeded()).To(BeTrue())
		d, err := f.GetJobDetail(ctx, j.ID)
		g.Expect(err).NotTo(HaveOccurred())
		return d.SubmissionID()
	}
	j, err := f.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso", OfferType: "SoftwareAsAService", Name: "Contoso"})
	g.Expect(err).NotTo(HaveOccurred())
	_, _ = f.GetJob(ctx, j.ID)
	d, _ := f.GetJobDetail(ctx, j.ID)
	id := d.ProductID()
	v1 := pc.Draft{Listing: pc.Listing{Title: "One", Summary: "First."}, Resell: pc.Resell{Policy: "None"}}
	run(f.ConfigureDraft(ctx, id, "SoftwareAsAService", v1))
	_, err = f.GetTarget(ctx, id, pc.TargetPreview)
	g.Expect(pc.IsNotFound(err)).To(BeTrue(), "never published")

	sub := run(f.SubmitPreview(ctx, id))
	_, _ = f.ListSubmissions(ctx, id) // certification completes on a read
	run(f.GoLive(ctx, id, sub))
	_, _ = f.ListSubmissions(ctx, id)
	v2 := v1
	v2.Listing.Summary = "Edited since."
	run(f.ConfigureDraft(ctx, id, "SoftwareAsAService", v2))
	for target, want := range map[pc.SubmissionTarget]pc.Draft{pc.TargetDraft: v2, pc.TargetPreview: v1, pc.TargetLive: v1} {
		got, err := f.GetTarget(ctx, id, target)
		g.Expect(err).NotTo(HaveOccurred(), string(target))
		g.Expect(*got).To(Equal(want), string(target))
	}
}

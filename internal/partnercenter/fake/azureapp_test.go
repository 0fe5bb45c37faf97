package fake

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// An Azure Application's listing and plans are kept as the adapter writes
// them through the submission API: synchronously, without URLs and
// pricing (named unwritten), and without dropping plans the draft does not
// name.
func TestAzureApplicationDraft(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := New()
	job, err := f.CreateProduct(ctx, pc.ProductSpec{OfferID: "app", OfferType: "AzureApplication", Name: "App"})
	g.Expect(err).NotTo(HaveOccurred())
	for !job.Done() {
		job, err = f.GetJob(ctx, job.ID)
		g.Expect(err).NotTo(HaveOccurred())
	}
	p, err := f.FindProduct(ctx, "app")
	g.Expect(err).NotTo(HaveOccurred())

	d := pc.Draft{Listing: pc.Listing{Title: "App", Description: "D", SupportURL: "https://x.example"},
		Plans: []pc.Plan{{ID: "a", Name: "A", Pricing: "Free"}}, Resell: pc.Resell{Policy: "None"}}
	job, err = f.ConfigureDraft(ctx, p.ID, "AzureApplication", d)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Succeeded()).To(BeTrue())
	g.Expect(job.ID).To(BeEmpty())
	g.Expect(job.Unwritten).To(ContainElements(HaveField("Resource", "spec.listing"), HaveField("Resource", "spec.plans[a].pricing")))
	got, err := f.GetDraft(ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*got).To(Equal(pc.Draft{Listing: pc.Listing{Title: "App", Description: "D"},
		Plans: []pc.Plan{{ID: "a", Name: "A"}}, Resell: pc.Resell{Policy: "None"}}))

	_, err = f.ConfigureDraft(ctx, p.ID, "AzureApplication", pc.Draft{Plans: []pc.Plan{{ID: "b", Name: "B"}}})
	g.Expect(err).NotTo(HaveOccurred())
	got, _ = f.GetDraft(ctx, p.ID)
	g.Expect(got.Plans).To(HaveLen(2), "plans are not deleted by a draft write")
}

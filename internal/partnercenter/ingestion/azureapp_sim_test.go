package ingestion_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// writes counts the submission API's writes the simulator answered.
func writes(sim *simulator.Simulator) int {
	n := 0
	for k, v := range maps.All(sim.Stats().Requests) {
		if strings.HasPrefix(k, "PUT pi/") || strings.HasPrefix(k, "POST pi/") {
			n += v
		}
	}
	return n
}

// TestAgainstSimulatorAzureApplication: an Azure Application's listing and
// plans are written through the submission API, read back the same by
// GetDraft, and a second ConfigureDraft of the same draft writes nothing.
func TestAgainstSimulatorAzureApplication(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim, c := startSim(t)
	p := createProduct(g, c, pc.ProductSpec{OfferID: "contoso-fieldservice", OfferType: "AzureApplication", Name: "Contoso Field Service"})

	draft := pc.Draft{
		Listing: pc.Listing{Title: "Contoso Field Service", Summary: "Dispatch technicians.", ShortDescription: "Field service.",
			Description: "Schedules, dispatches and tracks field technicians.", Keywords: []string{"dispatch", "field"},
			PrivacyPolicyURL: "https://contoso.example/privacy"},
		Plans: []pc.Plan{
			{ID: "standard", Name: "Standard", Description: "One region.", Pricing: "FlatRate", Price: "10", Markets: []string{"US"}},
			{ID: "premium", Name: "Premium", Description: "Every region."},
		},
		Resell: pc.Resell{Policy: "None"},
	}
	job, err := c.ConfigureDraft(ctx, p.ID, "AzureApplication", draft)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Succeeded()).To(BeTrue())
	g.Expect(job.ID).To(BeEmpty())
	var unwritten []string
	for _, u := range job.Unwritten {
		unwritten = append(unwritten, u.Resource)
	}
	g.Expect(unwritten).To(ConsistOf("spec.listing", "spec.plans[standard].pricing", "spec.plans[standard]", "spec.plans[premium]"))
	g.Expect(sim.Stats().Requests).To(HaveKeyWithValue("POST pi/variants 201", 2))

	got, err := c.GetDraft(ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	want := draft
	want.Listing.PrivacyPolicyURL = ""
	want.Plans = []pc.Plan{{ID: "premium", Name: "Premium", Description: "Every region."}, {ID: "standard", Name: "Standard", Description: "One region."}}
	g.Expect(*got).To(Equal(want), "what was written reads back")

	before := writes(sim)
	job, err = c.ConfigureDraft(ctx, p.ID, "AzureApplication", *got)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Succeeded()).To(BeTrue())
	g.Expect(writes(sim)).To(Equal(before), "the draft read back writes nothing")

	// A change writes only what changed: the plan's listing.
	got.Plans[0].Description = "Every region, every day."
	got.Plans[0].Name = "Premium+"
	_, err = c.ConfigureDraft(ctx, p.ID, "AzureApplication", *got)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(writes(sim)).To(Equal(before + 1))
	again, err := c.GetDraft(ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again.Plans[0]).To(Equal(pc.Plan{ID: "premium", Name: "Premium+", Description: "Every region, every day."}))
}

package ingestion_test

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// startSim is startSimulator that also hands back the simulator, whose
// counters the test reads.
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

// configures counts the POST configure requests the simulator accepted.
func configures(sim *simulator.Simulator) int { return sim.Stats().Requests["POST configure 202"] }

// TestSaaSDraftRoundTrip: a SaaS offer written (listing and plan-listings
// at preview5, recurrentPrice at preview4) reads back whole as the adapter
// reads it (at preview5), the same draft again writes nothing, and a
// changed one updates the resources by the durable IDs read (a plan sent
// again by its externalId alone would be refused as a second plan).
func TestSaaSDraftRoundTrip(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim, c := startSim(t)
	job, err := c.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso-roundtrip", OfferType: "SoftwareAsAService", Name: "Contoso"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(await(g, c, job).Succeeded()).To(BeTrue())
	p, err := c.FindProduct(ctx, "contoso-roundtrip")
	g.Expect(err).NotTo(HaveOccurred())

	draft := pc.Draft{
		Listing: pc.Listing{Title: "Contoso", Summary: "Analytics for retail.", ShortDescription: "Retail analytics",
			Description: "<p>Contoso turns shelf sensors into dashboards.</p>", PrivacyPolicyURL: "https://contoso.example/privacy",
			SupportURL: "https://contoso.example/support"},
		Plans: []pc.Plan{
			{ID: "gold", Name: "Gold", Description: "Gold plan", Pricing: "FlatRate", Price: "99.00", Markets: []string{"DE", "US"}},
			{ID: "seat", Name: "Seat", Description: "Per seat", Pricing: "PerUser", Price: "5.50", Markets: []string{"US"}},
		},
		Resell: pc.Resell{Policy: "All"},
	}
	write := func(d pc.Draft) *pc.Job {
		job, err := c.ConfigureDraft(ctx, p.ID, "SoftwareAsAService", d)
		g.Expect(err).NotTo(HaveOccurred())
		done := await(g, c, job)
		g.Expect(done.Succeeded()).To(BeTrue(), "%+v", done.Errors)
		return job
	}
	before := configures(sim)
	write(draft)
	g.Expect(configures(sim)).To(Equal(before + 1))

	got, err := c.GetDraft(ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*got).To(Equal(draft), "listing, plan-listings and recurrentPrice read back")

	job = write(draft)
	g.Expect(job.ID).To(BeEmpty(), "nothing to write")
	g.Expect(configures(sim)).To(Equal(before+1), "the same draft again writes nothing")

	changed := draft
	changed.Plans = []pc.Plan{draft.Plans[0], draft.Plans[1]}
	changed.Plans[1].Description = "Per seat, monthly"
	changed.Plans[0].Price = "109.00"
	write(changed)
	g.Expect(configures(sim)).To(Equal(before + 2))
	got, err = c.GetDraft(ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*got).To(Equal(changed), "updated in place, no second plan")
}

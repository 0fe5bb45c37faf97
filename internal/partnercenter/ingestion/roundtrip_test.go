package ingestion_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

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
	p := createProduct(g, c, pc.ProductSpec{OfferID: "contoso-roundtrip", OfferType: "SoftwareAsAService", Name: "Contoso"})

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

	job := write(draft)
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

// dropPosts turns the simulator's fault dropafter on for each POST it
// carries, and off again for every other request: the writes take effect
// and their answers are lost, and the reads that tell are answered.
type dropPosts struct {
	sim  *simulator.Simulator
	next http.RoundTripper
}

func (d dropPosts) RoundTrip(r *http.Request) (*http.Response, error) {
	spec := ""
	if r.Method == http.MethodPost {
		spec = "dropafter=1"
	}
	if err := d.sim.SetFaults(spec); err != nil {
		return nil, err
	}
	return d.next.RoundTrip(r)
}

// TestDroppedAnswerMakesOneJob: when the answer of every write is lost
// after the simulator handled it (fault dropafter), a create and a draft
// write each make one configure job, not one per attempt, and the caller
// learns that they took effect.
func TestDroppedAnswerMakesOneJob(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim, _ := startSim(t)
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 10 * time.Millisecond,
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		HTTPClient: &http.Client{Transport: dropPosts{sim: sim, next: http.DefaultTransport}}})
	g.Expect(err).NotTo(HaveOccurred())

	_, err = c.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso-dropped", OfferType: "SoftwareAsAService", Name: "Contoso"})
	g.Expect(pc.ClassOf(err)).To(Equal(pc.ClassConflict), "took effect: read the state again (%v)", err)
	p, err := c.FindProduct(ctx, "contoso-dropped")
	g.Expect(err).NotTo(HaveOccurred(), "the create took effect")

	draft := pc.Draft{Listing: pc.Listing{Title: "Contoso"},
		Plans: []pc.Plan{{ID: "gold", Name: "Gold", Pricing: "FlatRate", Price: "10.00"}}}
	job, err := c.ConfigureDraft(ctx, p.ID, "SoftwareAsAService", draft)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.Succeeded()).To(BeTrue(), "the draft read again holds what was sent")

	jobs := sim.Stats().ConfigureJobs
	g.Expect(jobs["create"]).To(Equal(map[string]int{"contoso-dropped": 1}))
	g.Expect(jobs["draft"]).To(Equal(map[string]int{"contoso-dropped": 1}))
	g.Expect(sim.Stats().Faults["dropafter"]).To(Equal(2))
}

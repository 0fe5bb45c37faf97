package ingestion

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

func TestMigrationUnsupportedWithoutSurface(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) { t.Error("unexpected call") },
		func(o *Options) { o.MigrationSurface = false })
	ctx := context.Background()
	calls := map[string]func() error{
		"Prerequisites": func() error { _, err := c.Prerequisites(ctx, "1", "pub"); return err },
		"GetSolution":   func() error { _, err := c.GetSolution(ctx, "1", "s"); return err },
		"MigrateSolution": func() error {
			_, err := c.MigrateSolution(ctx, pc.MigrateRequest{PartnerID: "1", SolutionID: "s", OfferID: "o", OfferType: "PowerBIApp"})
			return err
		},
		"RequestMerge": func() error {
			_, err := c.RequestMerge(ctx, pc.MergeRequest{PartnerID: "1", SolutionID: "s", ProductID: "p"})
			return err
		},
		"DiscardSolution": func() error { _, err := c.DiscardSolution(ctx, "1", "s"); return err },
		"UndoDiscard":     func() error { _, err := c.UndoDiscard(ctx, "1", "s"); return err },
	}
	for op, call := range calls {
		err := call()
		e := asPC(g, err)
		g.Expect(e.Class).To(Equal(pc.ClassUnsupported), op)
		g.Expect(e.Op).To(Equal(op))
		g.Expect(pc.IsTerminal(err)).To(BeTrue())
		g.Expect(e.Message).To(ContainSubstring("no public API for OCP GTM solution migration"))
		g.Expect(e.Message).To(ContainSubstring("in Partner Center"))
		g.Expect(err.Error()).To(ContainSubstring(op))
	}
	g.Expect(s.count()).To(Equal(0))
}

func TestMigrationSurface(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case basePath + "/migration/partners/123/prerequisites":
			writeJSON(w, 200, wire.Prerequisites{PartnerID: "123", MembershipValid: true, PublisherRole: "Developer"})
		case basePath + "/migration/partners/123/solutions/sol-1/migrate":
			writeJSON(w, 200, wire.LegacySolution{PartnerID: "123", SolutionID: "sol-1", Name: "Old", State: wire.SolutionMigrated,
				Product: wire.ProductRef("p1"), BillOfMaterials: []wire.Document{{Type: "PitchDeck", URL: "https://d"}}})
		case basePath + "/migration/partners/123/solutions/sol-1/merge":
			writeJSON(w, 200, wire.LegacySolution{PartnerID: "123", SolutionID: "sol-1", State: wire.SolutionMergeRequested,
				Product: wire.ProductRef("p2"), SupportRequestID: "sr-1"})
		case basePath + "/migration/partners/123/solutions/sol-1/discard":
			writeJSON(w, 200, wire.LegacySolution{SolutionID: "sol-1", State: wire.SolutionDiscarded})
		case basePath + "/migration/partners/123/solutions/sol-1/undo-discard":
			writeJSON(w, 200, wire.LegacySolution{SolutionID: "sol-1", State: wire.SolutionPendingMigration})
		case basePath + "/migration/partners/123/solutions/sol-1":
			writeJSON(w, 200, wire.LegacySolution{SolutionID: "sol-1", State: "teleported"})
		default:
			writeError(w, 404, wire.CodeNotFound, "no solution")
		}
	})
	ctx := context.Background()
	p, err := c.Prerequisites(ctx, "123", "pub-1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*p).To(Equal(pc.Prerequisites{MembershipValid: true, PublisherRole: "Developer"}))

	sol, err := c.MigrateSolution(ctx, pc.MigrateRequest{PartnerID: "123", SolutionID: "sol-1", OfferID: "o", OfferType: "PowerBIApp", PublisherID: "pub"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*sol).To(Equal(pc.LegacySolution{PartnerID: "123", SolutionID: "sol-1", Name: "Old", State: pc.SolutionStateMigrated,
		ProductID: "p1", BillOfMaterials: []pc.Document{{Type: "PitchDeck", URL: "https://d"}}}))

	sol, err = c.RequestMerge(ctx, pc.MergeRequest{PartnerID: "123", SolutionID: "sol-1", ProductID: "p2", OfferType: "SoftwareAsAService", OfferName: "X"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sol.State).To(Equal(pc.SolutionStateMergeRequested))
	g.Expect(sol.SupportRequestID).To(Equal("sr-1"))
	g.Expect(sol.ProductID).To(Equal("p2"))

	sol, err = c.DiscardSolution(ctx, "123", "sol-1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sol.State).To(Equal(pc.SolutionStateDiscarded))
	sol, err = c.UndoDiscard(ctx, "123", "sol-1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sol.State).To(Equal(pc.SolutionStatePendingMigration))

	_, err = c.GetSolution(ctx, "123", "sol-1")
	g.Expect(err).To(MatchError(ContainSubstring(`unknown state "teleported"`)))
	_, err = c.GetSolution(ctx, "123", "sol-9")
	g.Expect(pc.IsNotFound(err)).To(BeTrue())

	reqs := s.requests()
	g.Expect(reqs[0].Query.Get("publisherId")).To(Equal("pub-1"))
	var migrate wire.MigrateRequest
	g.Expect(json.Unmarshal(reqs[1].Body, &migrate)).To(Succeed())
	g.Expect(migrate).To(Equal(wire.MigrateRequest{Schema: wire.Schema(wire.KindMigrationRequest),
		Identity: wire.Identity{ExternalID: "o"}, Type: "powerBIApp", PublisherID: "pub"}))
	var merge wire.MergeRequest
	g.Expect(json.Unmarshal(reqs[2].Body, &merge)).To(Succeed())
	g.Expect(merge).To(Equal(wire.MergeRequest{Schema: wire.Schema(wire.KindMergeRequest), Product: "product/p2",
		OfferType: "softwareAsAService", OfferName: "X"}))
	for _, r := range reqs {
		g.Expect(r.Query.Get("$version")).To(Equal(wire.Version))
	}
}

package ingestion

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// sampleDraft is a draft in an order no normal form would keep.
func sampleDraft() pc.Draft {
	return pc.Draft{
		Listing: pc.Listing{Title: "Contoso", Summary: "S", ShortDescription: "SD", Description: "D",
			PrivacyPolicyURL: "https://contoso/privacy", SupportURL: "https://contoso/support", Keywords: []string{"zeta", "alpha"}},
		Plans: []pc.Plan{
			{ID: "pro", Name: "Pro", Description: "more", Pricing: "PerUser", Price: "12.50", Markets: []string{"US", "DE"}},
			{ID: "basic", Name: "Basic", Pricing: "Free"},
			{ID: "trial", Name: "Trial"},
		},
		CoSell: pc.CoSellListing{SolutionType: "Software", SolutionAreas: []string{"Security", "AI"},
			Industries: []string{"Retail", "Banking"},
			Documents: []pc.Document{{Type: "Video", URL: "https://v/2"}, {Type: "PitchDeck", URL: "https://p"},
				{Type: "Video", URL: "https://v/1"}},
			Contacts:       []pc.Contact{{Role: "Sales", Name: "S", Email: "s@c"}, {Role: "Engineering", Name: "E", Email: "e@c"}},
			LandingPageURL: "https://contoso/cosell"},
		Resell: pc.Resell{Policy: "Specific", PartnerIDs: []string{"222", "111"}},
	}
}

// treeServer keeps the resources configured last and serves them as the
// draft resource tree, as Partner Center would.
type treeServer struct {
	mu        sync.Mutex
	resources []wire.Resource
}

func (ts *treeServer) handle(w http.ResponseWriter, r *http.Request, _ int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	switch r.URL.Path {
	case basePath + "/configure":
		var body wire.Configure
		_ = json.NewDecoder(r.Body).Decode(&body)
		ts.resources = body.Resources
		writeJSON(w, 202, wire.ConfigureStatus{JobID: "j", JobStatus: wire.JobRunning})
	case basePath + "/resource-tree/product/p1":
		if r.URL.Query().Get("targetType") != wire.TargetDraft {
			writeError(w, 400, wire.CodeBadRequest, "targetType")
			return
		}
		writeJSON(w, 200, wire.ResourceTree{Schema: wire.Schema(wire.KindResourceTree), Root: "product/p1",
			Target: wire.Target{TargetType: wire.TargetDraft}, Resources: ts.resources})
	default:
		writeError(w, 404, wire.CodeNotFound, r.URL.Path)
	}
}

func TestDraftRoundTrip(t *testing.T) {
	g := NewWithT(t)
	ts := &treeServer{}
	c, _ := newClient(t, ts.handle)
	job, err := c.ConfigureDraft(context.Background(), "p1", sampleDraft())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.ID).To(Equal("j"))

	ts.mu.Lock()
	kinds := []string{}
	for _, r := range ts.resources {
		kinds = append(kinds, wire.KindOf(r.Schema))
		g.Expect(r.Product).To(Equal("product/p1"))
		if r.Plan != "" {
			g.Expect(r.Plan).To(HavePrefix("plan/p1/"))
		}
	}
	ts.mu.Unlock()
	g.Expect(kinds).To(Equal([]string{wire.KindListing, wire.KindPlan, wire.KindPriceAndAvail, wire.KindPlan,
		wire.KindPriceAndAvail, wire.KindPlan, wire.KindPriceAndAvail, wire.KindReseller, wire.KindCoSellListing}))

	got, err := c.GetDraft(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	want := sampleDraft()
	normalize(&want)
	g.Expect(*got).To(Equal(want))
	g.Expect(got.Plans[0].ID).To(Equal("basic"))
	g.Expect(got.CoSell.Documents).To(Equal([]pc.Document{{Type: "PitchDeck", URL: "https://p"},
		{Type: "Video", URL: "https://v/1"}, {Type: "Video", URL: "https://v/2"}}))
	g.Expect(got.Resell.PartnerIDs).To(Equal([]string{"111", "222"}))
}

func TestDraftJoinsPlansByServerIDs(t *testing.T) {
	g := NewWithT(t)
	tree := &wire.ResourceTree{Resources: []wire.Resource{
		{Schema: wire.Schema(wire.KindPriceAndAvail), Plan: "plan/p1/guid-2", Pricing: &wire.Pricing{Model: "flatRate", Price: "9"}},
		{Schema: wire.Schema(wire.KindPlan), ID: "plan/p1/guid-2", Identity: &wire.Identity{ExternalID: "gold"}, Alias: "Gold"},
		{Schema: wire.Schema(wire.KindPlan), Identity: &wire.Identity{ExternalID: "free"}},
		{Schema: wire.Schema(wire.KindPriceAndAvail), Plan: wire.PlanRef("p1", "free"), Markets: []string{"US"},
			Pricing: &wire.Pricing{Model: "someFutureModel"}},
		{Schema: "https://schema.mp.microsoft.com/schema/listing/1999-01-01", Title: "old version ignored"},
	}}
	d, err := draftFromTree("GetDraft", "p1", tree)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(d.Plans).To(Equal([]pc.Plan{
		{ID: "free", Pricing: "someFutureModel", Markets: []string{"US"}},
		{ID: "gold", Name: "Gold", Pricing: "FlatRate", Price: "9"},
	}))
	g.Expect(d.Listing.Title).To(BeEmpty())
	g.Expect(d.Resell.Policy).To(Equal("None"))

	_, err = draftFromTree("GetDraft", "p1", &wire.ResourceTree{Resources: []wire.Resource{{Schema: wire.Schema(wire.KindPlan)}}})
	g.Expect(pc.IsTerminal(err)).To(BeTrue())
}

func TestConfigureDraftRefusesUnknownValues(t *testing.T) {
	g := NewWithT(t)
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) { t.Error("unexpected call") })
	for _, d := range []pc.Draft{
		{Plans: []pc.Plan{{ID: "a", Pricing: "Barter"}}},
		{Plans: []pc.Plan{{Name: "no id"}}},
		{Resell: pc.Resell{Policy: "Some"}},
	} {
		_, err := c.ConfigureDraft(context.Background(), "p1", d)
		g.Expect(pc.IsTerminal(err)).To(BeTrue(), "%+v", d)
	}
	_, err := c.ConfigureDraft(context.Background(), "", pc.Draft{})
	g.Expect(pc.IsTerminal(err)).To(BeTrue())
	g.Expect(s.count()).To(Equal(0))
}

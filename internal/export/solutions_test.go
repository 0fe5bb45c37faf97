package export

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export/seedtest"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestDice(t *testing.T) {
	cases := []struct {
		a, b string
		want float64
	}{
		{"Contoso Analytics", "contoso-analytics", 1},
		{"The Contoso Analytics", "Contoso analytics for retail", 0.8},
		{"Contoso Field Service", "Contoso Field Service Pro", 2 * 3.0 / 7},
		{"Contoso Analytics", "Contoso CRM", 0.5},
		{"Fabrikam Payroll", "Contoso CRM", 0},
		{"", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			NewWithT(t).Expect(Dice(tokens(tc.a), tokens(tc.b))).To(BeNumerically("~", tc.want, 1e-9))
		})
	}
}

func liveOffer(offerID, title string) *Offer {
	o := Map(pc.Product{ID: "guid-" + offerID, OfferID: offerID, OfferType: "SoftwareAsAService", Name: title},
		&pc.Draft{Listing: pc.Listing{Title: title}}, "contoso", "")
	o.Object.Spec.Target = v1.TargetLive
	return o
}

func TestBestMatch(t *testing.T) {
	g := NewWithT(t)
	analytics, crm := liveOffer("contoso-analytics", "Contoso Analytics"), liveOffer("contoso-crm", "Contoso CRM")
	draftOnly := Map(pc.Product{ID: "g", OfferID: "contoso-payroll", OfferType: "SoftwareAsAService"},
		&pc.Draft{Listing: pc.Listing{Title: "Contoso Payroll"}}, "contoso", "")
	offers := []*Offer{analytics, crm, draftOnly}

	m, ok := BestMatch(LegacySolution{LegacySolution: pc.LegacySolution{Name: "Contoso Analytics"}}, offers)
	g.Expect(ok).To(BeTrue())
	g.Expect(m.Offer).To(BeIdenticalTo(analytics))
	g.Expect(m.Score).To(Equal(1.0))

	m, _ = BestMatch(LegacySolution{LegacySolution: pc.LegacySolution{Name: "Payroll by Contoso"}}, offers)
	g.Expect(m.Offer).NotTo(BeIdenticalTo(draftOnly), "only live offers can take a merge")

	m, _ = BestMatch(LegacySolution{LegacySolution: pc.LegacySolution{Name: "Customer Relations"},
		ListingURL: "https://appsource.microsoft.com/en-us/product/web-apps/contoso.contoso-crm?tab=Overview"}, offers)
	g.Expect(m.Offer).To(BeIdenticalTo(crm))
	g.Expect(m.Score).To(Equal(1.0))
	g.Expect(m.By).To(ContainSubstring("names contoso.contoso-crm"))

	_, ok = BestMatch(LegacySolution{LegacySolution: pc.LegacySolution{Name: "x"}}, []*Offer{draftOnly})
	g.Expect(ok).To(BeFalse())
}

func TestReadSolutionsFile(t *testing.T) {
	g := NewWithT(t)
	csv := "\ufeffSolutionID,partnerId,name,summary,state,listingUrl,billOfMaterials\n" +
		`ocp-1,4871234,"Contoso Analytics","Analytics, for retail",,https://appsource.microsoft.com/product/saas/contoso.analytics,"SolutionOnePager=https://c.example/1.pdf?a=b; PitchDeck=https://c.example/deck"` + "\n" +
		"ocp-2,4871234,Contoso Old,,Discarded,,\n"
	got, err := ReadSolutionsFile("solutions.csv", []byte(csv))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal([]LegacySolution{
		{LegacySolution: pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-1", Name: "Contoso Analytics", Summary: "Analytics, for retail",
			State: pc.SolutionStatePendingMigration, BillOfMaterials: []pc.Document{{Type: "SolutionOnePager", URL: "https://c.example/1.pdf?a=b"},
				{Type: "PitchDeck", URL: "https://c.example/deck"}}},
			ListingURL: "https://appsource.microsoft.com/product/saas/contoso.analytics"},
		{LegacySolution: pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-2", Name: "Contoso Old", State: pc.SolutionStateDiscarded}},
	}))

	yml := `value:
- solutionId: ocp-1
  partnerId: "4871234"
  name: Contoso Analytics
  state: pendingMigration
  billOfMaterials:
  - {type: PitchDeck, url: https://c.example/deck}
`
	got, err = ReadSolutionsFile("solutions.yaml", []byte(yml))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(HaveLen(1))
	g.Expect(got[0].BillOfMaterials).To(Equal([]pc.Document{{Type: "PitchDeck", URL: "https://c.example/deck"}}))

	for name, bad := range map[string]string{
		"state.yaml":   "value:\n- {solutionId: a, name: b, state: gone}\n",
		"unknown.yaml": "value:\n- {solutionId: a, name: b, colour: red}\n",
		"noname.csv":   "solutionId,summary\na,b\n",
		"bom.csv":      "solutionId,name,billOfMaterials\na,b,just-a-url\n",
	} {
		_, err := ReadSolutionsFile(name, []byte(bad))
		g.Expect(err).To(HaveOccurred(), name)
	}
}

// TestSolutionsPlanAgainstSimulator: the simulator's seed holds three
// pending legacy solutions of partner 4871234; one live offer matches
// Contoso Analytics by name.
func TestSolutionsPlanAgainstSimulator(t *testing.T) {
	g := NewWithT(t)
	ctx := testContext(t)
	c, cnt := startSimulator(t)
	_, err := seedtest.Seed(ctx, c, []seedtest.Offer{{OfferID: "contoso-analytics", OfferType: "SoftwareAsAService", Name: "Contoso Analytics",
		Stage: seedtest.Live, Draft: pc.Draft{Listing: seedtest.Listing("Contoso Analytics")}}})
	g.Expect(err).NotTo(HaveOccurred())
	cnt.reset()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err = run(ctx, c, c, flags{publisher: "contoso", partnerID: "4871234", solutions: true, out: dir, ns: "team",
		threshold: DefaultMatchThreshold, migrateType: "CoSellOnly"}, FromLive, &out, &errOut)
	g.Expect(err).NotTo(HaveOccurred(), errOut.String())
	g.Expect(cnt.count("POST ")).To(BeZero(), "nothing is applied")
	g.Expect(errOut.String()).To(ContainSubstring("suggested Merge for solution ocp-contoso-analytics\n"))
	g.Expect(errOut.String()).To(ContainSubstring("suggested Migrate for solution ocp-contoso-fieldservice\n"))

	read := func(name string, into any) string {
		data, err := os.ReadFile(filepath.Join(dir, name))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(yaml.UnmarshalStrict(data, into)).To(Succeed(), name)
		return string(data)
	}
	var merge v1.Solution
	text := read("solution-ocp-contoso-analytics.yaml", &merge)
	g.Expect(merge.Spec).To(Equal(v1.SolutionSpec{SolutionID: "ocp-contoso-analytics", PartnerID: "4871234", Action: v1.ActionMerge,
		Merge: &v1.MergeSpec{OfferRef: &v1.OfferReference{Name: "contoso-analytics"}}}))
	g.Expect(merge.Namespace).To(Equal("team"))
	g.Expect(text).To(ContainSubstring("# SUGGESTION, not applied: Merge into the live offer contoso-analytics"))
	g.Expect(text).To(ContainSubstring("score 1.00"))
	g.Expect(text).To(ContainSubstring("Discard is not suggested"))

	var migrate v1.Solution
	text = read("solution-ocp-contoso-fieldservice.yaml", &migrate)
	g.Expect(migrate.Spec.Action).To(Equal(v1.ActionMigrate))
	g.Expect(migrate.Spec.Migrate.OfferRef.Name).To(Equal("contoso-field-service"))
	g.Expect(text).To(ContainSubstring("# SUGGESTION, not applied: Migrate into a new draft offer contoso-field-service"))
	g.Expect(text).To(MatchRegexp(`(?s)the best live offer, contoso-analytics, matches by name .* with score 0\.40 only`))

	var offer v1.MarketplaceOffer
	text = read("contoso-field-service.yaml", &offer)
	g.Expect(text).To(HavePrefix("# SUGGESTION, not applied: the new draft offer that legacy solution ocp-contoso-fieldservice"))
	g.Expect(offer.Annotations).NotTo(HaveKey(AdoptAnnotation))
	g.Expect(offer.Spec.OfferType).To(Equal(v1.OfferTypeCoSellOnly))
	g.Expect(offer.Spec.Target).To(Equal(v1.TargetDraft))
	g.Expect(offer.Spec.MigrateFrom).To(Equal(&v1.MigrateFrom{SolutionID: "ocp-contoso-fieldservice"}))
	g.Expect(offer.Spec.Listing.Title).To(Equal("Contoso Field Service"))
	g.Expect(offer.Spec.Listing.Summary).To(Equal("Schedule, dispatch and track field technicians from one Azure app."))
	g.Expect(offer.Spec.CoSell.Documents).To(Equal([]v1.CoSellDocument{
		{Type: v1.DocumentSolutionOnePager, URL: "https://contoso.example/fieldservice/one-pager.pdf"},
		{Type: v1.DocumentPitchDeck, URL: "https://contoso.example/fieldservice/deck.pptx"}}))

	// The live offer itself is exported too, with the adoption opt-in.
	var live v1.MarketplaceOffer
	read("contoso-analytics.yaml", &live)
	g.Expect(live.Annotations).To(HaveKeyWithValue(AdoptAnnotation, "true"))
	entries, err := os.ReadDir(dir)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(6), "1 offer, 3 Solutions, 2 new offers")
}

package export

import (
	"bytes"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export/seedtest"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func saasDraft(title string) pc.Draft {
	return pc.Draft{Listing: seedtest.Listing(title),
		Plans: []pc.Plan{
			{ID: "basic", Name: "Basic", Description: "Basic plan", Pricing: "PerUser", Price: "10.00", Markets: []string{"DE", "US"}},
			{ID: "standard", Name: "Standard", Description: "Standard plan", Pricing: "FlatRate", Price: "99.00", Markets: []string{"US"}},
		},
		Resell: pc.Resell{Policy: "All"}}
}

// TestExportOfferTypes seeds one offer per mapped offer type, in different
// states, into the simulator and checks what export writes for each.
func TestExportOfferTypes(t *testing.T) {
	g := NewWithT(t)
	ctx := testContext(t)
	c, cnt := startSimulator(t)
	reportsDraft := saasDraft("Contoso Reports")
	newer := saasDraft("Contoso Reports")
	newer.Listing.Summary = "A newer summary, not yet published."
	newer.Plans[1].Price = "129.00"
	_, err := seedtest.Seed(ctx, c, []seedtest.Offer{
		{OfferID: "contoso-saas", OfferType: "SoftwareAsAService", Name: "Contoso SaaS", Stage: seedtest.Live, Draft: saasDraft("Contoso SaaS")},
		{OfferID: "contoso-reports", OfferType: "SoftwareAsAService", Name: "Contoso Reports", Stage: seedtest.LiveNewerDraft,
			Draft: reportsDraft, NewerDraft: newer},
		{OfferID: "contoso-vm", OfferType: "AzureVirtualMachine", Name: "Contoso VM", Stage: seedtest.Preview,
			Draft: pc.Draft{Listing: seedtest.Listing("Contoso VM"), Plans: []pc.Plan{{ID: "byol", Name: "BYOL", Pricing: "BYOL", Markets: []string{"US"}}}}},
		{OfferID: "contoso-containers", OfferType: "AzureContainer", Name: "Contoso Containers", Stage: seedtest.Draft,
			Draft: pc.Draft{Listing: seedtest.Listing("Contoso Containers"), Plans: []pc.Plan{{ID: "default", Name: "Default", Markets: []string{"US"}}}}},
		{OfferID: "contoso_app", OfferType: "AzureApplication", Name: "Contoso App", Stage: seedtest.Draft},
		{OfferID: "contoso-consulting", OfferType: "ConsultingService", Name: "Contoso Assessment", Stage: seedtest.Draft},
		{OfferID: "contoso-cosell", OfferType: "CoSellOnly", Name: "Contoso Co-sell", Stage: seedtest.Draft},
		{OfferID: "contoso-retired", OfferType: "SoftwareAsAService", Name: "Contoso Retired", Stage: seedtest.StopSold, Draft: saasDraft("Contoso Retired")},
	})
	g.Expect(err).NotTo(HaveOccurred())
	cnt.reset()

	var progress bytes.Buffer
	res, err := Run(ctx, c, Options{PublisherID: "contoso", Namespace: "team", Progress: &progress})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Failed).To(BeEmpty())
	g.Expect(res.Offers).To(HaveLen(8))
	g.Expect(progress.String()).To(ContainSubstring("exported 1/8: contoso-consulting\n"), "offers are exported in offer ID order")
	g.Expect(progress.String()).To(ContainSubstring("exported 8/8: contoso_app\n"))
	g.Expect(cnt.count("POST ")).To(BeZero(), "export writes nothing")

	by := map[string]*Offer{}
	for _, o := range res.Offers {
		by[o.Object.Spec.OfferID] = o
		g.Expect(o.Object.Annotations).To(HaveKeyWithValue(AdoptAnnotation, "true"))
		g.Expect(o.Object.Namespace).To(Equal("team"))
		g.Expect(o.Object.Spec.PublisherID).To(Equal("contoso"))
		g.Expect(o.Object.Spec.DeletionPolicy).To(Equal(v1.DeletionPolicyOrphan))
		g.Expect(o.Object.Spec.CoSell).To(BeNil(), "the co-sell tab is not read")
		g.Expect(o.Missing).To(ContainElement(HavePrefix("spec.coSell:")))
	}

	saas := by["contoso-saas"]
	g.Expect(saas.Version).To(Equal(pc.TargetLive))
	g.Expect(saas.Object.Spec.Target).To(Equal(v1.TargetLive))
	g.Expect(saas.Object.Spec.OfferType).To(Equal(v1.OfferTypeSoftwareAsAService))
	g.Expect(saas.Object.Spec.Listing).To(Equal(v1.OfferListing{Title: "Contoso SaaS", Summary: "Contoso SaaS in one sentence.",
		ShortDescription: "Contoso SaaS, short.", Description: seedtest.Description,
		PrivacyPolicyURL: "https://contoso.example/privacy", SupportURL: "https://contoso.example/support"}))
	g.Expect(saas.Object.Spec.Plans).To(Equal([]v1.Plan{
		{ID: "basic", Name: "Basic", Description: "Basic plan", Pricing: v1.PricingPerUser, Price: "10.00", Markets: []string{"DE", "US"}},
		{ID: "standard", Name: "Standard", Description: "Standard plan", Pricing: v1.PricingFlatRate, Price: "99.00", Markets: []string{"US"}},
	}))
	g.Expect(saas.Object.Spec.Resell).To(Equal(&v1.Resell{Policy: v1.ResellAll}))
	g.Expect(saas.Notes).To(BeEmpty(), "a live offer whose draft is the live version needs no note")

	reports := by["contoso-reports"]
	g.Expect(reports.Object.Spec.Target).To(Equal(v1.TargetLive))
	g.Expect(reports.Object.Spec.Listing.Summary).To(Equal("Contoso Reports in one sentence."), "--from live exports the live version")
	g.Expect(reports.Object.Spec.Plans[1].Price).To(Equal("99.00"))
	g.Expect(reports.Notes).To(ContainElement(ContainSubstring("the draft differs from the live version")))

	vm := by["contoso-vm"]
	g.Expect(vm.Version).To(Equal(pc.TargetPreview))
	g.Expect(vm.Object.Spec.Target).To(Equal(v1.TargetPreview))
	g.Expect(vm.Object.Spec.Plans).To(Equal([]v1.Plan{{ID: "byol", Name: "BYOL", Pricing: v1.PricingBYOL, Markets: []string{"US"}}}))
	g.Expect(vm.Object.Spec.Resell).To(BeNil())

	containers := by["contoso-containers"]
	g.Expect(containers.Object.Spec.Target).To(Equal(v1.TargetDraft))
	g.Expect(containers.Version).To(Equal(pc.TargetDraft))
	g.Expect(containers.Object.Spec.Plans).To(HaveLen(1))
	g.Expect(containers.Object.Spec.Plans[0].Pricing).To(BeEmpty())
	g.Expect(containers.Missing).To(ContainElement(HavePrefix("spec.plans[default].pricing:")))

	for _, id := range []string{"contoso_app", "contoso-consulting", "contoso-cosell"} {
		o := by[id]
		g.Expect(o.Object.Spec.Target).To(Equal(v1.TargetDraft), id)
		g.Expect(o.Object.Spec.Listing).To(Equal(v1.OfferListing{}), "%s: nothing guessed", id)
		g.Expect(o.Object.Spec.Plans).To(BeEmpty(), id)
		if id == "contoso_app" {
			// Its listing and plans are read through the submission API;
			// this one was seeded without a listing.
			g.Expect(o.Missing).To(ContainElement(HavePrefix("spec.listing.title: empty in Partner Center")), id)
			continue
		}
		g.Expect(o.Missing).To(ContainElement(HavePrefix("spec.listing: Microsoft publishes no listing shape for "+string(o.Object.Spec.OfferType))), id)
		g.Expect(o.Missing).To(ContainElement(HavePrefix("spec.plans: Microsoft publishes no plan resources")), id)
	}
	// Every file passes admission for its offer type, with the parts
	// Partner Center keeps declared; the Azure application seeded without
	// a listing has one thing left to fill in, its listing.
	for id, o := range by {
		g.Expect(o.Object.Spec.ManagedInPartnerCenter).To(Equal(v1.ManagedInPartnerCenter(o.Object.Spec.OfferType)), id)
		var fields []string
		for _, r := range o.Object.Spec.OfferTypeRefusals() {
			fields = append(fields, r.Field)
		}
		if o.Object.Spec.OfferType == v1.OfferTypeAzureApplication {
			g.Expect(fields).To(Equal([]string{"spec.listing"}), id)
			continue
		}
		g.Expect(fields).To(BeEmpty(), id)
	}
	app := by["contoso_app"]
	g.Expect(app.Object.Name).To(Equal("contoso-app"))
	g.Expect(app.Notes).To(ContainElement(ContainSubstring("metadata.name contoso-app is the offer ID contoso_app")))
	g.Expect(app.Object.Spec.OfferType).To(Equal(v1.OfferTypeAzureApplication))
	g.Expect(by["contoso-consulting"].Object.Spec.OfferType).To(Equal(v1.OfferTypeConsultingService))
	g.Expect(by["contoso-cosell"].Object.Spec.OfferType).To(Equal(v1.OfferTypeCoSellOnly))

	retired := by["contoso-retired"]
	g.Expect(retired.Deprecated).To(BeTrue())
	g.Expect(retired.Missing).To(ContainElement(HavePrefix("sale stopped:")))

	// --from draft: the newer draft, the offer still Live.
	res, err = Run(ctx, c, Options{PublisherID: "contoso", Offers: []string{"contoso-reports"}, From: FromDraft})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Offers).To(HaveLen(1))
	g.Expect(res.Offers[0].Object.Spec.Listing.Summary).To(Equal("A newer summary, not yet published."))
	g.Expect(res.Offers[0].Object.Spec.Plans[1].Price).To(Equal("129.00"))
	g.Expect(res.Offers[0].Object.Spec.Target).To(Equal(v1.TargetLive))
	g.Expect(res.Offers[0].Notes).To(ContainElement(ContainSubstring("spec is the draft but the offer is Live")))
}

func TestExportNamedOfferNotFound(t *testing.T) {
	g := NewWithT(t)
	c, _ := startSimulator(t)
	_, err := Run(testContext(t), c, Options{PublisherID: "contoso", Offers: []string{"nope"}})
	g.Expect(err).To(MatchError(ContainSubstring(`offer "nope": no product with that offer ID`)))
}

// TestExportPaging lists the account in pages of 2 across @nextLink.
func TestExportPaging(t *testing.T) {
	g := NewWithT(t)
	ctx := testContext(t)
	c, cnt := startSimulator(t)
	var offers []seedtest.Offer
	for _, id := range []string{"p-one", "p-two", "p-three", "p-four", "p-five"} {
		offers = append(offers, seedtest.Offer{OfferID: id, OfferType: "CoSellOnly", Name: id, Stage: seedtest.Draft})
	}
	_, err := seedtest.Seed(ctx, c, offers)
	g.Expect(err).NotTo(HaveOccurred())
	cnt.reset()
	res, err := Run(ctx, c, Options{PublisherID: "contoso", PageSize: 2})
	g.Expect(err).NotTo(HaveOccurred())
	var ids []string
	for _, o := range res.Offers {
		ids = append(ids, o.Object.Spec.OfferID)
	}
	g.Expect(ids).To(Equal([]string{"p-five", "p-four", "p-one", "p-three", "p-two"}))
	g.Expect(cnt.count("GET /rp/product-ingestion/product?")).To(Equal(3), "5 products in pages of 2")
	g.Expect(cnt.count("continuationToken=")).To(Equal(2), "the second and third pages follow @nextLink")
	g.Expect(cnt.count("%24maxpagesize=2")).To(Equal(3), "the page size is $maxpagesize")
	g.Expect(cnt.count("%24top=")).To(BeZero(), "$top is the first N products, never a page size")
}

// TestRenderedOfferParsesBack writes an offer file and reads it back.
func TestRenderedOfferParsesBack(t *testing.T) {
	g := NewWithT(t)
	o := Map(pc.Product{ID: "guid", OfferID: "contoso-saas", OfferType: "SoftwareAsAService", Name: "Contoso"},
		&pc.Draft{Listing: seedtest.Listing("Contoso SaaS"), Plans: []pc.Plan{{ID: "basic", Name: "Basic", Pricing: "Free"}},
			Resell: pc.Resell{Policy: "Specific"}}, "contoso", "")
	var buf bytes.Buffer
	g.Expect(Render(&buf, OfferDocument(o))).To(Succeed())
	text := buf.String()
	g.Expect(text).To(HavePrefix("# Exported by cosell-operator export from Partner Center product guid (offer contoso-saas,\n"))
	g.Expect(text).To(ContainSubstring("# Not exported (the API does not return it, or the CRD cannot express it); never guessed:\n# - spec.listing.keywords:"))
	g.Expect(text).To(ContainSubstring("# - spec.resell: Partner Center resells through specific CSP"))
	g.Expect(text).NotTo(ContainSubstring("status:"))
	g.Expect(text).NotTo(ContainSubstring("creationTimestamp"))
	for _, l := range strings.Split(text, "\n") {
		g.Expect(len(l)).To(BeNumerically("<=", 100), "comment lines are wrapped: %q", l)
	}
	var back v1.MarketplaceOffer
	g.Expect(yaml.UnmarshalStrict(buf.Bytes(), &back)).To(Succeed())
	g.Expect(back).To(Equal(*o.Object))
	g.Expect(back.Spec.Resell).To(BeNil(), "resell Specific without partner IDs is not guessed")
}

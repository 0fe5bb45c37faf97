package partnercenter

import (
	"testing"

	. "github.com/onsi/gomega"
)

func TestWritableDraftLeavesOutWhatTheOfferTypeCannotHold(t *testing.T) {
	g := NewWithT(t)
	d := Draft{Listing: Listing{Title: "T", Keywords: []string{"k"}}, Plans: []Plan{{ID: "p"}}, Resell: Resell{Policy: "All"}}

	saas, dropped := WritableDraft("SoftwareAsAService", d)
	g.Expect(saas.Listing.Keywords).To(BeNil())
	g.Expect(saas.Listing.Title).To(Equal("T"))
	g.Expect(saas.Plans).To(HaveLen(1))
	g.Expect(dropped).To(ConsistOf(ContainSubstring("spec.listing.keywords")))

	app, dropped := WritableDraft("AzureApplication", d)
	g.Expect(app.Listing.Title).To(BeEmpty())
	g.Expect(app.Plans).To(BeNil())
	g.Expect(app.Resell.Policy).To(Equal("None"))
	g.Expect(dropped).To(ContainElements(ContainSubstring("spec.listing ("), ContainSubstring("spec.plans"), ContainSubstring("spec.resell")))

	other, dropped := WritableDraft("NoSuchType", d)
	g.Expect(other).To(Equal(d))
	g.Expect(dropped).To(BeEmpty())
}

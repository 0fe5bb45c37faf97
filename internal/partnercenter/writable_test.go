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

	other, dropped := WritableDraft("NoSuchType", d)
	g.Expect(other).To(Equal(d))
	g.Expect(dropped).To(BeEmpty())
}

// The submission API writes an Azure Application's listing (keywords
// included) and plans: adoption and Observe compare them, and leave out
// only links, plan pricing and resell.
func TestWritableDraftKeepsWhatTheSubmissionAPIWritesOfAnAzureApplication(t *testing.T) {
	g := NewWithT(t)
	d := Draft{
		Listing: Listing{Title: "T", Summary: "S", ShortDescription: "SD", Description: "D", Keywords: []string{"k"},
			PrivacyPolicyURL: "https://example.com/p", SupportURL: "https://example.com/s"},
		Plans:  []Plan{{ID: "p", Name: "Plan", Description: "PD", Pricing: "Free", Markets: []string{"US"}}, {ID: "q"}},
		Resell: Resell{Policy: "All"},
	}
	app, dropped := WritableDraft("AzureApplication", d)
	g.Expect(app.Listing).To(Equal(Listing{Title: "T", Summary: "S", ShortDescription: "SD", Description: "D", Keywords: []string{"k"}}))
	g.Expect(app.Plans).To(Equal([]Plan{{ID: "p", Name: "Plan", Description: "PD"}, {ID: "q", Name: "q"}}))
	g.Expect(app.Resell.Policy).To(Equal("None"))
	g.Expect(dropped).To(ConsistOf(ContainSubstring("privacyPolicyURL"), ContainSubstring("spec.plans[p].pricing"), ContainSubstring("spec.resell")))

	other, dropped := WritableDraft("NoSuchType", d)
	g.Expect(other).To(Equal(d))
	g.Expect(dropped).To(BeEmpty())
}

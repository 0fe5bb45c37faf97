package wire

import (
	"encoding/json"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestTimeDecodesPartnerCenterForms(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{`"0001-01-01T00:00:00"`, time.Time{}},
		{`"0001-01-01"`, time.Time{}},
		{`null`, time.Time{}},
		{`""`, time.Time{}},
		{`"2021-12-21T21:29:54.9702903Z"`, time.Date(2021, 12, 21, 21, 29, 54, 970290300, time.UTC)},
		{`"2021-12-21T21:29:54.9702903"`, time.Date(2021, 12, 21, 21, 29, 54, 970290300, time.UTC)},
		{`"2021-12-21T21:29:54"`, time.Date(2021, 12, 21, 21, 29, 54, 0, time.UTC)},
		{`"2021-12-21T22:29:54+01:00"`, time.Date(2021, 12, 21, 21, 29, 54, 0, time.UTC)},
		{`"2023-07-18"`, time.Date(2023, 7, 18, 0, 0, 0, 0, time.UTC)},
		{`"not a time"`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g := NewWithT(t)
			var got Time
			g.Expect(json.Unmarshal([]byte(tt.in), &got)).To(Succeed())
			g.Expect(got.Time.Equal(tt.want)).To(BeTrue(), "%v", got.Time)
		})
	}
	g := NewWithT(t)
	var bad Time
	g.Expect(json.Unmarshal([]byte(`42`), &bad)).NotTo(Succeed())
	out, err := json.Marshal(Time{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(out)).To(Equal(`"0001-01-01T00:00:00"`))
	out, _ = json.Marshal(NewTime(time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)))
	g.Expect(string(out)).To(Equal(`"2023-01-02T03:04:05Z"`))
}

func TestReferenceForms(t *testing.T) {
	tests := []struct {
		ref  Reference
		json string
	}{
		{DurableRef("product/abc"), `"product/abc"`},
		{ExternalRef("gold"), `{"externalId":"gold"}`},
		{NameRef("newPlan"), `{"resourceName":"newPlan"}`},
	}
	for _, tt := range tests {
		g := NewWithT(t)
		out, err := json.Marshal(tt.ref)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(out)).To(Equal(tt.json))
		var back Reference
		g.Expect(json.Unmarshal(out, &back)).To(Succeed())
		g.Expect(back).To(Equal(tt.ref))
	}
	g := NewWithT(t)
	var r Reference
	g.Expect(json.Unmarshal([]byte(`{"externalID":"gold"}`), &r)).To(Succeed(), "the docs' spelling")
	g.Expect(r).To(Equal(ExternalRef("gold")))
	g.Expect(json.Unmarshal([]byte(`[1]`), &r)).NotTo(Succeed())
}

func TestKindOfAnyHostAndVersion(t *testing.T) {
	g := NewWithT(t)
	g.Expect(KindOf("https://schema.mp.microsoft.com/schema/listing/2022-03-01-preview5")).To(Equal(KindListing))
	g.Expect(KindOf(SchemaOf(KindSubmission))).To(Equal(KindSubmission))
	g.Expect(SchemaOf(KindProduct)).To(Equal("https://product-ingestion.azureedge.net/schema/product/2022-03-01-preview2"))
	g.Expect(KindOf("product")).To(BeEmpty())
}

func TestOfferTypesCoverTheProductSchema(t *testing.T) {
	g := NewWithT(t)
	var products []string
	for _, ot := range OfferTypes {
		products = append(products, ot.Product)
		back := OfferTypeFromProduct(ot.Product)
		g.Expect(back).To(Equal(ot.Spec))
	}
	// The product schema's type enum, except the two the spec has no name for.
	g.Expect(products).To(ConsistOf("azureApplication", "azureContainer", "azureVirtualMachine", "consultingService",
		"containerApp", "cosellOnly", "dynamics365BusinessCentral", "dynamics365ForCustomerEngagement",
		"dynamics365ForOperations", "iotEdgeModule", "managedService", "powerBiApp", "powerBiVisual", "softwareAsAService"))
	g.Expect(OfferTypeFromProduct("coreVirtualMachine")).To(Equal("coreVirtualMachine"), "unknown types keep Partner Center's name")
}

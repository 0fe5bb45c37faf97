package schemas

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

func TestEverySchemaCompiles(t *testing.T) {
	g := NewWithT(t)
	_, err := load()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(Kinds()).To(ConsistOf(
		"customer-leads", "listing", "listing-asset", "listing-trailer", "plan",
		"plan-listing", "price-and-availability-offer", "price-and-availability-plan",
		"product", "property", "reseller", "resource-tree", "submission", "test-drive",
		"virtual-machine-plan-technical-configuration",
	))
	for _, k := range Kinds() {
		g.Expect(Has(k)).To(BeTrue(), k)
	}
	g.Expect(Has("configure")).To(BeFalse(), "Microsoft publishes no configure schema")
	g.Expect(Has("cosell-listing")).To(BeFalse())
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		uri           string
		kind, version string
		ok            bool
	}{
		{"https://product-ingestion.azureedge.net/schema/product/2022-03-01-preview2", "product", "2022-03-01-preview2", true},
		{"https://schema.mp.microsoft.com/schema/price-and-availability-plan/2022-03-01-preview4", "price-and-availability-plan", "2022-03-01-preview4", true},
		{"https://product-ingestion-int.azureedge.net/schema/listing/2022-03-01-preview5", "listing", "2022-03-01-preview5", true},
		{"https://schema.mp.microsoft.com/schema/resources-index/2022-07-01", "resources-index", "2022-07-01", true},
		{"https://product-ingestion.azureedge.net/schema/configure-status/2022-03-01-preview2/", "configure-status", "2022-03-01-preview2", true},
		{"https://product-ingestion.azureedge.net/schema/product/2022-03-01-dev", "product", "2022-03-01-dev", true},
		{"product/2022-03-01-preview2", "", "", false},
		{"https://example.com/product", "", "", false},
		{"https://example.com/schema/Product/2022-03-01", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			g := NewWithT(t)
			k, v, ok := KindOf(tt.uri)
			g.Expect(ok).To(Equal(tt.ok))
			g.Expect(k).To(Equal(tt.kind))
			g.Expect(v).To(Equal(tt.version))
		})
	}
}

// sample is a documented body (testdata/samples.json, copied from
// Microsoft's pages; see testdata/README.md) and whether the preview2
// schema of its kind accepts it.
type sample struct {
	Name   string          `json:"name"`
	Source string          `json:"source"`
	Valid  bool            `json:"valid"`
	Why    string          `json:"why"`
	Body   json.RawMessage `json:"body"`
}

func TestDocumentedSamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "samples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var samples []sample
	if err := json.Unmarshal(data, &samples); err != nil {
		t.Fatal(err)
	}
	if len(samples) < 10 {
		t.Fatalf("only %d samples", len(samples))
	}
	for _, s := range samples {
		t.Run(s.Name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(s.Source).NotTo(BeEmpty())
			var doc map[string]any
			g.Expect(json.Unmarshal(s.Body, &doc)).To(Succeed())
			err := ValidateResource(doc)
			if s.Valid {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(s.Why).NotTo(BeEmpty())
			var ve *ValidationError
			g.Expect(errors.As(err, &ve)).To(BeTrue(), "%v", err)
			g.Expect(ve.Issues).NotTo(BeEmpty())
		})
	}
}

func TestBrokenBodiesFail(t *testing.T) {
	product := func() map[string]any {
		return map[string]any{
			"$schema":  URI("product", Version),
			"identity": map[string]any{"externalId": "contoso-saas"},
			"type":     "softwareAsAService",
			"alias":    "Contoso SaaS",
		}
	}
	plan := func() map[string]any {
		return map[string]any{
			"$schema":  URI("plan", Version),
			"product":  map[string]any{"resourceName": "newProduct"},
			"identity": map[string]any{"externalId": "gold"},
			"alias":    "Gold",
		}
	}
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	without := func(m map[string]any, k string) map[string]any { delete(m, k); return m }

	g := NewWithT(t)
	g.Expect(Validate("product", product())).To(Succeed())
	g.Expect(Validate("plan", plan())).To(Succeed())

	tests := []struct {
		name string
		kind string
		doc  map[string]any
		path string
	}{
		{"product without alias", "product", without(product(), "alias"), ""},
		{"product without identity", "product", without(product(), "identity"), ""},
		{"product type not in enum", "product", with(product(), "type", "saas"), "/type"},
		{"product externalId upper case", "product", with(product(), "identity", map[string]any{"externalId": "Contoso"}), "/identity/externalId"},
		{"product externalID spelling", "product", with(product(), "identity", map[string]any{"externalID": "contoso"}), "/identity"},
		{"product lifecycleState draft", "product", with(product(), "lifecycleState", "draft"), "/lifecycleState"},
		{"product lifecycleState preview", "product", with(product(), "lifecycleState", "preview"), "/lifecycleState"},
		{"submission target unknown", "submission", map[string]any{"$schema": URI("submission", Version), "product": "product/abc", "target": map[string]any{"targetType": "production"}}, "/target/targetType"},
		{"submission status invented", "submission", map[string]any{"$schema": URI("submission", Version), "product": "product/abc", "target": map[string]any{"targetType": "live"}, "status": "published"}, "/status"},
		{"product without $schema", "product", without(product(), "$schema"), ""},
		{"plan identity with unknown property", "plan", with(plan(), "identity", map[string]any{"externalId": "gold", "name": "x"}), "/identity"},
		{"plan reference to nothing", "plan", with(plan(), "product", map[string]any{"name": "x"}), "/product"},
		{"plan region not in enum", "plan", with(plan(), "azureRegions", []any{"westeurope"}), "/azureRegions/0"},
		{"plan description is not published", "plan", plan(), ""},
	}
	tests[len(tests)-1].doc["alias"] = strings.Repeat("x", 126)
	tests[len(tests)-1].path = "/alias"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			err := Validate(tt.kind, tt.doc)
			var ve *ValidationError
			g.Expect(errors.As(err, &ve)).To(BeTrue(), "%v", err)
			g.Expect(ve.Kind).To(Equal(tt.kind))
			paths := []string{}
			for _, i := range ve.Issues {
				g.Expect(i.Message).NotTo(BeEmpty())
				paths = append(paths, i.InstancePath)
			}
			g.Expect(paths).To(ContainElement(tt.path))
			g.Expect(ve.Error()).To(ContainSubstring(tt.kind))
			g.Expect(ve.Messages()).To(HaveLen(len(ve.Issues)))
		})
	}
}

func TestValidateInputs(t *testing.T) {
	g := NewWithT(t)
	raw := []byte(`{"$schema":"https://product-ingestion.azureedge.net/schema/submission/2022-03-01-preview2","product":"product/7c9c5ba7-3c8e-4a0e-9a3a-2f3c1e8d1a11","target":{"targetType":"preview"}}`)
	g.Expect(Validate("submission", raw)).To(Succeed())
	g.Expect(Validate("submission", json.RawMessage(raw))).To(Succeed())
	type target struct {
		TargetType string `json:"targetType"`
	}
	type sub struct {
		Schema  string `json:"$schema"`
		Product string `json:"product"`
		Target  target `json:"target"`
	}
	g.Expect(Validate("submission", sub{URI("submission", Version), "product/abc", target{"preview"}})).To(Succeed())
	g.Expect(Validate("submission", sub{URI("submission", Version), "Product/ABC", target{"preview"}})).NotTo(Succeed())
	err := Validate("configure", map[string]any{})
	g.Expect(errors.Is(err, ErrUnknownKind)).To(BeTrue())
	err = ValidateResource(map[string]any{"$schema": "product"})
	var ve *ValidationError
	g.Expect(errors.As(err, &ve)).To(BeTrue())
	g.Expect(ve.Issues[0].InstancePath).To(Equal("/$schema"))
	g.Expect(Validate("submission", []byte("{"))).To(HaveOccurred())
}

func TestSwaggerEmbedded(t *testing.T) {
	g := NewWithT(t)
	var doc struct {
		Info struct {
			Title string `json:"title"`
		} `json:"info"`
		Paths map[string]any `json:"paths"`
	}
	g.Expect(json.Unmarshal(PartnerIngestionSwagger(), &doc)).To(Succeed())
	g.Expect(doc.Info.Title).To(Equal("https://api.partner.microsoft.com/v1.0/ingestion"))
	g.Expect(doc.Paths).To(HaveKey("/products/{productID}/cosellListing/{instanceID}"))
}

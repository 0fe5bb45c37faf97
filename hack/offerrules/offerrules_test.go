package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/offertypetest"
)

const repoRoot = "../.."

// crdValidator evaluates the CEL rules of the generated MarketplaceOffer
// CRD as the API server does.
func crdValidator(t *testing.T) (*cel.Validator, *structuralschema.Structural) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "config", "crd", "bases", "marketplace.cosell.io_marketplaceoffers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(raw, &crd); err != nil {
		t.Fatal(err)
	}
	var props apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(crd.Spec.Versions[0].Schema.OpenAPIV3Schema, &props, nil); err != nil {
		t.Fatal(err)
	}
	s, err := structuralschema.NewStructural(&props)
	if err != nil {
		t.Fatal(err)
	}
	return cel.NewValidator(s, true, celconfig.PerCallLimit), s
}

// TestCRDRulesFollowTheTable evaluates the CEL rules of the generated CRD
// for every offer type and part (internal/offertypetest) and checks that
// they refuse exactly what the table in wire/offertypes.go says the
// operator cannot write, with the messages OfferTypeRefusals gives for
// objects stored before the rules.
func TestCRDRulesFollowTheTable(t *testing.T) {
	validator, s := crdValidator(t)
	for _, c := range offertypetest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			g := NewWithT(t)
			offer := v1alpha1.MarketplaceOffer{Spec: c.Spec}
			obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&offer)
			g.Expect(err).NotTo(HaveOccurred())
			errs, _ := validator.Validate(context.Background(), field.NewPath(""), s, obj, nil, celconfig.RuntimeCELCostBudget)
			var got []string
			for _, e := range errs {
				got = append(got, e.Detail)
			}
			var want []string
			for _, r := range c.Spec.OfferTypeRefusals() {
				want = append(want, r.Message)
			}
			g.Expect(got).To(ConsistOf(want), "the CRD's CEL rules and OfferTypeRefusals disagree")
			g.Expect(len(want) > 0).To(Equal(c.Refused), "the table says refused=%v; refusals: %v", c.Refused, want)
		})
	}
}

// TestGeneratedFilesAreCurrent fails when marketplaceoffer_types.go or
// the docs page does not hold what the table makes (run make manifests).
func TestGeneratedFilesAreCurrent(t *testing.T) {
	for path, update := range map[string]func(string) (string, error){
		typesFile: v1alpha1.WithOfferTypeMarkers, docsFile: withTable} {
		src, err := os.ReadFile(filepath.Join(repoRoot, path))
		if err != nil {
			t.Fatal(err)
		}
		want, err := update(string(src))
		if err != nil {
			t.Fatal(err)
		}
		if want != string(src) {
			t.Errorf("%s is stale: run make manifests", path)
		}
	}
}

// TestRewriteReplacesTheBlock checks the generator replaces the markers
// between the BEGIN and END lines and leaves the rest of the file alone.
func TestRewriteReplacesTheBlock(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "types.go")
	src := "package x\n\n// BEGIN offer-type rules: generated.\n// +kubebuilder:validation:XValidation:rule=\"stale\",message=\"stale\"\n// END offer-type rules\n\n// T is a type.\ntype T struct{}\n"
	g.Expect(os.WriteFile(path, []byte(src), 0o600)).To(Succeed())
	g.Expect(rewrite(path, v1alpha1.WithOfferTypeMarkers)).To(Succeed())
	out, err := os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred())
	text := string(out)
	g.Expect(text).NotTo(ContainSubstring("stale"))
	g.Expect(text).To(HavePrefix("package x\n\n// BEGIN offer-type rules: generated.\n"))
	g.Expect(text).To(HaveSuffix("// END offer-type rules\n\n// T is a type.\ntype T struct{}\n"))
	g.Expect(strings.Count(text, "XValidation")).To(Equal(len(v1alpha1.OfferTypeRules())))
	g.Expect(rewrite(filepath.Join(dir, "missing.go"), v1alpha1.WithOfferTypeMarkers)).NotTo(Succeed())
	g.Expect(os.WriteFile(path, []byte("package x\n"), 0o600)).To(Succeed())
	g.Expect(rewrite(path, v1alpha1.WithOfferTypeMarkers)).To(MatchError(ContainSubstring("no \"// BEGIN offer-type rules\"")))
}

// TestRefusalSaysWhereThePartIsEdited pins the words of one refusal.
func TestRefusalSaysWhereThePartIsEdited(t *testing.T) {
	g := NewWithT(t)
	s := v1alpha1.MarketplaceOfferSpec{OfferType: v1alpha1.OfferTypeManagedService,
		Listing:                v1alpha1.OfferListing{Title: "T", Summary: "S", Description: "D"},
		ManagedInPartnerCenter: []v1alpha1.PartnerCenterPart{v1alpha1.PartListing}}
	g.Expect(s.OfferTypeRefusals()).To(Equal([]v1alpha1.OfferRefusal{{Field: "spec.listing",
		Message: "the listing of a ManagedService offer is edited in Partner Center: remove spec.listing"}}))
	s = v1alpha1.MarketplaceOfferSpec{OfferType: v1alpha1.OfferTypeAzureApplication,
		Listing: v1alpha1.OfferListing{Title: "T", Summary: "S", Description: "D"}}
	g.Expect(s.OfferTypeRefusals()).To(Equal([]v1alpha1.OfferRefusal{{Field: "spec.managedInPartnerCenter",
		Message: "the technical configuration of an AzureApplication offer is edited in Partner Center, which the operator cannot write: " +
			"add TechnicalConfiguration to spec.managedInPartnerCenter"}}))
	g.Expect(s.OfferTypeRefusalMessage()).To(Equal("the technical configuration of an AzureApplication offer is edited in Partner Center, " +
		"which the operator cannot write: add TechnicalConfiguration to spec.managedInPartnerCenter"))
	s.Listing.Keywords = []string{"k"} // the submission API writes an Azure Application's keywords
	g.Expect(s.OfferTypeRefusalMessage()).To(HavePrefix("the technical configuration"))
	s.OfferType = v1alpha1.OfferTypeSoftwareAsAService
	g.Expect(s.OfferTypeRefusalMessage()).To(HavePrefix("the search keywords of a SoftwareAsAService offer are edited in Partner Center " +
		"(the published listing schema has no field for them): remove spec.listing.keywords"))
	g.Expect((&v1alpha1.MarketplaceOfferSpec{OfferType: "Xbox"}).OfferTypeRefusals()).To(BeEmpty())
	g.Expect((&v1alpha1.MarketplaceOfferSpec{OfferType: "Xbox"}).OfferTypeRefusalMessage()).To(BeEmpty())
}

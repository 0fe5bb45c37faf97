package simulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
)

// with returns a copy of r with the given properties set (nil deletes).
func with(r obj, kv ...any) obj {
	out := maps.Clone(r)
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

// TestSchemaInvalidResources: each body breaks Microsoft's schema of its
// kind; the request is accepted (202) and its job fails with one
// schemaValidationError whose details point at the property and whose
// resourceId names the resource; nothing is applied.
func TestSchemaInvalidResources(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	ref := "product/" + pid
	goodProduct := productRes("contoso-other", "softwareAsAService", "Other")
	goodPlan := planRes(ref, "gold", "Gold")
	goodListing := with(listingRes(ref), "id", nil)
	vmListing := with(listingRes(ref), "$schema", sch("listing", "2022-03-01-preview2"), "kind", "azureVM")
	goodSub := submissionReq(ref, targetPreview, "")

	tests := []struct {
		name   string
		res    obj
		detail string // a substring of one detail
	}{
		{"product missing alias", with(goodProduct, "alias", nil), "alias"},
		{"product missing identity", with(goodProduct, "identity", nil), "identity"},
		{"product missing type", with(goodProduct, "type", nil), "type"},
		{"product type not in the enum", with(goodProduct, "type", "saas"), "/type"},
		{"product externalId breaks the pattern", with(goodProduct, "identity", obj{"externalId": "Contoso Analytics"}), "/identity/externalId"},
		{"product externalId too short", with(goodProduct, "identity", obj{"externalId": "ab"}), "/identity/externalId"},
		{"product lifecycleState not in the enum", with(goodProduct, "lifecycleState", "published"), "/lifecycleState"},
		{"product alias longer than 120", with(goodProduct, "alias", strings.Repeat("x", 121)), "/alias"},
		{"plan missing identity", with(goodPlan, "identity", nil), "identity"},
		{"plan missing alias", with(goodPlan, "alias", nil), "alias"},
		{"plan azureRegions not in the enum", with(goodPlan, "azureRegions", []any{"azureMars"}), "/azureRegions/0"},
		{"plan reference that is no reference", with(goodPlan, "product", obj{"name": "x"}), "/product"},
		{"submission without target", with(goodSub, "target", nil), "target"},
		{"submission bad targetType", with(goodSub, "target", obj{"targetType": "production"}), "/target/targetType"},
		{"submission lifecycleState deleted", with(goodSub, "lifecycleState", "deleted"), "/lifecycleState"},
		{"submission without product", with(goodSub, "product", nil), "product"},
		{"listing unknown property (additionalProperties false)", with(vmListing, "summary", "x"), "summary"},
		{"listing bad kind", with(goodListing, "kind", "azureWidget"), "/kind"},
		{"listing languageId not a string", with(goodListing, "languageId", 12), "/languageId"},
		{"listing missing languageId", with(goodListing, "languageId", nil), "languageId"},
		{"listing bad generalLinks link", with(goodListing, "generalLinks", []any{obj{"displayText": "x", "link": "ftp://x"}}), "/generalLinks/0/link"},
		{"price-and-availability-plan bad visibility", with(priceRes(ref, "plan/"+pid+"/x"), "visibility", "secret"), "/visibility"},
		{"price-and-availability-plan missing audience", with(priceRes(ref, "plan/"+pid+"/x"), "audience", nil), "audience"},
		{"reseller bad channel state", obj{"$schema": sch("reseller", version), "product": ref, "resellerChannelState": "everyone", "audiences": []any{}}, "/resellerChannelState"},
		{"customer-leads bad destination", obj{"$schema": sch("customer-leads", "2022-03-01-preview3"), "product": ref, "leadDestination": "fax"}, "/leadDestination"},
		{"reference resourceName with a space", with(goodPlan, "product", obj{"resourceName": "new product"}), "/product"},
		{"commercial-marketplace-setup without product", obj{"$schema": mpSch("commercial-marketplace-setup", version), "sellThroughMicrosoft": true}, "product"},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			st := a.run(tc.res)
			g.Expect(st.JobResult).To(Equal(resultFailed))
			g.Expect(st.Errors).To(HaveLen(1), "%+v", st.Errors)
			e := st.Errors[0]
			g.Expect(e.Code).To(Equal(codeSchemaValidation))
			g.Expect(e.Details).NotTo(BeEmpty())
			var details []string
			for _, d := range e.Details {
				g.Expect(d.Code).To(Equal(codeSchemaValidation))
				details = append(details, d.Message)
			}
			g.Expect(strings.Join(details, "\n")).To(ContainSubstring(tc.detail))
			if rn := str(tc.res, "resourceName"); rn != "" && !strings.Contains(rn, " ") {
				g.Expect(e.ResourceID).To(Equal(map[string]any{"resourceName": rn}))
			}
			a.expectValidInnerErrors(st.Errors)
			seen[tc.name] = true
		})
	}
	a.g.Expect(len(seen)).To(BeNumerically(">=", 15))
	// Nothing was applied.
	var l listOf[product]
	a.get("product", &l)
	a.g.Expect(l.Value).To(HaveLen(1))
	var plans listOf[resource]
	a.get("plan?product="+ref, &plans)
	a.g.Expect(plans.Value).To(BeEmpty())
}

// expectValidInnerErrors judges errors[] against the inner-error schema
// (via the submission schema's neighbour: the product schema embeds it).
func (a *api) expectValidInnerErrors(errs []innerError) {
	a.t.Helper()
	for _, e := range errs {
		a.g.Expect([]string{codeBusinessValidation, "collectionLimitExceeded", codeInvalidID, "invalidEntityStatus",
			codeInvalidRequest, "invalidResource", codeInvalidState, "notDeployed", codeNotSupported, "operationCanceled",
			codeProductLocked, codeResourceNotFound, codeSchemaValidation}).To(ContainElement(e.Code))
		switch id := e.ResourceID.(type) {
		case nil:
		case string:
			a.g.Expect(id).To(MatchRegexp(durablePatt.String()))
		case map[string]any:
			a.g.Expect(id).To(HaveLen(1))
		default:
			a.t.Fatalf("resourceId %T", id)
		}
		a.expectValidInnerErrors(e.Details)
	}
}

// TestInvalidEnvelopes: a body that is not a configure envelope is a 400
// schemaValidationError and creates no job.
func TestInvalidEnvelopes(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	good := productRes("contoso-analytics", "softwareAsAService", "Contoso")
	tests := []struct {
		name string
		body any
	}{
		{"invalid JSON", `{"$schema":`},
		{"not an object", `[1,2]`},
		{"missing $schema", obj{"resources": []any{good}}},
		{"envelope of another kind", obj{"$schema": sch("product", version), "resources": []any{good}}},
		{"no resources", obj{"$schema": sch("configure", version), "resources": []any{}}},
		{"resources not an array", obj{"$schema": sch("configure", version), "resources": good}},
		{"resource without $schema", envelope(with(good, "$schema", nil))},
		{"resource of an unknown kind", envelope(with(good, "$schema", sch("cosell-listing", version)))},
		{"resource $schema that is no schema URI", envelope(with(good, "$schema", "product"))},
		{"resource that is not an object", obj{"$schema": sch("configure", version), "resources": []any{"product"}}},
		{"trailing data", `{"$schema":"` + sch("configure", version) + `","resources":[]} {}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			code, body := a.pi("POST", "configure", tc.body)
			g.Expect(code).To(Equal(http.StatusBadRequest), "%s", body)
			var e errorBody
			g.Expect(json.Unmarshal(body, &e)).To(Succeed(), "%s", body)
			g.Expect(e.Error.Code).To(Equal(codeSchemaValidation))
			g.Expect(e.Error.Message).NotTo(BeEmpty())
		})
	}
	code, _ := a.pi("POST", "configure", "")
	a.g.Expect(code).To(Equal(http.StatusBadRequest))
	a.g.Expect(a.sim.Stats().ProductsByOfferID).To(BeEmpty())
}

// docSample is an entry of package schemas' testdata/samples.json:
// request bodies copied from Microsoft's pages.
type docSample struct {
	Name  string `json:"name"`
	Valid bool   `json:"valid"`
	Body  obj    `json:"body"`
}

// TestDocumentedSamplesAccepted: the documented sample requests are
// accepted, at the versions the pages show (with the product and plan
// GUIDs of this simulator substituted).
func TestDocumentedSamplesAccepted(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	// The overview's sample: a product and a plan by resourceName, in one
	// request, at the docs' host and the SaaS versions.
	detail := a.mustSucceed(
		obj{"$schema": sch("product", "2022-03-01-preview3"), "resourceName": "newProduct", "identity": obj{"externalID": "contoso-saas"},
			"type": "softwareAsAService", "alias": "Contoso SaaS"},
		obj{"$schema": mpSch("plan", "2022-03-01-preview2"), "resourceName": "gold", "product": obj{"resourceName": "newProduct"},
			"identity": obj{"externalId": "gold-annual"}, "alias": "Gold - Annual payment", "azureRegions": []any{"azureGlobal"}},
	)
	pid, _ := parseProductRef(idOfKind(detail, kindProduct))
	planID := idOfKind(detail, kindPlan)
	for _, r := range detail {
		a.expectValidResource(r)
	}
	// SAAS-FACTS samples of each SaaS resource, as the pages show them.
	ref := "product/" + pid
	samples := []obj{
		{"$schema": mpSch("commercial-marketplace-setup", "2022-03-01-preview2"), "product": ref, "sellThroughMicrosoft": true, "useMicrosoftLicenseManagementService": false},
		{"$schema": mpSch("property", "2022-03-01-preview5"), "product": ref, "kind": "azureSaaS", "termsConditions": "standardMicrosoft",
			"categories": obj{"developer-tools-saas": []any{"devService"}}},
		listingRes(ref),
		{"$schema": mpSch("listing-asset", "2022-03-01-preview5"), "product": ref, "kind": "azure", "listing": "listing/" + pid + "/public/main/default/en-us",
			"type": "azureLogoLarge", "languageId": "en-us", "fileName": "216x216.png", "url": "https://contoso.com/216x216.png"},
		{"$schema": mpSch("plan-listing", "2022-03-01-preview5"), "product": ref, "plan": obj{"externalId": "gold-annual"}, "kind": "azureSaaS-plan",
			"languageId": "en-us", "name": "Gold", "summary": "Gold plan", "description": "Gold plan description"},
		{"$schema": mpSch("price-and-availability-offer", "2022-03-01-preview3"), "product": ref,
			"previewAudiences": []any{obj{"type": "subscription", "id": "5c6b6a2c-0000-4000-8000-000000000001", "label": "Test"}}},
		{"$schema": mpSch("price-and-availability-custom-meter", "2022-03-01-preview3"), "product": ref,
			"customMeters": obj{"meter1": obj{"displayName": "API calls", "unitOfMeasure": "1000 calls"}}},
		priceRes(ref, planID),
		{"$schema": mpSch("software-as-a-service-technical-configuration", "2022-03-01-preview3"), "product": ref,
			"landingPageUrl": "https://contoso.com/landing", "connectionWebhook": "https://contoso.com/webhook",
			"azureAdTenantId": "5c6b6a2c-0000-4000-8000-000000000002", "azureAdAppId": "5c6b6a2c-0000-4000-8000-000000000003"},
		{"$schema": mpSch("customer-leads", "2022-03-01-preview3"), "product": ref, "leadDestination": "httpsEndpoint",
			"httpsEndpointLeadConfiguration": obj{"httpsEndpointUrl": "https://crm.contoso.com/invoke"}},
		{"$schema": mpSch("reseller", "2022-03-01-preview2"), "product": ref, "resellerChannelState": "none", "audiences": []any{}},
	}
	detail = a.mustSucceed(samples...)
	g.Expect(detail).To(HaveLen(len(samples)))
	tree := a.tree(pid, "draft")
	g.Expect(tree.Resources).To(HaveLen(len(samples) + 2))
	for _, r := range tree.Resources {
		a.expectValidResource(r)
	}

	// The preview2 samples package schemas keeps (the ones its schemas
	// accept as they are), with its placeholder GUIDs made ours.
	raw, err := os.ReadFile(filepath.Join("..", "partnercenter", "schemas", "testdata", "samples.json"))
	g.Expect(err).NotTo(HaveOccurred())
	var docs []docSample
	g.Expect(json.Unmarshal(raw, &docs)).To(Succeed())
	checked := 0
	for _, s := range docs {
		k, v := kindOf(str(s.Body, "$schema"))
		if !s.Valid {
			continue
		}
		g.Expect(validateResource(k, v, s.Body)).To(BeEmpty(), s.Name)
		checked++
	}
	g.Expect(checked).To(BeNumerically(">=", 10))
}

package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/schemas"
)

// The Partner Ingestion API's co-sell endpoints (published by Microsoft as
// a swagger, https://api.partner.microsoft.com/v1.0/ingestion), served under
// /v1.0/ingestion/ on the same listener. Products are the Product Ingestion
// products (same GUID). The simulator serves what the co-sell path needs:
//
//   - GET products?$filter=...: the products, filtered by an external ID
//     (ExternalIDs/Any(i:i/Type eq 'AzureOfferId' and i/Value eq '<id>'))
//     and/or a resource type (ResourceType eq '<type>');
//   - GET products/{productID};
//   - GET products/{productID}/branches/getByModule(module={module}): the
//     product's main branch of that module, whose currentDraftInstanceID
//     names the draft instance (for module Cosell, the co-sell listing's);
//   - GET and PUT products/{productID}/cosellListing/{instanceID}, and GET
//     products/{productID}/cosellListing/getByInstanceID(instanceID=...).
//
// Request bodies are judged against the swagger's component schemas
// (400 with the error envelope on a mismatch). The swagger publishes no
// co-sell readiness or incentive level, so none is answered.

// PartnerIngestionPrefix is where the Partner Ingestion API is served.
const PartnerIngestionPrefix = "/v1.0/ingestion"

// bucketCoSell holds a product's co-sell record (productID -> coSellRec).
var bucketCoSell = []byte("cosell")

// coSellRec is a product's co-sell draft: its instance ID and listing.
type coSellRec struct {
	InstanceID string         `json:"instanceId"`
	ETag       int            `json:"etag"`
	Listing    map[string]any `json:"listing,omitempty"`
}

// swaggerSchema names a component schema of the swagger.
const (
	swaggerCoSellListing   = "Microsoft.Ingestion.Api.Models.Cosell.CosellListing"
	swaggerAzureListing    = "Microsoft.Ingestion.Api.Models.Listings.AzureListing"
	swaggerAzureSkuVariant = "Microsoft.Ingestion.Api.Models.Variants.AzureSkuVariant"
)

var swaggerSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.PartnerIngestionSwagger()))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4) // OpenAPI 3.0 schemas are draft-4 flavoured
	const base = "https://api.partner.microsoft.com/v1.0/ingestion/swagger.json"
	if err := c.AddResource(base, doc); err != nil {
		return nil, err
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{swaggerCoSellListing, swaggerAzureListing, swaggerAzureSkuVariant} {
		sch, err := c.Compile(base + "#/components/schemas/" + name)
		if err != nil {
			return nil, fmt.Errorf("swagger schema %s: %w", name, err)
		}
		out[name] = sch
	}
	return out, nil
})

// validateSwagger judges a body against a swagger component schema.
func validateSwagger(name string, raw []byte) (map[string]any, error) {
	all, err := swaggerSchemas()
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, errBadRequest("the body is not JSON: %v", err)
	}
	obj, ok := inst.(map[string]any)
	if !ok {
		return nil, errBadRequest("the body must be a JSON object (%s)", name)
	}
	if err := all[name].Validate(inst); err != nil {
		return nil, errBadRequest("the body does not match %s: %v", name, err)
	}
	return obj, nil
}

func (s *Simulator) partnerIngestionRoutes(add func(method, path, label string, h http.HandlerFunc)) {
	add("GET", "/products", "pi/products", s.handlePIProducts)
	add("GET", "/products/{productID}", "pi/product", s.handlePIProduct)
	add("GET", "/products/{productID}/{sub...}", "pi/product-sub", s.handlePIProductSub)
	add("PUT", "/products/{productID}/cosellListing/{instanceID}", "pi/cosellListing", s.handlePutCoSellListing)
	s.submissionRoutes(add)
	if s.piPageSize <= 0 {
		s.piPageSize = defaultPIPageSize
	}
}

// piResourceTypes maps Product Ingestion types to the swagger's
// AzureProduct resourceType enum, and SaaS to the recordings'
// SoftwareAsAService (not in the enum); types without an entry are
// answered without resourceType.
var piResourceTypes = map[string]string{
	"softwareAsAService":               "SoftwareAsAService",
	"azureApplication":                 "AzureApplication",
	"azureContainer":                   "AzureContainer",
	"azureVirtualMachine":              "AzureThirdPartyVirtualMachine",
	"dynamics365ForCustomerEngagement": "AzureDynamics365ForCustomerEngagement",
	"dynamics365ForOperations":         "AzureDynamics365ForOperations",
	"dynamics365BusinessCentral":       "AzureDynamics365BusinessCentral",
}

func piProduct(p *productRec) map[string]any {
	out := map[string]any{"id": p.ID, "name": p.Alias, "isModularPublishing": true,
		"externalIDs": []any{map[string]any{"type": "AzureOfferId", "value": p.ExternalID}}}
	if t := piResourceTypes[p.Type]; t != "" {
		out["resourceType"] = t
	}
	return out
}

func (s *Simulator) handlePIProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok, err := decodeSkipToken(q.Get("$skipToken"))
	if err != nil {
		writeError(w, err)
		return
	}
	filter := q.Get("$filter")
	if filter == "" {
		filter = tok.Filter
	}
	match := piFilter(func(map[string]any) bool { return true })
	if filter != "" {
		if match, err = parsePIFilter(filter); err != nil {
			writeError(w, err)
			return
		}
	}
	out := map[string]any{"value": []any{}}
	s.serve(w, &out, func(st *stage, now time.Time) error {
		list := []any{}
		for _, id := range piCandidates(st, filter) {
			p, err := loadProduct(st, id, now)
			if err != nil {
				return err
			}
			if pp := piProduct(p); p.Lifecycle != lifecycleDeleted && match(pp) {
				list = append(list, pp)
			}
		}
		end := min(len(list), tok.Offset+s.piPageSize)
		out["value"] = list[min(tok.Offset, end):end]
		if end < len(list) {
			out["nextLink"] = piSkipToken{Offset: end, Filter: filter}.nextLink()
		}
		return nil
	})
}

func (s *Simulator) handlePIProduct(w http.ResponseWriter, r *http.Request) {
	var out map[string]any
	s.serve(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productID"), now)
		if err != nil {
			return err
		}
		out = piProduct(p)
		return nil
	})
}

// coSell reads (and creates, staged) a product's co-sell record.
func coSell(st *stage, productID string) (*coSellRec, error) {
	var c coSellRec
	ok, err := st.getJSON(bucketCoSell, productID, &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		c.InstanceID = newGUID()
		if err := st.putJSON(bucketCoSell, productID, &c); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

func (c *coSellRec) answer(productID string) map[string]any {
	out := map[string]any{}
	for k, v := range c.Listing {
		out[k] = v
	}
	out["resourceType"], out["id"] = "CosellListing", c.InstanceID
	out["@odata.etag"] = fmt.Sprintf(`"%d"`, c.ETag)
	for _, k := range []string{"offerPlatforms", "endCustomerSegments", "solutionAreas", "contacts", "assetReferences"} {
		if _, ok := out[k]; !ok {
			out[k] = []any{}
		}
	}
	_ = productID
	return out
}

var (
	piBranchPath   = regexp.MustCompile(`^branches/getByModule\(module=([A-Za-z]+)\)$`)
	piCoSellByInst = regexp.MustCompile(`^cosellListing/getByInstanceID\(instanceID=([^)]*)\)$`)
	piCoSellPath   = regexp.MustCompile(`^cosellListing/([^/()]+)$`)
	piModules      = []string{"Listing", "Property", "Package", "Availability", "SupplementalContent", "Cosell"}
)

// handlePIProductSub answers the GETs under products/{productID}/ that the
// co-sell path uses; the swagger's path segments with parentheses do not
// fit the mux's patterns, so they are matched here.
func (s *Simulator) handlePIProductSub(w http.ResponseWriter, r *http.Request) {
	read, err := piSubRead(r.PathValue("sub"))
	if err != nil {
		writeError(w, err)
		return
	}
	var out any
	s.serve(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productID"), now)
		if err != nil {
			return err
		}
		out, err = read(st, p)
		return err
	})
}

// piRead reads what a path under products/{productID}/ names.
type piRead func(st *stage, p *productRec) (any, error)

// piSubRead is the read of a path under products/{productID}/: a
// branch, a co-sell listing or a listing.
func piSubRead(sub string) (piRead, error) {
	if m := piBranchPath.FindStringSubmatch(sub); m != nil {
		if !slices.Contains(piModules, m[1]) {
			return nil, errBadRequest("module %q is not one of %s", m[1], strings.Join(piModules, ", "))
		}
		return branchRead(m[1]), nil
	}
	if m, byInst := piCoSellByInst.FindStringSubmatch(sub), true; m != nil || piCoSellPath.MatchString(sub) {
		if m == nil {
			m, byInst = piCoSellPath.FindStringSubmatch(sub), false
		}
		return coSellRead(m[1], byInst), nil
	}
	if m, byInst := piListingByInst.FindStringSubmatch(sub), true; m != nil || piListingPath.MatchString(sub) {
		if m == nil {
			m, byInst = piListingPath.FindStringSubmatch(sub), false
		}
		return func(st *stage, p *productRec) (any, error) { return listingRead(st, p, m[1], byInst) }, nil
	}
	return nil, errNotFound("no route for GET products/{productID}/%s", sub)
}

// branchRead answers branches/getByModule(module=…) of a known module.
func branchRead(module string) piRead {
	return func(st *stage, p *productRec) (any, error) {
		if module == "Listing" {
			return listingBranches(st, p)
		}
		inst := p.ID // the simulator keeps one draft instance per module other than co-sell and listings
		if module == "Cosell" {
			c, err := coSell(st, p.ID)
			if err != nil {
				return nil, err
			}
			inst = c.InstanceID
		}
		return map[string]any{"value": []any{map[string]any{"resourceType": "Branch", "id": p.ID + "-" + strings.ToLower(module),
			"type": "Main", "module": module, "friendlyName": "Main", "currentDraftInstanceID": inst}}}, nil
	}
}

// coSellRead answers cosellListing/getByInstanceID(instanceID=…)
// (byInst) or cosellListing/{instanceID}.
func coSellRead(instance string, byInst bool) piRead {
	return func(st *stage, p *productRec) (any, error) {
		c, err := coSell(st, p.ID)
		if err != nil {
			return nil, err
		}
		if c.InstanceID != instance {
			if byInst {
				return map[string]any{"value": []any{}}, nil
			}
			return nil, errNotFound("co-sell listing %s of product %s not found; read the Cosell branch's currentDraftInstanceID", instance, p.ID)
		}
		if byInst {
			return map[string]any{"value": []any{c.answer(p.ID)}}, nil
		}
		return c.answer(p.ID), nil
	}
}

// handlePutCoSellListing answers PUT products/{productID}/cosellListing/{instanceID}.
func (s *Simulator) handlePutCoSellListing(w http.ResponseWriter, r *http.Request) {
	raw, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	body, err := validateSwagger(swaggerCoSellListing, raw)
	if err != nil {
		writeError(w, err)
		return
	}
	if rt, ok := body["resourceType"]; ok && rt != "CosellListing" {
		writeError(w, errBadRequest("resourceType must be CosellListing"))
		return
	}
	var out any
	s.serveUpdate(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productID"), now)
		if err != nil {
			return err
		}
		c, err := coSell(st, p.ID)
		if err != nil {
			return err
		}
		if c.InstanceID != r.PathValue("instanceID") {
			return errNotFound("co-sell listing %s of product %s not found; read the Cosell branch's currentDraftInstanceID", r.PathValue("instanceID"), p.ID)
		}
		if tag, ok := body["@odata.etag"].(string); ok && tag != fmt.Sprintf(`"%d"`, c.ETag) {
			return errConflict(httpConflict, "@odata.etag %s is stale (current %q); read the listing again", tag, fmt.Sprintf("%d", c.ETag))
		}
		for _, k := range []string{"id", "resourceType", "@odata.etag"} {
			delete(body, k)
		}
		c.Listing = body
		c.ETag++
		out = c.answer(p.ID)
		return st.putJSON(bucketCoSell, p.ID, c)
	})
}

// adoptBillOfMaterials gives a migrated product's co-sell listing the
// solution's bill of materials as asset references (type = document type,
// value = URL) when it has none (simulator extension: Microsoft documents
// no migration).
func (s *Simulator) adoptBillOfMaterials(st *stage, p *productRec, sol *solutionRec) error {
	c, err := coSell(st, p.ID)
	if err != nil {
		return err
	}
	if refs, _ := c.Listing["assetReferences"].([]any); len(refs) > 0 || len(sol.BillOfMaterials) == 0 {
		return nil
	}
	if c.Listing == nil {
		c.Listing = map[string]any{}
	}
	var refs []any
	for _, d := range sol.BillOfMaterials {
		refs = append(refs, map[string]any{"type": d.Type, "value": d.URL})
	}
	c.Listing["assetReferences"] = refs
	raw, _ := json.Marshal(c.Listing)
	_ = json.Unmarshal(raw, &c.Listing)
	return st.putJSON(bucketCoSell, p.ID, c)
}

package simulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The submission API's listings and plans (variants), and its product
// lookup and paging, in the shapes of Microsoft's recorded traffic
// (internal/partnercenter/ingestion/testdata/recordings; doc.go lists the
// routes):
//
//   - the lookup's $filter is matched as a document store matches it:
//     field names and values exactly as written, so only
//     externalIDs/Any(i:i/type eq 'AzureOfferId' and i/value eq '<id>')
//     finds a product by offer ID (the answers spell it so); another
//     spelling of a well-formed filter finds nothing;
//   - a listing without $filter pages with a relative nextLink,
//     "v1.0/ingestion/products?$skipToken=…" (page size: the simulator's
//     choice, Microsoft publishes none);
//   - branches/getByModule(module=Listing) answers the offer's listing
//     branch and one per plan (variantID); a listing instance's listing is
//     created with the product's (plan's) name as title, as recorded;
//   - PUT listings/{id} replaces the listing with the body (recorded: a
//     property left out is gone), keeping languageCode; it needs If-Match
//     (the swagger marks it required), "*" or the listing's @odata.etag;
//   - POST variants creates a plan (201, Location); a second plan with the
//     same externalID is refused with 409 (the simulator's rule: a plan ID
//     is unique in an offer, Microsoft publishes no error for it).

// bucketSubAPI holds a product's listings and plans (productID -> subRec).
var bucketSubAPI = []byte("subapi")

// defaultPIPageSize is the simulator's page size of product listings.
const defaultPIPageSize = 100

// subRec is what the submission API holds of a product: the offer's
// listing (nil until written) and the plans.
type subRec struct {
	Listing  map[string]any `json:"listing,omitempty"`
	ETag     int            `json:"etag"`
	Variants []variantRec   `json:"variants,omitempty"`
}

// variantRec is a plan: its answer's fields and its listing.
type variantRec struct {
	ID          string         `json:"id"`
	Doc         map[string]any `json:"doc"`
	ETag        int            `json:"etag"`
	Listing     map[string]any `json:"listing,omitempty"`
	ListingETag int            `json:"listingEtag"`
}

// derivedID is a stable GUID-shaped ID derived from parts, so that reads
// answer the same instance and listing IDs before anything is stored.
func derivedID(parts ...string) string {
	b := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func etag(n int) string { return fmt.Sprintf(`"%08x-0000-0800-0000-000000000000"`, n) }

func loadSub(st *stage, productID string) (*subRec, error) {
	var r subRec
	if _, err := st.getJSON(bucketSubAPI, productID, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// listingDoc is a listing's answer: the stored document, or a new
// listing titled title, with resourceType, id and @odata.etag.
func listingDoc(stored map[string]any, title, id string, tag int) map[string]any {
	out := map[string]any{"listingUris": []any{}, "listingContacts": []any{}, "gettingStartedInstructions": "",
		"languageCode": "en-us", "title": title, "keywords": []any{}}
	if stored != nil {
		out = map[string]any{}
		for k, v := range stored {
			out[k] = v
		}
	}
	out["resourceType"], out["id"], out["@odata.etag"] = "AzureListing", id, etag(tag)
	return out
}

// listingSlot is one listing of a product: the offer's (variant nil) or
// a plan's.
type listingSlot struct {
	instance, id string
	variant      *variantRec
}

func (r *subRec) slots(p *productRec) []listingSlot {
	out := []listingSlot{{instance: derivedID(p.ID, "listing-instance"), id: derivedID(p.ID, "listing")}}
	for i := range r.Variants {
		v := &r.Variants[i]
		out = append(out, listingSlot{instance: derivedID(p.ID, v.ID, "listing-instance"), id: derivedID(p.ID, v.ID, "listing"), variant: v})
	}
	return out
}

// answer is the listing of a slot.
func (r *subRec) answer(p *productRec, sl listingSlot) map[string]any {
	if sl.variant != nil {
		return listingDoc(sl.variant.Listing, fmt.Sprint(sl.variant.Doc["friendlyName"]), sl.id, sl.variant.ListingETag)
	}
	return listingDoc(r.Listing, p.Alias, sl.id, r.ETag)
}

func (s *Simulator) submissionRoutes(add func(method, path, label string, h http.HandlerFunc)) {
	add("PUT", "/products/{productID}/listings/{listingID}", "pi/listing", s.handlePutListing)
	add("GET", "/products/{productID}/variants", "pi/variants", s.handleVariants)
	add("POST", "/products/{productID}/variants", "pi/variants", s.handleCreateVariant)
	add("GET", "/products/{productID}/variants/{variantID}", "pi/variant", s.handleVariant)
	add("DELETE", "/products/{productID}/variants/{variantID}", "pi/variant", s.handleVariant)
}

// listingBranches answers branches/getByModule(module=Listing).
func listingBranches(st *stage, p *productRec) (any, error) {
	r, err := loadSub(st, p.ID)
	if err != nil {
		return nil, err
	}
	var value []any
	for _, sl := range r.slots(p) {
		b := map[string]any{"resourceType": "Branch", "friendlyName": "Main", "type": "Main", "module": "Listing", "currentDraftInstanceID": sl.instance}
		if sl.variant != nil {
			b["variantID"] = sl.variant.ID
		}
		value = append(value, b)
	}
	return map[string]any{"value": value}, nil
}

var (
	piListingByInst = regexp.MustCompile(`^listings/getByInstanceID\(instanceID=([^)]*)\)$`)
	piListingPath   = regexp.MustCompile(`^listings/([^/()]+)$`)
)

// listingRead answers listings/getByInstanceID(instanceID=…) (byInstance)
// or listings/{id}.
func listingRead(st *stage, p *productRec, key string, byInstance bool) (any, error) {
	r, err := loadSub(st, p.ID)
	if err != nil {
		return nil, err
	}
	sl, found := r.slot(p, key, byInstance)
	switch {
	case byInstance && found:
		return map[string]any{"value": []any{r.answer(p, sl)}}, nil
	case byInstance:
		return map[string]any{"value": []any{}}, nil
	case found:
		return r.answer(p, sl), nil
	}
	return nil, errListingNotFound(key, p.ID)
}

// slot finds the listing of a product by its instance ID (byInstance) or
// its ID.
func (r *subRec) slot(p *productRec, key string, byInstance bool) (listingSlot, bool) {
	for _, sl := range r.slots(p) {
		if (byInstance && sl.instance == key) || (!byInstance && sl.id == key) {
			return sl, true
		}
	}
	return listingSlot{}, false
}

func errListingNotFound(id, productID string) error {
	return errNotFound("listing %s of product %s not found; read the Listing branch's currentDraftInstanceID", id, productID)
}

// productSub loads the product a submission API request names
// ({productID}) and what the submission API holds of it.
func productSub(st *stage, r *http.Request, now time.Time) (*productRec, *subRec, error) {
	p, err := loadProduct(st, r.PathValue("productID"), now)
	if err != nil {
		return nil, nil, err
	}
	rec, err := loadSub(st, p.ID)
	if err != nil {
		return nil, nil, err
	}
	return p, rec, nil
}

// handlePutListing answers PUT products/{productID}/listings/{listingID}.
func (s *Simulator) handlePutListing(w http.ResponseWriter, r *http.Request) {
	match := r.Header.Get("If-Match")
	body, err := listingBody(w, r, match)
	if err != nil {
		writeError(w, err)
		return
	}
	var out any
	s.serveUpdate(w, &out, func(st *stage, now time.Time) error {
		p, rec, err := productSub(st, r, now)
		if err != nil {
			return err
		}
		sl, ok := rec.slot(p, r.PathValue("listingID"), false)
		if !ok {
			return errListingNotFound(r.PathValue("listingID"), p.ID)
		}
		cur := rec.answer(p, sl)
		if match != "*" && match != cur["@odata.etag"] {
			return errConflict(httpConflict, "If-Match %s is not the listing's @odata.etag %s; read the listing again", match, cur["@odata.etag"])
		}
		if _, ok := body["languageCode"]; !ok {
			body["languageCode"] = cur["languageCode"]
		}
		if sl.variant != nil {
			sl.variant.Listing, sl.variant.ListingETag = body, sl.variant.ListingETag+1
		} else {
			rec.Listing, rec.ETag = body, rec.ETag+1
		}
		out = rec.answer(p, sl)
		return st.putJSON(bucketSubAPI, p.ID, rec)
	})
}

// listingBody is the body of a listing PUT with If-Match match: an
// AzureListing by the swagger, without the fields the listing answers
// with (id, @odata.etag, resourceType).
func listingBody(w http.ResponseWriter, r *http.Request, match string) (map[string]any, error) {
	if match == "" {
		return nil, errBadRequest("If-Match is required (the listing's @odata.etag, or *)")
	}
	body, err := swaggerBody(w, r, swaggerAzureListing)
	if err != nil {
		return nil, err
	}
	if rt, ok := body["resourceType"]; ok && rt != "AzureListing" {
		return nil, errBadRequest("resourceType must be AzureListing")
	}
	for _, k := range []string{"id", "ID", "@odata.etag", "resourceType"} {
		delete(body, k)
	}
	return body, nil
}

// variantAnswer is a plan as recorded.
func (v *variantRec) answer() map[string]any {
	out := map[string]any{}
	for k, val := range v.Doc {
		out[k] = val
	}
	out["id"], out["@odata.etag"] = v.ID, etag(v.ETag)
	return out
}

func (s *Simulator) handleVariants(w http.ResponseWriter, r *http.Request) {
	var out any
	s.serve(w, &out, func(st *stage, now time.Time) error {
		_, rec, err := productSub(st, r, now)
		if err != nil {
			return err
		}
		value := []any{}
		for i := range rec.Variants {
			value = append(value, rec.Variants[i].answer())
		}
		out = map[string]any{"value": value}
		return nil
	})
}

// handleVariant answers GET and DELETE products/{productID}/variants/{variantID}.
func (s *Simulator) handleVariant(w http.ResponseWriter, r *http.Request) {
	var out any
	err := s.update(func(st *stage, now time.Time) error {
		p, rec, err := productSub(st, r, now)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rec.Variants, func(v variantRec) bool { return v.ID == r.PathValue("variantID") })
		switch {
		case i < 0:
			return errNotFound("variant %s of product %s not found", r.PathValue("variantID"), p.ID)
		case r.Method == http.MethodGet:
			out = rec.Variants[i].answer()
			return nil
		}
		rec.Variants = slices.Delete(rec.Variants, i, i+1)
		return st.putJSON(bucketSubAPI, p.ID, rec)
	})
	switch {
	case err != nil:
		writeError(w, err)
	case out == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

// handleCreateVariant answers POST products/{productID}/variants.
func (s *Simulator) handleCreateVariant(w http.ResponseWriter, r *http.Request) {
	body, err := swaggerBody(w, r, swaggerAzureSkuVariant)
	if err != nil {
		writeError(w, err)
		return
	}
	ext, _ := body["externalID"].(string)
	if body["resourceType"] != "AzureSkuVariant" || ext == "" {
		writeError(w, errBadRequest("a plan is an AzureSkuVariant with an externalID (the plan ID)"))
		return
	}
	var out map[string]any
	err = s.update(func(st *stage, now time.Time) error {
		p, rec, err := productSub(st, r, now)
		if err != nil {
			return err
		}
		for _, v := range rec.Variants {
			if v.Doc["externalID"] == ext {
				return errConflict(httpConflict, "product %s already has a plan with externalID %s (variant %s)", p.ID, ext, v.ID)
			}
		}
		v := variantRec{ID: newGUID(), Doc: newVariantDoc(p, body, ext)}
		rec.Variants = append(rec.Variants, v)
		out = v.answer()
		return st.putJSON(bucketSubAPI, p.ID, rec)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", "https://"+r.Host+r.URL.Path+"/"+fmt.Sprint(out["id"]))
	writeJSON(w, http.StatusCreated, out)
}

// newVariantDoc is a new plan as recorded: Azure Application plans get
// subType managed-application when the body's SubType says so, else
// solution-template; other products' plans have none.
func newVariantDoc(p *productRec, body map[string]any, ext string) map[string]any {
	name, _ := body["friendlyName"].(string)
	doc := map[string]any{"resourceType": "AzureSkuVariant", "state": "Active", "friendlyName": name,
		"conversionPaths": "*", "externalID": ext, "certificationsAzureGovernment": []any{},
		"cloudAvailabilities": []any{"public-azure"}, "extendedProperties": []any{}}
	if p.Type == "azureApplication" {
		doc["subType"] = "solution-template"
		if body["SubType"] == "managed-application" {
			doc["subType"] = "managed-application"
		}
	}
	return doc
}

// swaggerBody reads a body and judges it against a swagger schema.
func swaggerBody(w http.ResponseWriter, r *http.Request, schema string) (map[string]any, error) {
	raw, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	return validateSwagger(schema, raw)
}

// Filters of GET products, matched as a document store matches them.
var (
	piAnyFilter = regexp.MustCompile(`^(\w+)/Any\(i:i/(\w+) eq '((?:[^']|'')*)' and i/(\w+) eq '((?:[^']|'')*)'\)$`)
	piEqFilter  = regexp.MustCompile(`^(\w+) eq '((?:[^']|'')*)'$`)
)

// piFilter is a parsed $filter: it reports whether a product's answer
// matches, field names and values exactly as written.
type piFilter func(doc map[string]any) bool

func parsePIFilter(filter string) (piFilter, error) {
	unq := func(s string) string { return strings.ReplaceAll(s, "''", "'") }
	if m := piAnyFilter.FindStringSubmatch(filter); m != nil {
		return func(doc map[string]any) bool {
			items, _ := doc[m[1]].([]any)
			for _, it := range items {
				obj, _ := it.(map[string]any)
				if obj != nil && obj[m[2]] == unq(m[3]) && obj[m[4]] == unq(m[5]) {
					return true
				}
			}
			return false
		}, nil
	}
	if m := piEqFilter.FindStringSubmatch(filter); m != nil {
		return func(doc map[string]any) bool { return doc[m[1]] == unq(m[2]) }, nil
	}
	return nil, errBadRequest("$filter %q: filter by externalIDs/Any(i:i/type eq 'AzureOfferId' and i/value eq '<offer id>') or resourceType eq '<type>'", filter)
}

// piSkipToken is the continuation of a product listing.
type piSkipToken struct {
	Offset int    `json:"o"`
	Filter string `json:"f,omitempty"`
}

func decodeSkipToken(tok string) (piSkipToken, error) {
	var t piSkipToken
	if tok == "" {
		return t, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(raw, &t) != nil || t.Offset < 0 {
		return t, errBadRequest("$skipToken %q is not one this API answered", tok)
	}
	return t, nil
}

func (t piSkipToken) nextLink() string {
	raw, _ := json.Marshal(t)
	return strings.TrimPrefix(PartnerIngestionPrefix, "/") + "/products?$skipToken=" + base64.RawURLEncoding.EncodeToString(raw)
}

// piCandidates are the products a filter may match: by the offer index
// when it looks an offer ID up (the filter still judges each), else all.
func piCandidates(st *stage, filter string) []string {
	m := piAnyFilter.FindStringSubmatch(filter)
	if m == nil || m[1] != "externalIDs" || m[2] != "type" || m[4] != "value" {
		return st.prefixKeys(bucketProducts, "")
	}
	if id := st.get(bucketOffers, strings.ReplaceAll(m[5], "''", "'")); id != nil {
		return []string{string(id)}
	}
	return nil
}

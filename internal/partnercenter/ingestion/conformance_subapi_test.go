package ingestion

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// The submission API's side of the conformance recorder: Azure Application
// listings and plans (azureapp.go), answered in the recorded shapes.

var (
	subListingBranches = regexp.MustCompile(`/products/[^/]+/branches/getByModule\(module=Listing\)$`)
	subListingByInst   = regexp.MustCompile(`/products/[^/]+/listings/getByInstanceID\(instanceID=([^)]+)\)$`)
	subVariants        = regexp.MustCompile(`/products/[^/]+/variants$`)
)

// subapi answers the Listing branches, listings and variants; it reports
// whether it answered.
func (rec *recorder) subapi(w http.ResponseWriter, r *http.Request, body []byte) bool {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && subListingBranches.MatchString(p):
		value := []any{map[string]any{"resourceType": "Branch", "type": "Main", "module": "Listing", "currentDraftInstanceID": "li-offer"}}
		for _, v := range rec.variants {
			value = append(value, map[string]any{"resourceType": "Branch", "type": "Main", "module": "Listing",
				"currentDraftInstanceID": "li-" + v, "variantID": v})
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": value})
	case r.Method == http.MethodGet && subListingByInst.MatchString(p):
		inst := subListingByInst.FindStringSubmatch(p)[1]
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{"resourceType": "AzureListing",
			"listingUris": []any{}, "listingContacts": []any{}, "gettingStartedInstructions": "", "languageCode": "en-us",
			"title": "", "keywords": []any{}, "@odata.etag": `"1"`, "id": "l-" + inst}}})
	case r.Method == http.MethodGet && subVariants.MatchString(p):
		value := []any{}
		for _, v := range rec.variants {
			value = append(value, map[string]any{"resourceType": "AzureSkuVariant", "id": v, "externalID": strings.TrimPrefix(v, "v-")})
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": value})
	case r.Method == http.MethodPost && subVariants.MatchString(p):
		var v wire.NewVariant
		_ = json.Unmarshal(body, &v)
		rec.variants = append(rec.variants, "v-"+v.ExternalID)
		writeJSON(w, http.StatusCreated, map[string]any{"resourceType": "AzureSkuVariant", "id": "v-" + v.ExternalID,
			"externalID": v.ExternalID, "friendlyName": v.FriendlyName, "state": "Active"})
	default:
		return false
	}
	return true
}

// checkSubmissionBody judges a body the adapter sends to the submission
// API: a co-sell listing, an Azure listing or a new plan, each against the
// swagger's properties of its component.
func checkSubmissionBody(path string, body []byte) error {
	switch {
	case strings.Contains(path, "/cosellListing/"):
		return checkCoSellListing(body)
	case strings.Contains(path, "/listings/"):
		return checkTopLevel("Listings.AzureListing", body)
	case strings.HasSuffix(path, "/variants"):
		return checkTopLevel("Variants.AzureSkuVariant", body)
	}
	return fmt.Errorf("no judge for a body sent to %s", path)
}

func checkTopLevel(component string, body []byte) error {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	props, err := swaggerProperties("Microsoft.Ingestion.Api.Models." + component)
	if err != nil {
		return err
	}
	var keys []string
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !props[k] {
			return fmt.Errorf("%s: property %q is not in the swagger", component, k)
		}
	}
	return nil
}

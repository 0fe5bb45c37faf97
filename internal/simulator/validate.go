package simulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/schemas"
)

// Schema validation of request resources against Microsoft's published JSON
// Schemas (package schemas, version 2022-03-01-preview2).
//
// Microsoft publishes JSON Schemas only at 2022-03-01-preview2; the SaaS
// and container shapes of listing, property and plan-listing and the SaaS
// pricing of price-and-availability-plan are documented only by example at
// later versions (the preview2 schemas describe them for virtual machines).
// So:
//   - a resource whose $schema names version 2022-03-01-preview2 is judged by
//     the published schema exactly;
//   - a resource at a later version is judged by the preview2 schema of its
//     kind with only what the documents show to differ relaxed: the kind of
//     a listing, property or plan-listing may be one of the documented
//     later kinds (relaxedKinds), and the pricing of a
//     price-and-availability-plan only has to be an object. Everything else
//     (required properties, enums, patterns, additionalProperties) is still
//     judged by the preview2 schema;
//   - a kind without any published schema (commercial-marketplace-setup,
//     software-as-a-service-technical-configuration,
//     price-and-availability-custom-meter, microsoft365-integration,
//     container-plan-technical-configuration) only has to carry its product
//     (and, for a plan-level kind, plan) reference.

// relaxedKinds maps a resource kind to the values of its "kind" property
// documented at versions after preview2, and the preview2 value that stands
// for them during validation.
var relaxedKinds = map[string]struct {
	documented []string
	stand      string
}{
	kindListing:     {[]string{"azureSaaS", "azureContainer"}, "azureVM"},
	kindProperty:    {[]string{"azureSaaS", "azureContainer"}, "azureVM"},
	kindPlanListing: {[]string{"azureSaaS-plan", "azureContainer-plan", "azureCoreVM-plan"}, "azureVM-plan"},
}

// validateResource judges a request resource (already casing-normalized)
// and returns the schema problems as "<json pointer>: <message>" strings.
func validateResource(kind, version string, doc resource) []string {
	if !schemas.Has(kind) {
		var out []string
		if _, ok := doc["product"]; !ok {
			out = append(out, "/: missing property 'product'")
		}
		if resourceKinds[kind] {
			if _, ok := doc["plan"]; !ok {
				out = append(out, "/: missing property 'plan'")
			}
		}
		return out
	}
	c := maps.Clone(doc)
	c["$schema"] = schemas.URI(kind, schemas.Version)
	var extra []string
	if version != schemas.Version {
		if rk, ok := relaxedKinds[kind]; ok {
			if k, _ := c["kind"].(string); slices.Contains(rk.documented, k) {
				c["kind"] = rk.stand
			}
		}
		if kind == kindPricePlan {
			if p, ok := c["pricing"]; ok {
				if _, isObj := p.(map[string]any); !isObj {
					extra = append(extra, "/pricing: got "+jsonType(p)+", want object")
				}
				delete(c, "pricing")
			}
		}
	}
	err := schemas.Validate(kind, c)
	var ve *schemas.ValidationError
	switch {
	case err == nil:
		return extra
	case errors.As(err, &ve):
		return append(ve.Messages(), extra...)
	default:
		return append([]string{"/: " + err.Error()}, extra...)
	}
}

// validateAnswer judges a document the simulator answers against the
// published schema of kind; tests use it on every answer.
func validateAnswer(kind string, doc any) error {
	if !schemas.Has(kind) {
		return fmt.Errorf("no published schema for %s", kind)
	}
	return schemas.Validate(kind, doc)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return "number"
	}
}

// normalizeCasing rewrites the docs' spelling externalID to the schema's
// externalId in identity and in reference objects, recursively (the
// "casing trap": Microsoft's samples use both).
func normalizeCasing(v any) {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["externalID"]; ok {
			if _, both := x["externalId"]; !both {
				x["externalId"] = id
				delete(x, "externalID")
			}
		}
		for _, e := range x {
			normalizeCasing(e)
		}
	case []any:
		for _, e := range x {
			normalizeCasing(e)
		}
	}
}

package wire

import (
	"fmt"
	"strings"
)

// The Partner Center submission API (CoSellBase, the API of the Partner
// Ingestion swagger) as Microsoft's own client calls it: the recordings in
// internal/partnercenter/ingestion/testdata/recordings (real traffic,
// recorded by the Azure CLI extension partnercenter, see the README there)
// win over the swagger where they differ. Relative to the API's base:
//
//	GET  products?$filter=externalIDs/Any(i:i/type eq 'AzureOfferId' and i/value eq '{offerId}') -> SubmissionPage[CoSellProduct]
//	GET  products?$skipToken=...                                          -> SubmissionPage[CoSellProduct], nextLink relative to the host
//	GET  products/{productId}/branches/getByModule(module=Listing)        -> SubmissionPage[Branch]: the offer's listing branch (no variantID) and one per plan
//	GET  products/{productId}/listings/getByInstanceID(instanceID={id})    -> SubmissionPage[AzureListing]
//	PUT  products/{productId}/listings/{listingId}   body AzureListing    -> AzureListing (the body replaces the listing)
//	GET  products/{productId}/variants                                    -> SubmissionPage[AzureSkuVariant]
//	POST products/{productId}/variants               body NewVariant      -> 201 AzureSkuVariant
//	PUT  products/{productId}/variants/{variantId}   body AzureSkuVariant -> AzureSkuVariant (swagger only; not recorded)
//
// Every request carries IfMatchHeader: IfMatchAny (the recordings' GETs
// included); answers carry @odata.etag.

// SubmissionOfferIDType is the externalIDs type of an offer ID, spelled as
// the recorded lookups and answers spell it. (The swagger's product
// creation sample writes AzureOfferID; Partner Center answers AzureOfferId,
// and matches a filter's values as written.)
const SubmissionOfferIDType = "AzureOfferId"

// ListingModule is the branch module of listings (the Branch schema's
// module enum; recorded).
const ListingModule = "Listing"

// IfMatchHeader and IfMatchAny: every recorded request carries If-Match: *.
const (
	IfMatchHeader = "If-Match"
	IfMatchAny    = "*"
)

// ResourceTypes of the submission API's resources (recorded).
const (
	ResourceAzureListing    = "AzureListing"
	ResourceAzureSkuVariant = "AzureSkuVariant"
)

// SubmissionProductFilter is the recorded $filter of a product lookup by
// offer ID (quotes in the ID doubled, OData's escape).
func SubmissionProductFilter(offerID string) string {
	return fmt.Sprintf("externalIDs/Any(i:i/type eq '%s' and i/value eq '%s')",
		SubmissionOfferIDType, strings.ReplaceAll(offerID, "'", "''"))
}

// SubmissionPage is a paged collection as recorded: NextLink
// ("nextLink", relative to the host: "v1.0/ingestion/products?$skipToken=…");
// the swagger's "@odata.nextLink" is read too.
type SubmissionPage[T any] struct {
	Value         []T    `json:"value"`
	NextLink      string `json:"nextLink,omitempty"`
	ODataNextLink string `json:"@odata.nextLink,omitempty"`
}

// Next is the page's continuation, or "".
func (p *SubmissionPage[T]) Next() string {
	if p.NextLink != "" {
		return p.NextLink
	}
	return p.ODataNextLink
}

// SubmissionProduct is a product as recorded: resourceType, name,
// externalIDs, isModularPublishing, id.
type SubmissionProduct struct {
	CoSellProduct
	IsModularPublishing *bool `json:"isModularPublishing,omitempty"`
}

// AzureListing is the swagger's AzureListing (BaseListing's fields
// included) as far as the operator reads it. Writes send the listing as
// read with these fields changed: a PUT replaces the listing (recorded: a
// property left out of the body is gone from the answer).
type AzureListing struct {
	ResourceType     string   `json:"resourceType,omitempty"`
	ID               string   `json:"id,omitempty"`
	ETag             string   `json:"@odata.etag,omitempty"`
	LanguageCode     string   `json:"languageCode,omitempty"`
	Title            string   `json:"title,omitempty"`
	Summary          string   `json:"summary,omitempty"`
	ShortDescription string   `json:"shortDescription,omitempty"`
	Description      string   `json:"description,omitempty"`
	Keywords         []string `json:"keywords,omitempty"`
}

// AzureSkuVariant is a plan of the submission API, as recorded (subType is
// recorded but not in the swagger: "managed-application" or
// "solution-template" for Azure Application plans, absent for others).
type AzureSkuVariant struct {
	ResourceType string `json:"resourceType,omitempty"`
	ID           string `json:"id,omitempty"`
	ETag         string `json:"@odata.etag,omitempty"`
	State        string `json:"state,omitempty"`
	FriendlyName string `json:"friendlyName,omitempty"`
	ExternalID   string `json:"externalID,omitempty"`
	SubType      string `json:"subType,omitempty"`
}

// NewVariant is the body that creates a plan, as the recordings send it:
// resourceType, friendlyName, externalID, and for a managed application
// "SubType": "managed-application" (spelled so; without it Partner Center
// makes an Azure Application's plan a solution template).
type NewVariant struct {
	ResourceType string `json:"resourceType"`
	FriendlyName string `json:"friendlyName"`
	ExternalID   string `json:"externalID"`
	SubType      string `json:"SubType,omitempty"`
}

package wire

// The co-sell tab, through the Partner Ingestion API
// (https://api.partner.microsoft.com/v1.0/ingestion, token scope
// CoSellScope), as its swagger publishes it (package schemas,
// partner-ingestion-swagger.json). The Product Ingestion API has no
// co-sell resource. Relative to the API's base:
//
//	GET /products?$filter=… (the recorded lookup, submission.go)                                  -> SubmissionPage[SubmissionProduct]
//	GET /products/{productId}/branches/getByModule(module=Cosell)                                 -> CoSellPage[Branch]
//	GET /products/{productId}/cosellListing/getByInstanceID(instanceID={instanceId})              -> CoSellPage[CosellListing]
//	PUT /products/{productId}/cosellListing/{instanceId}   body CosellListing                    -> CosellListing
//
// The swagger publishes no $version for this API and declares its error
// bodies as strings.

// CoSellScope is the OAuth scope of the Partner Ingestion API.
const CoSellScope = "https://api.partner.microsoft.com/.default"

// CoSellBase is the Partner Ingestion API's base URL at Microsoft.
const CoSellBase = "https://api.partner.microsoft.com/v1.0/ingestion"

// CoSellPathPrefix is the API's path on a simulator's host.
const CoSellPathPrefix = "/v1.0/ingestion"

// CoSellOfferIDType is the externalIDs type of an Azure offer ID as the
// swagger's product creation sample spells it. Partner Center answers and
// matches SubmissionOfferIDType (submission.go); lookups use that.
const CoSellOfferIDType = "AzureOfferID"

// CoSellModule is the branch module of the co-sell tab (the Branch
// schema's module enum).
const CoSellModule = "Cosell"

// CoSellPage is a paged collection.
type CoSellPage[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink,omitempty"`
}

// TypeValuePair is the swagger's TypeValuePair.
type TypeValuePair struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// CoSellProduct is the swagger's AzureProduct, as far as the adapter reads it.
type CoSellProduct struct {
	ResourceType string          `json:"resourceType,omitempty"`
	ID           string          `json:"id"`
	Name         string          `json:"name,omitempty"`
	ExternalIDs  []TypeValuePair `json:"externalIDs,omitempty"`
}

// Branch is the swagger's Branch.
type Branch struct {
	ResourceType           string `json:"resourceType,omitempty"`
	ID                     string `json:"id,omitempty"`
	FriendlyName           string `json:"friendlyName,omitempty"`
	Type                   string `json:"type,omitempty"`
	Module                 string `json:"module,omitempty"`
	CurrentDraftInstanceID string `json:"currentDraftInstanceID,omitempty"`
	VariantID              string `json:"variantID,omitempty"`
}

// CosellListing is the swagger's CosellListing. The adapter reads it, sets
// SolutionAreas and Contacts, and writes back everything else as read
// (Rest keeps properties this type does not name).
type CosellListing struct {
	ResourceType        string          `json:"resourceType,omitempty"`
	ID                  string          `json:"id,omitempty"`
	ETag                string          `json:"@odata.etag,omitempty"`
	OfferPlatforms      []string        `json:"offerPlatforms,omitempty"`
	EndCustomerSegments []string        `json:"endCustomerSegments,omitempty"`
	OfferType           string          `json:"offerType,omitempty"`
	SolutionAreas       []SolutionArea  `json:"solutionAreas"`
	Contacts            []CoSellContact `json:"contacts"`
	AssetReferences     []TypeValuePair `json:"assetReferences,omitempty"`
}

// SolutionArea is the swagger's CosellSolutionArea.
type SolutionArea struct {
	Area     string   `json:"area"`
	SubAreas []string `json:"subAreas"`
}

// CoSellContact is the swagger's CosellContact.
type CoSellContact struct {
	Type       string   `json:"type,omitempty"`
	Email      string   `json:"email,omitempty"`
	Name       string   `json:"name,omitempty"`
	JobTitle   string   `json:"jobTitle,omitempty"`
	Role       string   `json:"role,omitempty"`
	Regions    []string `json:"regions,omitempty"`
	SubRegions []string `json:"subRegions,omitempty"`
}

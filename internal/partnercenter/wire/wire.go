// Package wire holds the JSON shapes and paths of the Partner Center APIs the
// operator speaks, written from Microsoft's published documents only:
//
//   - the Product Ingestion API (https://graph.microsoft.com/rp/product-ingestion),
//     its resources as the JSON Schemas of package schemas publish them
//     (version 2022-03-01-preview2) and, for the SaaS and container shapes
//     documented only at later versions, as the documentation's examples
//     show them (https://learn.microsoft.com/partner-center/marketplace-offers/product-ingestion-api,
//     .../product-ingestion-api-saas, .../product-ingestion-api-transactable-containers);
//   - the Partner Ingestion API's co-sell listing (cosell.go), as its
//     swagger publishes it (package schemas, partner-ingestion-swagger.json);
//   - the OCP GTM migration, for which Microsoft publishes no API: a
//     simulator extension (migration.go), never sent to a Microsoft host.
//
// Product Ingestion API, relative to its base URL, every write with
// $version=Version and every read with $version=ReadVersion (the highest
// version the reader accepts; offertypes.go):
//
//	POST configure                                  body Configure -> ConfigureStatus (any 2xx)
//	GET  configure/{jobId}/status                                  -> ConfigureStatus
//	GET  configure/{jobId}                                         -> ConfigureDetail (completed jobs only)
//	GET  product?externalId={offerId}                              -> List[Product] (@nextLink pages)
//	GET  product/{productGuid}                                     -> Product (the draft)
//	GET  resource-tree/product/{productGuid}?targetType=draft      -> ResourceTree
//	GET  submission/{productGuid}                                  -> List[Submission], draft entry .../0 included
//	GET  submission/{productGuid}/{submissionId}                   -> Submission
//
// Every resource carries $schema, https://product-ingestion.azureedge.net/schema/<kind>/<version>.
// Readers key on the kind (schemas.KindOf): answers use other hosts
// (schema.mp.microsoft.com, -int hosts) and versions, and no resource is
// dropped because of them.
//
// Errors: an HTTP error is ErrorResponse {"error":{code,message,details}};
// a failed job carries inner errors {code, message, details, resourceId}
// whose code is the inner-error schema's enum.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/schemas"
)

// Version is the $version sent on every write (POST configure, as every
// documented sample sends it) and the version of every $schema the
// operator sends, except the later versions of offertypes.go.
const Version = "2022-03-01-preview2"

// VersionQueryParameter names the query parameter of the version.
const VersionQueryParameter = "$version"

// Resource kinds, the <kind> segment of a $schema URI.
const (
	KindConfigure                = "configure"
	KindConfigureStatus          = "configure-status"
	KindConfigureDetail          = "configure-detail"
	KindProduct                  = "product"
	KindListing                  = "listing"
	KindPlan                     = "plan"
	KindPlanListing              = "plan-listing"
	KindPriceAndAvailabilityPlan = "price-and-availability-plan"
	KindReseller                 = "reseller"
	KindProperty                 = "property"
	KindSubmission               = "submission"
	KindResourceTree             = "resource-tree"
)

// Schema returns the documented $schema URI of kind at version.
func Schema(kind, version string) string { return schemas.URI(kind, version) }

// SchemaOf returns the $schema URI of kind at Version.
func SchemaOf(kind string) string { return Schema(kind, Version) }

// KindOf returns the kind of a $schema URI of any host and version, or "".
func KindOf(uri string) string {
	k, _, ok := schemas.KindOf(uri)
	if !ok {
		return ""
	}
	return k
}

// Durable IDs. Partner Center names resources by durable IDs such as
// "product/<guid>" and "submission/<productGuid>/<n>"; the port carries the
// bare parts.

// ProductRef is the durable ID of a product.
func ProductRef(productID string) string { return "product/" + productID }

// ParseProductRef returns the product ID of a durable product ID.
func ParseProductRef(ref string) (string, bool) {
	id, ok := strings.CutPrefix(ref, "product/")
	return id, ok && id != "" && !strings.Contains(id, "/")
}

// SubmissionRef is the durable ID of a submission.
func SubmissionRef(productID, submissionID string) string {
	return "submission/" + productID + "/" + submissionID
}

// ParseSubmissionRef returns the product and submission IDs of a durable
// submission ID.
func ParseSubmissionRef(ref string) (productID, submissionID string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "submission/")
	if !ok {
		return "", "", false
	}
	productID, submissionID, ok = strings.Cut(rest, "/")
	return productID, submissionID, ok && productID != "" && submissionID != "" && !strings.Contains(submissionID, "/")
}

// DraftSubmissionID is the ID of the draft entry of a submission list.
const DraftSubmissionID = "0"

// Lifecycle states (the product schema's enum for products).
const (
	LifecycleGenerallyAvailable = "generallyAvailable"
	LifecycleDeprecated         = "deprecated"
	LifecycleDeleted            = "deleted"
)

// Job and submission states and results.
const (
	StatusNotStarted = "notStarted"
	StatusRunning    = "running"
	StatusCompleted  = "completed"

	ResultPending   = "pending"
	ResultSucceeded = "succeeded"
	ResultFailed    = "failed"
	// ResultCancelled is a job's result after POST configure/{jobId}/cancel.
	ResultCancelled = "cancelled"
)

// Submission targets (the resource-target-type schema's enum has more:
// flight, sandbox, certification, retail).
const (
	TargetDraft   = "draft"
	TargetPreview = "preview"
	TargetLive    = "live"
)

// Reference is a resource-reference: a durable ID string, {"externalId"}
// (products and plans) or {"resourceName"} (a resource created in the same
// configure request). Exactly one field is set.
type Reference struct {
	DurableID    string
	ExternalID   string
	ResourceName string
}

// DurableRef references a resource by its durable ID.
func DurableRef(id string) Reference { return Reference{DurableID: id} }

// ExternalRef references a product or plan by its external ID.
func ExternalRef(id string) Reference { return Reference{ExternalID: id} }

// NameRef references a resource created in the same configure request.
func NameRef(name string) Reference { return Reference{ResourceName: name} }

// IsZero reports whether no field is set.
func (r Reference) IsZero() bool { return r == Reference{} }

// String returns the set field.
func (r Reference) String() string { return r.DurableID + r.ExternalID + r.ResourceName }

// MarshalJSON writes the reference in its published form.
func (r Reference) MarshalJSON() ([]byte, error) {
	switch {
	case r.DurableID != "":
		return json.Marshal(r.DurableID)
	case r.ExternalID != "":
		return json.Marshal(struct {
			ExternalID string `json:"externalId"`
		}{r.ExternalID})
	case r.ResourceName != "":
		return json.Marshal(struct {
			ResourceName string `json:"resourceName"`
		}{r.ResourceName})
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads any published form; the docs' spelling externalID is
// accepted too (encoding/json matches keys case-insensitively).
func (r *Reference) UnmarshalJSON(b []byte) error {
	*r = Reference{}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &r.DurableID)
	}
	var o struct {
		ExternalID   string `json:"externalId"`
		ResourceName string `json:"resourceName"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("resource reference: %w", err)
	}
	r.ExternalID, r.ResourceName = o.ExternalID, o.ResourceName
	return nil
}

// Time is a time Partner Center reports. While a job runs, jobEnd is
// "0001-01-01T00:00:00" or "0001-01-01", and times come without a zone:
// such values decode (placeholders to the zero Time, zoneless times as
// UTC) instead of failing the call. Raw keeps what was sent.
type Time struct {
	time.Time
	Raw string
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// UnmarshalJSON implements json.Unmarshaler. A string no layout parses
// decodes to the zero time (with Raw set): Partner Center's informational
// times never fail a call.
func (t *Time) UnmarshalJSON(b []byte) error {
	*t = Time{}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time: %w", err)
	}
	t.Raw = s
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			if v.Year() > 1 {
				t.Time = v.UTC()
			}
			return nil
		}
	}
	return nil
}

// MarshalJSON writes Raw when set, else RFC 3339, else the documented
// placeholder "0001-01-01T00:00:00".
func (t Time) MarshalJSON() ([]byte, error) {
	switch {
	case t.Raw != "":
		return json.Marshal(t.Raw)
	case t.IsZero():
		return json.Marshal("0001-01-01T00:00:00")
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// NewTime returns t as a Time.
func NewTime(t time.Time) Time { return Time{Time: t} }

// Identity carries a product's or plan's external ID.
type Identity struct {
	ExternalID string `json:"externalId"`
}

// Validation is an item of a resource's read-only validations.
type Validation struct {
	Code       string     `json:"code"`
	Level      string     `json:"level,omitempty"`
	Message    string     `json:"message,omitempty"`
	ResourceID *Reference `json:"resourceId,omitempty"`
}

// Product is the product resource. identity, type and alias are required
// on every write.
type Product struct {
	Schema         string       `json:"$schema"`
	ID             string       `json:"id,omitempty"`
	ResourceName   string       `json:"resourceName,omitempty"`
	Identity       Identity     `json:"identity"`
	Type           string       `json:"type"`
	Alias          string       `json:"alias"`
	LifecycleState string       `json:"lifecycleState,omitempty"`
	Validations    []Validation `json:"validations,omitempty"`
}

// Contact is a listing contact.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Link is one of a listing's generalLinks.
type Link struct {
	DisplayText string `json:"displayText"`
	Link        string `json:"link"`
}

// Listing is the listing resource (one per language).
type Listing struct {
	Schema                   string    `json:"$schema"`
	ID                       string    `json:"id,omitempty"`
	ResourceName             string    `json:"resourceName,omitempty"`
	Product                  Reference `json:"product"`
	Kind                     string    `json:"kind"`
	LanguageID               string    `json:"languageId"`
	Title                    string    `json:"title,omitempty"`
	Description              string    `json:"description,omitempty"`
	ShortDescription         string    `json:"shortDescription,omitempty"`
	SearchResultSummary      string    `json:"searchResultSummary,omitempty"`
	PrivacyPolicyLink        string    `json:"privacyPolicyLink,omitempty"`
	GeneralLinks             []Link    `json:"generalLinks,omitempty"`
	GlobalSupportWebsite     string    `json:"globalSupportWebsite,omitempty"`
	GovernmentSupportWebsite string    `json:"governmentSupportWebsite,omitempty"`
	SupportContact           *Contact  `json:"supportContact,omitempty"`
	EngineeringContact       *Contact  `json:"engineeringContact,omitempty"`
	LifecycleState           string    `json:"lifecycleState,omitempty"`
}

// Plan is the plan resource.
type Plan struct {
	Schema         string    `json:"$schema"`
	ID             string    `json:"id,omitempty"`
	ResourceName   string    `json:"resourceName,omitempty"`
	Product        Reference `json:"product"`
	Identity       Identity  `json:"identity"`
	Alias          string    `json:"alias"`
	AzureRegions   []string  `json:"azureRegions,omitempty"`
	LifecycleState string    `json:"lifecycleState,omitempty"`
}

// PlanListing is the plan-listing resource (a plan's name and texts in one
// language).
type PlanListing struct {
	Schema         string    `json:"$schema"`
	ID             string    `json:"id,omitempty"`
	ResourceName   string    `json:"resourceName,omitempty"`
	Product        Reference `json:"product"`
	Plan           Reference `json:"plan"`
	Kind           string    `json:"kind"`
	LanguageID     string    `json:"languageId"`
	Name           string    `json:"name,omitempty"`
	Summary        string    `json:"summary,omitempty"`
	Description    string    `json:"description,omitempty"`
	LifecycleState string    `json:"lifecycleState,omitempty"`
}

// PriceAndAvailabilityPlan is the price-and-availability-plan resource.
type PriceAndAvailabilityPlan struct {
	Schema       string    `json:"$schema"`
	ID           string    `json:"id,omitempty"`
	ResourceName string    `json:"resourceName,omitempty"`
	Product      Reference `json:"product"`
	Plan         Reference `json:"plan"`
	// Visibility is visible or hidden; Audience public or private.
	Visibility string `json:"visibility"`
	Audience   string `json:"audience"`
	// Markets are lower-case ISO 3166 codes.
	Markets []string `json:"markets,omitempty"`
	Pricing *Pricing `json:"pricing,omitempty"`
}

// Pricing is the pricing of a plan. The preview2 schema publishes the
// virtual-machine fields (licenseModel, corePricing); the SaaS field
// recurrentPrice is documented at 2022-03-01-preview4 (private offers page).
type Pricing struct {
	LicenseModel   string          `json:"licenseModel,omitempty"`
	CorePricing    *CorePricing    `json:"corePricing,omitempty"`
	RecurrentPrice *RecurrentPrice `json:"recurrentPrice,omitempty"`
}

// CorePricing is a virtual machine's price (priceInputOption free, flat,
// perCore, perCoreSize or perMarketAndCoreSize).
type CorePricing struct {
	PriceInputOption string   `json:"priceInputOption"`
	Price            *float64 `json:"price,omitempty"`
}

// RecurrentPrice is a SaaS plan's recurring price.
type RecurrentPrice struct {
	// RecurrentPriceMode is flatRate or perUser; PriceInputOption usd or
	// perMarket.
	RecurrentPriceMode string  `json:"recurrentPriceMode"`
	PriceInputOption   string  `json:"priceInputOption"`
	Prices             []Price `json:"prices,omitempty"`
}

// Price is one price of a recurrent price.
type Price struct {
	BillingTerm          Term    `json:"billingTerm"`
	PaymentOption        Term    `json:"paymentOption"`
	PricePerPaymentInUsd float64 `json:"pricePerPaymentInUsd"`
}

// Term is a billing term or payment option: type day, week, month or
// year, and a count.
type Term struct {
	Type  string `json:"type"`
	Value int    `json:"value"`
}

// Reseller is the reseller resource. The schema requires audiences (and
// defines the items without the id it requires), so the operator sends an
// empty list.
type Reseller struct {
	Schema               string             `json:"$schema"`
	ID                   string             `json:"id,omitempty"`
	Product              Reference          `json:"product"`
	ResellerChannelState string             `json:"resellerChannelState"`
	Audiences            []ResellerAudience `json:"audiences"`
}

// ResellerAudience is an item of a reseller's audiences.
type ResellerAudience struct {
	Type        string `json:"type"`
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
}

// Reseller channel states (the reseller schema's enum).
const (
	ResellerNotSet     = "notSet"
	ResellerNone       = "none"
	ResellerSome       = "some"
	ResellerAll        = "all"
	ResellerTerminated = "terminated"
)

// Target is where a submission publishes, or which view a resource tree
// shows.
type Target struct {
	TargetType string `json:"targetType"`
}

// Submission is the submission resource.
type Submission struct {
	Schema         string       `json:"$schema"`
	ID             string       `json:"id,omitempty"`
	Product        Reference    `json:"product"`
	Target         Target       `json:"target"`
	LifecycleState string       `json:"lifecycleState,omitempty"`
	Status         string       `json:"status,omitempty"`
	Result         string       `json:"result,omitempty"`
	Created        *Time        `json:"created,omitempty"`
	Validations    []Validation `json:"validations,omitempty"`
}

// Configure is the body of POST configure. Resources are the resource
// structs of this package.
type Configure struct {
	Schema    string `json:"$schema"`
	Resources []any  `json:"resources"`
}

// InnerError is an error of a job, and a detail of an HTTP error. Code is
// one of the inner-error schema's codes (partnercenter.Code*).
type InnerError struct {
	Code       string       `json:"code"`
	Message    string       `json:"message,omitempty"`
	Details    []InnerError `json:"details,omitempty"`
	ResourceID *Reference   `json:"resourceId,omitempty"`
}

// ConfigureStatus is a configure job (configure-status). The docs' samples
// spell the ID jobID; answers spell it jobId; both decode.
type ConfigureStatus struct {
	Schema      string       `json:"$schema"`
	JobID       string       `json:"jobId"`
	JobStatus   string       `json:"jobStatus"`
	JobResult   string       `json:"jobResult,omitempty"`
	JobStart    *Time        `json:"jobStart,omitempty"`
	JobEnd      *Time        `json:"jobEnd,omitempty"`
	Errors      []InnerError `json:"errors,omitempty"`
	ResourceURI string       `json:"resourceUri,omitempty"`
}

// ConfigureDetail is what GET configure/{jobId} returns once the job
// completed: the resources it created or updated, with their durable IDs.
type ConfigureDetail struct {
	Schema    string            `json:"$schema"`
	Resources []json.RawMessage `json:"resources"`
}

// ResourceTree is a product with its resources as of a target.
type ResourceTree struct {
	Schema    string            `json:"$schema"`
	Root      string            `json:"root"`
	Target    Target            `json:"target"`
	Resources []json.RawMessage `json:"resources"`
}

// Head is the part every resource shares: enough to tell its kind and
// durable ID before decoding it whole.
type Head struct {
	Schema       string    `json:"$schema"`
	ID           string    `json:"id"`
	ResourceName string    `json:"resourceName"`
	Identity     *Identity `json:"identity"`
}

// Kind is the kind of the resource's $schema, or "".
func (h Head) Kind() string { return KindOf(h.Schema) }

// List is a page of resources. NextLink is opaque: GET it as is.
type List[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@nextLink,omitempty"`
}

// ErrorResponse is the body of an HTTP error.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the error of an ErrorResponse. Code is an HTTP-style code
// such as badRequest, or an inner-error code.
type ErrorBody struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Details []InnerError `json:"details,omitempty"`
}

// MaxBodyBytes bounds every request and response body either side reads.
const MaxBodyBytes = 4 << 20

package simulator

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// The published Product Ingestion contract as the simulator speaks it,
// written from Microsoft's documents and JSON Schemas (package schemas holds
// the schemas; the documents are cited in doc.go), independently of the
// operator's client types.

// Query parameter and versions. Every published call carries $version; the
// simulator accepts the versions Microsoft's resource table names.
const (
	versionParam = "$version"
	// schemaVersion is the version of the schemas Microsoft publishes as JSON
	// (and of the configure, configure-status, configure-detail, submission
	// and resource-tree envelopes); the simulator answers its own envelopes
	// at this version.
	schemaVersion = "2022-03-01-preview2"
	// schemaHost is the host Microsoft's documents and schemas name in
	// $schema URIs. Readers key on the kind and accept any host and version.
	schemaHost = "https://product-ingestion.azureedge.net"
)

// acceptedVersions are the $version values the simulator serves:
// 2022-03-01-preview2 (the version of every documented sample request) to
// -preview5 (the newest version in Microsoft's resource table).
var acceptedVersions = []string{"2022-03-01-preview2", "2022-03-01-preview3", "2022-03-01-preview4", "2022-03-01-preview5"}

// Kinds of the envelopes and of the resources with simulator logic.
const (
	kindConfigure       = "configure"
	kindConfigureStatus = "configure-status"
	kindConfigureDetail = "configure-detail"
	kindResourceTree    = "resource-tree"
	kindProduct         = "product"
	kindPlan            = "plan"
	kindSubmission      = "submission"
	kindListing         = "listing"
	kindListingAsset    = "listing-asset"
	kindListingTrailer  = "listing-trailer"
	kindPlanListing     = "plan-listing"
	kindProperty        = "property"
	kindPriceOffer      = "price-and-availability-offer"
	kindPricePlan       = "price-and-availability-plan"
)

// resourceKinds are the resource kinds Microsoft's overview lists for the
// offer types it documents, with whether the resource belongs to a plan.
// A configure request naming another kind is refused (400).
var resourceKinds = map[string]bool{
	kindProduct:                           false,
	kindPlan:                              false, // a plan belongs to the product; its durable ID is plan/{product}/{plan}
	kindSubmission:                        false,
	kindListing:                           false,
	kindListingAsset:                      false,
	kindListingTrailer:                    false,
	kindProperty:                          false,
	kindPriceOffer:                        false,
	"price-and-availability-custom-meter": false,
	"commercial-marketplace-setup":        false,
	"software-as-a-service-technical-configuration": false,
	"customer-leads":           false,
	"reseller":                 false,
	"microsoft365-integration": false,
	"test-drive":               false,
	kindPlanListing:            true,
	kindPricePlan:              true,
	"virtual-machine-plan-technical-configuration": true,
	"container-plan-technical-configuration":       true,
}

// schemaPath matches the path of a $schema URI: /schema/{kind}/{version}.
var schemaPath = regexp.MustCompile(`^https?://[^/]+/schema/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/(\d{4}(?:-\d\d){2}(?:-dev|-preview\d+)?)$`)

// kindOf returns the kind and version of a $schema URI of any host, or "".
func kindOf(uri string) (kind, version string) {
	m := schemaPath.FindStringSubmatch(uri)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

// schemaURI is the documented $schema URI of a kind at a version.
func schemaURI(kind, version string) string {
	return schemaHost + "/schema/" + kind + "/" + version
}

// Job, submission and target values (configure-status and submission
// schemas).
const (
	jobNotStarted = "notStarted"
	jobRunning    = "running"
	jobCompleted  = "completed"

	resultPending   = "pending"
	resultSucceeded = "succeeded"
	resultFailed    = "failed"

	targetDraft   = "draft"
	targetPreview = "preview"
	targetLive    = "live"

	lifecycleAvailable  = "generallyAvailable"
	lifecycleDeprecated = "deprecated"
	lifecycleDeleted    = "deleted"
)

// Inner-error codes: the enum of the inner-error schema.
const (
	codeBusinessValidation = "businessValidationError"
	codeInvalidID          = "invalidId"
	codeInvalidRequest     = "invalidRequest"
	codeInvalidState       = "invalidState"
	codeNotSupported       = "notSupported"
	codeProductLocked      = "productLocked"
	codeResourceNotFound   = "resourceNotFound"
	codeSchemaValidation   = "schemaValidationError"
)

// HTTP error codes: the lower-camel HTTP names of the error envelope.
const (
	httpBadRequest   = "badRequest"
	httpUnauthorized = "unauthorized"
	httpForbidden    = "forbidden"
	httpNotFound     = "notFound"
	httpConflict     = "conflict"
	httpTooMany      = "tooManyRequests"
	httpInternal     = "internalServerError"
	httpUnavailable  = "serviceUnavailable"
	httpNotAllowed   = "methodNotAllowed"
	httpTooLarge     = "requestEntityTooLarge"
)

// innerError is an item of errors[] (the inner-error schema): code,
// message, nested details and the durable ID of the resource concerned.
type innerError struct {
	Code       string       `json:"code"`
	Message    string       `json:"message,omitempty"`
	Details    []innerError `json:"details"`
	ResourceID any          `json:"resourceId,omitempty"`
}

// errorBody is the HTTP error envelope {"error": {code, message, details}}.
type errorBody struct {
	Error httpError `json:"error"`
}

type httpError struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Details []innerError `json:"details"`
}

// target is a resource target (resource-target schema).
type target struct {
	TargetType string `json:"targetType"`
}

// identity is a product or plan identity; the docs' samples spell the key
// externalID, the schema externalId: the simulator reads both and answers
// externalId.
type identity struct {
	ExternalID string `json:"externalId"`
}

// product is the product resource as the simulator answers it.
type product struct {
	Schema         string   `json:"$schema"`
	ID             string   `json:"id"`
	Identity       identity `json:"identity"`
	Type           string   `json:"type"`
	Alias          string   `json:"alias"`
	LifecycleState string   `json:"lifecycleState"`
}

// submission is a submission resource: the draft entry has no status,
// result or created.
type submission struct {
	Schema         string     `json:"$schema"`
	ID             string     `json:"id"`
	Product        string     `json:"product"`
	Target         target     `json:"target"`
	LifecycleState string     `json:"lifecycleState,omitempty"`
	Status         string     `json:"status,omitempty"`
	Result         string     `json:"result,omitempty"`
	Created        *time.Time `json:"created,omitempty"`
}

// configureStatus is the configure-status answer of POST configure and GET
// configure/{jobId}/status.
type configureStatus struct {
	Schema    string       `json:"$schema"`
	JobID     string       `json:"jobId"`
	JobStatus string       `json:"jobStatus"`
	JobResult string       `json:"jobResult"`
	JobStart  string       `json:"jobStart"`
	JobEnd    string       `json:"jobEnd"`
	Errors    []innerError `json:"errors"`
}

// jobEndRunning is the jobEnd Microsoft answers while a job runs (not RFC
// 3339).
const jobEndRunning = "0001-01-01T00:00:00"

// jobTime formats jobStart and jobEnd as Microsoft's samples do: UTC with
// seven fractional digits.
func jobTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// configureDetail answers GET configure/{jobId} once the job completed:
// the resources it created or updated, with their durable IDs. The docs
// show only {$schema, resources}; jobId is not added.
type configureDetail struct {
	Schema    string     `json:"$schema"`
	Resources []resource `json:"resources"`
}

// resourceTree answers GET resource-tree/product/{productId}.
type resourceTree struct {
	Schema    string     `json:"$schema"`
	Root      string     `json:"root"`
	Target    target     `json:"target"`
	Resources []resource `json:"resources"`
}

// listOf is a list answer with paging.
type listOf[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@nextLink,omitempty"`
}

// resource is a published resource as JSON: the simulator keeps resources
// in the shape the schemas give them rather than in Go types, so that what
// a client sends is what it reads back.
type resource = map[string]any

// Durable IDs.
var (
	guidPattern  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	durablePatt  = regexp.MustCompile(`^[a-z](-?[a-z0-9]+)*/[a-z0-9-]+(\/?[a-z0-9-])*$`)
	externalPatt = regexp.MustCompile(`^[a-z0-9][a-z0-9-_]{2,49}$`)
)

func productRef(productID string) string { return "product/" + productID }

func planRef(productID, planID string) string { return "plan/" + productID + "/" + planID }

func submissionRef(productID, submissionID string) string {
	return "submission/" + productID + "/" + submissionID
}

// parseRef splits a durable ID into its kind and the segments after it.
func parseRef(ref string) (kind string, segs []string, ok bool) {
	if !durablePatt.MatchString(ref) {
		return "", nil, false
	}
	parts := strings.Split(ref, "/")
	return parts[0], parts[1:], true
}

// parseProductRef returns the product GUID of product/{guid}.
func parseProductRef(ref string) (string, bool) {
	kind, segs, ok := parseRef(ref)
	if !ok || kind != kindProduct || len(segs) != 1 || !guidPattern.MatchString(segs[0]) {
		return "", false
	}
	return segs[0], true
}

func acceptedVersion(v string) bool { return slices.Contains(acceptedVersions, v) }

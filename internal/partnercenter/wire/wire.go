// Package wire holds the JSON shapes and paths of the Partner Center APIs the
// operator speaks: Microsoft's Product Ingestion API (configure jobs,
// resource trees, products, submissions) and the OCP GTM migration surface,
// which has no public API and is served by the simulator in the same style.
//
// The HTTP adapter (package ingestion) and the simulator (package simulator)
// both use these types, so they cannot drift apart; the contract test drives
// one through the other.
//
// Product Ingestion API, relative to its base URL
// (https://graph.microsoft.com/rp/product-ingestion), every call with the
// query parameter $version=Version:
//
//	POST configure                          body Configure            -> 202 ConfigureStatus
//	GET  configure/{jobId}/status                                     -> ConfigureStatus
//	GET  product?externalId={offerId}                                 -> List[Product]
//	GET  product/{productId}                                          -> Product
//	GET  resource-tree/product/{productId}?targetType=draft           -> ResourceTree
//	GET  submission/{productId}                                       -> List[Submission]
//	GET  submission/{productId}/{submissionId}                        -> Submission
//
// Configure takes resources, each with its "$schema": a product (create; or
// with an id and lifecycleState "deprecated" to stop sale, "deleted" to
// delete a never-published draft), the draft resources (listing, plan,
// price-and-availability-plan, reseller, cosell-listing) and submissions
// (targetType preview publishes the draft and runs certification; the id of
// a succeeded preview submission with targetType live goes live).
//
// Migration surface (no public API exists; same base URL, same $version):
//
//	GET  migration/partners/{partnerId}/prerequisites?publisherId={id} -> Prerequisites
//	GET  migration/partners/{partnerId}/solutions/{solutionId}         -> LegacySolution
//	POST migration/partners/{partnerId}/solutions/{solutionId}/migrate body MigrateRequest -> LegacySolution
//	POST migration/partners/{partnerId}/solutions/{solutionId}/merge   body MergeRequest   -> LegacySolution
//	POST migration/partners/{partnerId}/solutions/{solutionId}/discard                     -> LegacySolution
//	POST migration/partners/{partnerId}/solutions/{solutionId}/undo-discard                -> LegacySolution
//
// Errors of both surfaces are an ErrorResponse with an HTTP status: 400
// validation, 401/403 auth, 404 not found, 409 conflict (code
// inProgressSubmissionExists, noChangesToSubmit, productAlreadyExists,
// invalidState), 429 throttled with Retry-After (seconds), 5xx.
package wire

import (
	"strings"
	"time"
)

// Version is the API version sent as $version and in every $schema.
const Version = "2022-03-01-preview3"

// SchemaBase prefixes every $schema.
const SchemaBase = "https://schema.mp.microsoft.com/schema/"

// Resource kinds, the path segment of a $schema.
const (
	KindConfigure         = "configure"
	KindConfigureStatus   = "configure-status"
	KindProduct           = "product"
	KindListing           = "listing"
	KindPlan              = "plan"
	KindPriceAndAvail     = "price-and-availability-plan"
	KindReseller          = "reseller"
	KindCoSellListing     = "cosell-listing"
	KindSubmission        = "submission"
	KindResourceTree      = "resource-tree"
	KindPrerequisites     = "partner-prerequisites"
	KindLegacySolution    = "legacy-solution"
	KindMigrationRequest  = "legacy-solution-migrate"
	KindMergeRequest      = "legacy-solution-merge"
	VersionQueryParameter = "$version"
)

// Schema returns the $schema URI of a resource kind at Version.
func Schema(kind string) string { return SchemaBase + kind + "/" + Version }

// KindOf returns the kind of a $schema URI, or "" when it is not one of
// SchemaBase at Version.
func KindOf(schema string) string {
	rest, ok := strings.CutPrefix(schema, SchemaBase)
	if !ok {
		return ""
	}
	kind, version, ok := strings.Cut(rest, "/")
	if !ok || version != Version {
		return ""
	}
	return kind
}

// Durable IDs. Partner Center names resources by durable IDs such as
// "product/{guid}" and "submission/{productGuid}/{submissionId}"; the port
// carries the bare parts.

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

// PlanRef is the durable ID of a plan of a product; a
// price-and-availability-plan names the plan it prices by it.
func PlanRef(productID, planID string) string { return "plan/" + productID + "/" + planID }

// ParsePlanRef returns the product and plan IDs of a durable plan ID.
func ParsePlanRef(ref string) (productID, planID string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "plan/")
	if !ok {
		return "", "", false
	}
	productID, planID, ok = strings.Cut(rest, "/")
	return productID, planID, ok && productID != "" && planID != "" && !strings.Contains(planID, "/")
}

// Lifecycle states of a product.
const (
	LifecycleDraft      = "draft"
	LifecyclePublished  = "published"
	LifecycleDeprecated = "deprecated"
	LifecycleDeleted    = "deleted"
)

// Job states.
const (
	JobNotStarted = "notStarted"
	JobRunning    = "running"
	JobCompleted  = "completed"

	JobPending   = "pending"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// Submission targets and states.
const (
	TargetDraft   = "draft"
	TargetPreview = "preview"
	TargetLive    = "live"

	SubmissionInProgress = "inProgress"
	SubmissionCompleted  = "completed"
	// Submission results reuse JobPending, JobSucceeded and JobFailed.
)

// Resource is one resource of a configure request or a resource tree. Only
// the fields of its kind are set; Schema says which kind it is.
type Resource struct {
	Schema string `json:"$schema"`
	// ID is the durable ID of an existing resource.
	ID string `json:"id,omitempty"`
	// Product is the durable ID of the product a draft resource or
	// submission belongs to.
	Product string `json:"product,omitempty"`

	// product
	Identity       *Identity `json:"identity,omitempty"`
	Type           string    `json:"type,omitempty"`
	Alias          string    `json:"alias,omitempty"`
	PublisherID    string    `json:"publisherId,omitempty"`
	LifecycleState string    `json:"lifecycleState,omitempty"`

	// listing
	Kind              string   `json:"kind,omitempty"`
	LanguageID        string   `json:"languageId,omitempty"`
	Title             string   `json:"title,omitempty"`
	Summary           string   `json:"summary,omitempty"`
	ShortDescription  string   `json:"shortDescription,omitempty"`
	Description       string   `json:"description,omitempty"`
	PrivacyPolicyLink string   `json:"privacyPolicyLink,omitempty"`
	SupportLink       string   `json:"supportLink,omitempty"`
	Keywords          []string `json:"keywords,omitempty"`

	// plan (Identity is the plan ID, Alias its name) and
	// price-and-availability-plan (Plan names the plan's durable ID)
	Plan    string   `json:"plan,omitempty"`
	Pricing *Pricing `json:"pricing,omitempty"`
	Markets []string `json:"markets,omitempty"`

	// reseller
	ResellerChannelState string   `json:"resellerChannelState,omitempty"`
	PartnerIDs           []string `json:"partnerIds,omitempty"`

	// cosell-listing
	SolutionType    string     `json:"solutionType,omitempty"`
	SolutionAreas   []string   `json:"solutionAreas,omitempty"`
	Industries      []string   `json:"industries,omitempty"`
	Documents       []Document `json:"documents,omitempty"`
	Contacts        []Contact  `json:"contacts,omitempty"`
	LandingPageLink string     `json:"landingPageLink,omitempty"`

	// submission
	Target *Target `json:"target,omitempty"`
}

// Identity carries a resource's external ID (an offer ID or a plan ID).
type Identity struct {
	ExternalID string `json:"externalId"`
}

// Pricing is a plan's pricing model and monthly price in US dollars.
type Pricing struct {
	// Model is free, flatRate, perUser, byol or contact.
	Model string `json:"model"`
	Price string `json:"price,omitempty"`
}

// Reseller channel states.
const (
	ResellerDisabled      = "disabled"
	ResellerEnabled       = "enabled"
	ResellerSomeResellers = "someResellers"
)

// Document is a piece of co-sell collateral.
type Document struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Contact is a co-sell contact.
type Contact struct {
	Role  string `json:"role"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Target is where a submission publishes.
type Target struct {
	TargetType string `json:"targetType"`
}

// Configure is the body of POST configure.
type Configure struct {
	Schema    string     `json:"$schema"`
	Resources []Resource `json:"resources"`
}

// ConfigureStatus is a configure job.
type ConfigureStatus struct {
	Schema    string `json:"$schema"`
	JobID     string `json:"jobId"`
	JobStatus string `json:"jobStatus"`
	JobResult string `json:"jobResult"`
	// JobStart and JobEnd are RFC 3339 times.
	JobStart *time.Time `json:"jobStart,omitempty"`
	JobEnd   *time.Time `json:"jobEnd,omitempty"`
	// Resources are the resources the job created or changed, with their
	// durable IDs, once it succeeded.
	Resources []Resource `json:"resources,omitempty"`
	Errors    []Error    `json:"errors,omitempty"`
}

// ResourceTree is a product with its resources as of a target.
type ResourceTree struct {
	Schema    string     `json:"$schema"`
	Root      string     `json:"root"`
	Target    Target     `json:"target"`
	Resources []Resource `json:"resources"`
}

// Product is what GET product returns.
type Product struct {
	Schema         string   `json:"$schema"`
	ID             string   `json:"id"`
	Identity       Identity `json:"identity"`
	Type           string   `json:"type"`
	Alias          string   `json:"alias"`
	PublisherID    string   `json:"publisherId,omitempty"`
	LifecycleState string   `json:"lifecycleState"`
	// LiveSubmission is the durable ID of the submission now live.
	LiveSubmission string `json:"liveSubmission,omitempty"`
	// LiveLink is the customer-facing listing while live.
	LiveLink string `json:"liveLink,omitempty"`
	// CoSellStatus is notReady, coSellReady or incentiveEligible.
	CoSellStatus string `json:"coSellStatus,omitempty"`
	// MigratedFrom is the legacy solution the product was migrated from.
	MigratedFrom string `json:"migratedFrom,omitempty"`
	// MergedSolutions are the legacy solutions merged into the product.
	MergedSolutions []string `json:"mergedSolutions,omitempty"`
}

// Co-sell statuses.
const (
	CoSellNotReady          = "notReady"
	CoSellReady             = "coSellReady"
	CoSellIncentiveEligible = "incentiveEligible"
)

// Submission is a submission with its certification state.
type Submission struct {
	Schema  string `json:"$schema"`
	ID      string `json:"id"`
	Product string `json:"product"`
	Target  Target `json:"target"`
	Status  string `json:"status"`
	Result  string `json:"result"`
	// Created is an RFC 3339 time.
	Created             time.Time            `json:"created"`
	CertificationReport *CertificationReport `json:"certificationReport,omitempty"`
	PreviewLinks        []string             `json:"previewLinks,omitempty"`
	LiveLink            string               `json:"liveLink,omitempty"`
}

// CertificationReport lists a certification's actionable feedback.
type CertificationReport struct {
	Items []FeedbackItem `json:"items"`
}

// FeedbackItem is one actionable item.
type FeedbackItem struct {
	Code     string `json:"code"`
	Resource string `json:"resource,omitempty"`
	Message  string `json:"message"`
}

// List is a page of resources.
type List[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@nextLink,omitempty"`
}

// Error is an error of a job or an error response.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Target  string         `json:"target,omitempty"`
	Details []FeedbackItem `json:"details,omitempty"`
}

// ErrorResponse is the body of every 4xx and 5xx response.
type ErrorResponse struct {
	Error Error `json:"error"`
}

// Error codes.
const (
	CodeInProgressSubmission = "inProgressSubmissionExists"
	CodeNoChanges            = "noChangesToSubmit"
	CodeProductExists        = "productAlreadyExists"
	CodeInvalidState         = "invalidState"
	CodeNotFound             = "notFound"
	CodeBadRequest           = "badRequest"
	CodeThrottled            = "tooManyRequests"
	CodeUnauthorized         = "unauthorized"
	CodeInternal             = "internalServerError"
)

// Prerequisites are a partner's standing for acting on legacy solutions.
type Prerequisites struct {
	Schema             string `json:"$schema"`
	PartnerID          string `json:"partnerId"`
	MembershipValid    bool   `json:"membershipValid"`
	MarketplaceAccount bool   `json:"marketplaceAccount"`
	// PublisherRole is the caller's role on the publisher asked about.
	PublisherRole string `json:"publisherRole,omitempty"`
}

// LegacySolution is an OCP GTM solution.
type LegacySolution struct {
	Schema          string     `json:"$schema"`
	PartnerID       string     `json:"partnerId"`
	SolutionID      string     `json:"solutionId"`
	Name            string     `json:"name"`
	Summary         string     `json:"summary,omitempty"`
	State           string     `json:"state"`
	BillOfMaterials []Document `json:"billOfMaterials,omitempty"`
	// Product is the durable ID of the offer migrated or merged into.
	Product          string `json:"product,omitempty"`
	SupportRequestID string `json:"supportRequestId,omitempty"`
}

// Legacy solution states.
const (
	SolutionPendingMigration = "pendingMigration"
	SolutionMigrated         = "migrated"
	SolutionMergeRequested   = "mergeRequested"
	SolutionMerged           = "merged"
	SolutionDiscarded        = "discarded"
)

// MigrateRequest migrates a legacy solution into a new draft offer.
type MigrateRequest struct {
	Schema      string   `json:"$schema"`
	Identity    Identity `json:"identity"`
	Type        string   `json:"type"`
	PublisherID string   `json:"publisherId"`
}

// MergeRequest asks partner support to merge a legacy solution into a live
// offer named by its durable ID or its listing URL.
type MergeRequest struct {
	Schema     string `json:"$schema"`
	Product    string `json:"product,omitempty"`
	ListingURI string `json:"listingUri,omitempty"`
	OfferType  string `json:"offerType,omitempty"`
	OfferName  string `json:"offerName,omitempty"`
}

// Offer types: the API's names (the "type" of a product) by the names the
// MarketplaceOffer spec uses.
var OfferTypes = map[string]string{
	"SoftwareAsAService":            "softwareAsAService",
	"AzureApplication":              "azureApplication",
	"AzureContainer":                "azureContainer",
	"AzureVirtualMachine":           "azureVirtualMachine",
	"ConsultingService":             "consultingService",
	"Dynamics365BusinessCentral":    "dynamics365BusinessCentral",
	"Dynamics365CustomerEngagement": "dynamics365ForCustomerEngagement",
	"Dynamics365Operations":         "dynamics365ForOperations",
	"IoTEdgeModule":                 "iotEdgeModule",
	"ManagedService":                "managedService",
	"PowerBIApp":                    "powerBIApp",
	"PowerBIVisual":                 "powerBIVisual",
}

// OfferTypeFromWire returns the spec name of an API offer type, or "".
func OfferTypeFromWire(t string) string {
	for spec, w := range OfferTypes {
		if w == t {
			return spec
		}
	}
	return ""
}

// Pricing models by the port's names.
var PricingModels = map[string]string{
	"Free":     "free",
	"FlatRate": "flatRate",
	"PerUser":  "perUser",
	"BYOL":     "byol",
	"Contact":  "contact",
}

// PricingModelFromWire returns the port name of an API pricing model, or "".
func PricingModelFromWire(m string) string {
	for port, w := range PricingModels {
		if w == m {
			return port
		}
	}
	return ""
}

// MaxBodyBytes bounds every request and response body either side reads.
const MaxBodyBytes = 4 << 20

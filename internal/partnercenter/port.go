// Package partnercenter is the operator's port to Microsoft Partner Center:
// the one interface the controllers call, the domain types it carries, and
// the error classification every adapter reports through.
//
// Two adapters implement Client: the HTTP client of the real Product Ingestion
// API (package partnercenter/ingestion) and the embedded simulator (package
// simulator), which speaks the same wire format.
package partnercenter

import (
	"context"
	"time"
)

// Client is everything the controllers need from Partner Center. Every method
// honours the context's deadline and returns errors classified by Classify.
// Identifiers returned by Partner Center (product, submission, job and
// support-request IDs) are durable: the controllers persist them in status.
type Client interface {
	// Prerequisites reports whether partnerID may act on legacy solutions
	// and publish as publisherID. An empty publisherID skips the role check.
	Prerequisites(ctx context.Context, partnerID, publisherID string) (*Prerequisites, error)

	// GetSolution reads a legacy OCP GTM solution of a partner.
	GetSolution(ctx context.Context, partnerID, solutionID string) (*LegacySolution, error)
	// MigrateSolution turns a legacy solution into a new draft offer that
	// keeps its OCP GTM information and bill of materials. It is idempotent:
	// migrating a solution already migrated into the same offer returns it.
	// When a never-submitted draft with the request's offer ID exists (its
	// MarketplaceOffer was applied before the Solution), the migration
	// adopts that draft instead of creating a second product, adding the
	// bill of materials to its co-sell documents when it has none and
	// keeping everything else; any other product with that offer ID is a
	// Conflict.
	MigrateSolution(ctx context.Context, req MigrateRequest) (*LegacySolution, error)
	// RequestMerge opens the partner-support request that merges a legacy
	// solution into a live offer. Support completes it later; GetSolution
	// then reports SolutionStateMerged. Idempotent like MigrateSolution.
	RequestMerge(ctx context.Context, req MergeRequest) (*LegacySolution, error)
	// DiscardSolution marks a legacy solution discarded.
	DiscardSolution(ctx context.Context, partnerID, solutionID string) (*LegacySolution, error)
	// UndoDiscard returns a discarded solution to pending migration.
	UndoDiscard(ctx context.Context, partnerID, solutionID string) (*LegacySolution, error)

	// FindProduct looks a product up by its offer ID (the externalId). It
	// returns an error for which IsNotFound is true when there is none.
	FindProduct(ctx context.Context, offerID string) (*Product, error)
	// CreateProduct creates an empty draft product. It returns a Conflict
	// error when a product with that offer ID exists already.
	CreateProduct(ctx context.Context, spec ProductSpec) (*Product, error)
	// GetProduct reads a product by its durable ID.
	GetProduct(ctx context.Context, productID string) (*Product, error)
	// GetDraft reads the draft resources of a product.
	GetDraft(ctx context.Context, productID string) (*Draft, error)
	// ConfigureDraft starts a job that replaces the draft resources.
	ConfigureDraft(ctx context.Context, productID string, draft Draft) (*Job, error)
	// GetJob reads a configure job.
	GetJob(ctx context.Context, jobID string) (*Job, error)
	// SubmitPreview submits the current draft for certification and preview.
	// It returns a Conflict error with code CodeInProgressSubmission while
	// another submission is in progress, and one with code CodeNoChanges when
	// the draft has not changed since the last preview submission. After
	// either, ListSubmissions finds the submission to track instead.
	SubmitPreview(ctx context.Context, productID string) (*Submission, error)
	// GoLive publishes a certified preview submission to the marketplace.
	GoLive(ctx context.Context, productID, previewSubmissionID string) (*Submission, error)
	// GetSubmission reads a submission with its certification state.
	GetSubmission(ctx context.Context, productID, submissionID string) (*Submission, error)
	// ListSubmissions reads a product's submissions, newest first.
	ListSubmissions(ctx context.Context, productID string) ([]Submission, error)
	// StopSale deprecates a published product: it leaves the marketplace.
	StopSale(ctx context.Context, productID string) (*Job, error)
	// DeleteDraft deletes a product that was never published.
	DeleteDraft(ctx context.Context, productID string) error
}

// Prerequisites are what a partner needs before acting on legacy solutions.
type Prerequisites struct {
	// MembershipValid is true when the partner-network membership is valid.
	MembershipValid bool
	// MarketplaceAccount is true when the partner enrolled in the
	// commercial marketplace.
	MarketplaceAccount bool
	// PublisherRole is the role the operator's identity holds on the
	// publisher ("Admin", "Developer", another role, or empty for none).
	PublisherRole string
}

// CanPublish reports whether the role may edit and publish offers.
func (p Prerequisites) CanPublish() bool {
	return p.PublisherRole == RoleAdmin || p.PublisherRole == RoleDeveloper
}

// Publisher roles that may edit and publish offers.
const (
	RoleAdmin     = "Admin"
	RoleDeveloper = "Developer"
)

// SolutionState is the state of a legacy solution in the migration tool.
type SolutionState string

const (
	SolutionStatePendingMigration SolutionState = "PendingMigration"
	SolutionStateMigrated         SolutionState = "Migrated"
	SolutionStateMergeRequested   SolutionState = "MergeRequested"
	SolutionStateMerged           SolutionState = "Merged"
	SolutionStateDiscarded        SolutionState = "Discarded"
)

// LegacySolution is an OCP GTM solution awaiting (or past) its decision.
type LegacySolution struct {
	PartnerID  string
	SolutionID string
	Name       string
	Summary    string
	State      SolutionState
	// BillOfMaterials is the co-sell collateral the solution carries.
	BillOfMaterials []Document
	// ProductID is the offer the solution was migrated or merged into.
	ProductID string
	// SupportRequestID identifies the merge request, once opened.
	SupportRequestID string
}

// MigrateRequest migrates a legacy solution as a new draft offer.
type MigrateRequest struct {
	PartnerID   string
	SolutionID  string
	OfferID     string
	OfferType   string
	PublisherID string
}

// MergeRequest asks support to merge a legacy solution into a live offer,
// named either by its product ID or by its customer-facing listing URL.
type MergeRequest struct {
	PartnerID  string
	SolutionID string
	ProductID  string
	ListingURL string
	OfferType  string
	OfferName  string
}

// LifecycleState is where a product stands in the marketplace.
type LifecycleState string

const (
	// LifecycleDraft: never published.
	LifecycleDraft LifecycleState = "draft"
	// LifecyclePublished: has been in preview or live.
	LifecyclePublished LifecycleState = "published"
	// LifecycleDeprecated: sale stopped.
	LifecycleDeprecated LifecycleState = "deprecated"
)

// ProductSpec creates a product.
type ProductSpec struct {
	OfferID     string
	OfferType   string
	PublisherID string
	Name        string
}

// Product is an offer in the commercial marketplace.
type Product struct {
	ID          string
	OfferID     string
	OfferType   string
	PublisherID string
	Name        string
	State       LifecycleState
	// MigratedFrom is the legacy solution the draft was migrated from.
	MigratedFrom string
	// MergedSolutions are legacy solutions merged into this offer.
	MergedSolutions []string
	// LiveSubmissionID is the submission currently live, if any.
	LiveSubmissionID string
	// LiveURL is the customer-facing listing while live.
	LiveURL string
	// CoSellLevel is the co-sell level the live offer holds.
	CoSellLevel CoSellLevel
}

// CoSellLevel is the co-sell status Partner Center grants an offer.
type CoSellLevel string

const (
	CoSellNotReady          CoSellLevel = "NotReady"
	CoSellReady             CoSellLevel = "Ready"
	CoSellIncentiveEligible CoSellLevel = "IncentiveEligible"
)

// Draft holds the draft resources of an offer: what the tabs of Partner
// Center's offer editor hold. Slices are sorted by key so that two drafts
// compare equal when they mean the same.
type Draft struct {
	Listing Listing
	Plans   []Plan
	CoSell  CoSellListing
	Resell  Resell
}

// Listing is the offer's marketplace listing.
type Listing struct {
	Title            string
	Summary          string
	ShortDescription string
	Description      string
	PrivacyPolicyURL string
	SupportURL       string
	Keywords         []string
}

// Plan is one plan of an offer with its pricing.
type Plan struct {
	ID          string
	Name        string
	Description string
	// Pricing is the pricing model: "Free", "FlatRate", "PerUser",
	// "BYOL" or "Contact"; empty means none was set.
	Pricing string
	// Price is the monthly price in US dollars for FlatRate and PerUser.
	Price string
	// Markets are ISO 3166 alpha-2 market codes.
	Markets []string
}

// CoSellListing is the co-sell tab of an offer.
type CoSellListing struct {
	SolutionType   string
	SolutionAreas  []string
	Industries     []string
	Documents      []Document
	Contacts       []Contact
	LandingPageURL string
}

// Document is a piece of co-sell collateral.
type Document struct {
	// Type is one of the document types of the co-sell tab, such as
	// "SolutionOnePager", "PitchDeck", "ReferenceArchitecture",
	// "CaseStudy" or "Video".
	Type string
	URL  string
}

// Contact is a co-sell contact by role.
type Contact struct {
	// Role is "Engineering", "Marketing" or "Sales".
	Role  string
	Name  string
	Email string
}

// Resell configures who may resell the offer through CSP.
type Resell struct {
	// Policy is "None", "All" or "Specific".
	Policy string
	// PartnerIDs are the CSP partners allowed under "Specific".
	PartnerIDs []string
}

// JobStatus is the progress of an asynchronous configure job.
type JobStatus string

const (
	JobNotStarted JobStatus = "notStarted"
	JobRunning    JobStatus = "running"
	JobCompleted  JobStatus = "completed"
)

// JobResult is the outcome of a completed job.
type JobResult string

const (
	JobPending   JobResult = "pending"
	JobSucceeded JobResult = "succeeded"
	JobFailed    JobResult = "failed"
)

// Job is an asynchronous configure job.
type Job struct {
	ID     string
	Status JobStatus
	Result JobResult
	// Errors explain a failed job, with Partner Center's codes.
	Errors []FeedbackItem
}

// Done reports whether the job has finished, successfully or not.
func (j *Job) Done() bool { return j.Status == JobCompleted }

// SubmissionTarget is where a submission publishes.
type SubmissionTarget string

const (
	TargetPreview SubmissionTarget = "preview"
	TargetLive    SubmissionTarget = "live"
)

// SubmissionStatus is the progress of a submission.
type SubmissionStatus string

const (
	SubmissionInProgress SubmissionStatus = "inProgress"
	SubmissionCompleted  SubmissionStatus = "completed"
)

// SubmissionResult is the outcome of a completed submission.
type SubmissionResult string

const (
	SubmissionPending   SubmissionResult = "pending"
	SubmissionSucceeded SubmissionResult = "succeeded"
	SubmissionFailed    SubmissionResult = "failed"
)

// Submission publishes a draft to preview (after certification) or a
// certified preview to live.
type Submission struct {
	ID        string
	ProductID string
	Target    SubmissionTarget
	Status    SubmissionStatus
	Result    SubmissionResult
	// Feedback holds the certification report's actionable items.
	Feedback []FeedbackItem
	// PreviewURLs are the preview links of a succeeded preview submission.
	PreviewURLs []string
	// LiveURL is the listing of a succeeded live submission.
	LiveURL string
	Created time.Time
}

// FeedbackItem is one actionable item of a certification report or job.
type FeedbackItem struct {
	// Code is Partner Center's code, such as "privacyPolicyMissing".
	Code string
	// Resource names what the item is about, such as "listing" or "plan/basic".
	Resource string
	// Message tells the partner what to fix.
	Message string
}

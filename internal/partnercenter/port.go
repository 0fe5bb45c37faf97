// Package partnercenter is the operator's port to Microsoft Partner Center:
// the one interface the controllers call, the domain types it carries, and
// the error classification every adapter reports through.
//
// The HTTP adapter (package partnercenter/ingestion) implements Client
// against Microsoft's Product Ingestion API, and the Partner Ingestion API
// for the co-sell tab, or against the simulator that serves both; package
// partnercenter/fake is an in-memory Client for tests.
package partnercenter

import (
	"context"
	"strings"
	"time"
)

// Client is everything the controllers need from Partner Center. Every method
// honours the context's deadline and returns *Error values that ClassOf classifies.
// Identifiers returned by Partner Center (product, submission and job IDs)
// are durable: the controllers persist them in status.
//
// Partner Center works asynchronously and slowly: a configure job takes
// seconds to minutes, certification hours to days, and Microsoft asks
// clients to poll a job at most once a minute. So no method waits for a
// job. Every write returns the *Job Partner Center started; the caller
// records its ID, requeues after JobPollInterval, reads it with GetJob, and
// once it completed reads what it created with GetJobDetail.
type Client interface {
	// JobPollInterval is how long to wait between two reads of a job or of
	// a submission in certification at this Partner Center (one minute for
	// Microsoft's API unless configured otherwise).
	JobPollInterval() time.Duration

	// The OCP GTM migration. Microsoft publishes no API for it: against
	// Microsoft's hosts these return an Unsupported error that tells the
	// person what to do in Partner Center; only the simulator serves them
	// (as a simulator extension).

	// Prerequisites reports whether partnerID may act on legacy solutions
	// and publish as publisherID. An empty publisherID skips the role check.
	Prerequisites(ctx context.Context, partnerID, publisherID string) (*Prerequisites, error)
	// GetSolution reads a legacy OCP GTM solution of a partner.
	GetSolution(ctx context.Context, partnerID, solutionID string) (*LegacySolution, error)
	// MigrateSolution turns a legacy solution into a new draft offer (see
	// the simulator's documentation of the extension). Idempotent.
	MigrateSolution(ctx context.Context, req MigrateRequest) (*LegacySolution, error)
	// RequestMerge opens the partner-support request that merges a legacy
	// solution into a live offer. Idempotent like MigrateSolution.
	RequestMerge(ctx context.Context, req MergeRequest) (*LegacySolution, error)
	// DiscardSolution marks a legacy solution discarded.
	DiscardSolution(ctx context.Context, partnerID, solutionID string) (*LegacySolution, error)
	// UndoDiscard returns a discarded solution to pending migration.
	UndoDiscard(ctx context.Context, partnerID, solutionID string) (*LegacySolution, error)

	// FindProduct looks a product up by its offer ID (the externalId). It
	// returns an error for which IsNotFound is true when there is none.
	// Deleted products do not count.
	FindProduct(ctx context.Context, offerID string) (*Product, error)
	// GetProduct reads a product by its ID. A deleted product is not found.
	GetProduct(ctx context.Context, productID string) (*Product, error)
	// CreateProduct starts the job that creates an empty draft product.
	// Once the job succeeded, GetJobDetail names the product.
	CreateProduct(ctx context.Context, spec ProductSpec) (*Job, error)
	// GetDraft reads the draft resources of a product, as far as they have
	// a published shape (see Draft).
	GetDraft(ctx context.Context, productID string) (*Draft, error)
	// GetTarget reads one version of a product (draft, preview or live:
	// the resource tree of that target), converted like GetDraft. A
	// product not published that far is NotFound.
	GetTarget(ctx context.Context, productID string, target SubmissionTarget) (*Draft, error)
	// ConfigureDraft starts the job that writes the draft resources of an
	// offer of the given type. What has no published place for the offer
	// type is not sent and is listed in the job's Unwritten; when nothing
	// can be sent, no call is made and the job comes back completed,
	// succeeded and without an ID. Offer types whose listing and plans go
	// through the submission API (AzureApplication) are written there
	// synchronously: the job comes back completed without an ID too.
	ConfigureDraft(ctx context.Context, productID, offerType string, draft Draft) (*Job, error)
	// GetJob reads a configure job.
	GetJob(ctx context.Context, jobID string) (*Job, error)
	// GetJobDetail reads what a completed job created or updated, with the
	// resources' durable IDs. Partner Center refuses it for a job that has
	// not completed (a Conflict).
	GetJobDetail(ctx context.Context, jobID string) (*JobDetail, error)
	// SubmitPreview starts the job that publishes the draft to preview,
	// through certification. Once the job succeeded, GetJobDetail (or
	// ListSubmissions) names the preview submission.
	SubmitPreview(ctx context.Context, productID string) (*Job, error)
	// GoLive starts the job that publishes a certified preview submission
	// to the marketplace.
	GoLive(ctx context.Context, productID, previewSubmissionID string) (*Job, error)
	// GetSubmission reads a submission.
	GetSubmission(ctx context.Context, productID, submissionID string) (*Submission, error)
	// ListSubmissions reads a product's active submissions, the draft
	// entry included, newest first.
	ListSubmissions(ctx context.Context, productID string) ([]Submission, error)
	// StopSale starts the job that deprecates a live product (stop sell),
	// the documented way: its live submission with lifecycleState
	// deprecated. It takes effect in live without a new submission.
	StopSale(ctx context.Context, productID, liveSubmissionID string) (*Job, error)
	// DeleteDraft starts the job that deletes a product that was never
	// published (lifecycleState deleted); Partner Center refuses it for a
	// published product.
	DeleteDraft(ctx context.Context, product Product) (*Job, error)

	// ConfigureCoSell writes the co-sell tab of an offer through the
	// Partner Ingestion API's cosellListing, synchronously. It returns what
	// it could not write (no published field). For an offer type the API
	// does not serve, it returns an Unsupported error telling the person to
	// fill in the Co-sell tab in Partner Center.
	ConfigureCoSell(ctx context.Context, offerID, offerType string, cs CoSellListing) (unwritten []FeedbackItem, err error)
}

// Connector gives the Partner Center client that acts with a namespace's
// credentials (crossplane-runtime's ExternalConnecter, per namespace). The
// controllers call Connect once per reconcile with the object's namespace
// and use the client it returns for every call of that reconcile; a
// namespace without usable credentials gets an error that IsCredentials
// classifies, saying what to create or grant. Implementations cache: a
// Connect per reconcile is cheap.
type Connector interface {
	Connect(ctx context.Context, namespace string) (Client, error)
}

// ConnectorFunc adapts a function to Connector.
type ConnectorFunc func(ctx context.Context, namespace string) (Client, error)

// Connect calls f.
func (f ConnectorFunc) Connect(ctx context.Context, namespace string) (Client, error) {
	return f(ctx, namespace)
}

// Static is the Connector that gives c to every namespace: one credential
// for the whole cluster, a simulator, or a fake in tests.
func Static(c Client) Connector {
	return ConnectorFunc(func(context.Context, string) (Client, error) { return c, nil })
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

// LifecycleState is a product's or submission's lifecycleState, as the
// product schema publishes it.
type LifecycleState string

const (
	// LifecycleGenerallyAvailable is the default: the product may be sold.
	LifecycleGenerallyAvailable LifecycleState = "generallyAvailable"
	// LifecycleDeprecated: sale stopped (restore with generallyAvailable).
	LifecycleDeprecated LifecycleState = "deprecated"
	// LifecycleDeleted: a never-published draft was deleted; final.
	LifecycleDeleted LifecycleState = "deleted"
)

// ProductSpec creates a product: the product resource requires identity
// (the offer ID), type and alias.
type ProductSpec struct {
	OfferID   string
	OfferType string
	Name      string
}

// Product is an offer in the commercial marketplace: the published product
// resource, nothing more. Whether it is live, and with which submission,
// is read from ListSubmissions.
type Product struct {
	ID        string
	OfferID   string
	OfferType string
	Name      string
	// State is generallyAvailable unless the sale was stopped.
	State LifecycleState
}

// Draft holds the draft resources of an offer written through the Product
// Ingestion API: the listing, the plans with their pricing and markets, and
// the reseller configuration. The co-sell tab is another API's
// (ConfigureCoSell). Slices are sorted by key so that two drafts compare
// equal when they mean the same.
type Draft struct {
	Listing Listing
	Plans   []Plan
	Resell  Resell
}

// Listing is the offer's marketplace listing (the listing resource:
// Summary is its searchResultSummary, PrivacyPolicyURL its
// privacyPolicyLink, SupportURL its globalSupportWebsite). Keywords have no
// field in the published listing schema: they are never written.
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

// CoSellListing is the co-sell tab of an offer, written through the
// Partner Ingestion API's cosellListing: SolutionAreas and Contacts have
// fields there; SolutionType, Industries, LandingPageURL and Documents do
// not, and ConfigureCoSell names them as unwritten.
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

// JobResult is the outcome of a job.
type JobResult string

const (
	JobPending   JobResult = "pending"
	JobSucceeded JobResult = "succeeded"
	JobFailed    JobResult = "failed"
	// JobCancelled: the job was cancelled (POST configure/{jobId}/cancel).
	JobCancelled JobResult = "cancelled"
)

// Job is an asynchronous configure job.
type Job struct {
	// ID is Partner Center's job ID; empty for a job that needed no call.
	ID     string
	Status JobStatus
	Result JobResult
	// Start and End are zero while Partner Center reports placeholders.
	Start, End time.Time
	// Errors explain a failed job, with Partner Center's codes (the inner
	// error codes of the published schema) and the resource each is about.
	Errors []FeedbackItem
	// Unwritten lists what ConfigureDraft did not send because Partner
	// Center publishes no place for it (set only on the job ConfigureDraft
	// returns).
	Unwritten []FeedbackItem
}

// Done reports whether the job has finished, successfully or not.
func (j *Job) Done() bool { return j.Status == JobCompleted }

// Succeeded reports whether the job finished successfully.
func (j *Job) Succeeded() bool { return j.Done() && j.Result == JobSucceeded }

// JobDetail is what a completed job created or updated (configure-detail).
type JobDetail struct {
	JobID     string
	Resources []ResourceRef
}

// ResourceRef names one resource of a job detail.
type ResourceRef struct {
	// Kind is the resource kind of its $schema, such as "product".
	Kind string
	// DurableID is Partner Center's durable ID, such as "product/<guid>".
	DurableID string
	// ExternalID is the identity's externalId, for products and plans.
	ExternalID string
}

// ProductID returns the product the job created or updated (its bare ID),
// or "".
func (d *JobDetail) ProductID() string {
	for _, r := range d.Resources {
		if r.Kind == "product" {
			if id, ok := strings.CutPrefix(r.DurableID, "product/"); ok {
				return id
			}
		}
	}
	return ""
}

// SubmissionID returns the submission the job created or updated (its bare
// ID, the last segment of submission/<product>/<id>), or "".
func (d *JobDetail) SubmissionID() string {
	for _, r := range d.Resources {
		if r.Kind == "submission" {
			if rest, ok := strings.CutPrefix(r.DurableID, "submission/"); ok {
				if _, id, ok := strings.Cut(rest, "/"); ok && id != "" {
					return id
				}
			}
		}
	}
	return ""
}

// SubmissionTarget is where a submission publishes.
type SubmissionTarget string

const (
	// TargetDraft is the draft entry a product's submission list includes
	// (ID "0", no status).
	TargetDraft   SubmissionTarget = "draft"
	TargetPreview SubmissionTarget = "preview"
	TargetLive    SubmissionTarget = "live"
)

// SubmissionStatus is the progress of a submission; the draft entry has
// none ("").
type SubmissionStatus string

const (
	SubmissionNotStarted SubmissionStatus = "notStarted"
	SubmissionRunning    SubmissionStatus = "running"
	SubmissionCompleted  SubmissionStatus = "completed"
)

// SubmissionResult is the outcome of a submission.
type SubmissionResult string

const (
	SubmissionPending   SubmissionResult = "pending"
	SubmissionSucceeded SubmissionResult = "succeeded"
	SubmissionFailed    SubmissionResult = "failed"
)

// Submission publishes a draft to preview (after certification) or a
// certified preview to live. After a preview is pushed live, one
// submission stands for both until a new preview is made.
type Submission struct {
	ID        string
	ProductID string
	Target    SubmissionTarget
	Status    SubmissionStatus
	Result    SubmissionResult
	// State is deprecated once the product's sale was stopped through this
	// (live) submission.
	State LifecycleState
	// Feedback holds the submission's validations (warnings and
	// informational items).
	Feedback []FeedbackItem
	// Created is zero for the draft entry.
	Created time.Time
}

// IsDraft reports whether s is the draft entry of the submission list.
func (s *Submission) IsDraft() bool { return s.Target == TargetDraft }

// FeedbackItem is one actionable item of a job or a submission.
type FeedbackItem struct {
	// Code is Partner Center's code, such as "businessValidationError".
	Code string
	// Resource names what the item is about: a durable ID, an external ID,
	// or the spec field.
	Resource string
	// Message tells the partner what to fix.
	Message string
}

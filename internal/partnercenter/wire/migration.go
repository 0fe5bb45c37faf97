package wire

// The OCP GTM migration: a SIMULATOR EXTENSION. Microsoft publishes no API
// for it (the migration tool is Partner Center's UI; migrate was withdrawn
// on 17 May 2021 and a merge is a partner support ticket). The simulator
// serves it relative to its server root; the adapter calls it only for a
// simulator host, never for Microsoft's:
//
//	GET  /simulator/ocp-gtm/partners/{partnerId}/prerequisites?publisherId={id} -> Prerequisites
//	GET  /simulator/ocp-gtm/partners/{partnerId}/solutions                     -> {"value":[LegacySolution]}
//	GET  /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}        -> LegacySolution
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/migrate body MigrateRequest -> LegacySolution
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/merge   body MergeRequest   -> LegacySolution
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/discard                     -> LegacySolution
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/undo-discard                -> LegacySolution
//
// Errors use the published shape ErrorResponse.

// MigrationPathPrefix is the extension's path relative to the server root.
var MigrationPathPrefix = []string{"simulator", "ocp-gtm", "partners"}

// Prerequisites are a partner's standing for acting on legacy solutions.
type Prerequisites struct {
	Schema             string `json:"$schema,omitempty"`
	PartnerID          string `json:"partnerId"`
	MembershipValid    bool   `json:"membershipValid"`
	MarketplaceAccount bool   `json:"marketplaceAccount"`
	// PublisherRole is the caller's role on the publisher asked about.
	PublisherRole string `json:"publisherRole,omitempty"`
}

// Document is a piece of a legacy solution's co-sell collateral.
type Document struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// LegacySolution is an OCP GTM solution.
type LegacySolution struct {
	Schema          string     `json:"$schema,omitempty"`
	PartnerID       string     `json:"partnerId"`
	SolutionID      string     `json:"solutionId"`
	Name            string     `json:"name"`
	Summary         string     `json:"summary,omitempty"`
	State           string     `json:"state"`
	BillOfMaterials []Document `json:"billOfMaterials,omitempty"`
	// Product is the durable ID (product/<guid>) or bare GUID of the offer
	// migrated or merged into.
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
	Schema      string   `json:"$schema,omitempty"`
	Identity    Identity `json:"identity"`
	Type        string   `json:"type"`
	PublisherID string   `json:"publisherId"`
}

// MergeRequest asks partner support to merge a legacy solution into a live
// offer named by its durable ID or its listing URL.
type MergeRequest struct {
	Schema     string `json:"$schema,omitempty"`
	Product    string `json:"product,omitempty"`
	ListingURI string `json:"listingUri,omitempty"`
	OfferType  string `json:"offerType,omitempty"`
	OfferName  string `json:"offerName,omitempty"`
}

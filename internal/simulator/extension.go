package simulator

// Simulator extensions: routes and shapes Microsoft does not publish,
// served under /simulator/ and never called against a Microsoft host.
//
// The OCP GTM migration extension keeps the JSON shapes of the operator's
// extension types (package wire: Prerequisites, LegacySolution,
// MigrateRequest, MergeRequest); they are written out here so that the
// simulator does not follow the client's Go types. "$schema" is tolerated
// and ignored on requests, and not answered.

// ExtensionPrefix is where the simulator's extensions are served.
const ExtensionPrefix = "/simulator"

// Legacy solution states (extension).
const (
	solutionPendingMigration = "pendingMigration"
	solutionMigrated         = "migrated"
	solutionMergeRequested   = "mergeRequested"
	solutionMerged           = "merged"
	solutionDiscarded        = "discarded"
)

// Extension error codes, in the documented HTTP error envelope.
const (
	// extProductExists: a migration names an offer ID that belongs to a
	// product that is not a never-submitted draft (409).
	extProductExists = "productAlreadyExists"
	// extInvalidState: the solution's state does not allow the action (409).
	extInvalidState = "invalidState"
)

// document is a piece of co-sell collateral of a legacy solution's bill of
// materials.
type document struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// prerequisites answers GET /simulator/ocp-gtm/partners/{id}/prerequisites.
type prerequisites struct {
	PartnerID          string `json:"partnerId"`
	MembershipValid    bool   `json:"membershipValid"`
	MarketplaceAccount bool   `json:"marketplaceAccount"`
	PublisherRole      string `json:"publisherRole,omitempty"`
}

// legacySolution is an OCP GTM solution. Product is the bare GUID of the
// Product Ingestion product (durable ID product/<guid>) it was migrated or
// merged into.
type legacySolution struct {
	PartnerID        string     `json:"partnerId"`
	SolutionID       string     `json:"solutionId"`
	Name             string     `json:"name"`
	Summary          string     `json:"summary,omitempty"`
	State            string     `json:"state"`
	BillOfMaterials  []document `json:"billOfMaterials,omitempty"`
	Product          string     `json:"product,omitempty"`
	SupportRequestID string     `json:"supportRequestId,omitempty"`
}

// migrateRequest migrates a legacy solution into a new draft offer.
type migrateRequest struct {
	Schema      string   `json:"$schema,omitempty"`
	Identity    identity `json:"identity"`
	Type        string   `json:"type"`
	PublisherID string   `json:"publisherId"`
}

// mergeRequest asks partner support to merge a legacy solution into a live
// offer named by its durable ID or its listing URL.
type mergeRequest struct {
	Schema     string `json:"$schema,omitempty"`
	Product    string `json:"product,omitempty"`
	ListingURI string `json:"listingUri,omitempty"`
	OfferType  string `json:"offerType,omitempty"`
	OfferName  string `json:"offerName,omitempty"`
}

func (s *solutionRec) answer() legacySolution {
	return legacySolution{PartnerID: s.PartnerID, SolutionID: s.SolutionID, Name: s.Name, Summary: s.Summary,
		State: s.State, BillOfMaterials: append([]document(nil), s.BillOfMaterials...), Product: s.Product,
		SupportRequestID: s.SupportRequestID}
}

// productTypes is the product schema's type enum.
var productTypes = []string{"azureApplication", "azureContainer", "azureVirtualMachine", "consultingService",
	"containerApp", "coreVirtualMachine", "cosellOnly", "dynamics365BusinessCentral",
	"dynamics365ForCustomerEngagement", "dynamics365ForOperations", "iotEdgeModule", "managedService",
	"powerBiApp", "powerBiVisual", "softwareAsAService", "xbox360NonBackcompat"}

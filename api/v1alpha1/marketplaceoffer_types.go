package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OfferType is the kind of commercial-marketplace offer: the types of the
// published product schema (CoSellOnly is what many OCP GTM solutions
// were: listed for co-sell, not transacted).
// +kubebuilder:validation:Enum=SoftwareAsAService;AzureApplication;AzureContainer;AzureVirtualMachine;ConsultingService;ContainerApp;CoSellOnly;Dynamics365BusinessCentral;Dynamics365CustomerEngagement;Dynamics365Operations;IoTEdgeModule;ManagedService;PowerBIApp;PowerBIVisual
type OfferType string

const (
	OfferTypeSoftwareAsAService            OfferType = "SoftwareAsAService"
	OfferTypeAzureApplication              OfferType = "AzureApplication"
	OfferTypeAzureContainer                OfferType = "AzureContainer"
	OfferTypeAzureVirtualMachine           OfferType = "AzureVirtualMachine"
	OfferTypeConsultingService             OfferType = "ConsultingService"
	OfferTypeDynamics365BusinessCentral    OfferType = "Dynamics365BusinessCentral"
	OfferTypeDynamics365CustomerEngagement OfferType = "Dynamics365CustomerEngagement"
	OfferTypeDynamics365Operations         OfferType = "Dynamics365Operations"
	OfferTypeIoTEdgeModule                 OfferType = "IoTEdgeModule"
	OfferTypeManagedService                OfferType = "ManagedService"
	OfferTypePowerBIApp                    OfferType = "PowerBIApp"
	OfferTypePowerBIVisual                 OfferType = "PowerBIVisual"
	OfferTypeCoSellOnly                    OfferType = "CoSellOnly"
	OfferTypeContainerApp                  OfferType = "ContainerApp"
)

// OfferTarget is how far the operator takes an offer.
// +kubebuilder:validation:Enum=Draft;Preview;Live
type OfferTarget string

const (
	// TargetDraft keeps the offer a draft in Partner Center.
	TargetDraft OfferTarget = "Draft"
	// TargetPreview certifies the draft and publishes it to preview.
	TargetPreview OfferTarget = "Preview"
	// TargetLive certifies the draft and publishes it live.
	TargetLive OfferTarget = "Live"
)

// DeletionPolicy says what deleting the object does to the offer.
// +kubebuilder:validation:Enum=Orphan;Delete
type DeletionPolicy string

const (
	// DeletionPolicyOrphan leaves the offer in Partner Center as it is.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
	// DeletionPolicyDelete stops sale of a published offer and deletes a
	// never-published draft, unless the offer is suspended.
	DeletionPolicyDelete DeletionPolicy = "Delete"
)

// ManagementPolicy says what the operator may do in Partner Center.
// +kubebuilder:validation:Enum=Manage;Observe
type ManagementPolicy string

// DriftPolicy says what the operator does with a draft changed in Partner
// Center outside it (in the portal or by another client).
// +kubebuilder:validation:Enum=Correct;Report
type DriftPolicy string

const (
	// DriftPolicyCorrect writes the spec's draft back (Git wins).
	DriftPolicyCorrect DriftPolicy = "Correct"
	// DriftPolicyReport leaves the changed draft as it is, reports what
	// differs in the InSync condition and a Warning event, and stalls the
	// offer (Ready False) while it differs.
	DriftPolicyReport DriftPolicy = "Report"
)

const (
	// ManagementPolicyManage makes Partner Center hold what the spec says.
	ManagementPolicyManage ManagementPolicy = "Manage"
	// ManagementPolicyObserve only reads Partner Center and reports how it
	// differs from the spec; it writes nothing.
	ManagementPolicyObserve ManagementPolicy = "Observe"
)

// BEGIN offer-type rules: written by hack/offerrules from the table in
// internal/partnercenter/wire/offertypes.go (api/v1alpha1 offerrules.go);
// `make manifests` rewrites them.
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['ConsultingService', 'ContainerApp', 'CoSellOnly', 'Dynamics365BusinessCentral', 'Dynamics365CustomerEngagement', 'Dynamics365Operations', 'IoTEdgeModule', 'ManagedService', 'PowerBIApp', 'PowerBIVisual']) || (!has(self.listing))",messageExpression="'the listing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is edited in Partner Center: remove spec.listing'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine', 'AzureContainer', 'AzureApplication']) || (has(self.listing))",messageExpression="'the listing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is written from spec.listing: set spec.listing (title, summary and description)'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine', 'AzureContainer', 'ConsultingService', 'ContainerApp', 'CoSellOnly', 'Dynamics365BusinessCentral', 'Dynamics365CustomerEngagement', 'Dynamics365Operations', 'IoTEdgeModule', 'ManagedService', 'PowerBIApp', 'PowerBIVisual']) || (!has(self.listing) || !has(self.listing.keywords) || size(self.listing.keywords) == 0)",messageExpression="'the search keywords of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer are edited in Partner Center (the published listing schema has no field for them): remove spec.listing.keywords'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['ConsultingService', 'ContainerApp', 'CoSellOnly', 'Dynamics365BusinessCentral', 'Dynamics365CustomerEngagement', 'Dynamics365Operations', 'IoTEdgeModule', 'ManagedService', 'PowerBIApp', 'PowerBIVisual']) || (!has(self.plans) || size(self.plans) == 0)",messageExpression="'the plans of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer are edited in Partner Center: remove spec.plans'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['AzureContainer', 'AzureApplication']) || (!has(self.plans) || self.plans.all(p, !has(p.pricing)))",messageExpression="'the plan pricing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is edited in Partner Center: remove pricing and price from spec.plans'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService']) || (!has(self.plans) || self.plans.all(p, !has(p.pricing) || p.pricing in ['FlatRate', 'PerUser']))",messageExpression="'the plan pricing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is written from spec.plans only as FlatRate, PerUser; other pricing is edited in Partner Center: change or remove it in spec.plans'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['AzureVirtualMachine']) || (!has(self.plans) || self.plans.all(p, !has(p.pricing) || p.pricing in ['Free', 'FlatRate', 'BYOL']))",messageExpression="'the plan pricing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is written from spec.plans only as Free, FlatRate, BYOL; other pricing is edited in Partner Center: change or remove it in spec.plans'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['AzureApplication', 'ConsultingService', 'ContainerApp', 'CoSellOnly', 'Dynamics365BusinessCentral', 'Dynamics365CustomerEngagement', 'Dynamics365Operations', 'IoTEdgeModule', 'ManagedService', 'PowerBIApp', 'PowerBIVisual']) || (!has(self.resell))",messageExpression="'the CSP resell configuration of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is edited in Partner Center: remove spec.resell'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine', 'AzureContainer']) || (!has(self.resell) || self.resell.policy != 'Specific')",messageExpression="'resell of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer through specific CSP partners is chosen in Partner Center (the published reseller schema has no place for partner IDs): set spec.resell.policy to All or None'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['ConsultingService', 'ContainerApp', 'CoSellOnly', 'IoTEdgeModule', 'ManagedService', 'PowerBIApp', 'PowerBIVisual']) || (!has(self.coSell))",messageExpression="'the co-sell tab of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is edited in Partner Center (the Partner Ingestion API does not serve it): remove spec.coSell'"
// +kubebuilder:validation:XValidation:rule="!has(self.coSell) || !(has(self.managedInPartnerCenter) && 'CoSell' in self.managedInPartnerCenter)",messageExpression="'the co-sell tab of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is kept either in Git or in Partner Center: remove spec.coSell or CoSell from spec.managedInPartnerCenter'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine', 'AzureContainer', 'AzureApplication']) || (!(has(self.managedInPartnerCenter) && 'Listing' in self.managedInPartnerCenter))",messageExpression="'the listing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is written from spec.listing: remove Listing from spec.managedInPartnerCenter'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine', 'AzureContainer', 'AzureApplication']) || (!(has(self.managedInPartnerCenter) && 'Plans' in self.managedInPartnerCenter))",messageExpression="'the plans of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer are written from spec.plans: remove Plans from spec.managedInPartnerCenter'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine']) || (!(has(self.managedInPartnerCenter) && 'Pricing' in self.managedInPartnerCenter))",messageExpression="'the plan pricing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is written from spec.plans[].pricing: remove Pricing from spec.managedInPartnerCenter'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine', 'AzureContainer']) || (!(has(self.managedInPartnerCenter) && 'Resell' in self.managedInPartnerCenter))",messageExpression="'the CSP resell configuration of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is written from spec.resell: remove Resell from spec.managedInPartnerCenter'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['ConsultingService', 'ContainerApp', 'CoSellOnly', 'Dynamics365BusinessCentral', 'Dynamics365CustomerEngagement', 'Dynamics365Operations', 'IoTEdgeModule', 'ManagedService', 'PowerBIApp', 'PowerBIVisual']) || (has(self.managedInPartnerCenter) && 'Listing' in self.managedInPartnerCenter)",messageExpression="'the listing of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is edited in Partner Center, which the operator cannot write: add Listing to spec.managedInPartnerCenter'"
// +kubebuilder:validation:XValidation:rule="!(self.offerType in ['SoftwareAsAService', 'AzureVirtualMachine', 'AzureContainer', 'AzureApplication']) || (has(self.managedInPartnerCenter) && 'TechnicalConfiguration' in self.managedInPartnerCenter)",messageExpression="'the technical configuration of ' + (self.offerType.matches('^[AEIOU]') ? 'an ' : 'a ') + self.offerType + ' offer is edited in Partner Center, which the operator cannot write: add TechnicalConfiguration to spec.managedInPartnerCenter'"
// END offer-type rules

// MarketplaceOfferSpec is the desired state of an offer. What of it an
// offer type lets Git manage follows the table in
// internal/partnercenter/wire/offertypes.go: the rest is refused with a
// message that says where it is edited (OfferTypeRefusals).
type MarketplaceOfferSpec struct {
	// offerID is the offer's external ID in Partner Center: 3 to 50
	// characters, lowercase letters, digits, '-' and '_', starting with a
	// letter or digit. It appears in the offer's URLs. Immutable.
	// +required
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=50
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9][a-z0-9-_]{2,49}$')",messageExpression="'offerID ' + self + ' is not valid: use 3 to 50 lowercase letters, digits, - or _, starting with a letter or digit'"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="offerID is immutable: Partner Center cannot rename an offer; create a new MarketplaceOffer instead"
	OfferID string `json:"offerID"`

	// offerType is the kind of offer, which fixes the tabs Partner Center
	// shows and the storefront it lists on. Immutable.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="offerType is immutable: Partner Center cannot change an offer's type; create a new MarketplaceOffer instead"
	OfferType OfferType `json:"offerType"`

	// publisherID is the publisher profile in Partner Center that owns the
	// offer: 3 to 50 lowercase letters, digits, '-' and '_'. Immutable.
	// +required
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=50
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9-_]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="publisherID is immutable: an offer cannot move between publishers"
	PublisherID string `json:"publisherID"`

	// target is how far to take the offer: Draft keeps it a draft, Preview
	// certifies it and publishes a preview, Live also publishes it to the
	// marketplace. Lowering the target does not unpublish.
	// +required
	Target OfferTarget `json:"target"`

	// listing is the offer's marketplace listing: required for the offer
	// types whose listing the operator writes (SoftwareAsAService,
	// AzureVirtualMachine, AzureContainer, AzureApplication) and refused
	// for the others, whose listing is edited in Partner Center.
	// +optional
	Listing OfferListing `json:"listing,omitzero"`

	// plans are the offer's plans, keyed by id. Consulting services have
	// none; Partner Center refuses to certify other transactable offer
	// types without one.
	// +optional
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=100
	Plans []Plan `json:"plans,omitempty"`

	// coSell is the co-sell tab: what makes the offer co-sell ready or
	// incentive eligible with Microsoft's sellers.
	// +optional
	CoSell *CoSell `json:"coSell,omitempty"`

	// resell configures who may resell the offer through the Cloud
	// Solution Provider (CSP) program. Omitted means None.
	// +optional
	Resell *Resell `json:"resell,omitempty"`

	// managedInPartnerCenter declares the parts of the offer that are
	// kept in Partner Center, not in Git: the operator writes none of
	// them, and Ready speaks only for the rest. It must name what Partner
	// Center needs and the operator cannot write for the offer type (the
	// TechnicalConfiguration of SoftwareAsAService, AzureVirtualMachine,
	// AzureContainer and AzureApplication offers; the Listing of the other
	// types) and must not name a part the operator writes from the spec.
	// Plans, Pricing, Resell and CoSell may be named where the operator
	// cannot write them. docs/guides/what-git-manages.md has the table.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=6
	ManagedInPartnerCenter []PartnerCenterPart `json:"managedInPartnerCenter,omitempty"`

	// migrateFrom declares that the offer is the migration of a legacy OCP
	// GTM solution, whose draft the Solution of this namespace with action
	// Migrate, this spec.solutionID and spec.migrate.offerRef naming this
	// offer makes. Until it has, the offer creates, writes and submits
	// nothing in Partner Center, in whichever order and however far apart
	// the two objects are applied: it waits (Reconciling, reason
	// WaitingForMigration, naming what it waits for), also while no such
	// Solution exists, and stalls (MigrationStalled) while that Solution is
	// stalled. Without migrateFrom, an offer applied before its Solution
	// may submit a draft of its own first, which a migration cannot take.
	// Read until status.productID is recorded; removing it lets a waiting
	// offer create its own draft.
	// +optional
	MigrateFrom *MigrateFrom `json:"migrateFrom,omitempty"`

	// deletionPolicy says what deleting this object does in Partner Center:
	// Orphan (default) leaves the offer alone; Delete stops sale of a
	// published offer and deletes a never-published draft. Deleting an
	// offer while spec.suspend is true leaves Partner Center alone with
	// either policy, and so does deleting an object that does not own its
	// offer ID (see the OfferIDTaken reason).
	// +optional
	// +kubebuilder:default=Orphan
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy says what the operator may do in Partner Center.
	// Manage (also when omitted) makes Partner Center hold what the spec
	// says. Observe only reads: the operator compares the spec with the
	// product, its draft and its published version, reports the
	// differences in the InSync condition and an event, and writes
	// nothing, not on deletion either (deletionPolicy is not carried
	// out), so that a team can review before it lets Git win. Switching
	// back to Manage writes the spec. Crossplane's managementPolicies
	// ["Observe"] is the model.
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// driftPolicy says what the operator does, in managementPolicy
	// Manage, when the resync finds the draft changed in Partner Center
	// outside it. Correct (the default) writes the spec's draft back.
	// Report keeps managing the offer's lifecycle (an edit of the spec is
	// still written and published) but leaves a change made outside as it
	// is: the InSync condition turns False with reason DriftReported,
	// listing the fields that differ, and once the lifecycle is done the
	// offer is Stalled (Ready False) with the same reason and a Warning
	// event, since Partner Center does not hold what the spec declares,
	// until the draft holds it again.
	// +optional
	// +kubebuilder:default=Correct
	DriftPolicy DriftPolicy `json:"driftPolicy,omitempty"`

	// suspend stops the operator from acting on this offer until cleared:
	// nothing is written to Partner Center, also not on deletion. The
	// Ready condition is removed until the offer is resumed, and changes
	// made while suspended are not counted in status.observedGeneration.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// resyncInterval is how often the operator reads the offer back from
	// Partner Center to find changes made outside it (a draft edited in
	// the portal is written back; a sale stopped or a product deleted
	// stalls the offer). Default: the manager's --resync-interval (1h).
	// Each object is read back at its own moment of the period, so that
	// objects created together do not all read at once.
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m') && duration(self) <= duration('168h')",message="resyncInterval must be between 1m and 168h"
	ResyncInterval *metav1.Duration `json:"resyncInterval,omitempty"`
}

// MigrateFrom names the legacy OCP GTM solution an offer is migrated from.
type MigrateFrom struct {
	// solutionID is the legacy solution's ID, as the migrating Solution's
	// spec.solutionID gives it.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	SolutionID string `json:"solutionID"`
}

// OfferListing is the marketplace listing of an offer.
type OfferListing struct {
	// title is the offer's name in the marketplace, up to 50 characters.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=50
	Title string `json:"title"`

	// summary is the search-results summary, up to 100 characters.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Summary string `json:"summary"`

	// shortDescription is shown on the offer's page, up to 256 characters.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	ShortDescription string `json:"shortDescription,omitempty"`

	// description is the offer's description, up to 5,000 characters; basic
	// HTML is allowed. Certification asks for at least 100 characters.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=5000
	Description string `json:"description"`

	// privacyPolicyURL is the https link to the publisher's privacy policy,
	// which certification requires.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="privacyPolicyURL must be an https URL"
	PrivacyPolicyURL string `json:"privacyPolicyURL,omitempty"`

	// supportURL is the https link where customers get support.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="supportURL must be an https URL"
	SupportURL string `json:"supportURL,omitempty"`

	// keywords help customers find the offer: up to 3, each up to 50
	// characters. The published listing schema has no field for them, so
	// admission refuses them: they are edited in Partner Center.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=3
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=50
	Keywords []string `json:"keywords,omitempty"`
}

// IsZero reports whether the listing is empty, which leaves it out of
// the object.
func (l OfferListing) IsZero() bool {
	return l.Title == "" && l.Summary == "" && l.ShortDescription == "" && l.Description == "" &&
		l.PrivacyPolicyURL == "" && l.SupportURL == "" && len(l.Keywords) == 0
}

// PricingModel is how a plan is priced.
// +kubebuilder:validation:Enum=Free;FlatRate;PerUser;BYOL;Contact
type PricingModel string

const (
	PricingFree     PricingModel = "Free"
	PricingFlatRate PricingModel = "FlatRate"
	PricingPerUser  PricingModel = "PerUser"
	PricingBYOL     PricingModel = "BYOL"
	PricingContact  PricingModel = "Contact"
)

// Plan is one plan of an offer.
// +kubebuilder:validation:XValidation:rule="!has(self.pricing) || !(self.pricing in ['FlatRate', 'PerUser']) || has(self.price)",messageExpression="'plan ' + self.id + ' is priced ' + self.pricing + ' and needs a price, such as \"99.00\"'"
// +kubebuilder:validation:XValidation:rule="!has(self.price) || (has(self.pricing) && self.pricing in ['FlatRate', 'PerUser'])",messageExpression="'plan ' + self.id + ' sets a price, which only FlatRate and PerUser pricing use; set pricing or remove price'"
type Plan struct {
	// id is the plan's ID, unique within the offer: 3 to 50 lowercase
	// letters, digits, '-' and '_'.
	// +required
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=50
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9][a-z0-9-_]{2,49}$')",messageExpression="'plan id ' + self + ' is not valid: use 3 to 50 lowercase letters, digits, - or _'"
	ID string `json:"id"`

	// name is the plan's name as customers see it, up to 200 characters.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	Name string `json:"name"`

	// description tells customers what the plan offers, up to 3,000
	// characters.
	// +optional
	// +kubebuilder:validation:MaxLength=3000
	Description string `json:"description,omitempty"`

	// pricing is the plan's pricing model. Certification refuses a plan of
	// a transactable offer without one.
	// +optional
	Pricing PricingModel `json:"pricing,omitempty"`

	// price is the monthly price in US dollars for FlatRate and PerUser
	// pricing, such as "99.00": up to 7 integer digits and 2 decimals, the
	// amounts the embedded simulator accepts (internal/simulator,
	// configure_request.go); Microsoft publishes no limit.
	// +optional
	// +kubebuilder:validation:MaxLength=10
	// +kubebuilder:validation:Pattern=`^[0-9]{1,7}(\.[0-9]{1,2})?$`
	Price string `json:"price,omitempty"`

	// markets are the ISO 3166 alpha-2 codes of the markets the plan is
	// sold in, such as US or DE. Omitted means Partner Center's default.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=250
	// +kubebuilder:validation:items:Pattern=`^[A-Z]{2}$`
	Markets []string `json:"markets,omitempty"`
}

// CoSellSolutionType is the kind of solution for co-sell.
// +kubebuilder:validation:Enum=Software;Services;Device;SoftwareAndServices
type CoSellSolutionType string

// DocumentType is a kind of co-sell collateral.
// +kubebuilder:validation:Enum=SolutionOnePager;PitchDeck;ReferenceArchitecture;CaseStudy;Whitepaper;Video;RevenueValidation;TechnicalValidation
type DocumentType string

const (
	DocumentSolutionOnePager      DocumentType = "SolutionOnePager"
	DocumentPitchDeck             DocumentType = "PitchDeck"
	DocumentReferenceArchitecture DocumentType = "ReferenceArchitecture"
	DocumentCaseStudy             DocumentType = "CaseStudy"
	DocumentWhitepaper            DocumentType = "Whitepaper"
	DocumentVideo                 DocumentType = "Video"
	DocumentRevenueValidation     DocumentType = "RevenueValidation"
	DocumentTechnicalValidation   DocumentType = "TechnicalValidation"
)

// ContactRole is the role of a co-sell contact.
// +kubebuilder:validation:Enum=Engineering;Marketing;Sales
type ContactRole string

// CoSell is the co-sell tab of an offer. Co-sell ready needs a solution
// one-pager and pitch deck, contacts, 1 to 5 solution areas and a landing
// page; incentive eligible adds a reference architecture and a revenue or
// technical validation.
type CoSell struct {
	// solutionType is the kind of solution.
	// +required
	SolutionType CoSellSolutionType `json:"solutionType"`

	// solutionAreas are the Microsoft solution areas the offer belongs to,
	// 1 to 5, such as "Data & AI" or "Security".
	// +required
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=5
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=100
	SolutionAreas []string `json:"solutionAreas"`

	// industries the offer targets, up to 3, such as "Retail".
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=3
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=100
	Industries []string `json:"industries,omitempty"`

	// documents are the co-sell collateral, one per type.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Documents []CoSellDocument `json:"documents,omitempty"`

	// contacts are the partner's co-sell contacts, one per role.
	// +optional
	// +listType=map
	// +listMapKey=role
	// +kubebuilder:validation:MaxItems=3
	Contacts []CoSellContact `json:"contacts,omitempty"`

	// landingPageURL is the https page Microsoft's sellers send customers to.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="landingPageURL must be an https URL"
	LandingPageURL string `json:"landingPageURL,omitempty"`
}

// CoSellDocument is one piece of co-sell collateral.
type CoSellDocument struct {
	// type is the kind of document.
	// +required
	Type DocumentType `json:"type"`

	// url is where the document is, over https.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="document url must be an https URL"
	URL string `json:"url"`
}

// CoSellContact is a co-sell contact.
type CoSellContact struct {
	// role is what the contact does for co-sell.
	// +required
	Role ContactRole `json:"role"`

	// name is the contact's full name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Name string `json:"name"`

	// email is the contact's email address.
	// +required
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=254
	// +kubebuilder:validation:XValidation:rule="self.matches('^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$')",messageExpression="'contact email ' + self + ' is not an email address'"
	Email string `json:"email"`
}

// ResellPolicy says which CSP partners may resell an offer.
// +kubebuilder:validation:Enum=None;All;Specific
type ResellPolicy string

const (
	ResellNone     ResellPolicy = "None"
	ResellAll      ResellPolicy = "All"
	ResellSpecific ResellPolicy = "Specific"
)

// Resell configures reselling through the Cloud Solution Provider program.
// +kubebuilder:validation:XValidation:rule="self.policy == 'Specific' ? has(self.partnerIDs) && size(self.partnerIDs) > 0 : !has(self.partnerIDs) || size(self.partnerIDs) == 0",messageExpression="self.policy == 'Specific' ? 'resell policy Specific needs partnerIDs: the MPN IDs of the CSP partners allowed to resell' : 'resell.partnerIDs applies only to policy Specific; remove it or set policy to Specific'"
type Resell struct {
	// policy is None (no reselling), All (every CSP partner) or Specific
	// (the partners listed in partnerIDs). The published reseller schema
	// has no place for partner IDs, so admission refuses Specific: choose
	// specific partners in Partner Center.
	// +required
	Policy ResellPolicy `json:"policy"`

	// partnerIDs are the MPN IDs of the CSP partners allowed to resell,
	// required with policy Specific.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:Pattern=`^[0-9]{6,10}$`
	PartnerIDs []string `json:"partnerIDs,omitempty"`
}

// OfferPhase is where the offer stands, for display.
// +kubebuilder:validation:Enum=Draft;Certifying;CertificationFailed;Preview;GoingLive;Live
type OfferPhase string

const (
	PhaseDraft               OfferPhase = "Draft"
	PhaseCertifying          OfferPhase = "Certifying"
	PhaseCertificationFailed OfferPhase = "CertificationFailed"
	PhasePreview             OfferPhase = "Preview"
	PhaseGoingLive           OfferPhase = "GoingLive"
	PhaseLive                OfferPhase = "Live"
)

// CertificationResult is the outcome of a certification.
// +kubebuilder:validation:Enum=InProgress;Passed;Failed
type CertificationResult string

const (
	CertificationInProgress CertificationResult = "InProgress"
	CertificationPassed     CertificationResult = "Passed"
	CertificationFailed     CertificationResult = "Failed"
)

// FeedbackItem is one actionable item from certification.
type FeedbackItem struct {
	// code is Partner Center's code for the item.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	Code string `json:"code,omitempty"`

	// resource is what the item is about, such as listing or plan/basic.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Resource string `json:"resource,omitempty"`

	// message says what to fix.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	Message string `json:"message"`
}

// Certification is the state of the latest certification.
type Certification struct {
	// result of the certification.
	// +required
	Result CertificationResult `json:"result"`

	// generation of the spec that was submitted.
	// +optional
	Generation int64 `json:"generation,omitempty"`

	// feedback holds the actionable items of a failed certification.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=64
	Feedback []FeedbackItem `json:"feedback,omitempty"`
}

// SubmissionRef records a submission to Partner Center, so that a restart
// resumes tracking it instead of submitting again.
type SubmissionRef struct {
	// id is Partner Center's durable submission ID.
	// +required
	// +kubebuilder:validation:MaxLength=256
	ID string `json:"id"`

	// generation of the spec the submission carries.
	// +optional
	Generation int64 `json:"generation,omitempty"`

	// draftDigest is the digest of the draft resources it carries.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	DraftDigest string `json:"draftDigest,omitempty"`

	// submittedAt is when the submission was made; polling slows down as
	// it ages.
	// +optional
	SubmittedAt *metav1.Time `json:"submittedAt,omitempty"`

	// result is InProgress until Partner Center completes the submission,
	// then Succeeded or Failed.
	// +optional
	Result SubmissionResult `json:"result,omitempty"`
}

// SubmissionResult is the outcome of a submission.
// +kubebuilder:validation:Enum=InProgress;Succeeded;Failed
type SubmissionResult string

const (
	SubmissionInProgress SubmissionResult = "InProgress"
	SubmissionSucceeded  SubmissionResult = "Succeeded"
	SubmissionFailed     SubmissionResult = "Failed"
)

// JobRef records a Partner Center configure job while it runs.
type JobRef struct {
	// id is Partner Center's job ID.
	// +required
	// +kubebuilder:validation:MaxLength=256
	ID string `json:"id"`

	// startedAt is when the job was started.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`

	// generation is the spec generation whose draft a preview submission
	// job submits, so that the submission is recorded for that generation
	// also when the spec changed while the job ran.
	// +optional
	Generation int64 `json:"generation,omitempty"`
}

// CreatePending marks a product create the operator is about to ask for.
type CreatePending struct {
	// offerID is the offer ID of the product being created.
	// +required
	// +kubebuilder:validation:MaxLength=50
	OfferID string `json:"offerID"`

	// since is when the mark was written.
	// +required
	Since metav1.Time `json:"since"`
}

// Adoption records what Partner Center held when the operator took over a
// product it did not create (the marketplace.cosell.io/adopt annotation).
type Adoption struct {
	// generation is the spec generation adopted. While the spec keeps it
	// and the adopt annotation stays, the operator publishes nothing
	// Partner Center did not already publish.
	// +required
	Generation int64 `json:"generation"`

	// unpublishedDraft is true when Partner Center's draft differed from
	// the published version: the operator leaves it unpublished until the
	// spec changes or the adopt annotation is removed.
	// +optional
	UnpublishedDraft bool `json:"unpublishedDraft,omitempty"`

	// saleStopped is true when the sale of the live offer was stopped in
	// Partner Center: the operator reports it and never restores it.
	// +optional
	SaleStopped bool `json:"saleStopped,omitempty"`
}

// MarketplaceOfferStatus is what the operator observed of the offer.
type MarketplaceOfferStatus struct {
	// observedGeneration is the generation the status reports on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// ReconcileStatus holds observedSpecDigest and lastHandledReconcileAt.
	ReconcileStatus `json:",inline"`

	// conditions: Ready, Reconciling, Stalled, DraftSynced, Certified, Live,
	// CoSellReady, Adopted (once a product was taken over) and InSync (in
	// managementPolicy Observe).
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// phase is where the offer stands, for display: Draft, Certifying,
	// CertificationFailed, Preview, GoingLive or Live.
	// +optional
	Phase OfferPhase `json:"phase,omitempty"`

	// productID is Partner Center's durable ID of the offer.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	ProductID string `json:"productID,omitempty"`

	// draftDigest is the digest of the draft resources last written to
	// Partner Center; the draft is written again only when it changes.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	DraftDigest string `json:"draftDigest,omitempty"`

	// configureJob is the Partner Center job in flight as releases before
	// status.operation recorded it ("<purpose>/<jobId>"). It is read only
	// to follow such a job after an upgrade, then cleared.
	// +optional
	ConfigureJob *JobRef `json:"configureJob,omitempty"`

	// operation is the Partner Center operation in flight, while one runs.
	// +optional
	Operation *Operation `json:"operation,omitempty"`

	// previewSubmission is the latest submission to preview.
	// +optional
	PreviewSubmission *SubmissionRef `json:"previewSubmission,omitempty"`

	// liveSubmission is the latest submission to live.
	// +optional
	LiveSubmission *SubmissionRef `json:"liveSubmission,omitempty"`

	// certification is the state of the latest certification.
	// +optional
	Certification *Certification `json:"certification,omitempty"`

	// liveGeneration is the spec generation that is live.
	// +optional
	LiveGeneration int64 `json:"liveGeneration,omitempty"`

	// liveSince is when the offer first went live.
	// +optional
	LiveSince *metav1.Time `json:"liveSince,omitempty"`

	// migratedFrom is the legacy solution whose migration created the draft.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	MigratedFrom string `json:"migratedFrom,omitempty"`

	// createPending is set, in a status write of its own, just before the
	// operator asks Partner Center to create the product, and cleared once
	// status.productID records it. A mark without a productID means a
	// create may have happened before a restart: the operator then looks
	// the product up and takes it as its own instead of creating another
	// or, on deletion, leaking it.
	// +optional
	CreatePending *CreatePending `json:"createPending,omitempty"`

	// adoption is set when the operator took over a product it did not
	// create: what Partner Center held then.
	// +optional
	Adoption *Adoption `json:"adoption,omitempty"`

	// mergedSolutions are the legacy solutions merged into the offer; the
	// offer keeps their co-sell status.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=128
	MergedSolutions []string `json:"mergedSolutions,omitempty"`

	// resync holds what the operator's resync (spec.resyncInterval)
	// compares the draft in Partner Center with.
	// +optional
	Resync *Resync `json:"resync,omitempty"`
}

// Resync holds what the resync compares the offer's draft in Partner
// Center with.
type Resync struct {
	// draftDigest is the status.draftDigest that readDigest was read for.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	DraftDigest string `json:"draftDigest,omitempty"`

	// readDigest is the digest of the draft as Partner Center returned it
	// once the operator had written it: a later read that differs was
	// edited outside the operator, and the operator writes its draft back.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	ReadDigest string `json:"readDigest,omitempty"`
}

// MarketplaceOffer is an offer in Microsoft's commercial marketplace that the
// operator takes through draft, certification, preview and live.
//
// One offer ID belongs to one MarketplaceOffer in the cluster: the object
// whose status records its product owns it, else the oldest object
// declaring it (by creation time, then UID), and any other
// stalls with reason OfferIDTaken, naming the owner, without calling Partner
// Center. A product that already exists in Partner Center and that this
// object did not create is adopted only with the annotation
// marketplace.cosell.io/adopt: "true"; otherwise the offer stalls with
// reason AdoptionRequired. Adopted, it is taken over as Partner Center
// holds it: what equals the spec is neither written nor published again
// (status.adoption, condition Adopted). With
// spec.managementPolicy Observe the operator only reads Partner Center and
// reports the differences (condition InSync). The annotation
// marketplace.cosell.io/reconcile-requested-at asks for a reconcile now,
// also of a Stalled offer; status.lastHandledReconcileAt echoes it.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=offer,categories=cosell
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.offerType`
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=`.spec.target`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Co-Sell",type=string,JSONPath=`.status.conditions[?(@.type=="CoSellReady")].reason`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Offer-ID",type=string,priority=1,JSONPath=`.spec.offerID`
// +kubebuilder:printcolumn:name="Message",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
type MarketplaceOffer struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state of the offer.
	// +required
	Spec MarketplaceOfferSpec `json:"spec"`

	// status is what the operator observed.
	// +optional
	Status MarketplaceOfferStatus `json:"status,omitempty"`
}

// MarketplaceOfferList is a list of MarketplaceOffers.
//
// +kubebuilder:object:root=true
type MarketplaceOfferList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MarketplaceOffer `json:"items"`
}

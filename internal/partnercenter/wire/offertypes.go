package wire

import (
	"slices"
	"strings"
)

// OfferType says how an offer type of the MarketplaceOffer spec is written
// through the published APIs. An empty kind or version means Microsoft
// publishes no shape for that resource of that offer type: the adapter
// sends nothing for it and says so.
type OfferType struct {
	// Spec is the MarketplaceOffer spec's name, Product the product
	// schema's type.
	Spec, Product string
	// ProductVersion is the version of the product resource written for
	// the type: 2022-03-01-preview3 for SaaS, released at that version
	// (the overview's changelog, and the product of a real SaaS resource
	// tree in SAAS-FACTS.md), Version for the others.
	ProductVersion string
	// ListingKind and ListingVersion: the listing resource's kind and the
	// version that documents it (2022-03-01-preview2 for virtual machines,
	// whose shape the published schema holds; preview5 for SaaS and
	// containers, documented by example on the SaaS and containers pages).
	ListingKind, ListingVersion string
	// Plans is true when plans (plan, plan-listing and
	// price-and-availability-plan) are documented for the offer type.
	Plans bool
	// PlanListingKind and PlanListingVersion: the plan-listing resource.
	PlanListingKind, PlanListingVersion string
	// PriceVersion is the version of the price-and-availability-plan;
	// Pricing is "vm" (licenseModel/corePricing, preview2 schema), "saas"
	// (recurrentPrice, preview4 example) or "" (no published pricing).
	PriceVersion, Pricing string
	// Reseller is true when the reseller resource is sent.
	Reseller bool
	// CoSell is the Partner Ingestion API's product resourceType, or ""
	// when that API does not serve the offer type (see cosell.go).
	CoSell string
	// SubmissionAPI is true when the listing and the plans are written
	// through the Partner Center submission API (v1.0/ingestion) instead of
	// the Product Ingestion API: Azure applications, as Microsoft documents
	// that API for them and the recordings test_managed_app_creation.yaml
	// and test_solution_template_creation.yaml show.
	SubmissionAPI bool
	// PortalOnly are the parts Partner Center needs for the offer type
	// that the operator never writes: the MarketplaceOffer must declare
	// them in spec.managedInPartnerCenter (api/v1alpha1, offerparts.go).
	PortalOnly []Part
}

// Part is a part of an offer, as spec.managedInPartnerCenter names it.
type Part string

// The parts of an offer.
const (
	// PartListing is the marketplace listing (spec.listing).
	PartListing Part = "Listing"
	// PartPlans are the plans (spec.plans).
	PartPlans Part = "Plans"
	// PartPricing is the pricing of the plans (spec.plans[].pricing).
	PartPricing Part = "Pricing"
	// PartTechnicalConfiguration is what connects the marketplace to the
	// solution: a SaaS offer's landing page and webhook, a plan's virtual
	// machine images, container images or application package. The
	// operator writes none of it.
	PartTechnicalConfiguration Part = "TechnicalConfiguration"
	// PartResell is the CSP reseller configuration (spec.resell).
	PartResell Part = "Resell"
	// PartCoSell is the co-sell tab (spec.coSell).
	PartCoSell Part = "CoSell"
)

// Parts lists every part, in the order messages name them.
var Parts = []Part{PartListing, PartPlans, PartPricing, PartTechnicalConfiguration, PartResell, PartCoSell}

// Writes says whether the operator writes the part for the offer type.
func (t OfferType) Writes(p Part) bool {
	switch p {
	case PartListing:
		return t.ListingKind != "" || t.SubmissionAPI
	case PartPlans:
		return t.Plans || t.SubmissionAPI
	case PartPricing:
		return len(t.PricingModels()) > 0
	case PartResell:
		return t.Reseller
	case PartCoSell:
		return t.CoSell != ""
	}
	return false
}

// PricingModels are the plan pricing models (api/v1alpha1 PricingModel)
// the operator writes for the offer type, in the enum's order: the
// price-and-availability-plan 2022-03-01-preview2 schema's licenseModel
// and corePricing for virtual machines, the preview4 recurrentPrice
// example for SaaS (see ingestion/draft.go, pricingToWire).
func (t OfferType) PricingModels() []string {
	switch t.Pricing {
	case "vm":
		return []string{"Free", "FlatRate", "BYOL"}
	case "saas":
		return []string{"FlatRate", "PerUser"}
	}
	return nil
}

// Versions of the SaaS and container shapes documented after preview2.
const (
	VersionPreview3 = "2022-03-01-preview3"
	VersionPreview4 = "2022-03-01-preview4"
	VersionPreview5 = "2022-03-01-preview5"
)

// OfferTypes covers the product schema's type enum (xbox360NonBackcompat
// and coreVirtualMachine have no MarketplaceOffer name).
var OfferTypes = []OfferType{
	{Spec: "SoftwareAsAService", Product: "softwareAsAService", ProductVersion: VersionPreview3,
		ListingKind: "azureSaaS", ListingVersion: VersionPreview5,
		Plans: true, PlanListingKind: "azureSaaS-plan", PlanListingVersion: VersionPreview5,
		PriceVersion: VersionPreview4, Pricing: "saas", Reseller: true, CoSell: "SoftwareAsAService",
		PortalOnly: []Part{PartTechnicalConfiguration}},
	{Spec: "AzureVirtualMachine", Product: "azureVirtualMachine",
		ListingKind: "azureVM", ListingVersion: Version,
		Plans: true, PlanListingKind: "azureVM-plan", PlanListingVersion: Version,
		PriceVersion: Version, Pricing: "vm", Reseller: true, CoSell: "AzureThirdPartyVirtualMachine",
		PortalOnly: []Part{PartTechnicalConfiguration}},
	{Spec: "AzureContainer", Product: "azureContainer",
		ListingKind: "azureContainer", ListingVersion: VersionPreview5,
		Plans: true, PlanListingKind: "azureContainer-plan", PlanListingVersion: VersionPreview5,
		PriceVersion: Version, Reseller: true, CoSell: "AzureContainer",
		PortalOnly: []Part{PartTechnicalConfiguration}},
	{Spec: "AzureApplication", Product: "azureApplication", CoSell: "AzureApplication",
		SubmissionAPI: true, PortalOnly: []Part{PartTechnicalConfiguration}},
	{Spec: "ConsultingService", Product: "consultingService", PortalOnly: []Part{PartListing}},
	{Spec: "ContainerApp", Product: "containerApp", PortalOnly: []Part{PartListing}},
	{Spec: "CoSellOnly", Product: "cosellOnly", PortalOnly: []Part{PartListing}},
	{Spec: "Dynamics365BusinessCentral", Product: "dynamics365BusinessCentral", CoSell: "AzureDynamics365BusinessCentral", PortalOnly: []Part{PartListing}},
	{Spec: "Dynamics365CustomerEngagement", Product: "dynamics365ForCustomerEngagement", CoSell: "AzureDynamics365ForCustomerEngagement", PortalOnly: []Part{PartListing}},
	{Spec: "Dynamics365Operations", Product: "dynamics365ForOperations", CoSell: "AzureDynamics365ForOperations", PortalOnly: []Part{PartListing}},
	{Spec: "IoTEdgeModule", Product: "iotEdgeModule", PortalOnly: []Part{PartListing}},
	{Spec: "ManagedService", Product: "managedService", PortalOnly: []Part{PartListing}},
	{Spec: "PowerBIApp", Product: "powerBiApp", PortalOnly: []Part{PartListing}},
	{Spec: "PowerBIVisual", Product: "powerBiVisual", PortalOnly: []Part{PartListing}},
}

// ReadVersion is the $version of every read: the newest version the
// adapter writes (the SaaS and containers pages read at preview5). A
// read's $version is the highest version the caller accepts, and each
// resource comes back at its own version up to it; a read at Version
// would not return a SaaS listing, plan-listing or recurrentPrice.
const ReadVersion = VersionPreview5

// ProductSchema is the $schema of the product resource of the type.
func (t OfferType) ProductSchema() string {
	if t.ProductVersion == "" {
		return SchemaOf(KindProduct)
	}
	return Schema(KindProduct, t.ProductVersion)
}

// LookupOfferType returns the offer type of a spec name.
func LookupOfferType(spec string) (OfferType, bool) {
	i := slices.IndexFunc(OfferTypes, func(t OfferType) bool { return t.Spec == spec })
	if i < 0 {
		return OfferType{}, false
	}
	return OfferTypes[i], true
}

// OfferTypeFromProduct returns the spec name of a product type, or the
// product type itself when the spec has no name for it.
func OfferTypeFromProduct(productType string) string {
	for _, t := range OfferTypes {
		if strings.EqualFold(t.Product, productType) {
			return t.Spec
		}
	}
	return productType
}

// SpecOfferTypes lists the spec names, sorted.
func SpecOfferTypes() []string {
	out := make([]string, 0, len(OfferTypes))
	for _, t := range OfferTypes {
		out = append(out, t.Spec)
	}
	slices.Sort(out)
	return out
}

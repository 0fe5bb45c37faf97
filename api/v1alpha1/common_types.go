package v1alpha1

// OfferReference names a MarketplaceOffer in the same namespace.
type OfferReference struct {
	// name of the MarketplaceOffer object, in the namespace of the referrer.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

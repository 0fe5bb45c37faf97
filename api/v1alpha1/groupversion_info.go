// Package v1alpha1 contains the API of cosell-operator: Solution, one legacy
// OCP GTM co-sell solution and the decision about it, and MarketplaceOffer,
// an offer in Microsoft's commercial marketplace.
//
// +kubebuilder:object:generate=true
// +groupName=marketplace.cosell.io
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of this API.
	GroupVersion = schema.GroupVersion{Group: "marketplace.cosell.io", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this API with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this API to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

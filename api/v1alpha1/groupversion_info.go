// Package v1alpha1 contains the API of cosell-operator: Solution, one legacy
// OCP GTM co-sell solution and the decision about it, and MarketplaceOffer,
// an offer in Microsoft's commercial marketplace.
//
// +kubebuilder:object:generate=true
// +groupName=marketplace.cosell.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of this API.
	GroupVersion = schema.GroupVersion{Group: "marketplace.cosell.io", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this API with a scheme. It
	// depends on apimachinery only, so the API is cheap to import.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this API to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Solution{}, &SolutionList{}, &MarketplaceOffer{}, &MarketplaceOfferList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ReconcileStatus is the part of the status that MarketplaceOffer and
// Solution keep alike for the shared reconcile (controllers/reconcile):
// what was asked of it and which spec it saw. Embedded inline, it adds no
// level to the status: the fields stand where they always stood.
//
// observedGeneration and conditions are shared too, but their
// descriptions name each kind's own generation and conditions, so they
// stay in each status; the methods below reach them all.
type ReconcileStatus struct {
	// observedSpecDigest is the digest of the spec of observedGeneration,
	// spec.suspend left out. While the object is suspended, its
	// observedGeneration follows its generation only when the spec still
	// has this digest: changes made while suspended are not reported as
	// observed until they are applied.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	ObservedSpecDigest string `json:"observedSpecDigest,omitempty"`

	// lastHandledReconcileAt is the value of the
	// marketplace.cosell.io/reconcile-requested-at annotation the operator
	// last handled.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`
}

// GetReconcileStatus returns the offer's shared reconcile status.
func (in *MarketplaceOffer) GetReconcileStatus() *ReconcileStatus { return &in.Status.ReconcileStatus }

// GetObservedGeneration returns status.observedGeneration.
func (in *MarketplaceOffer) GetObservedGeneration() int64 { return in.Status.ObservedGeneration }

// SetObservedGeneration sets status.observedGeneration.
func (in *MarketplaceOffer) SetObservedGeneration(gen int64) { in.Status.ObservedGeneration = gen }

// GetConditions returns the offer's status conditions.
func (in *MarketplaceOffer) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the offer's status conditions.
func (in *MarketplaceOffer) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

// GetReconcileStatus returns the Solution's shared reconcile status.
func (in *Solution) GetReconcileStatus() *ReconcileStatus { return &in.Status.ReconcileStatus }

// GetObservedGeneration returns status.observedGeneration.
func (in *Solution) GetObservedGeneration() int64 { return in.Status.ObservedGeneration }

// SetObservedGeneration sets status.observedGeneration.
func (in *Solution) SetObservedGeneration(gen int64) { in.Status.ObservedGeneration = gen }

// GetConditions returns the Solution's status conditions.
func (in *Solution) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the Solution's status conditions.
func (in *Solution) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SolutionAction is the decision taken about a legacy OCP GTM solution.
// +kubebuilder:validation:Enum=Merge;Migrate;Discard
type SolutionAction string

const (
	// ActionMerge merges the solution into a similar offer that is live.
	ActionMerge SolutionAction = "Merge"
	// ActionMigrate migrates the solution as a new draft offer.
	ActionMigrate SolutionAction = "Migrate"
	// ActionDiscard discards the solution; changing the action undoes it.
	ActionDiscard SolutionAction = "Discard"
)

// SolutionState is where the legacy solution stands in Partner Center.
// +kubebuilder:validation:Enum=PendingMigration;Migrated;MergeRequested;Merged;Discarded
type SolutionState string

const (
	StatePendingMigration SolutionState = "PendingMigration"
	StateMigrated         SolutionState = "Migrated"
	StateMergeRequested   SolutionState = "MergeRequested"
	StateMerged           SolutionState = "Merged"
	StateDiscarded        SolutionState = "Discarded"
)

// SolutionSpec is the decision about one legacy OCP GTM co-sell solution.
// +kubebuilder:validation:XValidation:rule="self.action != 'Merge' || has(self.merge)",message="action Merge needs spec.merge: set merge.offerRef.name to a MarketplaceOffer, or merge.offerURL to the offer's AppSource or Azure Marketplace URL"
// +kubebuilder:validation:XValidation:rule="self.action == 'Merge' || !has(self.merge)",messageExpression="'spec.merge applies only to action Merge; remove it or set action to Merge (action is ' + self.action + ')'"
// +kubebuilder:validation:XValidation:rule="self.action != 'Migrate' || has(self.migrate)",message="action Migrate needs spec.migrate.offerRef.name: the MarketplaceOffer that the migrated draft becomes"
// +kubebuilder:validation:XValidation:rule="!has(self.completedInPortal) || self.completedInPortal.action == self.action",messageExpression="'spec.completedInPortal.action (' + self.completedInPortal.action + ') confirms another action than spec.action (' + self.action + '): remove spec.completedInPortal, carry out ' + self.action + ' in Partner Center, then confirm it'"
// +kubebuilder:validation:XValidation:rule="self.action == 'Migrate' || !has(self.migrate)",messageExpression="'spec.migrate applies only to action Migrate; remove it or set action to Migrate (action is ' + self.action + ')'"
type SolutionSpec struct {
	// solutionID is the ID of the legacy solution in the OCP GTM catalog,
	// as Partner Center's migration page lists it. Immutable.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9][A-Za-z0-9._-]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="solutionID is immutable; create a new Solution for another legacy solution"
	SolutionID string `json:"solutionID"`

	// partnerID is the Microsoft partner-network (MPN) ID of the partner
	// that owns the solution: 6 to 10 digits. Immutable.
	// +required
	// +kubebuilder:validation:MinLength=6
	// +kubebuilder:validation:MaxLength=10
	// +kubebuilder:validation:Pattern=`^[0-9]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="partnerID is immutable; create a new Solution for another partner"
	PartnerID string `json:"partnerID"`

	// action is the decision: Merge into a similar live offer, Migrate as a
	// new draft offer, or Discard. Changing the action away from Discard
	// undoes the discard and then carries out the new action.
	// +required
	Action SolutionAction `json:"action"`

	// merge names the live offer to merge into. Required when action is
	// Merge, forbidden otherwise.
	// +optional
	Merge *MergeSpec `json:"merge,omitempty"`

	// migrate names the offer that the migrated draft becomes. Required when
	// action is Migrate, forbidden otherwise.
	// +optional
	Migrate *MigrateSpec `json:"migrate,omitempty"`

	// suspend stops the operator from acting on this Solution until cleared.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// completedInPortal records that a person carried out spec.action in
	// Partner Center's migration page. Microsoft publishes no API for
	// merge, migrate or discard: against Microsoft's hosts the Solution
	// stalls (PortalActionRequired) with the steps to take there, and goes
	// on once this is set. The operator then verifies what published APIs
	// can verify (for Migrate, the draft product; for Merge into a
	// MarketplaceOffer, that it is live) and reports what a person
	// confirmed. Ignored where the operator carries out the action itself.
	// +optional
	CompletedInPortal *PortalConfirmation `json:"completedInPortal,omitempty"`
}

// PortalConfirmation is a person's record, kept in Git, that the action
// was carried out in Partner Center.
type PortalConfirmation struct {
	// action is the action carried out in Partner Center; it must be
	// spec.action, so that a confirmation of an earlier decision (a
	// discard, before its undo) never confirms a new one.
	// +required
	Action SolutionAction `json:"action"`

	// confirmedBy names who carried out the action in Partner Center (a
	// name or e-mail address), reported in the Solution's status.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	ConfirmedBy string `json:"confirmedBy"`

	// note is free text: a date, a ticket, the support request of a merge.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Note string `json:"note,omitempty"`
}

// MergeSpec names the live offer a solution merges into: exactly one of
// offerRef and offerURL.
// +kubebuilder:validation:XValidation:rule="has(self.offerRef) != has(self.offerURL)",message="merge needs exactly one of offerRef (a MarketplaceOffer in this namespace) and offerURL (the live offer's AppSource or Azure Marketplace URL)"
type MergeSpec struct {
	// offerRef names a MarketplaceOffer in the same namespace. The merge
	// waits until that offer is live.
	// +optional
	OfferRef *OfferReference `json:"offerRef,omitempty"`

	// offerURL is the customer-facing URL of a live offer not managed here:
	// https on appsource.microsoft.com or azuremarketplace.microsoft.com.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="offerURL must be an https URL, such as https://appsource.microsoft.com/product/saas/contoso.analytics"
	// +kubebuilder:validation:XValidation:rule="!isURL(self) || url(self).getHostname() in ['appsource.microsoft.com', 'azuremarketplace.microsoft.com']",message="offerURL must point at a listing on appsource.microsoft.com or azuremarketplace.microsoft.com"
	OfferURL string `json:"offerURL,omitempty"`
}

// MigrateSpec names the offer a migrated solution becomes. Its offer type,
// publisher and offer ID come from that MarketplaceOffer, one source of truth.
type MigrateSpec struct {
	// offerRef names the MarketplaceOffer in the same namespace that the
	// migrated draft becomes. The migration waits until it exists. Declare
	// the migration on that offer too (spec.migrateFrom.solutionID), so
	// that it never submits a draft of its own first, in whichever order
	// the two are applied: an offer submitted before the migration cannot
	// take it, and the Solution then stalls (ActionConflict) saying so.
	// +required
	OfferRef OfferReference `json:"offerRef"`
}

// SolutionStatus is what the operator observed of the legacy solution.
type SolutionStatus struct {
	// observedGeneration is the generation whose decision the status reports.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// ReconcileStatus holds observedSpecDigest and lastHandledReconcileAt.
	ReconcileStatus `json:",inline"`

	// conditions: Ready, Reconciling, Stalled, PrerequisitesMet and
	// ActionCompleted.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=16
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// state is the solution's state in Partner Center's migration tool.
	// +optional
	State SolutionState `json:"state,omitempty"`

	// offer is the offer the solution goes into: the MarketplaceOffer name
	// or the listing URL.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	Offer string `json:"offer,omitempty"`

	// productID is Partner Center's durable ID of the offer the solution was
	// migrated or merged into.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	ProductID string `json:"productID,omitempty"`

	// supportRequestID identifies the merge request opened with partner
	// support.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	SupportRequestID string `json:"supportRequestID,omitempty"`

	// mergeRequestedAt is when the merge request was opened, or, for a
	// request the operator did not see opened (opened in the portal, or
	// before a restart), when it first saw it; partner support usually
	// completes it within two business days, and polls slow down with age.
	// +optional
	MergeRequestedAt *metav1.Time `json:"mergeRequestedAt,omitempty"`
}

// Solution is one legacy OCP GTM co-sell solution and the decision about it:
// merge it into a live offer, migrate it as a new draft offer, or discard it.
//
// The annotation marketplace.cosell.io/reconcile-requested-at asks for a
// reconcile now, also of a Stalled Solution; status.lastHandledReconcileAt
// echoes it.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sol,categories=cosell
// +kubebuilder:printcolumn:name="Action",type=string,JSONPath=`.spec.action`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Offer",type=string,JSONPath=`.status.offer`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Message",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.status) || !has(oldSelf.status.state) || !(oldSelf.status.state in ['Migrated', 'Merged', 'MergeRequested']) || self.spec.action == oldSelf.spec.action",messageExpression="'spec.action cannot change: Partner Center already ' + (oldSelf.status.state == 'Migrated' ? 'migrated' : 'merged') + ' this solution, which cannot be undone; only a Discard can be undone'"
type Solution struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the decision about the legacy solution.
	// +required
	Spec SolutionSpec `json:"spec"`

	// status is what the operator observed.
	// +optional
	Status SolutionStatus `json:"status,omitempty"`
}

// SolutionList is a list of Solutions.
//
// +kubebuilder:object:root=true
type SolutionList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Solution `json:"items"`
}

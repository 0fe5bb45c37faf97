package v1alpha1

// Annotations the operator reads on MarketplaceOffers and Solutions. Both
// are set by people or by GitOps tools; the operator never writes them.
const (
	// AdoptAnnotation, set to "true" on a MarketplaceOffer, lets the
	// operator take over a product that already exists in Partner Center
	// with the offer's spec.offerID but was not created by this object
	// (made in the portal, by another cluster, or by an object since
	// deleted with deletionPolicy Orphan). Without it such an offer stalls
	// with reason AdoptionRequired and changes nothing in Partner Center.
	// A product that this object created, or that a Solution of its
	// namespace migrated into it, needs no annotation.
	AdoptAnnotation = "marketplace.cosell.io/adopt"

	// ReconcileRequestedAtAnnotation asks the operator to reconcile the
	// object now, also when it is Stalled, without editing its spec. Any
	// new value (a timestamp is customary) triggers one reconcile; once it
	// was handled, status.lastHandledReconcileAt holds the same value.
	// Flux's reconcile.fluxcd.io/requestedAt works the same way.
	ReconcileRequestedAtAnnotation = "marketplace.cosell.io/reconcile-requested-at"
)

// AnnotationPrefix is the prefix of the operator's annotations: a change
// of any annotation under it triggers a reconcile.
const AnnotationPrefix = "marketplace.cosell.io/"

package v1alpha1

// AdoptAnnotation, set to "true" on a MarketplaceOffer, is the explicit
// opt-in to adopt an offer that already exists in Partner Center under the
// same offer ID: without it the operator refuses to take over an offer it
// did not create. `cosell-operator export` writes it on every offer it
// exports, since those offers exist by construction. Adopting means reading
// the offer and recording its product ID in status; the operator writes to
// Partner Center only where the spec differs from what Partner Center holds.
const AdoptAnnotation = "marketplace.cosell.io/adopt"

// AdoptAnnotationValue is the only value of AdoptAnnotation that opts in.
const AdoptAnnotationValue = "true"

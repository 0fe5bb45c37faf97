// Package export brings an existing Partner Center account under Git: it
// reads the account's offers through the documented read calls of the
// Product Ingestion API and writes one MarketplaceOffer per offer, ready to
// apply with the adoption opt-in (v1alpha1.AdoptAnnotation); and, with
// --solutions, a migration plan for the pending legacy OCP GTM solutions:
// one Solution per solution with a suggested action, never applied.
//
// The calls are, and only are:
//
//   - GET product (type=, $top; then each answer's @nextLink, whose
//     continuationToken is opaque), or GET product?externalId= for the
//     offers named with --offer;
//   - GET submission/{productId}: where the offer is (draft, preview, live);
//   - GET resource-tree/product/{productId}?targetType=live|preview|draft:
//     the version exported, and the draft to compare it with;
//   - for --solutions without --solutions-file, the simulator's extension
//     GET /simulator/ocp-gtm/partners/{partnerId}/solutions (Microsoft
//     publishes no API for legacy solutions).
//
// What the API does not return, or the CRD cannot express, is listed in a
// YAML comment at the top of each file, never guessed. The command writes
// nothing to Partner Center.
package export

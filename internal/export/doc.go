// Package export brings an existing Partner Center account under Git: it
// reads the account's offers through the documented read calls of the
// Product Ingestion API and writes one MarketplaceOffer per offer, ready to
// apply with the adoption opt-in (AdoptAnnotation); and, with
// --solutions, a migration plan for the pending legacy OCP GTM solutions:
// one Solution per solution with a suggested action, never applied.
//
// The calls are, and only are:
//
//   - GET product (type=, $maxpagesize; then each answer's @nextLink, whose
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
//
// # Adoption
//
// Applying an exported file makes the operator adopt the offer with no
// write to Partner Center (test/roundtrip proves the files say exactly what
// Partner Center holds, and that applying them writes nothing). For an
// object with the annotation marketplace.cosell.io/adopt: "true" and no
// status.productID yet, the operator (controllers/offer/adopt.go):
//
//  1. FindProduct(spec.offerID); a product of the same offer type is
//     adopted: status.productID.
//  2. Reads the draft once (GetDraft), and for target Preview or Live the
//     submissions (ListSubmissions) and the version published (GetTarget
//     preview or live, one resource-tree read), and compares them with the
//     spec by digest, on what the offer type can hold. The completed,
//     succeeded submissions whose version equals the spec are recorded as
//     status.previewSubmission and liveSubmission (Result Succeeded, the
//     draft's digest), so that certify and goLive make no call.
//  3. A live offer with a newer draft keeps it unpublished and not
//     overwritten: status.adoption holds the adopted generation, and the
//     condition Adopted (reason UnpublishedDraft) names the fields that
//     differ, until the spec changes or the annotation is removed.
//  4. A stopped sale (live submission deprecated) is reported (Live=False,
//     reason SaleStopped), never restored.
//  5. Offer types whose listing has no published shape: a person fills
//     the listing the CRD requires; it is left out of the comparison and
//     ConfigureDraft sends nothing for it, so adoption stays at 0 writes.
//  6. An offer whose spec declares coSell is compared on its draft only
//     (no published API reads the co-sell tab back): it is written once.
//
// With --observe, the files set spec.managementPolicy Observe: the
// operator only reads and reports the differences (condition InSync).
package export

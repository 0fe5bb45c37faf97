// Package export brings an existing Partner Center account under Git: it
// reads the account's offers through the documented read calls of the
// Product Ingestion API and writes one MarketplaceOffer per offer, ready to
// apply with the adoption opt-in (AdoptAnnotation); and, with
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
//
// # Adoption
//
// Applying an exported file must make the operator adopt the offer with no
// write to Partner Center (test/roundtrip proves the files say exactly what
// Partner Center holds; the build-tagged adopt_test.go there is the
// acceptance test of the operator's side). What the operator must do, for
// an object with the annotation marketplace.cosell.io/adopt: "true" and no
// status.productID yet:
//
//  1. FindProduct(spec.offerID); a product of the same offer type is
//     adopted: record status.productID (the operator does this for any
//     object today; the ownership work restricts it to the opt-in).
//  2. Read the draft once (GetDraft) and compare it with the spec's draft
//     resources by digest; equal means record status.draftDigest and send
//     no configure. The controllers do this today only when the spec has
//     no coSell: export never writes spec.coSell, so this holds.
//  3. For target Preview or Live, ListSubmissions: take the completed,
//     succeeded preview (and live) submission, read its version
//     (GetTarget preview / live, one resource-tree read each) and, when it
//     equals the draft, record status.previewSubmission (and
//     liveSubmission) as {id, generation, draftDigest: the draft's digest,
//     result: Succeeded} with Certified (and Live) True. certify and goLive
//     then find the digests equal and make no call. Today status holds no
//     submission after adoption, so the operator submits every adopted
//     Preview or Live offer again: one preview and one live job each.
//  4. A live offer with a newer draft cannot be adopted without a write as
//     long as the spec must equal both: exported from live, the operator
//     writes the live content back into the draft; exported from the draft
//     (--from draft), it certifies and publishes the newer draft. A
//     0-write adoption there needs the ownership work to take what Partner
//     Center holds as the baseline (for example status.adoptedGeneration:
//     publish only once the spec's generation is newer) and report the
//     unpublished draft in a condition. The export file warns about it.
//  5. A stopped sale (live submission deprecated) must be reported, never
//     restored: the CRD has no field for it, and target Live must not mean
//     "sell again". The export file lists it.
//  6. Offer types whose listing has no published shape: a person fills
//     the listing the CRD requires; ConfigureDraft sends nothing for them
//     (no call), so adoption stays at 0 writes.
package export

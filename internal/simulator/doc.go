// Package simulator is a Partner Center simulator: an HTTP server speaking
// the wire format of package wire, so the operator's HTTP adapter runs
// against it exactly as against the real Product Ingestion API. The manager
// runs it in-process by default (the embedded default); `cosell-operator
// simulator` runs it alone (see Main) so that several replicas can share one.
//
// # Surfaces
//
// The Product Ingestion surface is served under /rp/product-ingestion/ and
// the OCP GTM migration surface under /rp/product-ingestion/migration/, with
// the paths, shapes and codes package wire documents. All wire IDs of
// resources are durable IDs ("product/{id}", "submission/{productId}/{id}",
// wire.PlanRef for plans); path segments and job IDs are bare. Every API
// request needs $version=wire.Version; an Authorization header, when sent,
// must be "Bearer <token>" (any non-empty token). Admin endpoints, never
// faulted: GET /healthz, GET /simulator/stats (Stats as JSON), GET and PUT
// /simulator/faults (the body of PUT is a fault spec; 400 on a bad one),
// PUT /simulator/partners/{partnerId} (a seed partner as JSON: changes its
// membership, marketplace account and roles, as SetPartner does).
//
// # State
//
// State lives in a bbolt file in Options.StoreDir, one transaction per
// request, so a restart on the same folder loses nothing. Progress over time
// is derived from due times persisted with the records whenever a record is
// read (see progress.go), never from timers: a restart mid-certification
// completes it. Request and fault counters of Stats are kept in memory and
// saved by Close; the other counters are committed with what they count.
//
// A configure request is validated as a whole (400 for a bad resource, 404
// for an unknown product; nothing changes), then its effects are applied at
// once and atomically; its job reports notStarted/running until JobDelay has
// passed and then completed with the result. A request that clashes with the
// state (productAlreadyExists, inProgressSubmissionExists, noChangesToSubmit,
// invalidState) changes nothing and its job completes failed with that code
// in errors[]. Draft resources of a product in one request replace its
// draft: listing, reseller and cosell-listing when present, and the plan set
// becomes exactly the request's plans.
//
// # Certification
//
// A preview submission snapshots the draft and stays inProgress for
// CertificationDelay; it then completes succeeded (with previewLinks; the
// product becomes published) or failed with certificationReport.items. The
// rules, each with a message that says what to fix:
//
//   - titleMissing: the listing has no title.
//   - summaryMissing: the listing has no summary.
//   - descriptionTooShort: the listing description has under 100 characters
//     of text (HTML tags not counted).
//   - privacyPolicyMissing: the listing has no privacyPolicyLink.
//   - coSellDocumentsMissing: a cosell-listing names solution areas but has
//     no SolutionOnePager or no PitchDeck document.
//   - planPricingMissing (resource plan/{planId}): for offer types other than
//     consultingService, a plan without a price-and-availability pricing
//     model, or with model flatRate or perUser and no price.
//
// Going live (a submission with the id of the newest succeeded preview
// submission and targetType live) takes JobDelay; going live again with the
// same preview returns the same live submission. The product then has
// liveSubmission, liveLink (https://azuremarketplace.microsoft.com/product/{offerId}
// for Azure application, container, virtual machine, IoT Edge module and
// managed service offers, https://appsource.microsoft.com/product/{offerId}
// for the others) and coSellStatus from the live snapshot: coSellReady with
// SolutionOnePager and PitchDeck documents, a contact, 1 to 5 solution areas
// and a landing page; incentiveEligible when also a ReferenceArchitecture
// and a TechnicalValidation or RevenueValidation document; else notReady. A
// new preview of a live offer leaves the live version in place until its own
// live submission completes.
//
// # Migration
//
// Prerequisites come from the seed (404 for an unknown partner). Migrate,
// merge, discard and undo-discard need a valid membership and a marketplace
// account (403 otherwise); migrate also needs the Admin or Developer role on
// the publisher. Migrate creates a draft that keeps the solution's name and
// summary as listing title and summary and its bill of materials as
// co-sell documents, or adopts a never-submitted, never-migrated draft with
// that offer ID (adding the bill of materials only when it has no
// documents); any other product with that offer ID is 409
// productAlreadyExists. Merge works from pendingMigration into a live product
// (409 invalidState otherwise) or a listingUri on appsource.microsoft.com or
// azuremarketplace.microsoft.com (400 otherwise; it is linked to the
// simulator's product with that live link, if any); the solution is
// mergeRequested with a supportRequestId and becomes merged after
// MergeDelay, and the product lists it in mergedSolutions. Discard works
// from pendingMigration, undo-discard from discarded. Repeating an action
// that is done is idempotent; other transitions are 409 invalidState.
//
// # Seed
//
// The seed file is YAML (DESIGN.md section 7), validated with field paths
// in errors:
//
//	partners:
//	  - partnerID: "4871234"
//	    membershipValid: true
//	    marketplaceAccount: true
//	    publishers: [{publisherID: contoso, role: Admin}]
//	    solutions:
//	      - solutionID: ocp-contoso-analytics
//	        name: Contoso Analytics
//	        summary: Real-time analytics for retail.
//	        billOfMaterials:
//	          - {type: SolutionOnePager, url: https://contoso.example/one-pager.pdf}
//	generate:                 # optional, for scale benchmarks
//	  partnerID: "5559999"    # added (valid, enrolled) unless listed above
//	  publisherID: bench      # given the Admin role
//	  solutions: 5000         # bench-sol-00001 ... bench-sol-05000
//
// Seed partners and solutions are stored only when absent, so a restart
// keeps the solutions' states. The embedded default seed (seed.yaml) holds
// partner 4871234 (publisher contoso, Admin) with ocp-contoso-analytics,
// ocp-contoso-fieldservice and ocp-contoso-legacy-crm; 5550001, whose
// membership is not valid; and 5550002, whose role on publisher fabrikam is
// Marketer.
//
// # Faults
//
// Options.Faults and SetFaults take "429=P,5xx=P,latency=DURATION,drop=P,qps=N,seed=N"
// (any subset, comma-separated). Each API request first passes the QPS
// token bucket (burst N; excess is 429 with Retry-After until the next
// token), then sleeps the latency, then one random draw picks at most one of
// drop (the connection is closed without an answer), 429 (Retry-After: 1)
// and 5xx (503 or 500). A faulted request changes nothing. seed makes the
// draws deterministic.
package simulator

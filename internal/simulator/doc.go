// Package simulator is a Partner Center simulator: an HTTP server that
// answers as Microsoft's published APIs do, judged by Microsoft's documents
// and JSON Schemas (package schemas), not by the operator's client types.
// The manager runs it in-process by default (the embedded default);
// `cosell-operator simulator` runs it alone (see Main) so that several
// replicas can share one. Its tests drive it over raw HTTP with bodies
// written from the documents.
//
// Sources: the Product Ingestion API overview
// (https://learn.microsoft.com/partner-center/marketplace-offers/product-ingestion-api),
// its SaaS page (product-ingestion-api-saas), the private-offers API page
// (job polling), the JSON Schemas of package schemas (version
// 2022-03-01-preview2) and the Partner Ingestion swagger (package schemas,
// partner-ingestion-swagger.json). Where Microsoft publishes nothing, the
// comments say so and name the simulator's choice.
//
// # Surfaces
//
// One listener serves three surfaces:
//
//   - /rp/product-ingestion/: the Product Ingestion API (published; real
//     base https://graph.microsoft.com/rp/product-ingestion).
//   - /v1.0/ingestion/: the Partner Center submission API (the Partner
//     Ingestion swagger; real base https://api.partner.microsoft.com/v1.0/ingestion):
//     its co-sell endpoints, and the listings and plans of Azure
//     Applications in the shapes of Microsoft's recorded traffic
//     (internal/partnercenter/ingestion/testdata/recordings; subapi.go).
//   - /simulator/: simulator extensions, not published by Microsoft: the
//     OCP GTM migration and the admin routes.
//
// Every Product Ingestion call needs $version, one of 2022-03-01-preview2
// to 2022-03-01-preview5 (400 badRequest when missing or another value, as
// the overview says of a version it does not know). On a read, $version is
// the highest version the caller accepts, and each resource comes back at
// that version or its own older one (versions.go): a resource whose kind
// value exists only from a later version (a SaaS listing, kind azureSaaS,
// read at preview2) is left out of a tree and a 404 by its durable ID;
// others come back with the asked version in their $schema. One
// exception follows an observation rather than the overview: a
// price-and-availability-plan comes back at the version it was written at
// whatever the read asks (SAAS-FACTS.md: a real SaaS tree read at
// preview3 held its price-and-availability-plans at preview4).
// The Partner Ingestion API and the extensions take no $version. An
// Authorization header, when sent, must be "Bearer <token>" (401
// unauthorized otherwise); none is required. Errors use the documented
// envelope {"error": {"code", "message", "details"}} with the lower-camel
// HTTP names as codes (badRequest, unauthorized, forbidden, notFound,
// conflict, tooManyRequests, internalServerError, serviceUnavailable,
// requestEntityTooLarge), except schema validation of a configure body,
// whose code is schemaValidationError (from the inner-error enum).
//
// # Product Ingestion routes
//
//	POST configure                         202 configure-status; 400 schemaValidationError
//	GET  configure/{jobId}/status          200 configure-status; 404
//	GET  configure/{jobId}                 200 configure-detail once completed; 400 before; 404
//	GET  product[?externalId=|externalID=][&type=][&$maxpagesize=][&$top=][&$skip=][&continuationToken=]
//	                                       200 {"value": [product], "@nextLink"?}; 400 bad paging
//	                                       ($maxpagesize: page size; $top: the first N only)
//	GET  product/{productId}               200 product (the draft); 404
//	GET  plan?product=product/{id}[&externalId=]   200 {"value": [plan]}; 400; 404
//	GET  resource-tree/product/{productId}[?targetType=draft|preview|live]
//	GET  resource-tree/{productId}[?targetType=...]
//	                                       200 {$schema, root, target, resources}; 404 (no such
//	                                       product, or no preview/live version yet); 400 bad targetType
//	GET  submission/{productId}[?targetType=]      200 {"value": [submission]}; 404
//	GET  submission/{productId}/{submissionId}     200 submission (0 is the draft entry); 404
//	GET  {durable ID}                      200 the draft resource (listing/..., plan/..., property/...); 404
//
// A configure body that is not a configure envelope (invalid JSON, $schema
// not of kind configure, no resources, a resource that is not an object or
// whose $schema is missing, not a schema URI, or of a kind the API does not
// take) is a 400 schemaValidationError whose details name each problem; no
// job is made. $schema URIs are read by kind from the path
// /schema/{kind}/{version}: any host, any version.
//
// Otherwise the answer is 202 with a configure-status (jobStatus
// notStarted, jobResult pending, jobEnd "0001-01-01T00:00:00"). Each
// resource (externalID read as externalId, the docs' "casing trap") is
// judged by Microsoft's schema of its kind (see validate.go for versions
// after preview2, for which no schema is published); a resource that does
// not match makes the job fail with one inner error per resource: code
// schemaValidationError, a message, details[] (one per failed constraint,
// "<json pointer>: <message>") and resourceId (the resource's id, else
// {"resourceName"}, else {"externalId"}). Then references are resolved: a
// durable-ID string (product/<guid>, plan/<guid>/<guid>, ...), {"externalId"}
// for products and plans, or {"resourceName"} of a resource in the same
// request. A job whose request clashes with the state fails with inner
// errors:
//
//   - resourceNotFound: a reference or id names nothing;
//   - invalidId: a reference or id is not a durable ID of the right kind;
//   - invalidRequest: no product/plan reference; a live submission without
//     the preview's id; two submissions of a product in one request;
//     lifecycleState on a preview submission;
//   - businessValidationError: a second product (or plan of a product) with
//     an existing externalId (update it with its id instead); a changed
//     externalId or type of an existing product;
//   - invalidState: deleting a published product or plan, or one with a
//     running submission; creating a product as deleted or deprecated;
//     submitting a deprecated product; going live with a submission that is
//     not the newest succeeded preview; lifecycleState on a submission that
//     is not the live one;
//   - notSupported: a submission target other than preview and live;
//     lifecycleState deprecated on a product resource (a product's sale is
//     stopped through its live submission);
//   - productLocked: a submission while another of the product runs.
//
// A failed job applies nothing. A succeeded job applied all its resources
// at once, atomically; it reports running until Options.JobDelay has passed
// (or, when it made a submission, until the submission completes) and then
// completed with jobResult succeeded or failed. GET configure/{jobId} then
// lists the resources created or updated with their durable IDs
// (configure-detail {$schema, resources}); a submission whose certification
// failed is not listed.
//
// Draft resources are stored as sent (with the documented $schema host,
// the version sent, durable IDs for id and references, no resourceName); a
// resource without id that matches one of the draft (same kind, plan,
// language, asset file) replaces it; lifecycleState deleted removes a draft
// resource (a plan: only a never-published one). Durable IDs follow the
// documents (listing/<product>/public/main/default/<language>,
// property/<product>/public/main, plan-listing/<product>/public/main/<plan>/<language>,
// listing-asset/<product>/public/main/default/<language>/<type>/<n>,
// price-and-availability-plan/<product>/<plan>); the forms Microsoft does
// not publish (technical configurations, custom meters, setup) are
// <kind>/<product>[/<plan>].
//
// # Submissions and certification
//
// A submission resource {product, target{targetType: preview}} snapshots
// the draft; the submission is running for Options.CertificationDelay, then
// completed, succeeded or failed. Its job takes its result: a refusal is a
// failed job whose errors[] hold one businessValidationError for the
// submission (resourceId submission/<product>/<id>) with one detail per
// issue, each naming the resource to fix and what to change (the
// simulator's own rules, see certification.go; Microsoft publishes no list).
// {product, id: <that preview submission>, target{targetType: live}} takes
// it live in Options.LiveDelay; from then on that one submission stands for
// preview and live. GET submission/{productId} lists the draft entry
// submission/<product>/0 (no status, result or created), the newest preview
// when it is not the live one, and the live one, with status
// notStarted|running|completed, result pending|succeeded|failed and created.
//
// Lifecycle, as the SaaS page documents it: the live submission with
// lifecycleState deprecated stops the sale at once (the product reads
// lifecycleState deprecated); with generallyAvailable it restores the
// product, which must then be published to preview and live again. A
// product with lifecycleState deleted is deleted if it was never published
// (its offer ID is free again).
//
// # Partner Ingestion (submission API) routes
//
//	GET /v1.0/ingestion/products[?$filter=externalIDs/Any(i:i/type eq 'AzureOfferId' and i/value eq '<id>')|resourceType eq '<t>'][&$skipToken=]
//	                                      200 {"value": [product], "nextLink": "v1.0/ingestion/products?$skipToken=…"};
//	                                      400 a filter of another form or a foreign $skipToken.
//	                                      Field names and values match as written (a document
//	                                      store): another spelling finds nothing.
//	GET /v1.0/ingestion/products/{productID}                       200; 404
//	GET /v1.0/ingestion/products/{productID}/branches/getByModule(module={module})   200; 400; 404
//	GET /v1.0/ingestion/products/{productID}/cosellListing/{instanceID}              200; 404
//	GET /v1.0/ingestion/products/{productID}/cosellListing/getByInstanceID(instanceID={id})  200
//	PUT /v1.0/ingestion/products/{productID}/cosellListing/{instanceID}
//	                                      200 CosellListing; 400 (body not the swagger's
//	                                      CosellListing); 404; 409 conflict (stale @odata.etag)
//	GET /v1.0/ingestion/products/{productID}/listings/getByInstanceID(instanceID={id})  200 (empty value for an unknown instance)
//	GET /v1.0/ingestion/products/{productID}/listings/{listingID}  200; 404
//	PUT /v1.0/ingestion/products/{productID}/listings/{listingID}  200 AzureListing (the body replaces it);
//	                                      400 no If-Match, or not the swagger's AzureListing; 404;
//	                                      409 If-Match neither * nor the @odata.etag
//	GET  /v1.0/ingestion/products/{productID}/variants             200 {"value": [AzureSkuVariant]}
//	POST /v1.0/ingestion/products/{productID}/variants             201 AzureSkuVariant, Location; 400; 409 same externalID
//	GET, DELETE /v1.0/ingestion/products/{productID}/variants/{variantID}  200; 204; 404
//
// branches/getByModule(module=Listing) answers the offer's listing branch
// and one per plan (variantID); module names are case-sensitive.
//
// Product IDs are the Product Ingestion product GUIDs. Nothing reports a
// co-sell level: no published API does.
//
// # Simulator extensions
//
// OCP GTM migration (Microsoft publishes no API: it is Partner Center UI,
// and a merge is a partner support ticket). Faulted like the APIs.
//
//	GET  /simulator/ocp-gtm/partners/{partnerId}/prerequisites?publisherId=   200; 404
//	GET  /simulator/ocp-gtm/partners/{partnerId}/solutions                    200 {"value": [...]}; 404
//	GET  /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}       200; 404
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/migrate       200; 400; 403; 404; 409
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/merge         200; 400; 403; 404; 409
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/discard       200; 403; 404; 409
//	POST /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}/undo-discard  200; 403; 404; 409
//
// Bodies and answers keep the JSON shapes of the operator's extension types
// (Prerequisites, LegacySolution, MigrateRequest, MergeRequest; "$schema"
// tolerated). Codes: 403 forbidden (no valid membership, no marketplace
// account, or no Admin/Developer role on the publisher for migrate), 409
// productAlreadyExists (the offer ID belongs to a product that is not a
// never-submitted, never-migrated draft) and 409 invalidState (the
// solution's state does not allow the action; merging into a product that
// is not live). Migrate creates a draft product (alias = solution name),
// for SaaS, container and VM offers with an en-us listing (title = name,
// shortDescription and searchResultSummary = summary), or adopts the never-submitted draft with
// that offer ID; the bill of materials becomes the co-sell listing's
// assetReferences (type = document type, value = URL) when it has none. A
// migrated solution's product is the bare product GUID. Merge (by product
// durable ID or an https AppSource / Azure Marketplace listing URL) is
// mergeRequested with a supportRequestId, merged after MergeDelay. Repeating
// an action that is done is idempotent.
//
// Admin routes, never faulted:
//
//	GET  /healthz                                   200
//	GET  /simulator/stats                           200 Stats
//	GET, PUT /simulator/faults                      200; 400 bad spec
//	PUT  /simulator/partners/{partnerId}            200; 400 (a seed partner: membership, account, roles)
//	PUT  /simulator/drafts/{durable ID}             200; 400; 404 (edit a draft behind the operator's back)
//	POST /simulator/products/{productId}/stop-sale  200; 404; 409 invalidState (not live)
//	PUT  /simulator/products/{productId}/certification {"refuse": true|false}  200; 400; 404:
//	     while true, every preview certification of the product is refused in the
//	     shape of real traffic (internalServerError -> invalidState "Certification"
//	     -> "Issues found during Certification.", no per-resource details; certrefusal.go)
//	DELETE /simulator/products/{productId}          204; 404 (delete any product)
//
// # State and time
//
// State lives in a bbolt file in Options.StoreDir, one transaction per
// request, so a restart on the same folder loses nothing. Progress over time
// is derived from due times persisted with the records whenever a record is
// read (see progress.go), never from timers: a restart mid-certification
// completes it. Options.Realistic (Main: --realistic) gives hours-long
// certification for benchmarks (RealisticCertificationDelay and the other
// Realistic* constants, for every delay left at 0). Request and fault
// counters of Stats are kept in memory and saved by Close; the other
// counters are committed with what they count.
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
// Options.Faults and SetFaults take "429=P,5xx=P,latency=DURATION,drop=P,dropafter=P,qps=N,seed=N"
// (any subset, comma-separated). Each request to the APIs and to the
// migration extension first passes the QPS token bucket (burst N; excess is
// 429 tooManyRequests with Retry-After until the next token), then sleeps
// the latency, then one random draw picks at most one of drop (the
// connection is closed without an answer), dropafter, 429 (Retry-After: 1)
// and 5xx (503 serviceUnavailable or 500 internalServerError). A faulted
// request changes nothing, except under dropafter: the request is handled
// (a write takes effect) and then the connection is closed instead of
// answering, as when an answer is lost on the way back. seed makes the
// draws deterministic. Stats.ConfigureJobs counts the configure jobs made
// by purpose and offer, so that a write sent twice shows. Microsoft publishes
// no rate limits for these APIs; 429 with Retry-After is Partner Center's
// general guidance.
package simulator

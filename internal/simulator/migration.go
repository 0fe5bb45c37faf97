package simulator

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// The OCP GTM migration extension (simulator extension: Microsoft publishes
// no API for it; in Partner Center it is UI only, and a merge is a partner
// support ticket). It is served under /simulator/ocp-gtm/. State-changing
// requests need a partner in good standing: a valid membership and a
// commercial-marketplace account (403 otherwise), and migrating needs the
// Admin or Developer role on the publisher.

// supportBase makes support request IDs look like Partner Center's.
const supportBase = 2_300_000_000_000

// alias cuts a solution name to the product schema's alias limit.
func alias(name string) string {
	if r := []rune(name); len(r) > 120 {
		return string(r[:120])
	}
	return name
}

// migratedListing is the draft listing a migration creates for the offer
// types whose listing kind Microsoft documents (listingTypes): the
// solution's name and summary as title and summaries.
func migratedListing(p *productRec, sol *solutionRec) resource {
	kind := "azureSaaS"
	switch p.Type {
	case "azureContainer", "containerApp":
		kind = "azureContainer"
	case "azureVirtualMachine", "coreVirtualMachine":
		kind = "azureVM"
	}
	r := resource{"$schema": schemaURI(kindListing, "2022-03-01-preview5"),
		"id": "listing/" + p.ID + "/public/main/default/en-us", "product": productRef(p.ID), "kind": kind,
		"languageId": "en-us", "title": sol.Name}
	if sol.Summary != "" {
		r["shortDescription"], r["searchResultSummary"] = sol.Summary, sol.Summary
	}
	return r
}

// Storefront hosts a merge's listingUri may name.
var listingHosts = map[string]bool{"appsource.microsoft.com": true, "azuremarketplace.microsoft.com": true}

func (s *Simulator) handlePrerequisites(w http.ResponseWriter, r *http.Request) {
	partnerID, publisherID := r.PathValue("partnerId"), r.URL.Query().Get("publisherId")
	var out prerequisites
	s.serve(w, &out, func(st *stage, _ time.Time) error {
		p, err := loadPartner(st, partnerID)
		if err != nil {
			return err
		}
		out = prerequisites{PartnerID: p.PartnerID,
			MembershipValid: p.MembershipValid, MarketplaceAccount: p.MarketplaceAccount}
		if publisherID != "" {
			out.PublisherRole = p.Publishers[publisherID]
		}
		return nil
	})
}

func loadPartner(st *stage, partnerID string) (*partnerRec, error) {
	var p partnerRec
	ok, err := st.getJSON(bucketPartners, partnerID, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotFound("partner %s not found", partnerID)
	}
	return &p, nil
}

// requireStanding refuses state changes for a partner without a valid
// membership or marketplace account.
func requireStanding(st *stage, partnerID string) (*partnerRec, error) {
	p, err := loadPartner(st, partnerID)
	if err != nil {
		return nil, err
	}
	switch {
	case !p.MembershipValid:
		return nil, errForbidden("partner %s has no valid partner-network membership; renew it before acting on legacy solutions", partnerID)
	case !p.MarketplaceAccount:
		return nil, errForbidden("partner %s has no commercial-marketplace account; enroll in the commercial marketplace before acting on legacy solutions", partnerID)
	}
	return p, nil
}

func (s *Simulator) handleSolution(w http.ResponseWriter, r *http.Request) {
	var out legacySolution
	s.serve(w, &out, func(st *stage, now time.Time) error {
		sol, err := loadSolution(st, r.PathValue("partnerId"), r.PathValue("solutionId"), now)
		if err != nil {
			return err
		}
		out = sol.answer()
		return nil
	})
}

// solutionAction runs a state change of a legacy solution in one write
// transaction and answers the solution.
func (s *Simulator) solutionAction(w http.ResponseWriter, r *http.Request, fn func(st *stage, sol *solutionRec, partner *partnerRec, now time.Time) error) {
	partnerID, solutionID := r.PathValue("partnerId"), r.PathValue("solutionId")
	var out legacySolution
	s.serveUpdate(w, &out, func(st *stage, now time.Time) error {
		sol, err := loadSolution(st, partnerID, solutionID, now)
		if err != nil {
			return err
		}
		partner, err := requireStanding(st, partnerID)
		if err != nil {
			return err
		}
		if err := fn(st, sol, partner, now); err != nil {
			return err
		}
		out = sol.answer()
		return st.putJSON(bucketSolutions, solutionKey(partnerID, solutionID), sol)
	})
}

// stateConflict explains why a solution in its state cannot take an action.
func stateConflict(sol *solutionRec, action string) error {
	var why string
	switch sol.State {
	case solutionMigrated:
		why = fmt.Sprintf("it was migrated into product %s", sol.Product)
	case solutionMergeRequested:
		why = fmt.Sprintf("a merge was requested (support request %s)", sol.SupportRequestID)
	case solutionMerged:
		why = "it was merged into a live offer"
	case solutionDiscarded:
		why = "it is discarded; undo the discard first"
	case solutionPendingMigration:
		why = "it is pending migration"
	default:
		why = "it is " + sol.State
	}
	return errConflict(extInvalidState, "solution %s cannot be %s: %s", sol.SolutionID, action, why)
}

// solutionRequest runs a state change of a legacy solution that carries a
// body: it decodes the body into req and checks it (check) before it reads
// the store, answering 400 when either fails, then runs fn as
// solutionAction does.
func (s *Simulator) solutionRequest(w http.ResponseWriter, r *http.Request, req any, check func() error,
	fn func(st *stage, sol *solutionRec, partner *partnerRec, now time.Time) error) {
	if err := decodeBody(w, r, req); err != nil {
		writeError(w, err)
		return
	}
	if err := check(); err != nil {
		writeError(w, err)
		return
	}
	s.solutionAction(w, r, fn)
}

// fromPending lets an action go on only from pendingMigration: done
// reports that the solution is already where the action takes it (the
// action is idempotent), and any other state is a conflict.
func fromPending(sol *solutionRec, action string, done bool) (proceed bool, err error) {
	switch {
	case done:
		return false, nil
	case sol.State == solutionPendingMigration:
		return true, nil
	}
	return false, stateConflict(sol, action)
}

// productByOffer is the product of an offer ID, or nil when the simulator
// holds none.
func productByOffer(st *stage, offerID string, now time.Time) (*productRec, error) {
	id := st.get(bucketOffers, offerID)
	if id == nil {
		return nil, nil
	}
	return loadProduct(st, string(id), now)
}

func (s *Simulator) handleMigrate(w http.ResponseWriter, r *http.Request) {
	var req migrateRequest
	s.solutionRequest(w, r, &req, req.check, func(st *stage, sol *solutionRec, partner *partnerRec, now time.Time) error {
		return s.migrate(st, sol, partner, &req, now)
	})
}

// check lists every problem of a migrate request.
func (q *migrateRequest) check() error {
	var problems []string
	if !externalPatt.MatchString(q.Identity.ExternalID) {
		problems = append(problems, fmt.Sprintf("identity.externalId %q must be an offer ID matching %s", q.Identity.ExternalID, externalPatt))
	}
	if !slices.Contains(productTypes, q.Type) {
		problems = append(problems, fmt.Sprintf("type %q is not a product type (%s)", q.Type, strings.Join(productTypes, ", ")))
	}
	if q.PublisherID == "" {
		problems = append(problems, "publisherId is required")
	}
	if len(problems) > 0 {
		return errBadRequest("invalid migrate request: %s", strings.Join(problems, "; "))
	}
	return nil
}

// migrate moves a solution pending migration into the offer the request
// names, with its bill of materials.
func (s *Simulator) migrate(st *stage, sol *solutionRec, partner *partnerRec, req *migrateRequest, now time.Time) error {
	if proceed, err := fromPending(sol, "migrated", sol.State == solutionMigrated); !proceed {
		return err
	}
	if err := requirePublisherRole(partner, req.PublisherID); err != nil {
		return err
	}
	p, dr, err := migrationProduct(st, sol, req, now)
	if err != nil {
		return err
	}
	if err := s.adoptBillOfMaterials(st, p, sol); err != nil {
		return err
	}
	p.MigratedFrom = sol.SolutionID
	if err := st.putJSON(bucketProducts, p.ID, p); err != nil {
		return err
	}
	if err := st.putJSON(bucketDrafts, p.ID, dr); err != nil {
		return err
	}
	sol.State, sol.Product = solutionMigrated, p.ID
	st.incr(counterMigrations + sol.SolutionID)
	return nil
}

// requirePublisherRole refuses a migration by a caller who may not create
// offers on the publisher: only Admin and Developer may.
func requirePublisherRole(partner *partnerRec, publisherID string) error {
	switch role := partner.Publishers[publisherID]; role {
	case "Admin", "Developer":
		return nil
	case "":
		return errForbidden("partner %s has no publisher %s; migrate with one of its publishers", partner.PartnerID, publisherID)
	default:
		return errForbidden("the caller holds the %s role on publisher %s; only Admin or Developer may create offers", role, publisherID)
	}
}

// migrationProduct is the product a solution migrates into, with its
// draft: the never-submitted draft of the offer ID when one was created
// before the migration, else a new product (not stored yet) whose draft
// holds the migrated listing.
func migrationProduct(st *stage, sol *solutionRec, req *migrateRequest, now time.Time) (*productRec, *draftRec, error) {
	offerID := req.Identity.ExternalID
	var dr draftRec
	existing, err := productByOffer(st, offerID, now)
	if err != nil {
		return nil, nil, err
	}
	if existing != nil {
		if existing.LastPreview != "" || existing.MigratedFrom != "" {
			return nil, nil, errConflict(extProductExists,
				"offer %s exists as product %s and is not a never-submitted draft, so solution %s cannot be migrated into it; migrate into a new offer ID or merge into the offer once it is live",
				offerID, existing.ID, sol.SolutionID)
		}
		// Adopt the draft that was created before the migration.
		if _, err := st.getJSON(bucketDrafts, existing.ID, &dr); err != nil {
			return nil, nil, err
		}
		return existing, &dr, nil
	}
	p := &productRec{ID: newGUID(), ExternalID: offerID, Type: req.Type, Alias: alias(sol.Name), PublisherID: req.PublisherID,
		Version: schemaVersion, Lifecycle: lifecycleAvailable, Created: now}
	st.set(bucketOffers, offerID, []byte(p.ID))
	if listingTypes[p.Type] {
		dr.put(migratedListing(p, sol))
	}
	return p, &dr, nil
}

// mergeTarget is the live offer a merge request names: by durable ID
// (productID), or by listing URL (offerID, the URL's last segment); name
// is what the request named it by.
type mergeTarget struct {
	productID, offerID, name string
}

func (s *Simulator) handleMerge(w http.ResponseWriter, r *http.Request) {
	var req mergeRequest
	var target mergeTarget
	check := func() (err error) {
		target, err = req.target()
		return err
	}
	s.solutionRequest(w, r, &req, check, func(st *stage, sol *solutionRec, _ *partnerRec, now time.Time) error {
		return s.merge(st, sol, target, now)
	})
}

// target is the live offer a merge request names. The request names it by
// its durable ID, its listing URL, or both (as the partner-support form
// asks for the listing URL); the durable ID wins when both are given.
func (q *mergeRequest) target() (mergeTarget, error) {
	var t mergeTarget
	if q.ListingURI != "" {
		u, err := url.Parse(q.ListingURI)
		if err != nil || u.Scheme != "https" || !listingHosts[strings.ToLower(u.Host)] {
			return t, errBadRequest("listingUri %q must be an https URL on appsource.microsoft.com or azuremarketplace.microsoft.com", q.ListingURI)
		}
		t.offerID, t.name = path.Base(u.Path), q.ListingURI
	}
	switch {
	case q.Product != "":
		id, ok := parseProductRef(q.Product)
		if !ok {
			return t, errBadRequest("product %q is not a durable product ID (product/{productId})", q.Product)
		}
		t = mergeTarget{productID: id, name: q.Product}
	case q.ListingURI == "":
		return t, errBadRequest("name the live offer to merge into: product (its durable ID) or listingUri (its AppSource or Azure Marketplace URL)")
	}
	return t, nil
}

// merge requests the merge of a solution pending migration into target,
// as a partner support request that completes after the merge delay.
func (s *Simulator) merge(st *stage, sol *solutionRec, target mergeTarget, now time.Time) error {
	requested := sol.State == solutionMergeRequested || sol.State == solutionMerged
	if requested && sol.MergeTarget != target.name {
		return errConflict(extInvalidState, "solution %s already has merge request %s into %s; it cannot also be merged into %s",
			sol.SolutionID, sol.SupportRequestID, sol.MergeTarget, target.name)
	}
	if proceed, err := fromPending(sol, "merged", requested); !proceed {
		return err
	}
	p, err := mergeProduct(st, target, now)
	if err != nil {
		return err
	}
	due := now.Add(s.mergeDelay())
	sol.State, sol.MergeTarget, sol.MergeDue = solutionMergeRequested, target.name, due
	sol.SupportRequestID = st.next("support", supportBase)
	if p != nil {
		sol.Product = p.ID
		p.PendingMerges = append(p.PendingMerges, pendingMerge{Solution: solutionKey(sol.PartnerID, sol.SolutionID), Due: due})
		if err := st.putJSON(bucketProducts, p.ID, p); err != nil {
			return err
		}
	}
	st.incr(counterMerges + sol.SolutionID)
	return nil
}

// mergeProduct is the product a merge links to: the one named by durable
// ID, which must be live, or the live product of a listing URL's offer ID
// when the simulator holds one (other URLs are accepted as they are, and
// link to none).
func mergeProduct(st *stage, target mergeTarget, now time.Time) (*productRec, error) {
	live := func(p *productRec) bool { return p.Live != "" && p.Lifecycle != lifecycleDeprecated }
	if target.productID == "" {
		p, err := productByOffer(st, target.offerID, now)
		if err != nil || p == nil || !live(p) {
			return nil, err
		}
		return p, nil
	}
	p, err := loadProduct(st, target.productID, now)
	if err != nil {
		return nil, err
	}
	if !live(p) {
		return nil, errConflict(extInvalidState, "product %s (%s) is not live; it must be live first: take it live, then request the merge",
			productRef(p.ID), p.ExternalID)
	}
	return p, nil
}

func (s *Simulator) handleDiscard(w http.ResponseWriter, r *http.Request) {
	s.solutionAction(w, r, func(st *stage, sol *solutionRec, _ *partnerRec, _ time.Time) error {
		if proceed, err := fromPending(sol, "discarded", sol.State == solutionDiscarded); !proceed {
			return err
		}
		sol.State = solutionDiscarded
		st.incr(counterDiscards + sol.SolutionID)
		return nil
	})
}

func (s *Simulator) handleUndoDiscard(w http.ResponseWriter, r *http.Request) {
	s.solutionAction(w, r, func(st *stage, sol *solutionRec, _ *partnerRec, _ time.Time) error {
		switch sol.State {
		case solutionPendingMigration:
			return nil // idempotent
		case solutionDiscarded:
			sol.State = solutionPendingMigration
			st.incr(counterUndoDiscards + sol.SolutionID)
			return nil
		}
		return errConflict(extInvalidState, "solution %s is %s, not discarded, so there is no discard to undo", sol.SolutionID, sol.State)
	})
}

// handleSolutions answers GET /simulator/ocp-gtm/partners/{id}/solutions:
// the partner's legacy solutions, {"value": [...]}.
func (s *Simulator) handleSolutions(w http.ResponseWriter, r *http.Request) {
	partnerID := r.PathValue("partnerId")
	out := listOf[legacySolution]{Value: []legacySolution{}}
	s.serve(w, &out, func(st *stage, now time.Time) error {
		out.Value = out.Value[:0]
		if _, err := loadPartner(st, partnerID); err != nil {
			return err
		}
		for _, k := range st.prefixKeys(bucketSolutions, partnerID+"/") {
			_, solutionID, _ := strings.Cut(k, "/")
			sol, err := loadSolution(st, partnerID, solutionID, now)
			if err != nil {
				return err
			}
			out.Value = append(out.Value, sol.answer())
		}
		return nil
	})
}

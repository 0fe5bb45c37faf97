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
	err := s.update(func(st *stage, now time.Time) error {
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
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
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

func (s *Simulator) handleMigrate(w http.ResponseWriter, r *http.Request) {
	var req migrateRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	var problems []string
	if !externalPatt.MatchString(req.Identity.ExternalID) {
		problems = append(problems, fmt.Sprintf("identity.externalId %q must be an offer ID matching %s", req.Identity.ExternalID, externalPatt))
	}
	if !slices.Contains(productTypes, req.Type) {
		problems = append(problems, fmt.Sprintf("type %q is not a product type (%s)", req.Type, strings.Join(productTypes, ", ")))
	}
	if req.PublisherID == "" {
		problems = append(problems, "publisherId is required")
	}
	if len(problems) > 0 {
		writeError(w, errBadRequest("invalid migrate request: %s", strings.Join(problems, "; ")))
		return
	}
	s.solutionAction(w, r, func(st *stage, sol *solutionRec, partner *partnerRec, now time.Time) error {
		switch sol.State {
		case solutionMigrated:
			return nil // idempotent
		case solutionPendingMigration:
		default:
			return stateConflict(sol, "migrated")
		}
		if role := partner.Publishers[req.PublisherID]; role != "Admin" && role != "Developer" {
			if role == "" {
				return errForbidden("partner %s has no publisher %s; migrate with one of its publishers", partner.PartnerID, req.PublisherID)
			}
			return errForbidden("the caller holds the %s role on publisher %s; only Admin or Developer may create offers", role, req.PublisherID)
		}
		offerID := req.Identity.ExternalID
		var p *productRec
		var dr draftRec
		if id := st.get(bucketOffers, offerID); id != nil {
			existing, err := loadProduct(st, string(id), now)
			if err != nil {
				return err
			}
			if existing.LastPreview != "" || existing.MigratedFrom != "" {
				return errConflict(extProductExists,
					"offer %s exists as product %s and is not a never-submitted draft, so solution %s cannot be migrated into it; migrate into a new offer ID or merge into the offer once it is live",
					offerID, existing.ID, sol.SolutionID)
			}
			// Adopt the draft that was created before the migration.
			p = existing
			if _, err := st.getJSON(bucketDrafts, p.ID, &dr); err != nil {
				return err
			}
		} else {
			p = &productRec{ID: newGUID(), ExternalID: offerID, Type: req.Type, Alias: alias(sol.Name), PublisherID: req.PublisherID,
				Version: schemaVersion, Lifecycle: lifecycleAvailable, Created: now}
			st.set(bucketOffers, offerID, []byte(p.ID))
			if listingTypes[p.Type] {
				dr.put(migratedListing(p, sol))
			}
		}
		if err := s.adoptBillOfMaterials(st, p, sol); err != nil {
			return err
		}
		p.MigratedFrom = sol.SolutionID
		if err := st.putJSON(bucketProducts, p.ID, p); err != nil {
			return err
		}
		if err := st.putJSON(bucketDrafts, p.ID, &dr); err != nil {
			return err
		}
		sol.State, sol.Product = solutionMigrated, p.ID
		st.incr(counterMigrations + sol.SolutionID)
		return nil
	})
}

func (s *Simulator) handleMerge(w http.ResponseWriter, r *http.Request) {
	var req mergeRequest
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	// The request names the live offer by its durable ID, its listing URL,
	// or both (as the partner-support form asks for the listing URL); the
	// durable ID wins when both are given.
	var productID, offerID, target string
	if req.ListingURI != "" {
		u, err := url.Parse(req.ListingURI)
		if err != nil || u.Scheme != "https" || !listingHosts[strings.ToLower(u.Host)] {
			writeError(w, errBadRequest("listingUri %q must be an https URL on appsource.microsoft.com or azuremarketplace.microsoft.com", req.ListingURI))
			return
		}
		offerID, target = path.Base(u.Path), req.ListingURI
	}
	switch {
	case req.Product != "":
		id, ok := parseProductRef(req.Product)
		if !ok {
			writeError(w, errBadRequest("product %q is not a durable product ID (product/{productId})", req.Product))
			return
		}
		productID, offerID, target = id, "", req.Product
	case req.ListingURI == "":
		writeError(w, errBadRequest("name the live offer to merge into: product (its durable ID) or listingUri (its AppSource or Azure Marketplace URL)"))
		return
	}
	s.solutionAction(w, r, func(st *stage, sol *solutionRec, _ *partnerRec, now time.Time) error {
		switch sol.State {
		case solutionMergeRequested, solutionMerged:
			if sol.MergeTarget == target {
				return nil // idempotent
			}
			return errConflict(extInvalidState, "solution %s already has merge request %s into %s; it cannot also be merged into %s",
				sol.SolutionID, sol.SupportRequestID, sol.MergeTarget, target)
		case solutionPendingMigration:
		default:
			return stateConflict(sol, "merged")
		}
		var p *productRec
		if productID != "" {
			var err error
			if p, err = loadProduct(st, productID, now); err != nil {
				return err
			}
			if p.Live == "" || p.Lifecycle == lifecycleDeprecated {
				return errConflict(extInvalidState, "product %s (%s) is not live; it must be live first: take it live, then request the merge",
					productRef(p.ID), p.ExternalID)
			}
		} else if id := st.get(bucketOffers, offerID); id != nil {
			// A listing URL of an offer the simulator holds links the merge
			// to it; other URLs are accepted as they are.
			candidate, err := loadProduct(st, string(id), now)
			if err != nil {
				return err
			}
			if candidate.Live != "" && candidate.Lifecycle != lifecycleDeprecated {
				p = candidate
			}
		}
		due := now.Add(s.mergeDelay())
		sol.State, sol.MergeTarget, sol.MergeDue = solutionMergeRequested, target, due
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
	})
}

func (s *Simulator) handleDiscard(w http.ResponseWriter, r *http.Request) {
	s.solutionAction(w, r, func(st *stage, sol *solutionRec, _ *partnerRec, _ time.Time) error {
		switch sol.State {
		case solutionDiscarded:
			return nil // idempotent
		case solutionPendingMigration:
			sol.State = solutionDiscarded
			st.incr(counterDiscards + sol.SolutionID)
			return nil
		}
		return stateConflict(sol, "discarded")
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

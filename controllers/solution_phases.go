package controllers

import (
	"context"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// reconcileSolution reads the legacy solution from Partner Center and, when
// its state is not yet what spec.action asks, checks the partner's
// prerequisites and carries the action out (undoing a discard first).
func (r *SolutionReconciler) reconcileSolution(ctx context.Context, sol *v1.Solution) error {
	spec, st, gen := &sol.Spec, &sol.Status, sol.Generation
	offer, err := r.referencedOffer(ctx, sol)
	if err != nil {
		return err
	}
	st.Offer = offerDisplay(sol)

	// A Merge whose offer is not live yet, or a Migrate whose offer does not
	// exist yet, can only wait. Once a reconcile of this generation read
	// Partner Center's state (pending migration) and ended waiting for the
	// offer, the offer's events wake the Solution without asking Partner
	// Center again until the offer is there (and live, for a merge).
	if st.ObservedGeneration == gen && st.State == v1.StatePendingMigration && readyReason(st.Conditions) == v1.ReasonWaitingForOffer {
		switch {
		case spec.Action == v1.ActionMerge:
			if _, werr := mergeRequest(sol, offer); werr != nil {
				return werr
			}
		case spec.Action == v1.ActionMigrate && offer == nil:
			return waiting(0, v1.ReasonWaitingForOffer, "waiting for MarketplaceOffer %s, which the migrated draft becomes", spec.Migrate.OfferRef.Name)
		}
	}

	legacy, err := r.PartnerCenter.GetSolution(ctx, spec.PartnerID, spec.SolutionID)
	if partnercenter.IsNotFound(err) {
		return stalled(v1.ReasonSolutionNotFound,
			"partner %s has no legacy solution %s in OCP GTM; check spec.solutionID and spec.partnerID", spec.PartnerID, spec.SolutionID)
	}
	if err != nil {
		return pcError(err)
	}
	r.observe(sol, legacy)
	if done, msg := actionDone(spec.Action, legacy.State); done {
		setCondition(&st.Conditions, gen, v1.ActionCompletedCondition, true, string(legacy.State), "%s", msg)
		return nil
	}
	if err := conflictingDecision(spec.Action, legacy.State); err != nil {
		setCondition(&st.Conditions, gen, v1.ActionCompletedCondition, false, v1.ReasonActionConflict, "%s", err.Error())
		return err
	}
	if legacy.State == partnercenter.SolutionStateMergeRequested {
		return r.waitForMerge(sol)
	}

	publisher := ""
	if offer != nil {
		publisher = offer.Spec.PublisherID
	}
	cachedPrerequisites, err := r.checkPrerequisites(ctx, sol, publisher)
	if err != nil {
		return err
	}

	if legacy.State == partnercenter.SolutionStateDiscarded {
		legacy, err = r.PartnerCenter.UndoDiscard(ctx, spec.PartnerID, spec.SolutionID)
		if err != nil {
			return pcError(err)
		}
		r.Recorder.Eventf(sol, nil, "Normal", "DiscardUndone", "UndoDiscard", "undid the discard of %s before %s", spec.SolutionID, spec.Action)
		r.observe(sol, legacy)
	}

	switch spec.Action {
	case v1.ActionDiscard:
		legacy, err = r.PartnerCenter.DiscardSolution(ctx, spec.PartnerID, spec.SolutionID)
	case v1.ActionMigrate:
		if offer == nil {
			return waiting(0, v1.ReasonWaitingForOffer, "waiting for MarketplaceOffer %s, which the migrated draft becomes", spec.Migrate.OfferRef.Name)
		}
		legacy, err = r.PartnerCenter.MigrateSolution(ctx, partnercenter.MigrateRequest{
			PartnerID: spec.PartnerID, SolutionID: spec.SolutionID,
			OfferID: offer.Spec.OfferID, OfferType: string(offer.Spec.OfferType), PublisherID: offer.Spec.PublisherID,
		})
		if partnercenter.IsConflict(err) {
			return stalled(v1.ReasonActionConflict,
				"MarketplaceOffer %s (offer ID %s) was already submitted in Partner Center, and a migration needs a new draft: "+
					"reference a new MarketplaceOffer, or set action to Merge into %s once it is live (%s)",
				offer.Name, offer.Spec.OfferID, offer.Name, err.Error())
		}
	case v1.ActionMerge:
		req, werr := mergeRequest(sol, offer)
		if werr != nil {
			return werr
		}
		legacy, err = r.PartnerCenter.RequestMerge(ctx, req)
		if err == nil {
			now := metav1.NewTime(r.Clock.Now())
			st.MergeRequestedAt = &now
		}
	}
	if err != nil {
		if cachedPrerequisites {
			// The prerequisites came from the cache and may have lapsed since:
			// check them again at once rather than stall on Partner Center's
			// refusal.
			r.prerequisites.forget(spec.PartnerID, publisher)
			if isStalled(pcError(err)) {
				return fmt.Errorf("%w; checking the partner's prerequisites again", err)
			}
		}
		return pcError(err)
	}
	r.observe(sol, legacy)
	if done, msg := actionDone(spec.Action, legacy.State); done {
		setCondition(&st.Conditions, gen, v1.ActionCompletedCondition, true, string(legacy.State), "%s", msg)
		return nil
	}
	if legacy.State == partnercenter.SolutionStateMergeRequested {
		return r.waitForMerge(sol)
	}
	return waiting(r.Options.MinPoll, v1.ReasonProgressing, "Partner Center reports %s after %s", legacy.State, spec.Action)
}

// referencedOffer reads the MarketplaceOffer the Solution references, or
// returns nil when there is none (yet).
func (r *SolutionReconciler) referencedOffer(ctx context.Context, sol *v1.Solution) (*v1.MarketplaceOffer, error) {
	name := offerRefName(sol)
	if name == "" {
		return nil, nil
	}
	offer := &v1.MarketplaceOffer{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: sol.Namespace, Name: name}, offer); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return offer, nil
}

// observe copies what Partner Center reports into status.
func (r *SolutionReconciler) observe(sol *v1.Solution, legacy *partnercenter.LegacySolution) {
	st := &sol.Status
	st.State = v1.SolutionState(legacy.State)
	st.ProductID = legacy.ProductID
	st.SupportRequestID = legacy.SupportRequestID
	if legacy.State != partnercenter.SolutionStateMergeRequested && legacy.State != partnercenter.SolutionStateMerged {
		st.MergeRequestedAt = nil
	}
}

// checkPrerequisites stalls with a reason naming the missing prerequisite.
// It is asked only while there is an action to carry out. Prerequisites
// found met are partner-wide facts, remembered for prerequisitesTTL so that
// a partner's many Solutions do not each ask Partner Center; it reports
// whether the answer came from there (cached).
func (r *SolutionReconciler) checkPrerequisites(ctx context.Context, sol *v1.Solution, publisherID string) (cached bool, _ error) {
	st, gen := &sol.Status, sol.Generation
	pre, cached := r.prerequisites.get(sol.Spec.PartnerID, publisherID, r.Clock.Now())
	if !cached {
		var err error
		if pre, err = r.PartnerCenter.Prerequisites(ctx, sol.Spec.PartnerID, publisherID); err != nil {
			return false, pcError(err)
		}
	}
	var reason, msg string
	switch {
	case !pre.MembershipValid:
		reason, msg = v1.ReasonMembershipInvalid, fmt.Sprintf(
			"partner %s has no valid Microsoft partner-network membership; renew it at https://partner.microsoft.com, then the operator retries", sol.Spec.PartnerID)
	case !pre.MarketplaceAccount:
		reason, msg = v1.ReasonMarketplaceAccountMissing, fmt.Sprintf(
			"partner %s has no commercial-marketplace account; enroll in Partner Center, then the operator retries", sol.Spec.PartnerID)
	case publisherID != "" && !pre.CanPublish():
		role := pre.PublisherRole
		if role == "" {
			role = "no role"
		}
		reason, msg = v1.ReasonPublisherRoleMissing, fmt.Sprintf(
			"the operator's identity has %s on publisher %s; an account owner must add it as Admin or Developer", role, publisherID)
	}
	if reason != "" {
		setCondition(&st.Conditions, gen, v1.PrerequisitesMetCondition, false, reason, "%s", msg)
		return false, stalled(reason, "%s", msg)
	}
	if !cached {
		r.prerequisites.put(sol.Spec.PartnerID, publisherID, pre, r.Clock.Now())
	}
	setCondition(&st.Conditions, gen, v1.PrerequisitesMetCondition, true, v1.ReasonSucceeded,
		"partner %s has a valid membership, a marketplace account and a publishing role", sol.Spec.PartnerID)
	return cached, nil
}

// mergeRequest builds the merge request, waiting until a referenced offer
// is live: merging needs a live offer.
func mergeRequest(sol *v1.Solution, offer *v1.MarketplaceOffer) (partnercenter.MergeRequest, error) {
	spec := &sol.Spec
	req := partnercenter.MergeRequest{PartnerID: spec.PartnerID, SolutionID: spec.SolutionID}
	if spec.Merge.OfferURL != "" {
		req.ListingURL = spec.Merge.OfferURL
		return req, nil
	}
	name := spec.Merge.OfferRef.Name
	if offer == nil {
		return req, waiting(0, v1.ReasonWaitingForOffer, "waiting for MarketplaceOffer %s to exist and go live", name)
	}
	if offer.Status.ProductID == "" || !meta.IsStatusConditionTrue(offer.Status.Conditions, v1.LiveCondition) {
		phase := offer.Status.Phase
		if phase == "" {
			phase = "pending"
		}
		return req, waiting(0, v1.ReasonWaitingForOffer, "waiting for MarketplaceOffer %s to go live (phase %s)", name, phase)
	}
	req.ProductID = offer.Status.ProductID
	req.ListingURL = offer.Status.LiveURL
	req.OfferType = string(offer.Spec.OfferType)
	req.OfferName = offer.Spec.Listing.Title
	return req, nil
}

func (r *SolutionReconciler) waitForMerge(sol *v1.Solution) error {
	st := &sol.Status
	var age = r.Options.MinPoll
	if st.MergeRequestedAt != nil {
		age = r.Clock.Since(st.MergeRequestedAt.Time)
	}
	setCondition(&st.Conditions, sol.Generation, v1.ActionCompletedCondition, false, v1.ReasonMergeRequested,
		"merge request %s is with partner support, which usually answers within two business days", st.SupportRequestID)
	return waiting(pollAfter(age, r.Options.MinPoll, r.Options.MaxPoll), v1.ReasonMergeRequested,
		"merge request %s is with partner support", st.SupportRequestID)
}

// actionDone reports whether Partner Center's state is the end state of
// the action, with Ready's message.
func actionDone(action v1.SolutionAction, state partnercenter.SolutionState) (bool, string) {
	switch {
	case action == v1.ActionMigrate && state == partnercenter.SolutionStateMigrated:
		return true, "the solution was migrated into a draft offer"
	case action == v1.ActionMerge && state == partnercenter.SolutionStateMerged:
		return true, "the solution was merged into a live offer"
	case action == v1.ActionDiscard && state == partnercenter.SolutionStateDiscarded:
		return true, "the solution was discarded"
	}
	return false, ""
}

// conflictingDecision stalls when Partner Center already carried out a
// decision other than spec.action: migrations and merges cannot be undone.
func conflictingDecision(action v1.SolutionAction, state partnercenter.SolutionState) error {
	if done, _ := actionDone(action, state); done {
		return nil
	}
	switch state {
	case partnercenter.SolutionStateMigrated, partnercenter.SolutionStateMerged:
	case partnercenter.SolutionStateMergeRequested:
		if action == v1.ActionMerge {
			return nil
		}
	default:
		return nil
	}
	return stalled(v1.ReasonActionConflict,
		"Partner Center already reports this solution %s, which cannot be undone; set spec.action to match or delete this Solution", state)
}

// offerDisplay names where the solution goes, for the OFFER column.
func offerDisplay(sol *v1.Solution) string {
	if name := offerRefName(sol); name != "" {
		return name
	}
	if sol.Spec.Action == v1.ActionMerge && sol.Spec.Merge != nil {
		return sol.Spec.Merge.OfferURL
	}
	return ""
}

// readyReason is the reason of the Ready condition, or "".
func readyReason(conds []metav1.Condition) string {
	if c := meta.FindStatusCondition(conds, v1.ReadyCondition); c != nil {
		return c.Reason
	}
	return ""
}

// prerequisitesTTL is how long prerequisites found met are remembered.
const prerequisitesTTL = 30 * time.Second

// prerequisitesCache remembers met prerequisites by partner and publisher;
// unmet ones are never remembered, so a stalled Solution always asks again.
// The zero value is ready to use.
type prerequisitesCache struct {
	mu      sync.Mutex
	entries map[[2]string]prerequisitesEntry
}

type prerequisitesEntry struct {
	pre     partnercenter.Prerequisites
	expires time.Time
}

func (c *prerequisitesCache) get(partnerID, publisherID string, now time.Time) (*partnercenter.Prerequisites, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[[2]string{partnerID, publisherID}]
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	pre := e.pre
	return &pre, true
}

func (c *prerequisitesCache) put(partnerID, publisherID string, pre *partnercenter.Prerequisites, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[[2]string]prerequisitesEntry{}
	}
	for k, e := range c.entries { // drop expired entries: the map stays as small as the active partners
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	c.entries[[2]string{partnerID, publisherID}] = prerequisitesEntry{pre: *pre, expires: now.Add(prerequisitesTTL)}
}

func (c *prerequisitesCache) forget(partnerID, publisherID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, [2]string{partnerID, publisherID})
}

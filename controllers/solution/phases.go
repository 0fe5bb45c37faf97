package solution

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// reconcile runs the phases over s.
func (r *solutionRun) reconcile(ctx context.Context, s *solutionScope) error {
	sol := s.sol
	err := reconcile.RunPhases(ctx, s, []reconcile.Phase[*solutionScope]{
		// readOffer reads the referenced MarketplaceOffer (status.offer).
		{Name: "readOffer", Run: r.readOffer},
		// readLegacyState reads the legacy solution (status.state, ActionCompleted).
		{Name: "readLegacyState", Run: r.readLegacyState},
		// checkPrerequisites checks the partner may carry out the action (PrerequisitesMet).
		{Name: "checkPrerequisites", Run: r.checkPrerequisites},
		// undoDiscard restores a discarded solution before another action.
		{Name: "undoDiscard", Run: r.undoDiscard},
		// carryOut asks Partner Center for the action (ActionCompleted).
		{Name: "carryOut", Run: r.carryOut},
	})
	if s.assumed && err != nil && sol.Status.State == "" {
		// The reconcile ended before asking Partner Center anything (a
		// wait or stall found in the cluster, or in the partner's
		// prerequisites): the state is read once for status, as a
		// reconcile that read it first would show it, and what it says
		// comes first.
		switch rerr := r.readState(ctx, s); {
		case errors.Is(rerr, reconcile.ErrSkipRest):
			err = nil
		case rerr != nil:
			err = rerr
		}
	}
	setSolutionConditions(s)
	return err
}

// readOffer reads the offer the Solution references (through the cache).
func (r *solutionRun) readOffer(ctx context.Context, s *solutionScope) error {
	offer, err := r.referencedOffer(ctx, s.sol)
	if err != nil {
		return err
	}
	s.offer = offer
	if offer != nil {
		s.publisherID = offer.Spec.PublisherID
	}
	s.sol.Status.Offer = offerDisplay(s.sol)
	return nil
}

// readLegacyState learns the legacy solution's state from Partner Center
// and ends the reconcile when it is already what spec.action asks, when it
// records another decision, or while a merge request is open.
//
// A solution last seen pending migration (or never seen) whose action can
// be taken now is not read first: the action is asked for at once, and
// its answer is Partner Center's state. An action out of state is refused
// (the simulator's OCP GTM extension answers 409, a solution it does not
// hold 404): the Solution then reads the state and decides on it in the
// same reconcile (decideAgain), as a reconcile that had read it first
// would. The outcome is the same; only the calls differ.
//
// A Merge whose offer is not live yet, or a Migrate whose offer does not
// exist yet, can only wait: the first reconcile of the generation reads
// the state, so that a mistyped solution ID or a decision taken elsewhere
// is reported at once rather than once the offer is there. It then waits
// on the offer's events without asking Partner Center again, and acts on
// that state once the offer can take the action.
//
// A completed action of this generation is not read again: migrations and
// merges are final, and a discard changes only through this Solution (a
// new spec.action is a new generation). A restart, or the offer's status
// changes that wake the Solution, then cost no Partner Center call.
func (r *solutionRun) readLegacyState(ctx context.Context, s *solutionScope) error {
	spec, st := &s.sol.Spec, &s.sol.Status
	if actionRecordedComplete(s.sol) {
		s.action = actionCompleted
		return reconcile.ErrSkipRest
	}
	if st.State != "" && st.State != v1alpha1.StatePendingMigration {
		// Merge requested (polled), done for an earlier generation, or
		// another decision: read it.
		return r.readState(ctx, s)
	}
	if err := waitForOffer(s); err != nil {
		waited := st.ObservedGeneration == s.sol.Generation && st.State == v1alpha1.StatePendingMigration &&
			reconcile.ReadyReason(st.Conditions) == v1alpha1.ReasonWaitingForOffer
		if waited {
			return err
		}
		return r.readState(ctx, s) // the phases go on; carryOut waits
	}
	s.legacy = &partnercenter.LegacySolution{
		PartnerID: spec.PartnerID, SolutionID: spec.SolutionID, State: partnercenter.SolutionStatePendingMigration,
	}
	s.assumed = true
	return nil
}

// readState reads the legacy solution from Partner Center, records it, and
// ends the reconcile as readLegacyState says.
func (r *solutionRun) readState(ctx context.Context, s *solutionScope) error {
	spec := &s.sol.Spec
	legacy, err := r.pc.GetSolution(ctx, spec.PartnerID, spec.SolutionID)
	if partnercenter.IsNotFound(err) {
		return s.stop(stopFact{kind: stallSolutionNotFound})
	}
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	recordLegacyState(s, legacy)
	if decidedOtherwise(spec.Action, legacy.State) {
		s.action = actionConflicts
		return s.stop(stopFact{kind: stallDecidedOtherwise, state: legacy.State})
	}
	return r.settled(s)
}

// actionRecordedComplete reports whether status already records this
// generation's action as done: ActionCompleted True for the generation and
// the legacy solution in the action's end state.
func actionRecordedComplete(sol *v1alpha1.Solution) bool {
	st := &sol.Status
	c := meta.FindStatusCondition(st.Conditions, v1alpha1.ActionCompletedCondition)
	end, ok := actionEnds[sol.Spec.Action]
	return ok && c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == sol.Generation &&
		st.ObservedGeneration == sol.Generation && st.State == solutionStateFromPort(end.state)
}

// waitForOffer waits while the referenced offer cannot take the action
// yet: a Merge's offer is not live, a Migrate's offer does not exist.
func waitForOffer(s *solutionScope) error {
	spec := &s.sol.Spec
	switch {
	case spec.Action == v1alpha1.ActionMerge:
		_, err := mergeRequest(s)
		return err
	case spec.Action == v1alpha1.ActionMigrate && s.offer == nil:
		return s.stop(stopFact{kind: waitMigrateOffer})
	}
	return nil
}

// settled ends the phases when Partner Center's state completes the
// action, and waits while a merge request is with partner support.
func (r *solutionRun) settled(s *solutionScope) error {
	if done, _ := actionDone(s.sol.Spec.Action, s.legacy.State); done {
		s.action = actionCompleted
		return reconcile.ErrSkipRest
	}
	if s.legacy.State == partnercenter.SolutionStateMergeRequested {
		s.action = actionAwaitingMerge
		st := &s.sol.Status
		if st.MergeRequestedAt == nil {
			// A request this operator did not see opened (a crash before
			// the status write, a restored object, a merge opened in the
			// portal) is dated from when it was first seen, so that its
			// polls slow down as for any other.
			now := metav1.NewTime(r.Clock.Now())
			st.MergeRequestedAt = &now
		}
		age := r.Clock.Since(st.MergeRequestedAt.Time)
		return s.stop(stopFact{kind: waitMergeRequested, after: reconcile.PollAfter(age, r.Options.MinPoll, r.Options.MaxPoll)})
	}
	return nil
}

// undoDiscard returns a discarded solution to pending migration, so that
// another action can be carried out (a Discard is settled before).
func (r *solutionRun) undoDiscard(ctx context.Context, s *solutionScope) error {
	if s.legacy.State != partnercenter.SolutionStateDiscarded {
		return nil
	}
	spec := &s.sol.Spec
	legacy, err := r.pc.UndoDiscard(ctx, spec.PartnerID, spec.SolutionID)
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	reconcile.Eventf(r.Recorder, s.sol, "Normal", "DiscardUndone", "UndoDiscard", "undid the discard of %s before %s", spec.SolutionID, spec.Action)
	recordLegacyState(s, legacy)
	return nil
}

// carryOut asks Partner Center to carry out spec.action, then waits until
// its state says the action is done.
func (r *solutionRun) carryOut(ctx context.Context, s *solutionScope) error {
	call, err := r.actionCall(ctx, s)
	if err != nil {
		return err
	}
	legacy, err := call(ctx)
	assumed := s.assumed
	s.assumed = false
	if err != nil {
		if assumed && (partnercenter.IsConflict(err) || partnercenter.IsNotFound(err)) {
			return r.decideAgain(ctx, s, err)
		}
		return r.actionRefused(s, err)
	}
	recordLegacyState(s, legacy)
	if err := r.settled(s); err != nil {
		return err
	}
	return s.stop(stopFact{kind: waitProgressing, after: r.Options.MinPoll, state: legacy.State})
}

// decideAgain follows Partner Center's refusal of an action asked for on
// the state last seen (readLegacyState): it reads the legacy solution and
// decides on what it says now, as a reconcile that had read it first:
// not found, done, a conflicting decision, a merge request open, a discard
// to undo before acting. A solution still pending migration was refused
// for another reason, reported as any refusal.
func (r *solutionRun) decideAgain(ctx context.Context, s *solutionScope, refusal error) error {
	if err := r.readState(ctx, s); err != nil {
		return err
	}
	if s.legacy.State == partnercenter.SolutionStatePendingMigration {
		return r.actionRefused(s, refusal)
	}
	if err := r.undoDiscard(ctx, s); err != nil {
		return err
	}
	return r.carryOut(ctx, s)
}

// actionCall is the Partner Center call that carries out spec.action; it
// waits instead while the referenced offer cannot take it yet.
func (r *solutionRun) actionCall(ctx context.Context, s *solutionScope) (func(context.Context) (*partnercenter.LegacySolution, error), error) {
	spec, offer := &s.sol.Spec, s.offer
	switch spec.Action {
	case v1alpha1.ActionMigrate:
		if err := waitForOffer(s); err != nil {
			return nil, err
		}
		if err := offerRefusesMigration(s); err != nil {
			return nil, err
		}
		if err := r.migrationTaken(ctx, s); err != nil {
			return nil, err
		}
		req := partnercenter.MigrateRequest{
			PartnerID: spec.PartnerID, SolutionID: spec.SolutionID,
			OfferID: offer.Spec.OfferID, OfferType: string(offer.Spec.OfferType), PublisherID: offer.Spec.PublisherID,
		}
		return func(ctx context.Context) (*partnercenter.LegacySolution, error) {
			return r.pc.MigrateSolution(ctx, req)
		}, nil
	case v1alpha1.ActionMerge:
		req, err := mergeRequest(s)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) (*partnercenter.LegacySolution, error) {
			legacy, err := r.pc.RequestMerge(ctx, req)
			if err == nil {
				now := metav1.NewTime(r.Clock.Now())
				s.sol.Status.MergeRequestedAt = &now
			}
			return legacy, err
		}, nil
	}
	// ActionDiscard: the API admits no other action.
	return func(ctx context.Context) (*partnercenter.LegacySolution, error) {
		return r.pc.DiscardSolution(ctx, spec.PartnerID, spec.SolutionID)
	}, nil
}

// actionRefused turns Partner Center's refusal of the action into the
// outcome. A migration into an offer already submitted stalls with what to
// do. Prerequisites that came from the cache may have lapsed since: they
// are checked again at once rather than stall on the refusal.
func (r *solutionRun) actionRefused(s *solutionScope, err error) error {
	spec := &s.sol.Spec
	if spec.Action == v1alpha1.ActionMigrate && partnercenter.IsConflict(err) {
		return s.stop(stopFact{kind: stallOfferSubmitted, cause: err.Error()})
	}
	if s.prerequisitesCached {
		r.prerequisites.forget(spec.PartnerID, s.publisherID)
		if reconcile.IsStalled(reconcile.PartnerCenterError(err)) {
			return fmt.Errorf("%w; checking the partner's prerequisites again", err)
		}
	}
	return reconcile.PartnerCenterError(err)
}

// recordLegacyState records the legacy solution as Partner Center reports
// it, in the scope and in status.
func recordLegacyState(s *solutionScope, legacy *partnercenter.LegacySolution) {
	s.legacy = legacy
	st := &s.sol.Status
	st.State = solutionStateFromPort(legacy.State)
	st.ProductID = legacy.ProductID
	st.SupportRequestID = legacy.SupportRequestID
	if legacy.State != partnercenter.SolutionStateMergeRequested && legacy.State != partnercenter.SolutionStateMerged {
		st.MergeRequestedAt = nil
	}
}

// referencedOffer reads the MarketplaceOffer the Solution references, or
// returns nil when there is none (yet).
func (r *solutionRun) referencedOffer(ctx context.Context, sol *v1alpha1.Solution) (*v1alpha1.MarketplaceOffer, error) {
	name := reconcile.OfferRefName(sol)
	if name == "" {
		return nil, nil
	}
	offer := &v1alpha1.MarketplaceOffer{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: sol.Namespace, Name: name}, offer); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return offer, nil
}

// mergeRequest builds the merge request, waiting until a referenced offer
// is live: merging needs a live offer. An offer that will not go live
// stalls it (waits.go).
func mergeRequest(s *solutionScope) (partnercenter.MergeRequest, error) {
	offer, spec := s.offer, &s.sol.Spec
	req := partnercenter.MergeRequest{PartnerID: spec.PartnerID, SolutionID: spec.SolutionID}
	if spec.Merge.OfferURL != "" {
		req.ListingURL = spec.Merge.OfferURL
		return req, nil
	}
	if offer == nil {
		return req, s.stop(stopFact{kind: waitMergeOfferExists})
	}
	if err := offerWillNotGoLive(s); err != nil {
		return req, err
	}
	if offer.Status.ProductID == "" || !isLive(offer) {
		// The offer's phase is not repeated here: the message would change,
		// and the Solution be written again, at each of its stages.
		return req, s.stop(stopFact{kind: waitMergeOfferLive})
	}
	req.ProductID = offer.Status.ProductID
	req.OfferType = string(offer.Spec.OfferType)
	req.OfferName = offer.Spec.Listing.Title
	return req, nil
}

// offerDisplay names where the solution goes, for the OFFER column.
func offerDisplay(sol *v1alpha1.Solution) string {
	if name := reconcile.OfferRefName(sol); name != "" {
		return name
	}
	if sol.Spec.Action == v1alpha1.ActionMerge && sol.Spec.Merge != nil {
		return sol.Spec.Merge.OfferURL
	}
	return ""
}

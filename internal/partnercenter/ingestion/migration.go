package ingestion

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// The OCP GTM migration operations. Microsoft publishes no API for them;
// only a simulator serves them, as the extension of package wire
// (migration.go), relative to its server root. For a Microsoft host
// (HostOf) they are Unsupported and say what the partner must do in
// Partner Center instead.

// unsupported is the error of a migration operation without the surface.
func unsupported(op, what string) error {
	return &pc.Error{Class: pc.ClassUnsupported, Op: op,
		Message: "Microsoft publishes no API for OCP GTM solution migration, so the operator cannot " + what +
			" (" + op + "); do it in Partner Center (Marketplace offers > Migrate OCP GTM solutions), or for a merge open a partner support request naming the offer type, offer name, OCP solution ID and listing URL"}
}

// Prerequisites implements pc.Client.
func (c *Client) Prerequisites(ctx context.Context, partnerID, publisherID string) (*pc.Prerequisites, error) {
	const op = "Prerequisites"
	if !c.extensions {
		return nil, unsupported(op, "check a partner's migration prerequisites")
	}
	if err := checkID(op, "partner", partnerID); err != nil {
		return nil, err
	}
	q := url.Values{}
	if publisherID != "" {
		q.Set("publisherId", publisherID)
	}
	var w wire.Prerequisites
	u := join(c.root, q, append(slices.Clone(wire.MigrationPathPrefix), partnerID, "prerequisites")...)
	if err := c.do(ctx, op, http.MethodGet, u, nil, &w); err != nil {
		return nil, err
	}
	return &pc.Prerequisites{MembershipValid: w.MembershipValid, MarketplaceAccount: w.MarketplaceAccount,
		PublisherRole: w.PublisherRole}, nil
}

// GetSolution implements pc.Client.
func (c *Client) GetSolution(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	const op = "GetSolution"
	if !c.extensions {
		return nil, unsupported(op, "read a legacy OCP GTM solution")
	}
	return c.solution(ctx, op, http.MethodGet, partnerID, solutionID, "", nil)
}

// MigrateSolution implements pc.Client.
func (c *Client) MigrateSolution(ctx context.Context, req pc.MigrateRequest) (*pc.LegacySolution, error) {
	const op = "MigrateSolution"
	if !c.extensions {
		return nil, unsupported(op, "migrate a legacy OCP GTM solution into a new offer")
	}
	if req.OfferID == "" {
		return nil, invalidRequest(op, "offer ID is empty")
	}
	t, err := offerType(op, req.OfferType)
	if err != nil {
		return nil, err
	}
	body := wire.MigrateRequest{Identity: wire.Identity{ExternalID: req.OfferID}, Type: t.Product, PublisherID: req.PublisherID}
	return c.solution(ctx, op, http.MethodPost, req.PartnerID, req.SolutionID, "migrate", body)
}

// RequestMerge implements pc.Client. The offer type goes on the wire by
// the API's name, like a product's type.
func (c *Client) RequestMerge(ctx context.Context, req pc.MergeRequest) (*pc.LegacySolution, error) {
	const op = "RequestMerge"
	if !c.extensions {
		return nil, unsupported(op, "request the merge of a legacy OCP GTM solution into a live offer")
	}
	if req.ProductID == "" && req.ListingURL == "" {
		return nil, invalidRequest(op, "a merge needs the offer's product ID or listing URL")
	}
	body := wire.MergeRequest{ListingURI: req.ListingURL, OfferName: req.OfferName}
	if req.ProductID != "" {
		body.Product = wire.ProductRef(req.ProductID)
	}
	if req.OfferType != "" {
		t, err := offerType(op, req.OfferType)
		if err != nil {
			return nil, err
		}
		body.OfferType = t.Product
	}
	return c.solution(ctx, op, http.MethodPost, req.PartnerID, req.SolutionID, "merge", body)
}

// DiscardSolution implements pc.Client.
func (c *Client) DiscardSolution(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	const op = "DiscardSolution"
	if !c.extensions {
		return nil, unsupported(op, "discard a legacy OCP GTM solution")
	}
	return c.solution(ctx, op, http.MethodPost, partnerID, solutionID, "discard", nil)
}

// UndoDiscard implements pc.Client.
func (c *Client) UndoDiscard(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	const op = "UndoDiscard"
	if !c.extensions {
		return nil, unsupported(op, "undo the discard of a legacy OCP GTM solution")
	}
	return c.solution(ctx, op, http.MethodPost, partnerID, solutionID, "undo-discard", nil)
}

// solution calls /simulator/ocp-gtm/partners/{partnerId}/solutions/{solutionId}[/action]
// and maps the legacy solution it answers.
func (c *Client) solution(ctx context.Context, op, method, partnerID, solutionID, action string, body any) (*pc.LegacySolution, error) {
	if err := checkID(op, "partner", partnerID); err != nil {
		return nil, err
	}
	if err := checkID(op, "solution", solutionID); err != nil {
		return nil, err
	}
	segments := append(slices.Clone(wire.MigrationPathPrefix), partnerID, "solutions", solutionID)
	if action != "" {
		segments = append(segments, action)
	}
	var w wire.LegacySolution
	if err := c.do(ctx, op, method, join(c.root, nil, segments...), body, &w); err != nil {
		return nil, err
	}
	return toSolution(op, &w)
}

// toSolution maps a legacy solution; it needs a solutionId and a known state.
func toSolution(op string, w *wire.LegacySolution) (*pc.LegacySolution, error) {
	if w.SolutionID == "" {
		return nil, contractError(op, "legacy solution without a solutionId")
	}
	state := solutionState(w.State)
	if state == "" {
		return nil, contractError(op, "legacy solution %s has unknown state %q", w.SolutionID, w.State)
	}
	s := &pc.LegacySolution{PartnerID: w.PartnerID, SolutionID: w.SolutionID, Name: w.Name, Summary: w.Summary,
		State: state, SupportRequestID: w.SupportRequestID}
	if w.Product != "" {
		id, ok := bareProductID(w.Product)
		if !ok {
			return nil, contractError(op, "legacy solution %s names product %q", w.SolutionID, w.Product)
		}
		s.ProductID = id
	}
	for _, d := range w.BillOfMaterials {
		s.BillOfMaterials = append(s.BillOfMaterials, pc.Document{Type: d.Type, URL: d.URL})
	}
	return s, nil
}

// solutionState maps a wire state to the port's, or "" when unknown.
func solutionState(s string) pc.SolutionState {
	switch s {
	case wire.SolutionPendingMigration:
		return pc.SolutionStatePendingMigration
	case wire.SolutionMigrated:
		return pc.SolutionStateMigrated
	case wire.SolutionMergeRequested:
		return pc.SolutionStateMergeRequested
	case wire.SolutionMerged:
		return pc.SolutionStateMerged
	case wire.SolutionDiscarded:
		return pc.SolutionStateDiscarded
	}
	return ""
}

package ingestion

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// SubmitPreview implements pc.Client: the submission resource
// {product, target preview}, which publishes the whole draft to preview
// through certification. It does not wait for the job. A product with a
// submission in progress is busy (a Conflict), read from its submissions
// as cloudpub does before it publishes.
func (c *Client) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	const op = "SubmitPreview"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	before, err := c.idle(ctx, op, productID)
	if err != nil {
		return nil, err
	}
	made := c.submissionsShow(op, productID, func(s pc.Submission) bool {
		return s.Target == pc.TargetPreview && !slices.ContainsFunc(before, func(b pc.Submission) bool { return b.ID == s.ID })
	})
	return c.configure(ctx, op, made, wire.Submission{
		Schema:  wire.SchemaOf(wire.KindSubmission),
		Product: wire.DurableRef(wire.ProductRef(productID)),
		Target:  wire.Target{TargetType: wire.TargetPreview},
	})
}

// GoLive implements pc.Client: the preview submission's id with target
// live (nothing goes straight to live, and a live publish cannot be
// modular). It does not wait for the job. A product with a submission in
// progress is busy (a Conflict).
func (c *Client) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	const op = "GoLive"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	if err := checkID(op, "preview submission", previewSubmissionID); err != nil {
		return nil, err
	}
	before, err := c.idle(ctx, op, productID)
	if err != nil {
		return nil, err
	}
	pushed := c.submissionsShow(op, productID, func(s pc.Submission) bool {
		return s.Target == pc.TargetLive &&
			(s.ID == previewSubmissionID || !slices.ContainsFunc(before, func(b pc.Submission) bool { return b.ID == s.ID }))
	})
	return c.configure(ctx, op, pushed, wire.Submission{
		Schema:  wire.SchemaOf(wire.KindSubmission),
		ID:      wire.SubmissionRef(productID, previewSubmissionID),
		Product: wire.DurableRef(wire.ProductRef(productID)),
		Target:  wire.Target{TargetType: wire.TargetLive},
	})
}

// idle lists a product's submissions and refuses, as a Conflict, when one
// is in progress (notStarted or running): Partner Center publishes a
// product one submission at a time. The inner-error code productLocked
// has no published meaning; the submissions list is what says a product
// is busy.
func (c *Client) idle(ctx context.Context, op, productID string) ([]pc.Submission, error) {
	subs, err := c.ListSubmissions(ctx, productID)
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		if s.Status == pc.SubmissionNotStarted || s.Status == pc.SubmissionRunning {
			return nil, &pc.Error{Class: pc.ClassConflict, Op: op,
				Message: fmt.Sprintf("product %s is busy: its %s submission %s is %s; Partner Center takes one submission at a time, so this one is made once that one completed",
					productID, s.Target, s.ID, s.Status)}
		}
	}
	return subs, nil
}

// submissionsShow is the effect of a submission write: the product's
// submissions list one that shows it.
func (c *Client) submissionsShow(op, productID string, shows func(pc.Submission) bool) effect {
	return func(ctx context.Context) (bool, *pc.Job, error) {
		subs, err := c.ListSubmissions(ctx, productID)
		if err != nil {
			return false, nil, err
		}
		return slices.ContainsFunc(subs, shows), nil, nil
	}
}

// GetSubmission implements pc.Client.
func (c *Client) GetSubmission(ctx context.Context, productID, submissionID string) (*pc.Submission, error) {
	const op = "GetSubmission"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	if err := checkID(op, "submission", submissionID); err != nil {
		return nil, err
	}
	var w wire.Submission
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "submission", productID, submissionID), nil, &w); err != nil {
		return nil, err
	}
	return toSubmission(op, productID, &w)
}

// ListSubmissions implements pc.Client: every active submission, the draft
// entry included, newest first (the draft entry, which has no created
// time, last).
func (c *Client) ListSubmissions(ctx context.Context, productID string) ([]pc.Submission, error) {
	const op = "ListSubmissions"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	var list wire.List[wire.Submission]
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "submission", productID), nil, &list); err != nil {
		return nil, err
	}
	out := make([]pc.Submission, 0, len(list.Value))
	for i := range list.Value {
		s, err := toSubmission(op, productID, &list.Value[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	slices.SortStableFunc(out, func(a, b pc.Submission) int { return b.Created.Compare(a.Created) })
	return out, nil
}

// toSubmission maps a submission. It needs an id; the draft entry (target
// draft) has no status, every other one a documented status.
func toSubmission(op, productID string, w *wire.Submission) (*pc.Submission, error) {
	_, sid, ok := bareSubmissionID(w.ID)
	if !ok {
		return nil, contractError(op, "submission of product %s with id %q", productID, w.ID)
	}
	target := w.Target.TargetType
	switch w.Status {
	case wire.StatusNotStarted, wire.StatusRunning, wire.StatusCompleted:
	case "":
		if target != wire.TargetDraft && sid != wire.DraftSubmissionID {
			return nil, contractError(op, "submission %s (target %q) without a status", sid, target)
		}
		if target == "" {
			target = wire.TargetDraft
		}
	default:
		return nil, contractError(op, "submission %s has unknown status %q", sid, w.Status)
	}
	switch w.Result {
	case "", wire.ResultPending, wire.ResultSucceeded, wire.ResultFailed:
	default:
		return nil, contractError(op, "submission %s has unknown result %q", sid, w.Result)
	}
	s := &pc.Submission{
		ID:        sid,
		ProductID: productID,
		Target:    pc.SubmissionTarget(target),
		Status:    pc.SubmissionStatus(w.Status),
		Result:    pc.SubmissionResult(w.Result),
		State:     pc.LifecycleState(w.LifecycleState),
	}
	if s.Result == "" && s.Status != "" {
		s.Result = pc.SubmissionPending
	}
	if s.State == "" {
		s.State = pc.LifecycleGenerallyAvailable
	}
	if w.Created != nil {
		s.Created = w.Created.Time
	}
	for _, v := range w.Validations {
		item := pc.FeedbackItem{Code: v.Code, Message: v.Message}
		if v.ResourceID != nil {
			item.Resource = v.ResourceID.String()
		}
		s.Feedback = append(s.Feedback, item)
	}
	return s, nil
}

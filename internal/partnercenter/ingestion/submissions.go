package ingestion

import (
	"context"
	"net/http"
	"slices"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// SubmitPreview implements pc.Client: the submission resource
// {product, target preview}, which publishes the whole draft to preview
// through certification. It does not wait for the job.
func (c *Client) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	const op = "SubmitPreview"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	return c.configure(ctx, op, wire.Submission{
		Schema:  wire.SchemaOf(wire.KindSubmission),
		Product: wire.DurableRef(wire.ProductRef(productID)),
		Target:  wire.Target{TargetType: wire.TargetPreview},
	})
}

// GoLive implements pc.Client: the preview submission's id with target
// live (nothing goes straight to live, and a live publish cannot be
// modular). It does not wait for the job.
func (c *Client) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	const op = "GoLive"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	if err := checkID(op, "preview submission", previewSubmissionID); err != nil {
		return nil, err
	}
	return c.configure(ctx, op, wire.Submission{
		Schema:  wire.SchemaOf(wire.KindSubmission),
		ID:      wire.SubmissionRef(productID, previewSubmissionID),
		Product: wire.DurableRef(wire.ProductRef(productID)),
		Target:  wire.Target{TargetType: wire.TargetLive},
	})
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

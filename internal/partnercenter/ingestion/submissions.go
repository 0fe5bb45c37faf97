package ingestion

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// SubmitPreview implements pc.Client: it submits the draft with target
// preview, waits for the configure job and returns the submission it
// created. A job failing with inProgressSubmissionExists or
// noChangesToSubmit is a Conflict with that code.
func (c *Client) SubmitPreview(ctx context.Context, productID string) (*pc.Submission, error) {
	const op = "SubmitPreview"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	return c.submit(ctx, op, productID, wire.Resource{
		Schema:  wire.Schema(wire.KindSubmission),
		Product: wire.ProductRef(productID),
		Target:  &wire.Target{TargetType: wire.TargetPreview},
	})
}

// GoLive implements pc.Client: it sends the certified preview submission
// with target live, like SubmitPreview.
func (c *Client) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Submission, error) {
	const op = "GoLive"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	if err := checkID(op, "preview submission", previewSubmissionID); err != nil {
		return nil, err
	}
	return c.submit(ctx, op, productID, wire.Resource{
		Schema:  wire.Schema(wire.KindSubmission),
		ID:      wire.SubmissionRef(productID, previewSubmissionID),
		Product: wire.ProductRef(productID),
		Target:  &wire.Target{TargetType: wire.TargetLive},
	})
}

// submit runs a submission job and reads the submission it created: the
// one the job lists, or else the newest of the job's target.
func (c *Client) submit(ctx context.Context, op, productID string, r wire.Resource) (*pc.Submission, error) {
	st, err := c.runJob(ctx, op, r)
	if err != nil {
		return nil, err
	}
	for _, res := range st.Resources {
		if wire.KindOf(res.Schema) != wire.KindSubmission {
			continue
		}
		if _, sid, ok := bareSubmissionID(res.ID); ok && res.ID != r.ID {
			return c.getSubmission(ctx, op, productID, sid)
		}
	}
	subs, err := c.listSubmissions(ctx, op, productID)
	if err != nil {
		return nil, err
	}
	for i := range subs {
		if string(subs[i].Target) == r.Target.TargetType {
			return &subs[i], nil
		}
	}
	return nil, contractError(op, "job %s succeeded but product %s has no %s submission", st.JobID, productID, r.Target.TargetType)
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
	return c.getSubmission(ctx, op, productID, submissionID)
}

func (c *Client) getSubmission(ctx context.Context, op, productID, submissionID string) (*pc.Submission, error) {
	var w wire.Submission
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "submission", productID, submissionID), nil, &w); err != nil {
		return nil, err
	}
	return toSubmission(op, productID, &w)
}

// ListSubmissions implements pc.Client: newest first.
func (c *Client) ListSubmissions(ctx context.Context, productID string) ([]pc.Submission, error) {
	const op = "ListSubmissions"
	if err := checkID(op, "product", productID); err != nil {
		return nil, err
	}
	return c.listSubmissions(ctx, op, productID)
}

func (c *Client) listSubmissions(ctx context.Context, op, productID string) ([]pc.Submission, error) {
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

// toSubmission maps a submission; it needs an id and a status.
func toSubmission(op, productID string, w *wire.Submission) (*pc.Submission, error) {
	_, sid, ok := bareSubmissionID(w.ID)
	if !ok {
		return nil, contractError(op, "submission of product %s with id %q", productID, w.ID)
	}
	switch w.Status {
	case wire.SubmissionInProgress, wire.SubmissionCompleted:
	case "":
		return nil, contractError(op, "submission %s without a status", sid)
	default:
		return nil, contractError(op, "submission %s has unknown status %q", sid, w.Status)
	}
	s := &pc.Submission{
		ID:          sid,
		ProductID:   productID,
		Target:      pc.SubmissionTarget(w.Target.TargetType),
		Status:      pc.SubmissionStatus(w.Status),
		Result:      pc.SubmissionResult(cmp.Or(w.Result, wire.JobPending)),
		PreviewURLs: slices.Clone(w.PreviewLinks),
		LiveURL:     w.LiveLink,
		Created:     w.Created,
	}
	if w.CertificationReport != nil {
		s.Feedback = feedback(w.CertificationReport.Items)
	}
	return s, nil
}

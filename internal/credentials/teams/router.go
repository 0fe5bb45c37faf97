package teams

import (
	"context"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// The Router's partnercenter.Client methods: each resolves the client of
// the context's namespace (For) and delegates to it.

var _ pc.Client = (*Router)(nil)

// JobPollInterval implements pc.Client: Options.JobPollInterval, else the
// global client's, else Microsoft's (the longest). Every client of a Router
// talks to the same Partner Center, so they agree.
func (r *Router) JobPollInterval() time.Duration {
	if r.opts.JobPollInterval > 0 {
		return r.opts.JobPollInterval
	}
	if r.opts.Default != nil {
		return r.opts.Default.JobPollInterval()
	}
	return ingestion.MicrosoftJobPollInterval
}

// Prerequisites implements pc.Client.
func (r *Router) Prerequisites(ctx context.Context, partnerID, publisherID string) (*pc.Prerequisites, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "Prerequisites")
	}
	return c.Prerequisites(ctx, partnerID, publisherID)
}

// GetSolution implements pc.Client.
func (r *Router) GetSolution(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "GetSolution")
	}
	return c.GetSolution(ctx, partnerID, solutionID)
}

// MigrateSolution implements pc.Client.
func (r *Router) MigrateSolution(ctx context.Context, req pc.MigrateRequest) (*pc.LegacySolution, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "MigrateSolution")
	}
	return c.MigrateSolution(ctx, req)
}

// RequestMerge implements pc.Client.
func (r *Router) RequestMerge(ctx context.Context, req pc.MergeRequest) (*pc.LegacySolution, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "RequestMerge")
	}
	return c.RequestMerge(ctx, req)
}

// DiscardSolution implements pc.Client.
func (r *Router) DiscardSolution(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "DiscardSolution")
	}
	return c.DiscardSolution(ctx, partnerID, solutionID)
}

// UndoDiscard implements pc.Client.
func (r *Router) UndoDiscard(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "UndoDiscard")
	}
	return c.UndoDiscard(ctx, partnerID, solutionID)
}

// FindProduct implements pc.Client.
func (r *Router) FindProduct(ctx context.Context, offerID string) (*pc.Product, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "FindProduct")
	}
	return c.FindProduct(ctx, offerID)
}

// GetProduct implements pc.Client.
func (r *Router) GetProduct(ctx context.Context, productID string) (*pc.Product, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "GetProduct")
	}
	return c.GetProduct(ctx, productID)
}

// CreateProduct implements pc.Client.
func (r *Router) CreateProduct(ctx context.Context, spec pc.ProductSpec) (*pc.Job, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "CreateProduct")
	}
	return c.CreateProduct(ctx, spec)
}

// GetDraft implements pc.Client.
func (r *Router) GetDraft(ctx context.Context, productID string) (*pc.Draft, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "GetDraft")
	}
	return c.GetDraft(ctx, productID)
}

// ConfigureDraft implements pc.Client.
func (r *Router) ConfigureDraft(ctx context.Context, productID, offerType string, draft pc.Draft) (*pc.Job, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "ConfigureDraft")
	}
	return c.ConfigureDraft(ctx, productID, offerType, draft)
}

// GetJob implements pc.Client.
func (r *Router) GetJob(ctx context.Context, jobID string) (*pc.Job, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "GetJob")
	}
	return c.GetJob(ctx, jobID)
}

// GetJobDetail implements pc.Client.
func (r *Router) GetJobDetail(ctx context.Context, jobID string) (*pc.JobDetail, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "GetJobDetail")
	}
	return c.GetJobDetail(ctx, jobID)
}

// SubmitPreview implements pc.Client.
func (r *Router) SubmitPreview(ctx context.Context, productID string) (*pc.Job, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "SubmitPreview")
	}
	return c.SubmitPreview(ctx, productID)
}

// GoLive implements pc.Client.
func (r *Router) GoLive(ctx context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "GoLive")
	}
	return c.GoLive(ctx, productID, previewSubmissionID)
}

// GetSubmission implements pc.Client.
func (r *Router) GetSubmission(ctx context.Context, productID, submissionID string) (*pc.Submission, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "GetSubmission")
	}
	return c.GetSubmission(ctx, productID, submissionID)
}

// ListSubmissions implements pc.Client.
func (r *Router) ListSubmissions(ctx context.Context, productID string) ([]pc.Submission, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "ListSubmissions")
	}
	return c.ListSubmissions(ctx, productID)
}

// StopSale implements pc.Client.
func (r *Router) StopSale(ctx context.Context, productID, liveSubmissionID string) (*pc.Job, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "StopSale")
	}
	return c.StopSale(ctx, productID, liveSubmissionID)
}

// DeleteDraft implements pc.Client.
func (r *Router) DeleteDraft(ctx context.Context, product pc.Product) (*pc.Job, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "DeleteDraft")
	}
	return c.DeleteDraft(ctx, product)
}

// ConfigureCoSell implements pc.Client.
func (r *Router) ConfigureCoSell(ctx context.Context, offerID, offerType string, cs pc.CoSellListing) ([]pc.FeedbackItem, error) {
	c, err := r.For(ctx)
	if err != nil {
		return nil, withOp(err, "ConfigureCoSell")
	}
	return c.ConfigureCoSell(ctx, offerID, offerType, cs)
}

// withOp names the operation on a *pc.Error of For.
func withOp(err error, op string) error {
	if e, ok := err.(*pc.Error); ok { //nolint:errorlint // For returns *pc.Error values unwrapped
		cp := *e
		cp.Op = op
		return &cp
	}
	return err
}

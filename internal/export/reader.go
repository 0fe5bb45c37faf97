package export

import (
	"context"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// Reader is what export reads from Partner Center: read calls only.
// *ingestion.Client satisfies it.
type Reader interface {
	// ListProducts reads one page of the account's products; next is ""
	// for the first page, else the previous page's Next.
	ListProducts(ctx context.Context, opts ingestion.ListProductsOptions, next string) (*ingestion.ProductPage, error)
	// FindProduct looks a product up by its offer ID.
	FindProduct(ctx context.Context, offerID string) (*pc.Product, error)
	// ListSubmissions reads a product's active submissions.
	ListSubmissions(ctx context.Context, productID string) ([]pc.Submission, error)
	// GetTarget reads the draft, preview or live version of a product.
	GetTarget(ctx context.Context, productID string, target pc.SubmissionTarget) (*pc.Draft, error)
}

// SolutionLister lists a partner's legacy OCP GTM solutions (a simulator
// extension; *ingestion.Client satisfies it).
type SolutionLister interface {
	ListSolutions(ctx context.Context, partnerID string) ([]pc.LegacySolution, error)
}

var (
	_ Reader         = (*ingestion.Client)(nil)
	_ SolutionLister = (*ingestion.Client)(nil)
)

// Package seedtest puts offers of mixed types and states into a Partner
// Center (the simulator, in tests) through the port, the way the operator
// would: create, configure the draft, submit to preview, push live, and
// configure a newer draft. It is for the export and round-trip tests.
package seedtest

import (
	"context"
	"fmt"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Stage is how far an offer is taken.
type Stage string

const (
	// Draft: created and configured, never submitted.
	Draft Stage = "draft"
	// Preview: certified and published to preview.
	Preview Stage = "preview"
	// Live: published live.
	Live Stage = "live"
	// LiveNewerDraft: published live, then a different draft configured.
	LiveNewerDraft Stage = "live+draft"
	// StopSold: published live, then its sale stopped.
	StopSold Stage = "stop-sold"
)

// Offer is an offer to seed.
type Offer struct {
	OfferID, OfferType, Name string
	Stage                    Stage
	Draft                    pc.Draft
	// NewerDraft is configured after going live (LiveNewerDraft).
	NewerDraft pc.Draft
}

// Seeded is what Seed created.
type Seeded struct {
	Offer
	ProductID string
}

// Seed creates the offers in order and returns their product IDs. Jobs and
// submissions are polled once per c.JobPollInterval() until done or ctx
// ends.
func Seed(ctx context.Context, c pc.Client, offers []Offer) ([]Seeded, error) {
	out := make([]Seeded, 0, len(offers))
	for _, o := range offers {
		id, err := seedOne(ctx, c, o)
		if err != nil {
			return out, fmt.Errorf("seeding %s (%s, %s): %w", o.OfferID, o.OfferType, o.Stage, err)
		}
		out = append(out, Seeded{Offer: o, ProductID: id})
	}
	return out, nil
}

func seedOne(ctx context.Context, c pc.Client, o Offer) (string, error) {
	job, err := c.CreateProduct(ctx, pc.ProductSpec{OfferID: o.OfferID, OfferType: o.OfferType, Name: o.Name})
	if err != nil {
		return "", err
	}
	if _, err := await(ctx, c, job); err != nil {
		return "", err
	}
	detail, err := c.GetJobDetail(ctx, job.ID)
	if err != nil {
		return "", err
	}
	id := detail.ProductID()
	if id == "" {
		return "", fmt.Errorf("job %s names no product", job.ID)
	}
	if err := configure(ctx, c, id, o.OfferType, o.Draft); err != nil {
		return "", err
	}
	if o.Stage == Draft {
		return id, nil
	}
	job, err = c.SubmitPreview(ctx, id)
	if err != nil {
		return "", err
	}
	if _, err := await(ctx, c, job); err != nil {
		return "", err
	}
	previewID, err := submission(ctx, c, id, pc.TargetPreview)
	if err != nil {
		return "", err
	}
	if o.Stage == Preview {
		return id, nil
	}
	if job, err = c.GoLive(ctx, id, previewID); err != nil {
		return "", err
	}
	if _, err := await(ctx, c, job); err != nil {
		return "", err
	}
	liveID, err := submission(ctx, c, id, pc.TargetLive)
	if err != nil {
		return "", err
	}
	switch o.Stage {
	case LiveNewerDraft:
		return id, configure(ctx, c, id, o.OfferType, o.NewerDraft)
	case StopSold:
		job, err := c.StopSale(ctx, id, liveID)
		if err != nil {
			return "", err
		}
		_, err = await(ctx, c, job)
		return id, err
	}
	return id, nil
}

func configure(ctx context.Context, c pc.Client, id, offerType string, d pc.Draft) error {
	job, err := c.ConfigureDraft(ctx, id, offerType, d)
	if err != nil {
		return err
	}
	_, err = await(ctx, c, job)
	return err
}

// await polls a job until it completed; a failed job is an error.
func await(ctx context.Context, c pc.Client, job *pc.Job) (*pc.Job, error) {
	for job.ID != "" && !job.Done() {
		if err := tick(ctx, c); err != nil {
			return nil, err
		}
		got, err := c.GetJob(ctx, job.ID)
		if err != nil {
			return nil, err
		}
		job = got
	}
	if job.Done() && !job.Succeeded() {
		return job, fmt.Errorf("job %s %s: %+v", job.ID, job.Result, job.Errors)
	}
	return job, nil
}

// submission polls the product's submissions until the newest one to
// target completed, and returns its ID; a failed one is an error.
func submission(ctx context.Context, c pc.Client, productID string, target pc.SubmissionTarget) (string, error) {
	for {
		subs, err := c.ListSubmissions(ctx, productID)
		if err != nil {
			return "", err
		}
		for _, s := range subs { // newest first
			if s.Target != target {
				continue
			}
			if s.Status == pc.SubmissionCompleted {
				if s.Result != pc.SubmissionSucceeded {
					return "", fmt.Errorf("%s submission %s %s: %+v", target, s.ID, s.Result, s.Feedback)
				}
				return s.ID, nil
			}
			break
		}
		if err := tick(ctx, c); err != nil {
			return "", err
		}
	}
}

func tick(ctx context.Context, c pc.Client) error {
	t := time.NewTimer(c.JobPollInterval())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Description is a listing description long enough for certification.
const Description = "<p>A complete description of the offer: what it does, who it is for, and how it is delivered and supported on Azure.</p>"

// Listing is a listing that passes certification.
func Listing(title string) pc.Listing {
	return pc.Listing{Title: title, Summary: title + " in one sentence.", ShortDescription: title + ", short.",
		Description: Description, PrivacyPolicyURL: "https://contoso.example/privacy", SupportURL: "https://contoso.example/support"}
}

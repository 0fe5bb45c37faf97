// Package fake is an in-memory, map-backed partnercenter.Client for unit
// tests of code that uses the port. It keeps Partner Center's rules that the
// controllers rely on (one product per offer ID, conflicts on a second
// submission, certification that can fail), with no HTTP and no disk.
package fake

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Client is an in-memory Partner Center. The zero value is not usable: use New.
type Client struct {
	mu sync.Mutex
	// CertificationDelay is how long a submission stays in progress.
	CertificationDelay time.Duration
	// Certify decides a preview submission's feedback; nil passes everything.
	Certify func(pc.Draft) []pc.FeedbackItem
	// Prereqs are the prerequisites by partner ID; missing partners pass.
	Prereqs map[string]pc.Prerequisites
	// Calls counts calls by method name.
	Calls map[string]int

	products    map[string]*pc.Product // by ID
	drafts      map[string]pc.Draft
	submitted   map[string]pc.Draft // last preview-submitted draft by product
	submissions map[string][]*pc.Submission
	solutions   map[string]*pc.LegacySolution // by partnerID/solutionID
	next        int
}

// New returns an empty fake holding the given legacy solutions.
func New(solutions ...pc.LegacySolution) *Client {
	c := &Client{Calls: map[string]int{}, Prereqs: map[string]pc.Prerequisites{},
		products: map[string]*pc.Product{}, drafts: map[string]pc.Draft{}, submitted: map[string]pc.Draft{},
		submissions: map[string][]*pc.Submission{}, solutions: map[string]*pc.LegacySolution{}}
	for _, s := range solutions {
		s := s
		if s.State == "" {
			s.State = pc.SolutionStatePendingMigration
		}
		c.solutions[s.PartnerID+"/"+s.SolutionID] = &s
	}
	return c
}

var _ pc.Client = (*Client)(nil)

func (c *Client) call(name string) func() {
	c.mu.Lock()
	c.Calls[name]++
	return c.mu.Unlock
}

func (c *Client) id(prefix string) string {
	c.next++
	return fmt.Sprintf("%s-%d", prefix, c.next)
}

func notFound(op, what string) error {
	return &pc.Error{Class: pc.ClassNotFound, Op: op, StatusCode: 404, Code: "notFound", Message: what + " not found"}
}

func conflict(op, code, msg string) error {
	return &pc.Error{Class: pc.ClassConflict, Op: op, StatusCode: 409, Code: code, Message: msg}
}

// Prerequisites implements pc.Client.
func (c *Client) Prerequisites(_ context.Context, partnerID, _ string) (*pc.Prerequisites, error) {
	defer c.call("Prerequisites")()
	if p, ok := c.Prereqs[partnerID]; ok {
		return &p, nil
	}
	return &pc.Prerequisites{MembershipValid: true, MarketplaceAccount: true, PublisherRole: pc.RoleAdmin}, nil
}

func (c *Client) solution(op, partnerID, solutionID string) (*pc.LegacySolution, error) {
	s, ok := c.solutions[partnerID+"/"+solutionID]
	if !ok {
		return nil, notFound(op, "solution "+solutionID)
	}
	return s, nil
}

func copySolution(s *pc.LegacySolution) *pc.LegacySolution { cp := *s; return &cp }

// GetSolution implements pc.Client.
func (c *Client) GetSolution(_ context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	defer c.call("GetSolution")()
	s, err := c.solution("GetSolution", partnerID, solutionID)
	if err != nil {
		return nil, err
	}
	return copySolution(s), nil
}

// MigrateSolution implements pc.Client.
func (c *Client) MigrateSolution(_ context.Context, req pc.MigrateRequest) (*pc.LegacySolution, error) {
	defer c.call("MigrateSolution")()
	s, err := c.solution("MigrateSolution", req.PartnerID, req.SolutionID)
	if err != nil {
		return nil, err
	}
	if s.State == pc.SolutionStateMigrated {
		return copySolution(s), nil
	}
	if s.State != pc.SolutionStatePendingMigration {
		return nil, conflict("MigrateSolution", "invalidState", "solution is "+string(s.State))
	}
	var p *pc.Product
	for _, existing := range c.products {
		if existing.OfferID == req.OfferID {
			if existing.State != pc.LifecycleDraft || existing.MigratedFrom != "" || len(c.submissions[existing.ID]) > 0 {
				return nil, conflict("MigrateSolution", pc.CodeProductExists, "offer "+req.OfferID+" exists and is not an empty draft")
			}
			p = existing
		}
	}
	if p == nil {
		p = &pc.Product{ID: c.id("product"), OfferID: req.OfferID, OfferType: req.OfferType, PublisherID: req.PublisherID,
			Name: s.Name, State: pc.LifecycleDraft}
		c.products[p.ID] = p
		c.drafts[p.ID] = pc.Draft{Listing: pc.Listing{Title: s.Name, Summary: s.Summary}}
	}
	// The bill of materials joins the co-sell tab; a draft's own listing,
	// plans and documents are kept.
	p.MigratedFrom = s.SolutionID
	d := c.drafts[p.ID]
	if len(d.CoSell.Documents) == 0 {
		d.CoSell.Documents = s.BillOfMaterials
	}
	c.drafts[p.ID] = d
	s.State, s.ProductID = pc.SolutionStateMigrated, p.ID
	return copySolution(s), nil
}

// RequestMerge implements pc.Client; merges complete at once.
func (c *Client) RequestMerge(_ context.Context, req pc.MergeRequest) (*pc.LegacySolution, error) {
	defer c.call("RequestMerge")()
	s, err := c.solution("RequestMerge", req.PartnerID, req.SolutionID)
	if err != nil {
		return nil, err
	}
	if s.State == pc.SolutionStatePendingMigration {
		s.State, s.ProductID, s.SupportRequestID = pc.SolutionStateMerged, req.ProductID, c.id("support")
	}
	return copySolution(s), nil
}

// DiscardSolution implements pc.Client.
func (c *Client) DiscardSolution(_ context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	defer c.call("DiscardSolution")()
	s, err := c.solution("DiscardSolution", partnerID, solutionID)
	if err != nil {
		return nil, err
	}
	if s.State == pc.SolutionStatePendingMigration {
		s.State = pc.SolutionStateDiscarded
	}
	return copySolution(s), nil
}

// UndoDiscard implements pc.Client.
func (c *Client) UndoDiscard(_ context.Context, partnerID, solutionID string) (*pc.LegacySolution, error) {
	defer c.call("UndoDiscard")()
	s, err := c.solution("UndoDiscard", partnerID, solutionID)
	if err != nil {
		return nil, err
	}
	if s.State == pc.SolutionStateDiscarded {
		s.State = pc.SolutionStatePendingMigration
	}
	return copySolution(s), nil
}

// FindProduct implements pc.Client.
func (c *Client) FindProduct(_ context.Context, offerID string) (*pc.Product, error) {
	defer c.call("FindProduct")()
	for _, p := range c.products {
		if p.OfferID == offerID {
			cp := *p
			return &cp, nil
		}
	}
	return nil, notFound("FindProduct", "product "+offerID)
}

// CreateProduct implements pc.Client.
func (c *Client) CreateProduct(_ context.Context, spec pc.ProductSpec) (*pc.Product, error) {
	defer c.call("CreateProduct")()
	for _, p := range c.products {
		if p.OfferID == spec.OfferID {
			return nil, conflict("CreateProduct", pc.CodeProductExists, "product "+spec.OfferID+" exists")
		}
	}
	p := &pc.Product{ID: c.id("product"), OfferID: spec.OfferID, OfferType: spec.OfferType, PublisherID: spec.PublisherID,
		Name: spec.Name, State: pc.LifecycleDraft}
	c.products[p.ID] = p
	cp := *p
	return &cp, nil
}

// GetProduct implements pc.Client.
func (c *Client) GetProduct(_ context.Context, productID string) (*pc.Product, error) {
	defer c.call("GetProduct")()
	p, ok := c.products[productID]
	if !ok {
		return nil, notFound("GetProduct", "product "+productID)
	}
	cp := *p
	return &cp, nil
}

// GetDraft implements pc.Client.
func (c *Client) GetDraft(_ context.Context, productID string) (*pc.Draft, error) {
	defer c.call("GetDraft")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("GetDraft", "product "+productID)
	}
	d := c.drafts[productID]
	return &d, nil
}

// ConfigureDraft implements pc.Client; the job runs until it is first read.
func (c *Client) ConfigureDraft(_ context.Context, productID string, draft pc.Draft) (*pc.Job, error) {
	defer c.call("ConfigureDraft")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("ConfigureDraft", "product "+productID)
	}
	c.drafts[productID] = draft
	return &pc.Job{ID: c.id("job"), Status: pc.JobRunning, Result: pc.JobPending}, nil
}

// GetJob implements pc.Client: every job has completed by its first read.
func (c *Client) GetJob(_ context.Context, jobID string) (*pc.Job, error) {
	defer c.call("GetJob")()
	return &pc.Job{ID: jobID, Status: pc.JobCompleted, Result: pc.JobSucceeded}, nil
}

// refresh completes submissions whose time has come.
func (c *Client) refresh(productID string) {
	for _, s := range c.submissions[productID] {
		if s.Status == pc.SubmissionCompleted || time.Since(s.Created) < c.CertificationDelay {
			continue
		}
		s.Status, s.Result = pc.SubmissionCompleted, pc.SubmissionSucceeded
		p := c.products[productID]
		switch s.Target {
		case pc.TargetPreview:
			if c.Certify != nil {
				if fb := c.Certify(c.submitted[productID]); len(fb) > 0 {
					s.Result, s.Feedback = pc.SubmissionFailed, fb
					continue
				}
			}
			s.PreviewURLs = []string{"https://appsource.microsoft.com/preview/" + p.OfferID}
			p.State = pc.LifecyclePublished
		case pc.TargetLive:
			s.LiveURL = "https://appsource.microsoft.com/product/" + p.OfferID
			p.LiveURL, p.LiveSubmissionID, p.CoSellLevel = s.LiveURL, s.ID, pc.CoSellReady
		}
	}
}

func (c *Client) submit(op, productID string, target pc.SubmissionTarget) (*pc.Submission, error) {
	if _, ok := c.products[productID]; !ok {
		return nil, notFound(op, "product "+productID)
	}
	c.refresh(productID)
	for _, s := range c.submissions[productID] {
		if s.Status != pc.SubmissionCompleted {
			return nil, conflict(op, pc.CodeInProgressSubmission, "submission "+s.ID+" is in progress")
		}
	}
	s := &pc.Submission{ID: c.id("submission"), ProductID: productID, Target: target, Status: pc.SubmissionInProgress,
		Result: pc.SubmissionPending, Created: time.Now()}
	c.submissions[productID] = append([]*pc.Submission{s}, c.submissions[productID]...)
	c.refresh(productID)
	cp := *s
	return &cp, nil
}

// SubmitPreview implements pc.Client.
func (c *Client) SubmitPreview(_ context.Context, productID string) (*pc.Submission, error) {
	defer c.call("SubmitPreview")()
	if last, ok := c.submitted[productID]; ok && fmt.Sprint(last) == fmt.Sprint(c.drafts[productID]) {
		c.refresh(productID)
		if !slices.ContainsFunc(c.submissions[productID], func(s *pc.Submission) bool { return s.Status != pc.SubmissionCompleted }) {
			return nil, conflict("SubmitPreview", pc.CodeNoChanges, "nothing changed since the last submission")
		}
	}
	s, err := c.submit("SubmitPreview", productID, pc.TargetPreview)
	if err == nil {
		c.submitted[productID] = c.drafts[productID]
	}
	return s, err
}

// GoLive implements pc.Client.
func (c *Client) GoLive(_ context.Context, productID, _ string) (*pc.Submission, error) {
	defer c.call("GoLive")()
	return c.submit("GoLive", productID, pc.TargetLive)
}

// GetSubmission implements pc.Client.
func (c *Client) GetSubmission(_ context.Context, productID, submissionID string) (*pc.Submission, error) {
	defer c.call("GetSubmission")()
	c.refresh(productID)
	for _, s := range c.submissions[productID] {
		if s.ID == submissionID {
			cp := *s
			return &cp, nil
		}
	}
	return nil, notFound("GetSubmission", "submission "+submissionID)
}

// ListSubmissions implements pc.Client.
func (c *Client) ListSubmissions(_ context.Context, productID string) ([]pc.Submission, error) {
	defer c.call("ListSubmissions")()
	c.refresh(productID)
	out := make([]pc.Submission, 0, len(c.submissions[productID]))
	for _, s := range c.submissions[productID] {
		out = append(out, *s)
	}
	return out, nil
}

// StopSale implements pc.Client.
func (c *Client) StopSale(_ context.Context, productID string) (*pc.Job, error) {
	defer c.call("StopSale")()
	p, ok := c.products[productID]
	if !ok {
		return nil, notFound("StopSale", "product "+productID)
	}
	p.State = pc.LifecycleDeprecated
	return &pc.Job{ID: c.id("job"), Status: pc.JobRunning, Result: pc.JobPending}, nil
}

// DeleteDraft implements pc.Client.
func (c *Client) DeleteDraft(_ context.Context, productID string) error {
	defer c.call("DeleteDraft")()
	p, ok := c.products[productID]
	if !ok {
		return notFound("DeleteDraft", "product "+productID)
	}
	if p.State != pc.LifecycleDraft {
		return &pc.Error{Class: pc.ClassTerminal, Op: "DeleteDraft", StatusCode: 400, Code: "published", Message: "only never-published drafts can be deleted"}
	}
	delete(c.products, productID)
	return nil
}

// Products returns how many products hold each offer ID.
func (c *Client) Products() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for _, p := range c.products {
		out[p.OfferID]++
	}
	return out
}

// Package fake is an in-memory, map-backed partnercenter.Client for unit
// tests of code that uses the port. It keeps Partner Center's rules that the
// controllers rely on (one product per offer ID, configure jobs that run
// until later reads, a failed job for a second submission while one is in
// progress, certification that can fail, deletion of never-published
// drafts only), with no HTTP and no disk. What the adapter cannot write
// (Job.Unwritten, ConfigureCoSell's answer) is decided by the adapter's
// own mapping (package ingestion), so tests see the same messages.
package fake

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Client is an in-memory Partner Center. The zero value is not usable: use New.
type Client struct {
	mu sync.Mutex
	// PollInterval is what JobPollInterval reports.
	PollInterval time.Duration
	// JobReads is how many GetJob reads a job takes to complete (at least
	// 1: a job is running when it is returned, and completes on a later
	// read).
	JobReads int
	// CertificationReads is how many reads of a submission (GetSubmission,
	// ListSubmissions) it takes to complete.
	CertificationReads int
	// Certify decides a preview submission's feedback; nil passes everything.
	Certify func(pc.Draft) []pc.FeedbackItem
	// Prereqs are the prerequisites by partner ID; missing partners pass.
	Prereqs map[string]pc.Prerequisites
	// Calls counts calls by method name.
	Calls map[string]int

	products    map[string]*pc.Product // by ID
	drafts      map[string]pc.Draft
	cosell      map[string]pc.CoSellListing // by offer ID
	submitted   map[string]pc.Draft         // last preview-submitted draft by product
	submissions map[string][]*submission
	solutions   map[string]*pc.LegacySolution // by partnerID/solutionID
	jobs        map[string]*job
	next        int
}

// submission is a submission with the reads it has had.
type submission struct {
	pc.Submission
	reads int
	// draft is the draft it carries (GetTarget).
	draft pc.Draft
}

// job is a configure job: run makes its effect when it completes.
type job struct {
	id     string
	reads  int
	done   bool
	run    func() ([]pc.FeedbackItem, []pc.ResourceRef)
	errors []pc.FeedbackItem
	refs   []pc.ResourceRef
}

// New returns an empty fake holding the given legacy solutions.
func New(solutions ...pc.LegacySolution) *Client {
	c := &Client{PollInterval: 10 * time.Millisecond, JobReads: 1, CertificationReads: 1,
		Calls: map[string]int{}, Prereqs: map[string]pc.Prerequisites{},
		products: map[string]*pc.Product{}, drafts: map[string]pc.Draft{}, cosell: map[string]pc.CoSellListing{},
		submitted: map[string]pc.Draft{}, submissions: map[string][]*submission{},
		solutions: map[string]*pc.LegacySolution{}, jobs: map[string]*job{}}
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
	return &pc.Error{Class: pc.ClassNotFound, Op: op, StatusCode: 404, Code: pc.CodeResourceNotFound, Message: what + " not found"}
}

// JobPollInterval implements pc.Client.
func (c *Client) JobPollInterval() time.Duration { return c.PollInterval }

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
			if len(c.submissions[existing.ID]) > 0 {
				return nil, conflict("MigrateSolution", pc.CodeInvalidState, "offer "+req.OfferID+" exists and was submitted")
			}
			p = existing
		}
	}
	if p == nil {
		p = &pc.Product{ID: c.guid(), OfferID: req.OfferID, OfferType: req.OfferType, Name: s.Name, State: pc.LifecycleGenerallyAvailable}
		c.products[p.ID] = p
		c.drafts[p.ID] = pc.Draft{Listing: pc.Listing{Title: s.Name, Summary: s.Summary}, Resell: pc.Resell{Policy: "None"}}
	}
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

// guid returns a new product ID.
func (c *Client) guid() string {
	c.next++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", c.next)
}

// startJob records a running job whose effect run makes on completion.
func (c *Client) startJob(run func() ([]pc.FeedbackItem, []pc.ResourceRef)) *pc.Job {
	j := &job{id: c.id("job"), run: run}
	c.jobs[j.id] = j
	return &pc.Job{ID: j.id, Status: pc.JobRunning, Result: pc.JobPending}
}

func (j *job) view() *pc.Job {
	if !j.done {
		return &pc.Job{ID: j.id, Status: pc.JobRunning, Result: pc.JobPending}
	}
	out := &pc.Job{ID: j.id, Status: pc.JobCompleted, Result: pc.JobSucceeded, Errors: slices.Clone(j.errors)}
	if len(j.errors) > 0 {
		out.Result = pc.JobFailed
	}
	return out
}

// GetJob implements pc.Client: a job completes on its JobReads-th read,
// making its effect then.
func (c *Client) GetJob(_ context.Context, jobID string) (*pc.Job, error) {
	defer c.call("GetJob")()
	j, ok := c.jobs[jobID]
	if !ok {
		return nil, notFound("GetJob", "job "+jobID)
	}
	j.reads++
	if !j.done && j.reads >= max(c.JobReads, 1) {
		j.done = true
		j.errors, j.refs = j.run()
	}
	return j.view(), nil
}

// GetJobDetail implements pc.Client: a Conflict until the job completed.
func (c *Client) GetJobDetail(_ context.Context, jobID string) (*pc.JobDetail, error) {
	defer c.call("GetJobDetail")()
	j, ok := c.jobs[jobID]
	if !ok {
		return nil, notFound("GetJobDetail", "job "+jobID)
	}
	if !j.done {
		return nil, conflict("GetJobDetail", pc.CodeInvalidState, "job "+jobID+" has not completed")
	}
	return &pc.JobDetail{JobID: jobID, Resources: slices.Clone(j.refs)}, nil
}

func failed(code, resource, msg string) []pc.FeedbackItem {
	return []pc.FeedbackItem{{Code: code, Resource: resource, Message: msg}}
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

// CreateProduct implements pc.Client: the job fails when the offer ID is
// taken by then.
func (c *Client) CreateProduct(_ context.Context, spec pc.ProductSpec) (*pc.Job, error) {
	defer c.call("CreateProduct")()
	if _, ok := wire.LookupOfferType(spec.OfferType); !ok {
		return nil, &pc.Error{Class: pc.ClassTerminal, Op: "CreateProduct", Message: "unknown offer type " + spec.OfferType}
	}
	return c.startJob(func() ([]pc.FeedbackItem, []pc.ResourceRef) {
		for _, p := range c.products {
			if p.OfferID == spec.OfferID {
				return failed(pc.CodeBusinessValidation, spec.OfferID, "a product with externalId "+spec.OfferID+" exists"), nil
			}
		}
		p := &pc.Product{ID: c.guid(), OfferID: spec.OfferID, OfferType: spec.OfferType, Name: spec.Name, State: pc.LifecycleGenerallyAvailable}
		c.products[p.ID] = p
		c.drafts[p.ID] = pc.Draft{Resell: pc.Resell{Policy: "None"}}
		return nil, []pc.ResourceRef{{Kind: wire.KindProduct, DurableID: wire.ProductRef(p.ID), ExternalID: p.OfferID}}
	}), nil
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

// GetTarget implements pc.Client: the draft, or the draft carried by the
// newest succeeded submission published that far (a preview pushed live
// stands for both).
func (c *Client) GetTarget(_ context.Context, productID string, target pc.SubmissionTarget) (*pc.Draft, error) {
	defer c.call("GetTarget")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("GetTarget", "product "+productID)
	}
	if target == pc.TargetDraft {
		d := c.drafts[productID]
		return &d, nil
	}
	for _, s := range c.submissions[productID] {
		if s.Result == pc.SubmissionSucceeded && (s.Target == target || s.Target == pc.TargetLive) {
			d := s.draft
			return &d, nil
		}
	}
	return nil, notFound("GetTarget", "the "+string(target)+" version of product "+productID)
}

// ConfigureDraft implements pc.Client with the adapter's mapping: what has
// no published place is in Unwritten and is not kept.
func (c *Client) ConfigureDraft(_ context.Context, productID, offerType string, draft pc.Draft) (*pc.Job, error) {
	defer c.call("ConfigureDraft")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("ConfigureDraft", "product "+productID)
	}
	t, ok := wire.LookupOfferType(offerType)
	if !ok {
		return nil, &pc.Error{Class: pc.ClassTerminal, Op: "ConfigureDraft", Message: "unknown offer type " + offerType}
	}
	if t.SubmissionAPI { // written synchronously, as the adapter does
		kept, unwritten := ingestion.SubmissionWritten(t, draft)
		kept.Plans = mergePlans(c.drafts[productID].Plans, kept.Plans)
		c.drafts[productID] = kept
		return &pc.Job{Status: pc.JobCompleted, Result: pc.JobSucceeded, Unwritten: unwritten}, nil
	}
	resources, unwritten, err := ingestion.DraftResources(t, productID, draft, nil)
	if err != nil {
		return nil, &pc.Error{Class: pc.ClassTerminal, Op: "ConfigureDraft", Message: err.Error()}
	}
	if len(resources) == 0 {
		return &pc.Job{Status: pc.JobCompleted, Result: pc.JobSucceeded, Unwritten: unwritten}, nil
	}
	j := c.startJob(func() ([]pc.FeedbackItem, []pc.ResourceRef) {
		c.drafts[productID] = draft
		return nil, []pc.ResourceRef{{Kind: wire.KindProduct, DurableID: wire.ProductRef(productID)}}
	})
	j.Unwritten = unwritten
	return j, nil
}

// mergePlans keeps the plans of have that want does not name (the
// submission API's plans are not deleted by a draft write), sorted by ID.
func mergePlans(have, want []pc.Plan) []pc.Plan {
	out := slices.Clone(want)
	for _, p := range have {
		if !slices.ContainsFunc(want, func(w pc.Plan) bool { return w.ID == p.ID }) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b pc.Plan) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// refresh completes submissions that have had their reads.
func (c *Client) refresh(productID string) {
	for _, s := range c.submissions[productID] {
		s.reads++
		if s.Status == pc.SubmissionCompleted || s.reads < max(c.CertificationReads, 1) {
			continue
		}
		s.Status, s.Result = pc.SubmissionCompleted, pc.SubmissionSucceeded
		if s.Target == pc.TargetPreview && c.Certify != nil {
			if fb := c.Certify(c.submitted[productID]); len(fb) > 0 {
				s.Result, s.Feedback = pc.SubmissionFailed, fb
			}
		}
	}
}

func (c *Client) inProgress(productID string) *submission {
	for _, s := range c.submissions[productID] {
		if s.Status != pc.SubmissionCompleted {
			return s
		}
	}
	return nil
}

// busy is the adapter's answer to a submission asked for while the
// submissions list shows one in progress: a Conflict, nothing sent
// (ingestion's idle).
func (c *Client) busy(op, productID string) error {
	if s := c.inProgress(productID); s != nil {
		return &pc.Error{Class: pc.ClassConflict, Op: op,
			Message: fmt.Sprintf("product %s is busy: its %s submission %s is %s", productID, s.Target, s.ID, s.Status)}
	}
	return nil
}

// SubmitPreview implements pc.Client: the job creates a preview
// submission. A product with a submission listed in progress is busy (a
// Conflict); one made after the call and before the job runs fails it
// with productLocked, as the simulator does.
func (c *Client) SubmitPreview(_ context.Context, productID string) (*pc.Job, error) {
	defer c.call("SubmitPreview")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("SubmitPreview", "product "+productID)
	}
	if err := c.busy("SubmitPreview", productID); err != nil {
		return nil, err
	}
	return c.startJob(func() ([]pc.FeedbackItem, []pc.ResourceRef) {
		if s := c.inProgress(productID); s != nil {
			return failed(pc.CodeProductLocked, wire.SubmissionRef(productID, s.ID), "submission "+s.ID+" is in progress"), nil
		}
		s := &submission{Submission: pc.Submission{ID: fmt.Sprint(len(c.submissions[productID]) + 1), ProductID: productID,
			Target: pc.TargetPreview, Status: pc.SubmissionRunning, Result: pc.SubmissionPending,
			State: pc.LifecycleGenerallyAvailable, Created: time.Now()}}
		s.draft = c.drafts[productID]
		c.submissions[productID] = append([]*submission{s}, c.submissions[productID]...)
		c.submitted[productID] = c.drafts[productID]
		return nil, []pc.ResourceRef{{Kind: wire.KindSubmission, DurableID: wire.SubmissionRef(productID, s.ID)}}
	}), nil
}

// GoLive implements pc.Client: the job pushes the certified preview
// submission live; the same submission then stands for preview and live.
func (c *Client) GoLive(_ context.Context, productID, previewSubmissionID string) (*pc.Job, error) {
	defer c.call("GoLive")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("GoLive", "product "+productID)
	}
	if err := c.busy("GoLive", productID); err != nil {
		return nil, err
	}
	return c.startJob(func() ([]pc.FeedbackItem, []pc.ResourceRef) {
		ref := wire.SubmissionRef(productID, previewSubmissionID)
		for _, s := range c.submissions[productID] {
			if s.ID != previewSubmissionID {
				continue
			}
			if s.Target != pc.TargetPreview || s.Result != pc.SubmissionSucceeded {
				return failed(pc.CodeInvalidState, ref, "submission "+s.ID+" is not a certified preview"), nil
			}
			s.Target, s.Status, s.Result, s.reads = pc.TargetLive, pc.SubmissionRunning, pc.SubmissionPending, 0
			return nil, []pc.ResourceRef{{Kind: wire.KindSubmission, DurableID: ref}}
		}
		return failed(pc.CodeResourceNotFound, ref, "no submission "+previewSubmissionID), nil
	}), nil
}

// GetSubmission implements pc.Client.
func (c *Client) GetSubmission(_ context.Context, productID, submissionID string) (*pc.Submission, error) {
	defer c.call("GetSubmission")()
	c.refresh(productID)
	for _, s := range c.submissions[productID] {
		if s.ID == submissionID {
			cp := s.Submission
			return &cp, nil
		}
	}
	return nil, notFound("GetSubmission", "submission "+submissionID)
}

// ListSubmissions implements pc.Client: newest first, then the draft entry.
func (c *Client) ListSubmissions(_ context.Context, productID string) ([]pc.Submission, error) {
	defer c.call("ListSubmissions")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("ListSubmissions", "product "+productID)
	}
	c.refresh(productID)
	out := make([]pc.Submission, 0, len(c.submissions[productID])+1)
	for _, s := range c.submissions[productID] {
		out = append(out, s.Submission)
	}
	return append(out, pc.Submission{ID: wire.DraftSubmissionID, ProductID: productID, Target: pc.TargetDraft,
		State: pc.LifecycleGenerallyAvailable}), nil
}

// StopSale implements pc.Client: the job deprecates the product through its
// live submission.
func (c *Client) StopSale(_ context.Context, productID, liveSubmissionID string) (*pc.Job, error) {
	defer c.call("StopSale")()
	if _, ok := c.products[productID]; !ok {
		return nil, notFound("StopSale", "product "+productID)
	}
	return c.startJob(func() ([]pc.FeedbackItem, []pc.ResourceRef) {
		ref := wire.SubmissionRef(productID, liveSubmissionID)
		for _, s := range c.submissions[productID] {
			if s.ID == liveSubmissionID && s.Target == pc.TargetLive && s.Result == pc.SubmissionSucceeded {
				s.State = pc.LifecycleDeprecated
				c.products[productID].State = pc.LifecycleDeprecated
				return nil, []pc.ResourceRef{{Kind: wire.KindSubmission, DurableID: ref}}
			}
		}
		return failed(pc.CodeInvalidState, ref, "submission "+liveSubmissionID+" is not live"), nil
	}), nil
}

// DeleteDraft implements pc.Client: the job deletes a never-published
// product, and fails with invalidState for a published one.
func (c *Client) DeleteDraft(_ context.Context, p pc.Product) (*pc.Job, error) {
	defer c.call("DeleteDraft")()
	if _, ok := c.products[p.ID]; !ok {
		return nil, notFound("DeleteDraft", "product "+p.ID)
	}
	return c.startJob(func() ([]pc.FeedbackItem, []pc.ResourceRef) {
		if _, ok := c.products[p.ID]; !ok {
			return failed(pc.CodeResourceNotFound, wire.ProductRef(p.ID), "no product "+p.ID), nil
		}
		if len(c.submissions[p.ID]) > 0 {
			return failed(pc.CodeInvalidState, wire.ProductRef(p.ID), "product "+p.ID+" was published; only a never-published draft can be deleted"), nil
		}
		delete(c.products, p.ID)
		return nil, []pc.ResourceRef{{Kind: wire.KindProduct, DurableID: wire.ProductRef(p.ID)}}
	}), nil
}

// ConfigureCoSell implements pc.Client with the adapter's rules: an offer
// type the Partner Ingestion API does not serve is Unsupported.
func (c *Client) ConfigureCoSell(_ context.Context, offerID, offerType string, cs pc.CoSellListing) ([]pc.FeedbackItem, error) {
	defer c.call("ConfigureCoSell")()
	t, ok := wire.LookupOfferType(offerType)
	if !ok || t.CoSell == "" {
		return nil, &pc.Error{Class: pc.ClassUnsupported, Op: "ConfigureCoSell", Code: pc.CodeNotSupported,
			Message: "the Partner Ingestion API does not serve " + offerType + " offers; fill in the offer's Co-sell tab in Partner Center"}
	}
	found := slices.ContainsFunc(slices.Collect(maps.Values(c.products)), func(p *pc.Product) bool { return p.OfferID == offerID })
	if !found {
		return nil, notFound("ConfigureCoSell", "product "+offerID)
	}
	c.cosell[offerID] = cs
	return ingestion.CoSellUnwritten(cs), nil
}

// CoSell returns the co-sell tab last written for an offer.
func (c *Client) CoSell(offerID string) (pc.CoSellListing, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs, ok := c.cosell[offerID]
	return cs, ok
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

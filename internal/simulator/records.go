package simulator

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// productRec is a product as the store keeps it. InProgress and the pending
// merges carry the due times from which progress is derived on read, so a
// restart completes what was under way.
type productRec struct {
	ID              string         `json:"id"`
	OfferID         string         `json:"offerId"`
	Type            string         `json:"type"`
	Alias           string         `json:"alias"`
	PublisherID     string         `json:"publisherId,omitempty"`
	Lifecycle       string         `json:"lifecycleState"`
	MigratedFrom    string         `json:"migratedFrom,omitempty"`
	MergedSolutions []string       `json:"mergedSolutions,omitempty"`
	LiveSubmission  string         `json:"liveSubmission,omitempty"`
	LiveLink        string         `json:"liveLink,omitempty"`
	CoSellStatus    string         `json:"coSellStatus,omitempty"`
	InProgress      string         `json:"inProgress,omitempty"`
	InProgressDue   time.Time      `json:"inProgressDue,omitzero"`
	LastPreview     string         `json:"lastPreview,omitempty"`
	Submissions     int            `json:"submissions,omitempty"`
	PendingMerges   []pendingMerge `json:"pendingMerges,omitempty"`
	Created         time.Time      `json:"created"`
}

// pendingMerge is a merge request into the product that support completes
// at Due.
type pendingMerge struct {
	Solution string    `json:"solution"` // partnerID/solutionID
	Due      time.Time `json:"due"`
}

// draftRec holds a product's draft resources with IDs and product refs
// stripped, so that two drafts that mean the same encode the same.
type draftRec struct {
	Listing  *wire.Resource `json:"listing,omitempty"`
	Plans    []planRec      `json:"plans,omitempty"` // sorted by plan ID
	Reseller *wire.Resource `json:"reseller,omitempty"`
	CoSell   *wire.Resource `json:"cosell,omitempty"`
}

// planRec is a plan with its price-and-availability resource, if any.
type planRec struct {
	Plan  wire.Resource  `json:"plan"`
	Price *wire.Resource `json:"price,omitempty"`
}

func (p planRec) id() string {
	if p.Plan.Identity == nil {
		return ""
	}
	return p.Plan.Identity.ExternalID
}

// sortPlans orders the plans by ID, so equal drafts encode equally.
func (d *draftRec) sortPlans() {
	slices.SortFunc(d.Plans, func(a, b planRec) int { return strings.Compare(a.id(), b.id()) })
}

// canonical is the encoding used to decide noChangesToSubmit.
func (d *draftRec) canonical() []byte {
	d.sortPlans()
	raw, _ := json.Marshal(d)
	return raw
}

// submissionRec is a submission with the draft snapshot it certifies (a live
// submission carries the snapshot of its preview).
type submissionRec struct {
	ID             string              `json:"id"`
	ProductID      string              `json:"productId"`
	Target         string              `json:"target"`
	Status         string              `json:"status"`
	Result         string              `json:"result"`
	Created        time.Time           `json:"created"`
	Due            time.Time           `json:"due"`
	Draft          draftRec            `json:"draft"`
	OfferType      string              `json:"offerType"`
	FromPreview    string              `json:"fromPreview,omitempty"`
	LiveSubmission string              `json:"liveSubmission,omitempty"` // on a preview: the live submission made from it
	Report         []wire.FeedbackItem `json:"report,omitempty"`
	PreviewLinks   []string            `json:"previewLinks,omitempty"`
	LiveLink       string              `json:"liveLink,omitempty"`
}

// jobRec is a configure job. Its effects were applied when it was accepted;
// it reports completed once Due has passed.
type jobRec struct {
	ID        string          `json:"id"`
	Created   time.Time       `json:"created"`
	Due       time.Time       `json:"due"`
	Result    string          `json:"result"`
	Resources []wire.Resource `json:"resources,omitempty"`
	Errors    []wire.Error    `json:"errors,omitempty"`
}

// partnerRec is a partner of the seed.
type partnerRec struct {
	PartnerID          string            `json:"partnerId"`
	MembershipValid    bool              `json:"membershipValid"`
	MarketplaceAccount bool              `json:"marketplaceAccount"`
	Publishers         map[string]string `json:"publishers,omitempty"` // publisherID -> role
}

// solutionRec is a legacy solution with its decision's progress.
type solutionRec struct {
	PartnerID        string          `json:"partnerId"`
	SolutionID       string          `json:"solutionId"`
	Name             string          `json:"name"`
	Summary          string          `json:"summary,omitempty"`
	BillOfMaterials  []wire.Document `json:"billOfMaterials,omitempty"`
	State            string          `json:"state"`
	Product          string          `json:"product,omitempty"` // bare product ID
	SupportRequestID string          `json:"supportRequestId,omitempty"`
	MergeTarget      string          `json:"mergeTarget,omitempty"` // product ref or listing URI asked for
	MergeDue         time.Time       `json:"mergeDue,omitzero"`
}

func solutionKey(partnerID, solutionID string) string { return partnerID + "/" + solutionID }

// Durable IDs of draft resources (plans use wire.PlanRef).
func listingRef(productID string) string  { return "listing/" + productID + "/en-us" }
func resellerRef(productID string) string { return "reseller/" + productID }
func coSellRef(productID string) string   { return "cosell-listing/" + productID }
func priceRef(productID, planID string) string {
	return "price-and-availability-plan/" + productID + "/" + planID
}

func (p *productRec) wire() wire.Product {
	out := wire.Product{
		Schema: wire.Schema(wire.KindProduct), ID: wire.ProductRef(p.ID), Identity: wire.Identity{ExternalID: p.OfferID},
		Type: p.Type, Alias: p.Alias, PublisherID: p.PublisherID, LifecycleState: p.Lifecycle,
		LiveLink: p.LiveLink, CoSellStatus: p.CoSellStatus, MigratedFrom: p.MigratedFrom,
		MergedSolutions: slices.Clone(p.MergedSolutions),
	}
	if p.LiveSubmission != "" {
		out.LiveSubmission = wire.SubmissionRef(p.ID, p.LiveSubmission)
	}
	return out
}

// resource is the product as a resource of a resource tree or job.
func (p *productRec) resource() wire.Resource {
	return wire.Resource{Schema: wire.Schema(wire.KindProduct), ID: wire.ProductRef(p.ID),
		Identity: &wire.Identity{ExternalID: p.OfferID}, Type: p.Type, Alias: p.Alias,
		PublisherID: p.PublisherID, LifecycleState: p.Lifecycle}
}

// resources returns the draft's resources with their durable IDs, in tree order.
func (d *draftRec) resources(productID string) []wire.Resource {
	var out []wire.Resource
	with := func(r wire.Resource, id string) wire.Resource {
		r.ID, r.Product = id, wire.ProductRef(productID)
		return r
	}
	if d.Listing != nil {
		out = append(out, with(*d.Listing, listingRef(productID)))
	}
	for _, p := range d.Plans {
		out = append(out, with(p.Plan, wire.PlanRef(productID, p.id())))
		if p.Price != nil {
			pr := with(*p.Price, priceRef(productID, p.id()))
			pr.Plan = wire.PlanRef(productID, p.id())
			out = append(out, pr)
		}
	}
	if d.Reseller != nil {
		out = append(out, with(*d.Reseller, resellerRef(productID)))
	}
	if d.CoSell != nil {
		out = append(out, with(*d.CoSell, coSellRef(productID)))
	}
	return out
}

func (s *submissionRec) wire() wire.Submission {
	out := wire.Submission{Schema: wire.Schema(wire.KindSubmission), ID: wire.SubmissionRef(s.ProductID, s.ID),
		Product: wire.ProductRef(s.ProductID), Target: wire.Target{TargetType: s.Target},
		Status: s.Status, Result: s.Result, Created: s.Created,
		PreviewLinks: slices.Clone(s.PreviewLinks), LiveLink: s.LiveLink}
	if len(s.Report) > 0 {
		out.CertificationReport = &wire.CertificationReport{Items: slices.Clone(s.Report)}
	}
	return out
}

func (s *submissionRec) resource() wire.Resource {
	return wire.Resource{Schema: wire.Schema(wire.KindSubmission), ID: wire.SubmissionRef(s.ProductID, s.ID),
		Product: wire.ProductRef(s.ProductID), Target: &wire.Target{TargetType: s.Target}}
}

func (j *jobRec) wire(now time.Time) wire.ConfigureStatus {
	start := j.Created
	out := wire.ConfigureStatus{Schema: wire.Schema(wire.KindConfigureStatus), JobID: j.ID,
		JobStatus: wire.JobRunning, JobResult: wire.JobPending, JobStart: &start}
	if now.Before(j.Due) {
		return out
	}
	end := j.Due
	out.JobStatus, out.JobResult, out.JobEnd = wire.JobCompleted, j.Result, &end
	out.Resources, out.Errors = j.Resources, j.Errors
	return out
}

func (s *solutionRec) wire() wire.LegacySolution {
	out := wire.LegacySolution{Schema: wire.Schema(wire.KindLegacySolution), PartnerID: s.PartnerID,
		SolutionID: s.SolutionID, Name: s.Name, Summary: s.Summary, State: s.State,
		BillOfMaterials: slices.Clone(s.BillOfMaterials), SupportRequestID: s.SupportRequestID}
	if s.Product != "" {
		out.Product = wire.ProductRef(s.Product)
	}
	return out
}

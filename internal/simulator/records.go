package simulator

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// productRec is a product as the store keeps it. InProgress and the pending
// merges carry the due times from which progress is derived on read, so a
// restart completes what was under way.
type productRec struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	Type       string `json:"type"`
	Alias      string `json:"alias"`
	// Version is the $schema version the product was last written with.
	Version   string    `json:"version"`
	Lifecycle string    `json:"lifecycleState"`
	Created   time.Time `json:"created"`
	// InProgress is the running submission (preview certification or a
	// push to live), completed at InProgressDue.
	InProgress    string    `json:"inProgress,omitempty"`
	InProgressDue time.Time `json:"inProgressDue,omitzero"`
	// LastPreview is the newest preview submission, Preview the newest that
	// passed certification (the preview resource tree) and Live the
	// submission that is live.
	LastPreview string `json:"lastPreview,omitempty"`
	Preview     string `json:"preview,omitempty"`
	Live        string `json:"live,omitempty"`
	// Published is set once a preview passed certification: the product
	// can no longer be deleted.
	Published bool `json:"published,omitempty"`

	// Simulator extension (OCP GTM migration), never in a published answer.
	PublisherID  string `json:"publisherId,omitempty"`
	MigratedFrom string `json:"migratedFrom,omitempty"`
	// RefuseCertification (simulator extension, certrefusal.go) refuses
	// every preview certification in the shape of real traffic.
	RefuseCertification bool           `json:"refuseCertification,omitempty"`
	MergedSolutions     []string       `json:"mergedSolutions,omitempty"`
	PendingMerges       []pendingMerge `json:"pendingMerges,omitempty"`
}

// pendingMerge is a merge request into the product that support completes
// at Due.
type pendingMerge struct {
	Solution string    `json:"solution"` // partnerID/solutionID
	Due      time.Time `json:"due"`
}

// draftRec holds a product's draft resources other than the product
// itself, with their durable IDs, sorted by ID.
type draftRec struct {
	Resources []resource `json:"resources,omitempty"`
}

func idOf(r resource) string { s, _ := r["id"].(string); return s }

func (d *draftRec) find(id string) int {
	return slices.IndexFunc(d.Resources, func(r resource) bool { return idOf(r) == id })
}

func (d *draftRec) get(id string) resource {
	if i := d.find(id); i >= 0 {
		return d.Resources[i]
	}
	return nil
}

// put adds or replaces the resource with r's id.
func (d *draftRec) put(r resource) {
	if i := d.find(idOf(r)); i >= 0 {
		d.Resources[i] = r
		return
	}
	d.Resources = append(d.Resources, r)
	slices.SortFunc(d.Resources, func(a, b resource) int { return strings.Compare(idOf(a), idOf(b)) })
}

// remove drops the resource with id and every resource that references it
// as its plan.
func (d *draftRec) remove(id string) {
	d.Resources = slices.DeleteFunc(d.Resources, func(r resource) bool {
		p, _ := r["plan"].(string)
		return idOf(r) == id || p == id
	})
}

// ofKind lists the draft's resources of a kind.
func (d *draftRec) ofKind(kind string) []resource {
	var out []resource
	for _, r := range d.Resources {
		if k, _ := kindOf(str(r, "$schema")); k == kind {
			out = append(out, r)
		}
	}
	return out
}

// clone deep-copies the draft (for snapshots).
func (d draftRec) clone() draftRec {
	raw, _ := json.Marshal(d)
	var out draftRec
	_ = json.Unmarshal(raw, &out)
	return out
}

// submissionRec is a submission with the snapshot it certifies or
// publishes. Going live reuses the preview submission's record: from then on
// one submission stands for preview and live, as Microsoft documents.
type submissionRec struct {
	ID        string       `json:"id"`
	ProductID string       `json:"productId"`
	Target    string       `json:"target"`
	Status    string       `json:"status"`
	Result    string       `json:"result"`
	Lifecycle string       `json:"lifecycleState,omitempty"`
	Created   time.Time    `json:"created"`
	Due       time.Time    `json:"due"`
	OfferType string       `json:"offerType"`
	Product   productRec   `json:"product"`
	Snapshot  draftRec     `json:"snapshot"`
	Errors    []innerError `json:"errors,omitempty"`
}

// jobRec is a configure job. Its effects were applied when it was accepted;
// it reports completed once Due has passed. A job that submitted a product
// takes its result from the submission (certification or going live).
type jobRec struct {
	ID        string       `json:"id"`
	Created   time.Time    `json:"created"`
	Due       time.Time    `json:"due"`
	Result    string       `json:"result"`
	Errors    []innerError `json:"errors,omitempty"`
	Resources []resource   `json:"resources,omitempty"`
	// Submissions are the submissions the job made, "productID/submissionID".
	Submissions []string `json:"submissions,omitempty"`
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
	PartnerID        string     `json:"partnerId"`
	SolutionID       string     `json:"solutionId"`
	Name             string     `json:"name"`
	Summary          string     `json:"summary,omitempty"`
	BillOfMaterials  []document `json:"billOfMaterials,omitempty"`
	State            string     `json:"state"`
	Product          string     `json:"product,omitempty"` // bare product ID
	SupportRequestID string     `json:"supportRequestId,omitempty"`
	MergeTarget      string     `json:"mergeTarget,omitempty"` // product ref or listing URI asked for
	MergeDue         time.Time  `json:"mergeDue,omitzero"`
}

func solutionKey(partnerID, solutionID string) string { return partnerID + "/" + solutionID }

// productVersion is the version a product answers with.
func (p *productRec) version() string {
	if p.Version == "" {
		return schemaVersion
	}
	return p.Version
}

// published is the product resource as answered.
func (p *productRec) published() product {
	lc := p.Lifecycle
	if lc == "" {
		lc = lifecycleAvailable
	}
	return product{Schema: schemaURI(kindProduct, p.version()), ID: productRef(p.ID),
		Identity: identity{ExternalID: p.ExternalID}, Type: p.Type, Alias: p.Alias, LifecycleState: lc}
}

// resource is the product as a resource of a tree or a job detail.
func (p *productRec) resource() resource {
	raw, _ := json.Marshal(p.published())
	var out resource
	_ = json.Unmarshal(raw, &out)
	return out
}

func (s *submissionRec) published() submission {
	created := s.Created.UTC()
	return submission{Schema: schemaURI(kindSubmission, schemaVersion), ID: submissionRef(s.ProductID, s.ID),
		Product: productRef(s.ProductID), Target: target{TargetType: s.Target}, LifecycleState: s.Lifecycle,
		Status: s.Status, Result: s.Result, Created: &created}
}

func (s *submissionRec) resource() resource {
	raw, _ := json.Marshal(s.published())
	var out resource
	_ = json.Unmarshal(raw, &out)
	return out
}

// draftSubmission is the draft entry of a product's submissions: ID 0, no
// status, result or created.
func draftSubmission(productID string) submission {
	return submission{Schema: schemaURI(kindSubmission, schemaVersion), ID: submissionRef(productID, "0"),
		Product: productRef(productID), Target: target{TargetType: targetDraft}}
}

// cloneResource deep-copies a resource.
func cloneResource(r resource) resource {
	out := maps.Clone(r)
	raw, _ := json.Marshal(r)
	_ = json.Unmarshal(raw, &out)
	return out
}

// str reads a string property of a resource.
func str(r resource, key string) string {
	s, _ := r[key].(string)
	return s
}

package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// POST configure. A request is validated as a whole first (400/404 change
// nothing). An accepted request's effects are applied at once and atomically
// in one transaction, and its job reports them as completed after JobDelay;
// a request that clashes with Partner Center's state changes nothing and its
// job completes failed with the conflict's code, as the real API reports
// conflicts.

// submissionBase makes submission IDs look like Partner Center's large
// numeric IDs.
const submissionBase = 1 << 60

// jobConflict is a clash with Partner Center's state: the request's job
// completes failed with it.
type jobConflict struct{ err wire.Error }

func (c *jobConflict) Error() string { return c.err.Message }

func conflict(code, target, format string, args ...any) *jobConflict {
	return &jobConflict{wire.Error{Code: code, Target: target, Message: fmt.Sprintf(format, args...)}}
}

func (s *Simulator) handleConfigure(w http.ResponseWriter, r *http.Request) {
	var req wire.Configure
	if err := decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	ops, err := parseConfigure(&req)
	if err != nil {
		writeError(w, err)
		return
	}
	job, err := s.runConfigure(ops)
	if err != nil {
		writeError(w, err)
		return
	}
	start := job.Created
	writeJSON(w, http.StatusAccepted, wire.ConfigureStatus{Schema: wire.Schema(wire.KindConfigureStatus), JobID: job.ID,
		JobStatus: wire.JobNotStarted, JobResult: wire.JobPending, JobStart: &start})
}

// runConfigure applies a validated request in one transaction and records
// its job. A request-level error (such as an unknown product) records
// nothing.
func (s *Simulator) runConfigure(ops *configureOps) (*jobRec, error) {
	now := s.now()
	var job *jobRec
	err := s.db.Update(func(tx *bolt.Tx) error {
		job = &jobRec{ID: newGUID(), Created: now, Due: now.Add(s.opts.JobDelay), Result: wire.JobSucceeded}
		st := newStage(tx)
		resources, err := s.apply(st, ops, now)
		var c *jobConflict
		switch {
		case errors.As(err, &c):
			st = newStage(tx) // drop the request's effects
			job.Result, job.Errors = wire.JobFailed, []wire.Error{c.err}
		case err != nil:
			return err
		default:
			job.Resources = resources
		}
		if err := st.putJSON(bucketJobs, job.ID, job); err != nil {
			return err
		}
		return st.flush()
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

// apply stages a request's effects and returns the resources it created or
// changed. Creates come first, then draft resources, then submissions (which
// snapshot the draft as the request left it), then lifecycle changes.
func (s *Simulator) apply(st *stage, ops *configureOps, now time.Time) ([]wire.Resource, error) {
	products := map[string]*productRec{}
	var order []string
	need := func(id string) error {
		if _, ok := products[id]; ok {
			return nil
		}
		p, err := loadProduct(st, id, now)
		if err != nil {
			return err
		}
		products[id] = p
		order = append(order, id)
		return nil
	}
	for _, d := range ops.drafts {
		if err := need(d.productID); err != nil {
			return nil, err
		}
	}
	for _, o := range ops.submissions {
		if err := need(o.productID); err != nil {
			return nil, err
		}
	}
	for _, o := range ops.lifecycles {
		if err := need(o.productID); err != nil {
			return nil, err
		}
	}
	var out []wire.Resource
	for _, c := range ops.creates {
		offerID := c.Identity.ExternalID
		if existing := st.get(bucketOffers, offerID); existing != nil {
			return nil, conflict(wire.CodeProductExists, wire.ProductRef(string(existing)),
				"a product with externalId %s exists already (%s); find it with GET product?externalId=%s", offerID, wire.ProductRef(string(existing)), offerID)
		}
		alias := c.Alias
		if alias == "" {
			alias = offerID
		}
		p := &productRec{ID: newGUID(), OfferID: offerID, Type: c.Type, Alias: alias, PublisherID: c.PublisherID,
			Lifecycle: wire.LifecycleDraft, Created: now}
		st.set(bucketOffers, offerID, []byte(p.ID))
		products[p.ID] = p
		order = append(order, p.ID)
		out = append(out, p.resource())
	}
	for _, d := range ops.drafts {
		var dr draftRec
		if _, err := st.getJSON(bucketDrafts, d.productID, &dr); err != nil {
			return nil, err
		}
		if d.listing != nil {
			dr.Listing = d.listing
		}
		if d.reseller != nil {
			dr.Reseller = d.reseller
		}
		if d.coSell != nil {
			dr.CoSell = d.coSell
		}
		dr.Plans = d.plans
		dr.sortPlans()
		if err := st.putJSON(bucketDrafts, d.productID, &dr); err != nil {
			return nil, err
		}
		out = append(out, dr.resources(d.productID)...)
	}
	for _, o := range ops.submissions {
		res, err := s.submit(st, products[o.productID], o, now)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	deleted := map[string]bool{}
	for _, o := range ops.lifecycles {
		p := products[o.productID]
		ref := wire.ProductRef(p.ID)
		switch o.state {
		case wire.LifecycleDeprecated:
			switch p.Lifecycle {
			case wire.LifecycleDeprecated:
			case wire.LifecyclePublished:
				p.Lifecycle, p.LiveLink = wire.LifecycleDeprecated, ""
			default:
				return nil, conflict(wire.CodeInvalidState, ref,
					"product %s was never published, so it has no sale to stop; delete the draft with lifecycleState deleted instead", p.ID)
			}
		case wire.LifecycleDeleted:
			if p.Lifecycle != wire.LifecycleDraft {
				return nil, conflict(wire.CodeInvalidState, ref,
					"product %s is %s; only a never-published draft can be deleted, stop its sale with lifecycleState deprecated instead", p.ID, p.Lifecycle)
			}
			if p.InProgress != "" {
				return nil, conflict(wire.CodeInProgressSubmission, wire.SubmissionRef(p.ID, p.InProgress),
					"submission %s of product %s is in progress; delete the draft once it has completed", p.InProgress, p.ID)
			}
			deleted[p.ID] = true
			if string(st.get(bucketOffers, p.OfferID)) == p.ID {
				st.del(bucketOffers, p.OfferID)
			}
			st.del(bucketProducts, p.ID)
			st.del(bucketDrafts, p.ID)
			st.del(bucketSubmitted, p.ID)
		}
		res := p.resource()
		res.LifecycleState = o.state
		out = append(out, res)
	}
	for _, id := range order {
		if deleted[id] {
			continue
		}
		if err := st.putJSON(bucketProducts, id, products[id]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// submit stages a preview or live submission of p.
func (s *Simulator) submit(st *stage, p *productRec, o submissionOp, now time.Time) (wire.Resource, error) {
	ref := wire.ProductRef(p.ID)
	if p.Lifecycle == wire.LifecycleDeprecated {
		return wire.Resource{}, conflict(wire.CodeInvalidState, ref, "product %s is deprecated (its sale was stopped); it cannot be submitted", p.ID)
	}
	if p.InProgress != "" {
		return wire.Resource{}, conflict(wire.CodeInProgressSubmission, wire.SubmissionRef(p.ID, p.InProgress),
			"submission %s of product %s is in progress; wait until it completes, then submit again", p.InProgress, p.ID)
	}
	sub := submissionRec{ProductID: p.ID, Target: o.target, Status: wire.SubmissionInProgress, Result: wire.JobPending,
		Created: now, OfferType: p.Type}
	switch o.target {
	case wire.TargetPreview:
		var dr draftRec
		if _, err := st.getJSON(bucketDrafts, p.ID, &dr); err != nil {
			return wire.Resource{}, err
		}
		canon := dr.canonical()
		if last := st.get(bucketSubmitted, p.ID); last != nil && bytes.Equal(last, canon) {
			return wire.Resource{}, conflict(wire.CodeNoChanges, ref,
				"the draft of product %s has not changed since submission %s; change the draft before submitting again", p.ID, p.LastPreview)
		}
		sub.ID = st.next("submission", submissionBase)
		sub.Due, sub.Draft = now.Add(s.opts.CertificationDelay), dr
		st.set(bucketSubmitted, p.ID, canon)
		p.LastPreview = sub.ID
		st.incr(counterPreview + p.OfferID)
	case wire.TargetLive:
		var prev submissionRec
		ok, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, o.previewID), &prev)
		if err != nil {
			return wire.Resource{}, err
		}
		prevRef := wire.SubmissionRef(p.ID, o.previewID)
		switch {
		case !ok || prev.ID != o.previewID:
			return wire.Resource{}, errNotFound("submission %s of product %s not found", o.previewID, p.ID)
		case prev.Target != wire.TargetPreview:
			return wire.Resource{}, conflict(wire.CodeInvalidState, prevRef,
				"submission %s targets %s; go live with the id of a succeeded preview submission", prev.ID, prev.Target)
		case prev.Result != wire.JobSucceeded:
			return wire.Resource{}, conflict(wire.CodeInvalidState, prevRef,
				"preview submission %s did not pass certification (result %s); fix its certification report items, submit a new preview, then go live with it", prev.ID, prev.Result)
		case prev.LiveSubmission != "":
			// Going live again with the same preview is idempotent.
			var live submissionRec
			if _, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, prev.LiveSubmission), &live); err != nil {
				return wire.Resource{}, err
			}
			return live.resource(), nil
		case prev.ID != p.LastPreview:
			return wire.Resource{}, conflict(wire.CodeInvalidState, prevRef,
				"preview submission %s is not the newest; go live with submission %s", prev.ID, p.LastPreview)
		}
		sub.ID = st.next("submission", submissionBase)
		sub.Due, sub.Draft, sub.FromPreview = now.Add(s.opts.JobDelay), prev.Draft, prev.ID
		prev.LiveSubmission = sub.ID
		if err := st.putJSON(bucketSubmissions, submissionKey(p.ID, prev.ID), &prev); err != nil {
			return wire.Resource{}, err
		}
		st.incr(counterLive + p.OfferID)
	}
	p.InProgress, p.InProgressDue = sub.ID, sub.Due
	p.Submissions++
	if err := st.putJSON(bucketSubmissions, submissionKey(p.ID, sub.ID), &sub); err != nil {
		return wire.Resource{}, err
	}
	return sub.resource(), nil
}

package simulator

import (
	"strings"
)

// Submission resources of a configure request: preview, live, and the
// lifecycle of the live submission (stop sale, restore).

// applySubmission makes a preview submission, pushes a preview one live,
// or sets the lifecycle of the live one.
func (a *applier) applySubmission(rr reqResource) error {
	r := rr.body
	p, err := a.resolveProduct(r, "product")
	if err != nil || p == nil {
		return err
	}
	tgt, _ := r["target"].(map[string]any)
	targetType, _ := tgt["targetType"].(string)
	for _, sid := range a.job.Submissions {
		if strings.HasPrefix(sid, p.ID+"/") {
			a.fail(codeInvalidRequest, r, "a second submission of product %s in one request; send one", productRef(p.ID))
			return nil
		}
	}
	switch targetType {
	case targetPreview:
		return a.submitPreview(r, p)
	case targetLive:
		return a.submitLive(r, p)
	default:
		a.fail(codeNotSupported, r, "target.targetType %q is not supported for a submission: publish with preview, then live", targetType)
		return nil
	}
}

// submitPreview snapshots the draft into a new preview submission, which
// runs through certification.
func (a *applier) submitPreview(r resource, p *productRec) error {
	switch {
	case str(r, "lifecycleState") != "":
		a.fail(codeInvalidRequest, r, "lifecycleState is set on the live submission (target live with its id), not on a preview submission")
		return nil
	case p.Lifecycle == lifecycleDeprecated:
		a.fail(codeInvalidState, r, "product %s is deprecated (its sale was stopped); restore it with lifecycleState generallyAvailable before publishing", productRef(p.ID))
		return nil
	case p.InProgress != "":
		a.fail(codeProductLocked, r, "submission %s of product %s is running; wait until it completes, then submit again", submissionRef(p.ID, p.InProgress), productRef(p.ID))
		return nil
	}
	d, err := a.draft(p.ID)
	if err != nil {
		return err
	}
	sub := &submissionRec{ID: a.st.next("submission", submissionBase), ProductID: p.ID, Target: targetPreview,
		Status: jobRunning, Result: resultPending, Created: a.now, Due: a.now.Add(a.s.certificationDelay()),
		OfferType: p.Type, Product: *p, Snapshot: d.clone()}
	p.LastPreview, p.InProgress, p.InProgressDue = sub.ID, sub.ID, sub.Due
	a.st.incr(counterPreview + p.ExternalID)
	return a.putSubmission(r, p, sub)
}

// submitLive pushes the newest succeeded preview submission live, or sets
// the lifecycle of the live one.
func (a *applier) submitLive(r resource, p *productRec) error {
	sub, id, err := a.liveSubmission(r, p)
	if err != nil || sub == nil {
		return err
	}
	if lc := str(r, "lifecycleState"); lc != "" {
		return a.setLiveLifecycle(r, p, sub, lc)
	}
	switch {
	case p.Lifecycle == lifecycleDeprecated:
		a.fail(codeInvalidState, r, "product %s is deprecated (its sale was stopped); restore it with lifecycleState generallyAvailable, publish to preview, then to live", productRef(p.ID))
		return nil
	case sub.Target == targetLive && p.Live == sub.ID:
		a.job.Resources = append(a.job.Resources, sub.resource()) // live already
		return nil
	case p.InProgress != "":
		a.fail(codeProductLocked, r, "submission %s of product %s is running; wait until it completes", submissionRef(p.ID, p.InProgress), productRef(p.ID))
		return nil
	case sub.Target != targetPreview || sub.ID != p.LastPreview:
		a.fail(codeInvalidState, r, "submission %s is not the product's newest preview submission; go live with %s", id, liveCandidate(p))
		return nil
	case sub.Result != resultSucceeded:
		a.fail(codeInvalidState, r, "preview submission %s did not pass certification (result %s); fix the errors its job reported, submit a new preview, then go live with it", id, sub.Result)
		return nil
	}
	sub.Target, sub.Status, sub.Result = targetLive, jobRunning, resultPending
	sub.Due, sub.Lifecycle, sub.Errors = a.now.Add(a.s.liveDelay()), "", nil
	p.InProgress, p.InProgressDue = sub.ID, sub.Due
	a.st.incr(counterLive + p.ExternalID)
	return a.putSubmission(r, p, sub)
}

// liveSubmission loads the submission a live submission resource names by
// its id; nil when the request fails.
func (a *applier) liveSubmission(r resource, p *productRec) (*submissionRec, string, error) {
	id := str(r, "id")
	if id == "" {
		a.fail(codeInvalidRequest, r, "a live submission takes the id of the product's preview submission (submission/<product>/<id>); nothing goes to live before preview")
		return nil, "", nil
	}
	k, segs, ok := parseRef(id)
	if !ok || k != kindSubmission || len(segs) != 2 || segs[0] != p.ID {
		a.fail(codeInvalidID, r, "id %q is not a submission durable ID of product %s (submission/%s/<id>)", id, productRef(p.ID), p.ID)
		return nil, "", nil
	}
	var sub submissionRec
	found, err := a.st.getJSON(bucketSubmissions, submissionKey(p.ID, segs[1]), &sub)
	if err != nil {
		return nil, "", err
	}
	if !found || sub.ID != segs[1] {
		a.fail(codeResourceNotFound, r, "submission %s not found", id)
		return nil, "", nil
	}
	return &sub, id, nil
}

func liveCandidate(p *productRec) string {
	if p.LastPreview == "" {
		return "a preview submission (the product has none yet)"
	}
	return submissionRef(p.ID, p.LastPreview)
}

func (a *applier) putSubmission(r resource, p *productRec, sub *submissionRec) error {
	if err := a.st.putJSON(bucketSubmissions, submissionKey(p.ID, sub.ID), sub); err != nil {
		return err
	}
	a.job.Submissions = append(a.job.Submissions, p.ID+"/"+sub.ID)
	if sub.Due.After(a.job.Due) {
		a.job.Due = sub.Due
	}
	a.name(r, submissionRef(p.ID, sub.ID))
	a.job.Resources = append(a.job.Resources, sub.resource())
	return nil
}

// setLiveLifecycle stops (deprecated) or restores (generallyAvailable) the
// sale of a live product through its live submission, as the SaaS page
// documents; it takes effect at once.
func (a *applier) setLiveLifecycle(r resource, p *productRec, sub *submissionRec, lc string) error {
	if p.Live != sub.ID || sub.Target != targetLive {
		a.fail(codeInvalidState, r, "submission %s is not the live submission of product %s; lifecycleState is set on %s", submissionRef(p.ID, sub.ID), productRef(p.ID), liveOrNone(p))
		return nil
	}
	switch lc {
	case lifecycleDeprecated:
		p.Lifecycle, sub.Lifecycle = lifecycleDeprecated, lifecycleDeprecated
	case lifecycleAvailable:
		// Restored: the product must be published to preview and live
		// again; the old live submission stays deprecated.
		p.Lifecycle = lifecycleAvailable
	}
	if err := a.st.putJSON(bucketSubmissions, submissionKey(p.ID, sub.ID), sub); err != nil {
		return err
	}
	a.job.Resources = append(a.job.Resources, sub.resource())
	return nil
}

package simulator

// Plan resources of a configure request.

// inSnapshot reports whether a resource ID is in the preview or live
// version of the product.
func (a *applier) inSnapshot(p *productRec, id string) (bool, error) {
	for _, sid := range []string{p.Preview, p.Live} {
		if sid == "" {
			continue
		}
		var sub submissionRec
		if _, err := a.st.getJSON(bucketSubmissions, submissionKey(p.ID, sid), &sub); err != nil {
			return false, err
		}
		if sub.Snapshot.get(id) != nil {
			return true, nil
		}
	}
	return false, nil
}

// applyPlan creates, updates or deletes a plan of a product's draft.
func (a *applier) applyPlan(rr reqResource) error {
	r := rr.body
	p, d, err := a.productDraft(r)
	if err != nil || p == nil {
		return err
	}
	id := a.planID(r, p, d)
	if id == "" {
		return nil
	}
	if str(r, "lifecycleState") == lifecycleDeleted {
		published, err := a.inSnapshot(p, id)
		if err != nil {
			return err
		}
		if published {
			a.fail(codeInvalidState, r, "plan %s was published; only a never-published plan can be deleted (deprecate it with lifecycleState deprecated, then publish)", id)
			return nil
		}
		d.remove(id)
		out := a.stored(rr, id, p)
		a.job.Resources = append(a.job.Resources, out)
		return nil
	}
	out := a.stored(rr, id, p)
	d.put(out)
	a.name(r, id)
	a.job.Resources = append(a.job.Resources, cloneResource(out))
	return nil
}

// planID is the durable ID a plan resource addresses: its id, checked, or
// a new one for a plan whose externalId the product does not have yet; ""
// when the request fails.
func (a *applier) planID(r resource, p *productRec, d *draftRec) string {
	ident, _ := r["identity"].(map[string]any)
	externalID, _ := ident["externalId"].(string)
	var existing resource
	for _, pl := range d.ofKind(kindPlan) {
		if id, _ := pl["identity"].(map[string]any); id != nil && id["externalId"] == externalID {
			existing = pl
		}
	}
	id := str(r, "id")
	switch {
	case id != "":
		k, segs, ok := parseRef(id)
		if !ok || k != kindPlan || len(segs) != 2 {
			a.fail(codeInvalidID, r, "id %q is not a plan durable ID (plan/<product guid>/<plan guid>)", id)
			return ""
		}
		if d.get(id) == nil || segs[0] != p.ID {
			a.fail(codeResourceNotFound, r, "plan %s of product %s not found", id, productRef(p.ID))
			return ""
		}
		if existing != nil && idOf(existing) != id {
			a.fail(codeBusinessValidation, r, "product %s has another plan with externalId %q (%s)", productRef(p.ID), externalID, idOf(existing))
			return ""
		}
		return id
	case existing != nil:
		a.fail(codeBusinessValidation, r, "product %s has a plan with externalId %q already (%s); update it with \"id\": %q",
			productRef(p.ID), externalID, idOf(existing), idOf(existing))
		return ""
	}
	return planRef(p.ID, newGUID())
}

package simulator

import (
	"time"
)

// The applier: one configure request staged in one store transaction,
// resolving references and applying each resource kind (configure_product.go,
// configure_plan.go, configure_draft.go, configure_submission.go).

// applier applies the resources of one request.
type applier struct {
	s        *Simulator
	st       *stage
	now      time.Time
	job      *jobRec
	products map[string]*productRec
	order    []string
	deleted  map[string]bool
	drafts   map[string]*draftRec
	names    map[string]string // resourceName -> durable ID
	created  map[string]string // externalId of a product created here -> product ID
	errs     []innerError
}

func (a *applier) fail(code string, r resource, format string, args ...any) {
	a.errs = append(a.errs, inner(code, refOf(r), format, args...))
}

// product loads a product once per request; nil when there is none.
func (a *applier) product(id string) (*productRec, error) {
	if a.deleted[id] {
		return nil, nil
	}
	if p, ok := a.products[id]; ok {
		return p, nil
	}
	p, err := loadProduct(a.st, id, a.now)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.products[id] = p
	a.order = append(a.order, id)
	return p, nil
}

func (a *applier) draft(productID string) (*draftRec, error) {
	if d, ok := a.drafts[productID]; ok {
		return d, nil
	}
	d := &draftRec{}
	if _, err := a.st.getJSON(bucketDrafts, productID, d); err != nil {
		return nil, err
	}
	a.drafts[productID] = d
	return d, nil
}

// productDraft resolves the product a resource references (its "product")
// and loads the product's draft; p is nil when the reference failed the
// request.
func (a *applier) productDraft(r resource) (p *productRec, d *draftRec, err error) {
	if p, err = a.resolveProduct(r, "product"); err != nil || p == nil {
		return nil, nil, err
	}
	if d, err = a.draft(p.ID); err != nil {
		return nil, nil, err
	}
	return p, d, nil
}

// resolveProduct resolves a product reference: a durable ID, {externalId}
// or {resourceName} of a product in the same request.
func (a *applier) resolveProduct(r resource, key string) (*productRec, error) {
	v, present := r[key]
	if !present {
		a.fail(codeInvalidRequest, r, "%s is required: a reference to the product (product/<id>, {\"externalId\": ...} or {\"resourceName\": ...})", key)
		return nil, nil
	}
	var id string
	switch ref := v.(type) {
	case string:
		pid, ok := parseProductRef(ref)
		if !ok {
			a.fail(codeInvalidID, r, "%s %q is not a product durable ID (product/<guid>)", key, ref)
			return nil, nil
		}
		id = pid
	case map[string]any:
		if x, ok := ref["externalId"].(string); ok {
			if pid, ok := a.created[x]; ok {
				id = pid
			} else if pid := a.st.get(bucketOffers, x); pid != nil {
				id = string(pid)
			} else {
				a.fail(codeResourceNotFound, r, "%s: no product has externalId %q", key, x)
				return nil, nil
			}
		} else if n, ok := ref["resourceName"].(string); ok {
			durable, ok := a.names[n]
			pid, isProduct := parseProductRef(durable)
			if !ok || !isProduct {
				a.fail(codeResourceNotFound, r, "%s: no product with resourceName %q comes earlier in this request", key, n)
				return nil, nil
			}
			id = pid
		} else {
			a.fail(codeInvalidID, r, "%s is not a product reference", key)
			return nil, nil
		}
	default:
		a.fail(codeInvalidID, r, "%s is not a product reference", key)
		return nil, nil
	}
	p, err := a.product(id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		a.fail(codeResourceNotFound, r, "product %s not found", productRef(id))
	}
	return p, nil
}

// resolvePlan resolves a plan reference of a product: a durable ID,
// {externalId} or {resourceName}; it returns the plan's durable ID.
func (a *applier) resolvePlan(r resource, p *productRec) (string, error) {
	d, err := a.draft(p.ID)
	if err != nil {
		return "", err
	}
	isPlan := func(id string) bool {
		k, segs, ok := parseRef(id)
		return ok && k == kindPlan && len(segs) == 2 && segs[0] == p.ID && d.get(id) != nil
	}
	switch ref := r["plan"].(type) {
	case string:
		if k, _, ok := parseRef(ref); !ok || k != kindPlan {
			a.fail(codeInvalidID, r, "plan %q is not a plan durable ID (plan/<product guid>/<plan guid>)", ref)
			return "", nil
		}
		if !isPlan(ref) {
			a.fail(codeResourceNotFound, r, "plan %s of product %s not found", ref, productRef(p.ID))
			return "", nil
		}
		return ref, nil
	case map[string]any:
		if x, ok := ref["externalId"].(string); ok {
			for _, pl := range d.ofKind(kindPlan) {
				if id, _ := pl["identity"].(map[string]any); id != nil && id["externalId"] == x {
					return idOf(pl), nil
				}
			}
			a.fail(codeResourceNotFound, r, "plan: product %s has no plan with externalId %q", productRef(p.ID), x)
			return "", nil
		}
		if n, ok := ref["resourceName"].(string); ok {
			if id := a.names[n]; isPlan(id) {
				return id, nil
			}
			a.fail(codeResourceNotFound, r, "plan: no plan of product %s with resourceName %q comes earlier in this request", productRef(p.ID), n)
			return "", nil
		}
	}
	a.fail(codeInvalidRequest, r, "plan is required: a reference to a plan of the product (plan/<id>/<id>, {\"externalId\": ...} or {\"resourceName\": ...})")
	return "", nil
}

// apply stages the request's effects in the order Microsoft's samples
// write them: products, then plans, then the other draft resources, then
// submissions (which snapshot the draft as the request left it).
func (a *applier) apply(reqs []reqResource) error {
	a.deleted = map[string]bool{}
	passes := []func(reqResource) bool{
		func(r reqResource) bool { return r.kind == kindProduct },
		func(r reqResource) bool { return r.kind == kindPlan },
		func(r reqResource) bool {
			return r.kind != kindProduct && r.kind != kindPlan && r.kind != kindSubmission
		},
		func(r reqResource) bool { return r.kind == kindSubmission },
	}
	for i, pass := range passes {
		for _, rr := range reqs {
			if !pass(rr) {
				continue
			}
			var err error
			switch i {
			case 0:
				err = a.applyProduct(rr)
			case 1:
				err = a.applyPlan(rr)
			case 2:
				err = a.applyDraft(rr)
			case 3:
				err = a.applySubmission(rr)
			}
			if err != nil {
				return err
			}
		}
	}
	if len(a.errs) > 0 {
		return nil
	}
	for _, id := range a.order {
		if a.deleted[id] {
			continue
		}
		if err := a.st.putJSON(bucketProducts, id, a.products[id]); err != nil {
			return err
		}
	}
	for id, d := range a.drafts {
		if a.deleted[id] {
			continue
		}
		if err := a.st.putJSON(bucketDrafts, id, d); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) name(r resource, durable string) {
	if n := str(r, "resourceName"); n != "" {
		a.names[n] = durable
	}
}

// stored is a request resource as the store keeps it: the documented
// $schema host with the version sent, its durable ID, references resolved
// to durable IDs and no resourceName (request-scoped).
func (a *applier) stored(rr reqResource, id string, p *productRec) resource {
	out := cloneResource(rr.body)
	delete(out, "resourceName")
	delete(out, "validations")
	out["$schema"] = schemaURI(rr.kind, rr.version)
	out["id"] = id
	out["product"] = productRef(p.ID)
	return out
}

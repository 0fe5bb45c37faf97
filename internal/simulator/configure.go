package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// POST configure, as Microsoft documents it: the body is a configure
// envelope {$schema, resources[]}. A body that is not one (invalid JSON, no
// resources, a resource without a $schema of a known kind) is a 400
// schemaValidationError and creates no job. Otherwise the answer is 202 with
// a configure-status, and the job completes:
//   - failed, with one schemaValidationError inner error per resource that
//     does not match its schema (nothing is applied);
//   - failed, with resourceNotFound / invalidId / businessValidationError /
//     invalidState / notSupported / productLocked inner errors when a
//     resource clashes with what Partner Center holds (nothing is applied);
//   - otherwise its resources are applied at once, atomically, and the job
//     completes succeeded after JobDelay, or, when it submitted a product,
//     when the submission completes (certification of a preview, or the
//     push to live) with the submission's result and errors.

// submissionBase makes submission IDs look like Partner Center's large
// numeric IDs.
const submissionBase = 1 << 40

// maxBodyBytes bounds every request body the simulator reads.
const maxBodyBytes = 4 << 20

// reqResource is one resource of a configure request.
type reqResource struct {
	index   int
	kind    string
	version string
	body    resource
}

func (s *Simulator) handleConfigure(w http.ResponseWriter, r *http.Request) {
	raw, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	reqs, err := parseEnvelope(raw)
	if err != nil {
		writeError(w, err)
		return
	}
	job, err := s.runConfigure(reqs)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, configureStatus{Schema: schemaURI(kindConfigureStatus, schemaVersion), JobID: job.ID,
		JobStatus: jobNotStarted, JobResult: resultPending, JobStart: jobTime(job.Created), JobEnd: jobEndRunning,
		Errors: []innerError{}})
}

// schemaError is the 400 of a body that is not a configure envelope.
func schemaError(details []string, format string, args ...any) *apiError {
	e := &apiError{status: http.StatusBadRequest, code: codeSchemaValidation, message: fmt.Sprintf(format, args...)}
	for _, d := range details {
		e.details = append(e.details, innerError{Code: codeSchemaValidation, Message: d, Details: []innerError{}})
	}
	return e
}

// parseEnvelope checks the configure envelope and the $schema of each
// resource.
func parseEnvelope(raw []byte) ([]reqResource, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var env map[string]any
	if err := dec.Decode(&env); err != nil {
		return nil, schemaError(nil, "the body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, schemaError(nil, "the body has data after the JSON object")
	}
	s, _ := env["$schema"].(string)
	if k, _ := kindOf(s); k != kindConfigure {
		return nil, schemaError([]string{"/$schema: want a configure schema URI such as " + schemaURI(kindConfigure, schemaVersion)},
			"the body is not a configure request: $schema is %q", s)
	}
	list, ok := env["resources"].([]any)
	if !ok || len(list) == 0 {
		return nil, schemaError([]string{"/resources: want a non-empty array of resources"}, "the configure request has no resources")
	}
	var out []reqResource
	var problems []string
	for i, item := range list {
		body, ok := item.(map[string]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("/resources/%d: got %s, want object", i, jsonType(item)))
			continue
		}
		s, _ := body["$schema"].(string)
		kind, version := kindOf(s)
		switch _, known := resourceKinds[kind]; {
		case s == "":
			problems = append(problems, fmt.Sprintf("/resources/%d: missing property '$schema'", i))
		case kind == "":
			problems = append(problems, fmt.Sprintf("/resources/%d/$schema: %q is not a schema URI https://<host>/schema/<kind>/<version>", i, s))
		case !known:
			problems = append(problems, fmt.Sprintf("/resources/%d/$schema: %q is not a resource kind the configure API takes", i, kind))
		}
		normalizeCasing(body)
		out = append(out, reqResource{index: i, kind: kind, version: version, body: body})
	}
	if len(problems) > 0 {
		return nil, schemaError(problems, "invalid configure request: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// refOf is the resourceId of an inner error about a request resource: its
// durable ID, else its resourceName, else its identity, as resource
// references are written.
func refOf(r resource) any {
	if id := str(r, "id"); id != "" {
		return id
	}
	if n := str(r, "resourceName"); n != "" {
		return map[string]any{"resourceName": n}
	}
	if id, ok := r["identity"].(map[string]any); ok {
		if x, ok := id["externalId"].(string); ok && x != "" {
			return map[string]any{"externalId": x}
		}
	}
	return nil
}

func inner(code string, resourceID any, format string, args ...any) innerError {
	return innerError{Code: code, ResourceID: resourceID, Message: fmt.Sprintf(format, args...), Details: []innerError{}}
}

// runConfigure validates the resources against their schemas, then applies
// them in one transaction and records the job.
func (s *Simulator) runConfigure(reqs []reqResource) (*jobRec, error) {
	now := s.now()
	job := &jobRec{ID: newGUID(), Created: now, Due: now.Add(s.jobDelay()), Result: resultSucceeded}
	for _, rr := range reqs {
		if problems := validateResource(rr.kind, rr.version, rr.body); len(problems) > 0 {
			e := inner(codeSchemaValidation, refOf(rr.body), "resources[%d] does not match the %s schema: %s", rr.index, rr.kind, strings.Join(problems, "; "))
			for _, p := range problems {
				e.Details = append(e.Details, innerError{Code: codeSchemaValidation, Message: p, Details: []innerError{}})
			}
			job.Errors = append(job.Errors, e)
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		st := newStage(tx)
		if len(job.Errors) == 0 {
			a := &applier{s: s, st: st, now: now, job: job, products: map[string]*productRec{}, drafts: map[string]*draftRec{},
				names: map[string]string{}, created: map[string]string{}}
			if err := a.apply(reqs); err != nil {
				return err
			}
			if len(a.errs) > 0 {
				st = newStage(tx) // drop the request's effects
				job.Errors, job.Resources, job.Submissions, job.Due = a.errs, nil, nil, now.Add(s.jobDelay())
			}
		}
		if len(job.Errors) > 0 {
			job.Result = resultFailed
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

func (a *applier) applyProduct(rr reqResource) error {
	r := rr.body
	ident, _ := r["identity"].(map[string]any)
	externalID, _ := ident["externalId"].(string)
	lc := str(r, "lifecycleState")
	if id := str(r, "id"); id != "" {
		pid, ok := parseProductRef(id)
		if !ok {
			a.fail(codeInvalidID, r, "id %q is not a product durable ID (product/<guid>)", id)
			return nil
		}
		p, err := a.product(pid)
		if err != nil || p == nil {
			if p == nil && err == nil {
				a.fail(codeResourceNotFound, r, "product %s not found", id)
			}
			return err
		}
		switch {
		case externalID != p.ExternalID:
			a.fail(codeBusinessValidation, r, "identity.externalId %q differs from %q, the offer ID of %s; the offer ID cannot change", externalID, p.ExternalID, id)
			return nil
		case str(r, "type") != p.Type:
			a.fail(codeBusinessValidation, r, "type %q differs from %q, the type of %s; the type of a product cannot change", str(r, "type"), p.Type, id)
			return nil
		}
		switch lc {
		case lifecycleDeleted:
			return a.deleteProduct(r, p)
		case lifecycleDeprecated:
			a.fail(codeNotSupported, r, "a product's sale is stopped through its live submission: configure the submission %s with target live and lifecycleState deprecated", liveOrNone(p))
			return nil
		case lifecycleAvailable:
			p.Lifecycle = lifecycleAvailable
		}
		p.Alias, p.Version = str(r, "alias"), rr.version
		a.name(r, id)
		a.job.Resources = append(a.job.Resources, p.resource())
		return nil
	}
	existing := a.created[externalID]
	if existing == "" {
		existing = string(a.st.get(bucketOffers, externalID))
	}
	if existing != "" {
		// businessValidationError: the resource matches its schema but
		// breaks a rule of the service (one product per offer ID); the
		// inner-error enum has no narrower code for a duplicate.
		a.fail(codeBusinessValidation, r, "a product with externalId %q exists already (%s); update it with \"id\": %q instead of creating another",
			externalID, productRef(existing), productRef(existing))
		return nil
	}
	if lc == lifecycleDeleted || lc == lifecycleDeprecated {
		a.fail(codeInvalidState, r, "a new product cannot be created with lifecycleState %s", lc)
		return nil
	}
	p := &productRec{ID: newGUID(), ExternalID: externalID, Type: str(r, "type"), Alias: str(r, "alias"),
		Version: rr.version, Lifecycle: lifecycleAvailable, Created: a.now}
	a.products[p.ID] = p
	a.order = append(a.order, p.ID)
	a.drafts[p.ID] = &draftRec{}
	a.created[externalID] = p.ID
	a.st.set(bucketOffers, externalID, []byte(p.ID))
	a.name(r, productRef(p.ID))
	a.job.Resources = append(a.job.Resources, p.resource())
	return nil
}

func liveOrNone(p *productRec) string {
	if p.Live == "" {
		return "(the product has no live submission)"
	}
	return submissionRef(p.ID, p.Live)
}

// deleteProduct deletes a never-published draft product.
func (a *applier) deleteProduct(r resource, p *productRec) error {
	switch {
	case p.Published || p.Live != "":
		a.fail(codeInvalidState, r, "product %s was published; only a never-published draft can be deleted (stop its sale with its live submission and lifecycleState deprecated instead)", productRef(p.ID))
		return nil
	case p.InProgress != "":
		a.fail(codeInvalidState, r, "submission %s of product %s is running; a product can be deleted only when no submission runs", submissionRef(p.ID, p.InProgress), productRef(p.ID))
		return nil
	}
	a.deleted[p.ID] = true
	deleteProductRecords(a.st, p)
	out := p.resource()
	out["lifecycleState"] = lifecycleDeleted
	a.job.Resources = append(a.job.Resources, out)
	return nil
}

// deleteProductRecords removes a product and everything it owns.
func deleteProductRecords(st *stage, p *productRec) {
	if string(st.get(bucketOffers, p.ExternalID)) == p.ID {
		st.del(bucketOffers, p.ExternalID)
	}
	st.del(bucketProducts, p.ID)
	st.del(bucketDrafts, p.ID)
	for _, k := range st.prefixKeys(bucketSubmissions, p.ID+"/") {
		st.del(bucketSubmissions, k)
	}
}

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

func (a *applier) applyPlan(rr reqResource) error {
	r := rr.body
	p, err := a.resolveProduct(r, "product")
	if err != nil || p == nil {
		return err
	}
	d, err := a.draft(p.ID)
	if err != nil {
		return err
	}
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
			return nil
		}
		if d.get(id) == nil || segs[0] != p.ID {
			a.fail(codeResourceNotFound, r, "plan %s of product %s not found", id, productRef(p.ID))
			return nil
		}
		if existing != nil && idOf(existing) != id {
			a.fail(codeBusinessValidation, r, "product %s has another plan with externalId %q (%s)", productRef(p.ID), externalID, idOf(existing))
			return nil
		}
	case existing != nil:
		a.fail(codeBusinessValidation, r, "product %s has a plan with externalId %q already (%s); update it with \"id\": %q",
			productRef(p.ID), externalID, idOf(existing), idOf(existing))
		return nil
	default:
		id = planRef(p.ID, newGUID())
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

func (a *applier) applyDraft(rr reqResource) error {
	r := rr.body
	p, err := a.resolveProduct(r, "product")
	if err != nil || p == nil {
		return err
	}
	d, err := a.draft(p.ID)
	if err != nil {
		return err
	}
	var planID string
	if resourceKinds[rr.kind] {
		if planID, err = a.resolvePlan(r, p); err != nil || planID == "" {
			return err
		}
	}
	var listingID string
	if rr.kind == kindListingAsset {
		switch ref := r["listing"].(type) {
		case string:
			listingID = ref
		case map[string]any:
			if n, ok := ref["resourceName"].(string); ok {
				listingID = a.names[n]
			}
		}
		if lk, _, _ := parseRef(listingID); lk != kindListing || d.get(listingID) == nil {
			a.fail(codeResourceNotFound, r, "listing %v of product %s not found", r["listing"], productRef(p.ID))
			return nil
		}
	}
	id := str(r, "id")
	if id != "" {
		old := d.get(id)
		if k, _, ok := parseRef(id); !ok || k != rr.kind {
			a.fail(codeInvalidID, r, "id %q is not a %s durable ID", id, rr.kind)
			return nil
		}
		if old == nil {
			a.fail(codeResourceNotFound, r, "%s not found in the draft of product %s", id, productRef(p.ID))
			return nil
		}
	} else {
		id = draftID(rr.kind, p.ID, planID, r, d)
	}
	out := a.stored(rr, id, p)
	if planID != "" {
		out["plan"] = planID
	}
	if listingID != "" {
		out["listing"] = listingID
	}
	if str(r, "lifecycleState") == lifecycleDeleted {
		d.remove(id)
	} else {
		d.put(out)
	}
	a.name(r, id)
	a.job.Resources = append(a.job.Resources, cloneResource(out))
	return nil
}

// draftID is the durable ID of a new draft resource, in the forms the docs
// show (listing/<product>/public/main/default/<language>, ...). Where
// Microsoft documents no form (technical configurations, custom meters,
// commercial-marketplace-setup for a plan-less product), the simulator uses
// <kind>/<product>[/<plan>]. A resource that matches an existing one of the
// draft (same kind, plan, language; for assets also type and file) gets its
// ID, so configuring it again updates it.
func draftID(kind, productID, planID string, r resource, d *draftRec) string {
	planGUID := ""
	if planID != "" {
		planGUID = planID[strings.LastIndex(planID, "/")+1:]
	}
	lang := strings.ToLower(str(r, "languageId"))
	switch kind {
	case kindListing:
		return "listing/" + productID + "/public/main/default/" + lang
	case kindProperty:
		return "property/" + productID + "/public/main"
	case kindPlanListing:
		return "plan-listing/" + productID + "/public/main/" + planGUID + "/" + lang
	case kindListingAsset:
		typ := strings.ToLower(str(r, "type"))
		prefix := "listing-asset/" + productID + "/public/main/default/" + lang + "/" + typ + "/"
		n := 1
		for _, a := range d.ofKind(kindListingAsset) {
			if !strings.HasPrefix(idOf(a), prefix) {
				continue
			}
			if str(a, "fileName") == str(r, "fileName") && str(a, "url") == str(r, "url") {
				return idOf(a)
			}
			if m, err := strconv.Atoi(strings.TrimPrefix(idOf(a), prefix)); err == nil && m >= n {
				n = m + 1
			}
		}
		return prefix + strconv.Itoa(n)
	case kindListingTrailer:
		return "listing-trailer/" + productID + "/public/main/default/" + lang
	}
	if planGUID != "" {
		return kind + "/" + productID + "/" + planGUID
	}
	return kind + "/" + productID
}

func (a *applier) applySubmission(rr reqResource) error {
	r := rr.body
	p, err := a.resolveProduct(r, "product")
	if err != nil || p == nil {
		return err
	}
	tgt, _ := r["target"].(map[string]any)
	targetType, _ := tgt["targetType"].(string)
	lc := str(r, "lifecycleState")
	for _, sid := range a.job.Submissions {
		if strings.HasPrefix(sid, p.ID+"/") {
			a.fail(codeInvalidRequest, r, "a second submission of product %s in one request; send one", productRef(p.ID))
			return nil
		}
	}
	switch targetType {
	case targetPreview:
		if lc != "" {
			a.fail(codeInvalidRequest, r, "lifecycleState is set on the live submission (target live with its id), not on a preview submission")
			return nil
		}
		if p.Lifecycle == lifecycleDeprecated {
			a.fail(codeInvalidState, r, "product %s is deprecated (its sale was stopped); restore it with lifecycleState generallyAvailable before publishing", productRef(p.ID))
			return nil
		}
		if p.InProgress != "" {
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
	case targetLive:
		id := str(r, "id")
		if id == "" {
			a.fail(codeInvalidRequest, r, "a live submission takes the id of the product's preview submission (submission/<product>/<id>); nothing goes to live before preview")
			return nil
		}
		k, segs, ok := parseRef(id)
		if !ok || k != kindSubmission || len(segs) != 2 || segs[0] != p.ID {
			a.fail(codeInvalidID, r, "id %q is not a submission durable ID of product %s (submission/%s/<id>)", id, productRef(p.ID), p.ID)
			return nil
		}
		var sub submissionRec
		found, err := a.st.getJSON(bucketSubmissions, submissionKey(p.ID, segs[1]), &sub)
		if err != nil {
			return err
		}
		if !found || sub.ID != segs[1] {
			a.fail(codeResourceNotFound, r, "submission %s not found", id)
			return nil
		}
		if lc != "" {
			return a.setLiveLifecycle(r, p, &sub, lc)
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
		return a.putSubmission(r, p, &sub)
	default:
		a.fail(codeNotSupported, r, "target.targetType %q is not supported for a submission: publish with preview, then live", targetType)
		return nil
	}
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

// jobStatus is the configure-status of a job at now: running until Due,
// then completed with the result (of its submissions, when it made any).
func jobStatus(st *stage, j *jobRec, now time.Time) (configureStatus, error) {
	out := configureStatus{Schema: schemaURI(kindConfigureStatus, schemaVersion), JobID: j.ID, JobStatus: jobRunning,
		JobResult: resultPending, JobStart: jobTime(j.Created), JobEnd: jobEndRunning, Errors: []innerError{}}
	if now.Before(j.Due) {
		return out, nil
	}
	result, errs, err := jobOutcome(st, j, now)
	if err != nil {
		return out, err
	}
	out.JobStatus, out.JobResult, out.JobEnd = jobCompleted, result, jobTime(j.Due)
	if errs != nil {
		out.Errors = errs
	}
	return out, nil
}

// jobOutcome works out a completed job's result and errors.
func jobOutcome(st *stage, j *jobRec, now time.Time) (string, []innerError, error) {
	result, errs := j.Result, j.Errors
	for _, key := range j.Submissions {
		productID, subID, _ := strings.Cut(key, "/")
		if _, err := loadProduct(st, productID, now); err != nil && !isNotFound(err) {
			return "", nil, err
		}
		var sub submissionRec
		ok, err := st.getJSON(bucketSubmissions, submissionKey(productID, subID), &sub)
		if err != nil {
			return "", nil, err
		}
		if ok && sub.Result == resultFailed {
			result = resultFailed
			errs = append(errs, sub.Errors...)
		}
	}
	return result, errs, nil
}

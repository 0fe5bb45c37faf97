package simulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Read endpoints of the Product Ingestion surface. Every GET of a durable
// ID answers the draft, as Microsoft documents; the preview and live
// versions are read through the resource tree with targetType.

// handleJobStatus answers GET configure/{jobId}/status.
func (s *Simulator) handleJobStatus(w http.ResponseWriter, r *http.Request) {
	var out configureStatus
	s.serve(w, &out, func(st *stage, now time.Time) error {
		j, err := loadJob(st, r.PathValue("jobId"))
		if err != nil {
			return err
		}
		out, err = jobStatus(st, j, now)
		return err
	})
}

func loadJob(st *stage, jobID string) (*jobRec, error) {
	var j jobRec
	ok, err := st.getJSON(bucketJobs, jobID, &j)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotFound("configure job %s not found", jobID)
	}
	return &j, nil
}

// handleJobDetail answers GET configure/{jobId}: once the job completed,
// the resources it created or updated, with their durable IDs; a
// submission whose certification failed is not listed ("only the
// resources that succeeded"). Before completion it is a 400: Microsoft
// documents that the call fails then, not how, and a 400 badRequest is
// what it answers for the sibling call (cancel) on a job in the wrong
// state.
func (s *Simulator) handleJobDetail(w http.ResponseWriter, r *http.Request) {
	var out configureDetail
	s.serve(w, &out, func(st *stage, now time.Time) error {
		j, err := loadJob(st, r.PathValue("jobId"))
		if err != nil {
			return err
		}
		if now.Before(j.Due) {
			return errBadRequest("configure job %s has not completed; poll GET configure/%s/status until jobStatus is completed", j.ID, j.ID)
		}
		if _, _, err := jobOutcome(st, j, now); err != nil {
			return err
		}
		out = configureDetail{Schema: schemaURI(kindConfigureDetail, schemaVersion), Resources: []resource{}}
		failed := map[string]bool{}
		for _, key := range j.Submissions {
			productID, subID, _ := strings.Cut(key, "/")
			var sub submissionRec
			if ok, err := st.getJSON(bucketSubmissions, submissionKey(productID, subID), &sub); err != nil {
				return err
			} else if ok && sub.Result == resultFailed {
				failed[submissionRef(productID, subID)] = true
			}
		}
		for _, res := range j.Resources {
			if !failed[idOf(res)] {
				out.Resources = append(out.Resources, res)
			}
		}
		return nil
	})
}

// queryParam reads a query parameter under either spelling (the docs write
// externalID in 2023 and externalId in 2022).
func queryParam(q url.Values, names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := q[n]; ok {
			return v[0], true
		}
	}
	return "", false
}

// defaultPageSize is the page size of list answers without $maxpagesize
// (Microsoft publishes none).
const defaultPageSize = 100

// servePage answers a listing: list reads it from the store (in a view),
// and the answer is the page of it that r asks for.
func servePage[T any](s *Simulator, w http.ResponseWriter, r *http.Request, list func(st *stage, now time.Time) ([]T, error)) {
	var all []T
	err := s.view(func(st *stage, now time.Time) error {
		var err error
		all, err = list(st, now)
		return err
	})
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := page(r, all)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// page cuts a sorted list into the page the query asks for, with the
// @nextLink of the next page: $maxpagesize is the page size (the paging
// the 2023 overview documents, continued by continuationToken, which is
// opaque to clients); $top and $skip (older docs) take the first $top
// items after $skip, so a list cut by $top ends there.
func page[T any](r *http.Request, all []T) (listOf[T], error) {
	q := r.URL.Query()
	size, err := queryInt(q, "$maxpagesize", 1, defaultPageSize)
	if err != nil {
		return listOf[T]{}, err
	}
	top, err := queryInt(q, "$top", 1, len(all))
	if err != nil {
		return listOf[T]{}, err
	}
	skip, err := queryInt(q, "$skip", 0, 0)
	if err != nil {
		return listOf[T]{}, err
	}
	all = all[min(skip, len(all)):]
	all = all[:min(top, len(all))]
	offset := 0
	if v := q.Get("continuationToken"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || err2 != nil || n < 0 {
			return listOf[T]{}, errBadRequest("continuationToken %q is not one this API gave", v)
		}
		offset = n
	}
	out := listOf[T]{Value: []T{}}
	if offset < len(all) {
		out.Value = append(out.Value, all[offset:min(len(all), offset+size)]...)
	}
	if next := offset + size; next < len(all) {
		q.Set("continuationToken", base64.RawURLEncoding.EncodeToString([]byte("offset:"+strconv.Itoa(next))))
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		out.NextLink = scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode()
	}
	return out, nil
}

// queryInt reads an integer query parameter of at least least; def when
// absent.
func queryInt(q url.Values, name string, least, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		what := "a positive integer"
		if least == 0 {
			what = "a non-negative integer"
		}
		return 0, errBadRequest("%s %q must be %s", name, v, what)
	}
	return n, nil
}

// handleProducts answers GET product[?externalId=][&type=]: the products,
// filtered, in pages.
func (s *Simulator) handleProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	externalID, byID := queryParam(q, "externalId", "externalID")
	offerType, byType := queryParam(q, "type")
	asked := readVersion(r)
	servePage(s, w, r, func(st *stage, now time.Time) ([]product, error) {
		var all []product
		var ids []string
		if byID {
			if id := st.get(bucketOffers, externalID); id != nil {
				ids = append(ids, string(id))
			}
		} else {
			ids = st.prefixKeys(bucketProducts, "")
		}
		for _, id := range ids {
			p, err := loadProduct(st, id, now)
			if err != nil {
				return nil, err
			}
			if byType && p.Type != offerType {
				continue
			}
			all = append(all, productAt(p.published(), asked))
		}
		return all, nil
	})
}

// handleProduct answers GET product/{productId}.
func (s *Simulator) handleProduct(w http.ResponseWriter, r *http.Request) {
	var out product
	s.serve(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		out = productAt(p.published(), readVersion(r))
		return nil
	})
}

// handlePlans answers GET plan?product=product/{id}[&externalId=]: the
// draft plans of a product.
func (s *Simulator) handlePlans(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref := q.Get("product")
	productID, ok := parseProductRef(ref)
	if !ok {
		if guidPattern.MatchString(ref) {
			productID, ok = ref, true
		}
	}
	if !ok {
		writeError(w, errBadRequest("query parameter product must be a product durable ID (product/<guid>), got %q", ref))
		return
	}
	externalID, byID := queryParam(q, "externalId", "externalID")
	servePage(s, w, r, func(st *stage, now time.Time) ([]resource, error) {
		if _, err := loadProduct(st, productID, now); err != nil {
			return nil, err
		}
		var d draftRec
		if _, err := st.getJSON(bucketDrafts, productID, &d); err != nil {
			return nil, err
		}
		var all []resource
		for _, pl := range d.ofKind(kindPlan) {
			if id, _ := pl["identity"].(map[string]any); byID && (id == nil || id["externalId"] != externalID) {
				continue
			}
			if v, ok := atVersion(pl, readVersion(r)); ok {
				all = append(all, v)
			}
		}
		return all, nil
	})
}

// handleDurable answers GET {durable ID} of a draft resource (listing,
// plan, property, ...).
func (s *Simulator) handleDurable(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	id := kind + "/" + r.PathValue("rest")
	_, segs, ok := parseRef(id)
	if _, known := resourceKinds[kind]; !known || !ok || len(segs) < 1 {
		writeError(w, errNotFound("no route for %s %s", r.Method, r.URL.Path))
		return
	}
	var out resource
	s.serve(w, &out, func(st *stage, now time.Time) error {
		if _, err := loadProduct(st, segs[0], now); err != nil {
			return err
		}
		var d draftRec
		if _, err := st.getJSON(bucketDrafts, segs[0], &d); err != nil {
			return err
		}
		stored := d.get(id)
		if stored == nil {
			return errNotFound("%s not found in the draft of product %s", id, productRef(segs[0]))
		}
		var ok bool
		if out, ok = atVersion(stored, readVersion(r)); !ok {
			return errNotFound("%s has no shape at %s %s; read it at a later version", id, versionParam, readVersion(r))
		}
		return nil
	})
}

// handleResourceTree answers GET resource-tree/product/{productId} (and
// resource-tree/{productId}) with ?targetType=draft (default), preview or
// live: the product and its resources in that version. A product without
// a preview (live) version answers 404 for that target.
func (s *Simulator) handleResourceTree(w http.ResponseWriter, r *http.Request) {
	tt := r.URL.Query().Get("targetType")
	tt = strings.Trim(tt, `"`) // the docs' sample quotes it: targetType="preview"
	if tt == "" {
		tt = targetDraft
	}
	if tt != targetDraft && tt != targetPreview && tt != targetLive {
		writeError(w, errBadRequest("targetType %q must be draft, preview or live", tt))
		return
	}
	var out resourceTree
	s.serve(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		out = resourceTree{Schema: schemaURI(kindResourceTree, schemaVersion), Root: productRef(p.ID), Target: target{TargetType: tt}}
		var d draftRec
		root := p
		switch tt {
		case targetDraft:
			if _, err := st.getJSON(bucketDrafts, p.ID, &d); err != nil {
				return err
			}
		default:
			sid := p.Preview
			if tt == targetLive {
				sid = p.Live
			}
			if sid == "" {
				return errNotFound("product %s has no %s version", productRef(p.ID), tt)
			}
			var sub submissionRec
			if _, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, sid), &sub); err != nil {
				return err
			}
			d = sub.Snapshot
			snap := sub.Product
			snap.Lifecycle = p.Lifecycle
			root = &snap
		}
		asked := readVersion(r)
		out.Resources = allAtVersion(append([]resource{root.resource()}, d.Resources...), asked)
		return nil
	})
}

// activeSubmissions are a product's active submissions: the draft entry,
// the newest preview when it is not the live one, and the live one.
func activeSubmissions(st *stage, p *productRec) ([]submission, error) {
	out := []submission{draftSubmission(p.ID)}
	var ids []string
	if p.LastPreview != "" && p.LastPreview != p.Live {
		ids = append(ids, p.LastPreview)
	}
	if p.Live != "" {
		ids = append(ids, p.Live)
	}
	for _, id := range ids {
		var sub submissionRec
		ok, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, id), &sub)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, sub.published())
		}
	}
	return out, nil
}

// handleSubmissions answers GET submission/{productId}[?targetType=].
func (s *Simulator) handleSubmissions(w http.ResponseWriter, r *http.Request) {
	tt := r.URL.Query().Get("targetType")
	out := listOf[submission]{Value: []submission{}}
	s.serve(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		all, err := activeSubmissions(st, p)
		if err != nil {
			return err
		}
		out.Value = slices.DeleteFunc(all, func(s submission) bool { return tt != "" && s.Target.TargetType != tt })
		return nil
	})
}

// handleSubmission answers GET submission/{productId}/{submissionId}; 0 is
// the draft.
func (s *Simulator) handleSubmission(w http.ResponseWriter, r *http.Request) {
	var out submission
	subID := r.PathValue("submissionId")
	s.serve(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		if subID == "0" {
			out = draftSubmission(p.ID)
			return nil
		}
		var sub submissionRec
		ok, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, subID), &sub)
		if err != nil {
			return err
		}
		if !ok || sub.ID != subID {
			return errNotFound("submission %s not found", submissionRef(p.ID, subID))
		}
		out = sub.published()
		return nil
	})
}

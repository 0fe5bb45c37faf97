package simulator

import (
	"encoding/json"
	"net/http"
	"time"
)

// Admin routes to act behind the operator's back (simulator extension), for
// drift tests: what a person could do in Partner Center's UI while the
// operator is not looking. They are never faulted and need no $version.
//
//   - PUT /simulator/drafts/{durable ID}: replaces (or adds) a draft resource
//     of a product with the JSON body, stored as sent with the durable ID
//     of the path (a product's own resource: alias only). 200 with the
//     stored resource; 404 for an unknown product; 400 for a body that is
//     not a JSON object with a $schema of the path's kind.
//   - POST /simulator/products/{productId}/stop-sale: stops the sale of a
//     live product at once (lifecycleState deprecated), as the live
//     submission with lifecycleState deprecated does. 200 with the product;
//     409 invalidState when the product is not live.
//   - DELETE /simulator/products/{productId}: deletes a product and all it
//     owns, published or not (Partner Center's own rule that only a
//     never-published draft can be deleted does not bind this route). 204;
//     404 for an unknown product.

func (s *Simulator) handleEditDraft(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	id := kind + "/" + r.PathValue("rest")
	_, segs, ok := parseRef(id)
	if _, known := resourceKinds[kind]; !known || !ok || len(segs) < 1 || kind == kindSubmission {
		writeError(w, errBadRequest("%s is not the durable ID of a draft resource", id))
		return
	}
	raw, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	var body resource
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		writeError(w, errBadRequest("the body must be a JSON object (the resource)"))
		return
	}
	if k, _ := kindOf(str(body, "$schema")); k != kind {
		writeError(w, errBadRequest("$schema %q does not name kind %s", str(body, "$schema"), kind))
		return
	}
	var out any
	s.serveUpdate(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, segs[0], now)
		if err != nil {
			return err
		}
		if kind == kindProduct {
			if a := str(body, "alias"); a != "" {
				p.Alias = a
			}
			out = p.published()
			return st.putJSON(bucketProducts, p.ID, p)
		}
		var d draftRec
		if _, err := st.getJSON(bucketDrafts, p.ID, &d); err != nil {
			return err
		}
		body["id"], body["product"] = id, productRef(p.ID)
		d.put(body)
		out = body
		return st.putJSON(bucketDrafts, p.ID, &d)
	})
}

func (s *Simulator) handleStopSale(w http.ResponseWriter, r *http.Request) {
	var out product
	s.serveUpdate(w, &out, func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		if p.Live == "" {
			return errConflict(extInvalidState, "product %s is not live; there is no sale to stop", productRef(p.ID))
		}
		var sub submissionRec
		if _, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, p.Live), &sub); err != nil {
			return err
		}
		p.Lifecycle, sub.Lifecycle = lifecycleDeprecated, lifecycleDeprecated
		if err := st.putJSON(bucketSubmissions, submissionKey(p.ID, sub.ID), &sub); err != nil {
			return err
		}
		out = p.published()
		return st.putJSON(bucketProducts, p.ID, p)
	})
}

func (s *Simulator) handleDeleteProduct(w http.ResponseWriter, r *http.Request) {
	err := s.update(func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		deleteProductRecords(st, p)
		st.del(bucketCoSell, p.ID)
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

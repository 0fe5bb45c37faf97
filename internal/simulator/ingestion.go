package simulator

import (
	"net/http"
	"time"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Read endpoints of the Product Ingestion surface.

// handleJobStatus answers GET configure/{jobId}/status.
func (s *Simulator) handleJobStatus(w http.ResponseWriter, r *http.Request) {
	jobID := r.PathValue("jobId")
	var out wire.ConfigureStatus
	err := s.view(func(st *stage, now time.Time) error {
		var job jobRec
		ok, err := st.getJSON(bucketJobs, jobID, &job)
		if err != nil {
			return err
		}
		if !ok {
			return errNotFound("configure job %s not found", jobID)
		}
		out = job.wire(now)
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleProducts answers GET product?externalId=: a list with the product of
// that offer ID, empty when there is none. Without externalId it lists every
// product, for inspection.
func (s *Simulator) handleProducts(w http.ResponseWriter, r *http.Request) {
	externalID, filtered := r.URL.Query()["externalId"]
	out := wire.List[wire.Product]{Value: []wire.Product{}}
	err := s.view(func(st *stage, now time.Time) error {
		out.Value = out.Value[:0]
		var ids []string
		if filtered {
			if id := st.get(bucketOffers, externalID[0]); id != nil {
				ids = append(ids, string(id))
			}
		} else {
			_ = st.tx.Bucket(bucketProducts).ForEach(func(k, _ []byte) error {
				ids = append(ids, string(k))
				return nil
			})
		}
		for _, id := range ids {
			p, err := loadProduct(st, id, now)
			if err != nil {
				return err
			}
			out.Value = append(out.Value, p.wire())
		}
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleProduct answers GET product/{productId}.
func (s *Simulator) handleProduct(w http.ResponseWriter, r *http.Request) {
	var out wire.Product
	err := s.view(func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		out = p.wire()
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleResourceTree answers GET resource-tree/product/{productId}?targetType=draft:
// the product and its draft resources.
func (s *Simulator) handleResourceTree(w http.ResponseWriter, r *http.Request) {
	if t := r.URL.Query().Get("targetType"); t != "" && t != wire.TargetDraft {
		writeError(w, errBadRequest("targetType %q is not supported; the simulator serves targetType=draft", t))
		return
	}
	var out wire.ResourceTree
	err := s.view(func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		var d draftRec
		if _, err := st.getJSON(bucketDrafts, p.ID, &d); err != nil {
			return err
		}
		out = wire.ResourceTree{Schema: wire.Schema(wire.KindResourceTree), Root: wire.ProductRef(p.ID),
			Target:    wire.Target{TargetType: wire.TargetDraft},
			Resources: append([]wire.Resource{p.resource()}, d.resources(p.ID)...)}
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleSubmissions answers GET submission/{productId}, newest first.
func (s *Simulator) handleSubmissions(w http.ResponseWriter, r *http.Request) {
	out := wire.List[wire.Submission]{Value: []wire.Submission{}}
	err := s.view(func(st *stage, now time.Time) error {
		out.Value = out.Value[:0]
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		keys := st.prefixKeys(bucketSubmissions, p.ID+"/")
		for i := len(keys) - 1; i >= 0; i-- {
			var sub submissionRec
			if _, err := st.getJSON(bucketSubmissions, keys[i], &sub); err != nil {
				return err
			}
			out.Value = append(out.Value, sub.wire())
		}
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleSubmission answers GET submission/{productId}/{submissionId}.
func (s *Simulator) handleSubmission(w http.ResponseWriter, r *http.Request) {
	var out wire.Submission
	err := s.view(func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		var sub submissionRec
		ok, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, r.PathValue("submissionId")), &sub)
		if err != nil {
			return err
		}
		if !ok || sub.ID != r.PathValue("submissionId") {
			return errNotFound("submission %s of product %s not found", r.PathValue("submissionId"), p.ID)
		}
		out = sub.wire()
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

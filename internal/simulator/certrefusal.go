package simulator

import (
	"net/http"
	"time"
)

// A refused certification in the shape real traffic shows it (Microsoft's
// answers in the cloudpub project's fixtures): the submission's job fails
// with internalServerError "Operation failed" on the submission, whose
// details are invalidState "Certification" -> invalidState "Issues found
// during Certification.", and nothing names the resource to fix.
// Microsoft's certification report is read in Partner Center. The
// simulator's own rules (certification.go) answer per-resource details
// instead; this extension answers the opaque shape, for a product:
//
//	PUT /simulator/products/{productId}/certification  {"refuse": true|false}
//	    200 {"refuse": …}; 400; 404
//
// While refuse is true, every preview certification of the product is
// refused so.

func certificationRefused(submission string) []innerError {
	return []innerError{{Code: httpInternal, Message: "Operation failed", ResourceID: submission,
		Details: []innerError{{Code: codeInvalidState, Message: "Certification",
			Details: []innerError{{Code: codeInvalidState, Message: "Issues found during Certification.", Details: []innerError{}}}}}}}
}

// certificationOutcome is the body of the extension.
type certificationOutcome struct {
	Refuse *bool `json:"refuse"`
}

func (s *Simulator) handleCertificationOutcome(w http.ResponseWriter, r *http.Request) {
	var in certificationOutcome
	if err := decodeBody(w, r, &in); err != nil {
		writeError(w, err)
		return
	}
	if in.Refuse == nil {
		writeError(w, errBadRequest(`the body is {"refuse": true} or {"refuse": false}`))
		return
	}
	err := s.update(func(st *stage, now time.Time) error {
		p, err := loadProduct(st, r.PathValue("productId"), now)
		if err != nil {
			return err
		}
		p.RefuseCertification = *in.Refuse
		return st.putJSON(bucketProducts, p.ID, p)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

package simulator

import (
	"errors"
	"slices"
	"time"
)

// Progress over time (certification, going live, merges) is derived from
// due times persisted with the records: whoever reads a record after its due
// time settles it, in the same transaction. Nothing depends on a goroutine
// or timer, so a restart mid-certification completes it correctly, in
// realistic mode (hours) as in demo mode (seconds).

// loadProduct reads a product and settles its progress; a missing product
// is a 404.
func loadProduct(st *stage, productID string, now time.Time) (*productRec, error) {
	var p productRec
	ok, err := st.getJSON(bucketProducts, productID, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotFound("product %s not found", productRef(productID))
	}
	if err := settleProduct(st, &p, now); err != nil {
		return nil, err
	}
	return &p, nil
}

// settleProduct completes the product's running submission and the merges
// into it whose time has come, and stages the changes.
func settleProduct(st *stage, p *productRec, now time.Time) error {
	changed := false
	if p.InProgress != "" && !now.Before(p.InProgressDue) {
		var sub submissionRec
		ok, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, p.InProgress), &sub)
		if err != nil {
			return err
		}
		if ok && sub.Status != jobCompleted {
			completeSubmission(p, &sub)
			if err := st.putJSON(bucketSubmissions, submissionKey(p.ID, sub.ID), &sub); err != nil {
				return err
			}
		}
		p.InProgress, p.InProgressDue = "", time.Time{}
		changed = true
	}
	var pending []pendingMerge
	for _, m := range p.PendingMerges {
		if now.Before(m.Due) {
			pending = append(pending, m)
			continue
		}
		changed = true
		var sol solutionRec
		ok, err := st.getJSON(bucketSolutions, m.Solution, &sol)
		if err != nil {
			return err
		}
		if ok && sol.State == solutionMergeRequested {
			sol.State = solutionMerged
			if err := st.putJSON(bucketSolutions, m.Solution, &sol); err != nil {
				return err
			}
		}
		if ok && !slices.Contains(p.MergedSolutions, sol.SolutionID) {
			p.MergedSolutions = append(p.MergedSolutions, sol.SolutionID)
		}
	}
	if !changed {
		return nil
	}
	p.PendingMerges = pending
	return st.putJSON(bucketProducts, p.ID, p)
}

// completeSubmission finishes a due submission: certification for a
// preview, publication for a live one, with their effect on the product.
func completeSubmission(p *productRec, sub *submissionRec) {
	sub.Status = jobCompleted
	switch sub.Target {
	case targetPreview:
		if p.RefuseCertification {
			sub.Result, sub.Errors = resultFailed, certificationRefused(submissionRef(p.ID, sub.ID))
			return
		}
		if issues := certify(sub); len(issues) > 0 {
			sub.Result = resultFailed
			sub.Errors = []innerError{{Code: codeBusinessValidation, ResourceID: submissionRef(p.ID, sub.ID), Details: issues,
				Message: "Certification of the preview submission found issues; fix each resource named in details in the draft, then submit a new preview."}}
			return
		}
		sub.Result = resultSucceeded
		p.Preview, p.Published = sub.ID, true
	case targetLive:
		sub.Result = resultSucceeded
		p.Live, p.Preview = sub.ID, sub.ID
	}
}

// loadSolution reads a legacy solution and settles a merge that came due; a
// missing partner or solution is a 404.
func loadSolution(st *stage, partnerID, solutionID string, now time.Time) (*solutionRec, error) {
	var sol solutionRec
	key := solutionKey(partnerID, solutionID)
	ok, err := st.getJSON(bucketSolutions, key, &sol)
	if err != nil {
		return nil, err
	}
	if !ok {
		if st.get(bucketPartners, partnerID) == nil {
			return nil, errNotFound("partner %s not found", partnerID)
		}
		return nil, errNotFound("solution %s of partner %s not found", solutionID, partnerID)
	}
	if sol.State != solutionMergeRequested || now.Before(sol.MergeDue) {
		return &sol, nil
	}
	if sol.Product != "" {
		// Settling the product completes the merge on both sides.
		if _, err := loadProduct(st, sol.Product, now); err != nil && !isNotFound(err) {
			return nil, err
		}
		if _, err := st.getJSON(bucketSolutions, key, &sol); err != nil {
			return nil, err
		}
	}
	if sol.State == solutionMergeRequested {
		sol.State = solutionMerged
		if err := st.putJSON(bucketSolutions, key, &sol); err != nil {
			return nil, err
		}
	}
	return &sol, nil
}

func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.status == 404
}

package simulator

import (
	"errors"
	"slices"
	"time"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Progress over time (certification, going live, merges) is derived from
// due times persisted with the records: whoever reads a record after its due
// time settles it, in the same transaction. Nothing depends on a goroutine
// or timer, so a restart mid-certification completes it correctly.

// loadProduct reads a product and settles its progress; a missing product
// is a 404.
func loadProduct(st *stage, productID string, now time.Time) (*productRec, error) {
	var p productRec
	ok, err := st.getJSON(bucketProducts, productID, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotFound("product %s not found", productID)
	}
	if err := settleProduct(st, &p, now); err != nil {
		return nil, err
	}
	return &p, nil
}

// settleProduct completes the product's in-progress submission and the
// merges into it whose time has come, and stages the changes.
func settleProduct(st *stage, p *productRec, now time.Time) error {
	changed := false
	if p.InProgress != "" && !now.Before(p.InProgressDue) {
		var sub submissionRec
		ok, err := st.getJSON(bucketSubmissions, submissionKey(p.ID, p.InProgress), &sub)
		if err != nil {
			return err
		}
		if ok && sub.Status != wire.SubmissionCompleted {
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
		if ok && sol.State == wire.SolutionMergeRequested {
			sol.State = wire.SolutionMerged
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

// completeSubmission finishes a due submission: certification for a preview,
// publication for a live one, with their effect on the product.
func completeSubmission(p *productRec, sub *submissionRec) {
	sub.Status = wire.SubmissionCompleted
	switch sub.Target {
	case wire.TargetPreview:
		if report := certify(sub.OfferType, sub.Draft); len(report) > 0 {
			sub.Result, sub.Report = wire.JobFailed, report
			return
		}
		sub.Result = wire.JobSucceeded
		sub.PreviewLinks = previewLinks(p.Type, p.OfferID, sub.ID)
		if p.Lifecycle == wire.LifecycleDraft {
			p.Lifecycle = wire.LifecyclePublished
		}
	case wire.TargetLive:
		sub.Result = wire.JobSucceeded
		sub.LiveLink = liveLink(p.Type, p.OfferID)
		if p.Lifecycle != wire.LifecycleDeprecated {
			p.Lifecycle = wire.LifecyclePublished
			p.LiveSubmission, p.LiveLink, p.CoSellStatus = sub.ID, sub.LiveLink, coSellStatus(sub.Draft)
		}
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
	if sol.State != wire.SolutionMergeRequested || now.Before(sol.MergeDue) {
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
	if sol.State == wire.SolutionMergeRequested {
		sol.State = wire.SolutionMerged
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

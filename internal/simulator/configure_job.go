package simulator

import (
	"strings"
	"time"
)

// The configure job as answered: status and outcome.

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

// jobPurpose names what a configure request is for, as the configure-job
// counters count it (Stats.ConfigureJobs): a submission (preview, live,
// or lifecycle: the live submission's lifecycleState), else a product
// created (create) or changed (product), else the draft.
func jobPurpose(reqs []reqResource) string {
	purpose := "draft"
	for _, rr := range reqs {
		switch rr.kind {
		case kindSubmission:
			tgt, _ := rr.body["target"].(map[string]any)
			switch tt, _ := tgt["targetType"].(string); {
			case tt == targetLive && str(rr.body, "lifecycleState") != "":
				return "lifecycle"
			case tt == targetLive:
				return targetLive
			default:
				return targetPreview
			}
		case kindProduct:
			if str(rr.body, "id") == "" {
				purpose = "create"
			} else if purpose != "create" {
				purpose = "product"
			}
		}
	}
	return purpose
}

// offers are the offer IDs of the products a request touched.
func (a *applier) offers() []string {
	var out []string
	for _, id := range a.order {
		if p := a.products[id]; p != nil {
			out = append(out, p.ExternalID)
		}
	}
	return out
}

// countJob counts a configure job (Stats.ConfigureJobs) by purpose and by
// offer, with the job itself: every job, succeeded or failed.
func countJob(st *stage, reqs []reqResource, offers []string) {
	purpose := jobPurpose(reqs)
	for _, o := range offers {
		st.incr(counterConfigure + purpose + "/" + o)
	}
}

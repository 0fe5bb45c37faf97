package ingestion

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// effect finds out, after an ambiguous failure of a configure request,
// whether the request took effect (applied), and the job to answer with
// when it did (nil: there is none to follow).
type effect func(ctx context.Context) (applied bool, job *pc.Job, err error)

// configure posts resources to POST configure and returns the job as
// Partner Center first reports it (usually notStarted or running). It
// never waits for the job. POST configure is not documented as idempotent,
// so it is never sent again blind: after an ambiguous failure (doOnce),
// check reads whether the request took effect, as cloudpub reads the
// submissions before it publishes again. Taken effect, the answer is
// check's job or, without one, a Conflict saying so (the caller reads the
// state again: the product lookup, the submissions list, the draft); not
// taken, the request is sent again after a backoff; unknown (or no check),
// the ambiguous error is returned.
func (c *Client) configure(ctx context.Context, op string, check effect, resources ...any) (*pc.Job, error) {
	body := wire.Configure{Schema: wire.SchemaOf(wire.KindConfigure), Resources: resources}
	u := c.endpointAt(wire.Version, nil, "configure")
	for attempt := 1; ; attempt++ {
		var st wire.ConfigureStatus
		err := c.doOnce(ctx, op, http.MethodPost, u, body, &st)
		if err == nil {
			return toJob(op, &st)
		}
		if !isAmbiguous(err) || check == nil || ctx.Err() != nil || attempt >= c.opts.MaxAttempts {
			return nil, err
		}
		applied, job, cerr := check(ctx)
		switch {
		case cerr != nil:
			return nil, err
		case applied && job != nil:
			return job, nil
		case applied:
			return nil, &pc.Error{Class: pc.ClassConflict, Op: op, Applied: true,
				Message: "Partner Center took the request though its answer was lost (" + err.Error() + "); read its state again before writing", Err: err}
		}
		if !sleep(ctx, c.backoff(attempt)) {
			return nil, err
		}
	}
}

// sleep waits d unless ctx ends first; it reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// GetJob implements pc.Client.
func (c *Client) GetJob(ctx context.Context, jobID string) (*pc.Job, error) {
	const op = "GetJob"
	if err := checkID(op, "job", jobID); err != nil {
		return nil, err
	}
	var st wire.ConfigureStatus
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "configure", jobID, "status"), nil, &st); err != nil {
		return nil, err
	}
	return toJob(op, &st)
}

// GetJobDetail implements pc.Client: GET configure/{jobId}, which Partner
// Center answers once the job completed, listing the resources it created
// or updated with their durable IDs.
func (c *Client) GetJobDetail(ctx context.Context, jobID string) (*pc.JobDetail, error) {
	const op = "GetJobDetail"
	if err := checkID(op, "job", jobID); err != nil {
		return nil, err
	}
	var d wire.ConfigureDetail
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "configure", jobID), nil, &d); err != nil {
		return nil, err
	}
	return toJobDetail(op, jobID, &d)
}

func toJobDetail(op, jobID string, d *wire.ConfigureDetail) (*pc.JobDetail, error) {
	out := &pc.JobDetail{JobID: jobID}
	for _, raw := range d.Resources {
		var h wire.Head
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, contractError(op, "job %s detail holds a resource that is not an object: %v", jobID, err)
		}
		r := pc.ResourceRef{Kind: h.Kind(), DurableID: h.ID}
		if h.Identity != nil {
			r.ExternalID = h.Identity.ExternalID
		}
		out.Resources = append(out.Resources, r)
	}
	return out, nil
}

// toJob checks the required fields of a configure-status and maps it.
func toJob(op string, st *wire.ConfigureStatus) (*pc.Job, error) {
	if st.JobID == "" {
		return nil, contractError(op, "configure job without a jobId")
	}
	switch st.JobStatus {
	case wire.StatusNotStarted, wire.StatusRunning:
	case wire.StatusCompleted:
		switch st.JobResult {
		case wire.ResultSucceeded, wire.ResultFailed, wire.ResultCancelled:
		default:
			return nil, contractError(op, "configure job %s completed with jobResult %q", st.JobID, st.JobResult)
		}
	case "":
		return nil, contractError(op, "configure job %s without a jobStatus", st.JobID)
	default:
		return nil, contractError(op, "configure job %s has unknown jobStatus %q", st.JobID, st.JobStatus)
	}
	j := &pc.Job{ID: st.JobID, Status: pc.JobStatus(st.JobStatus), Result: pc.JobResult(st.JobResult),
		Errors: Feedback(st.Errors)}
	if j.Result == "" {
		j.Result = pc.JobPending
	}
	if st.JobStart != nil {
		j.Start = st.JobStart.Time
	}
	if st.JobEnd != nil {
		j.End = st.JobEnd.Time
	}
	return j, nil
}

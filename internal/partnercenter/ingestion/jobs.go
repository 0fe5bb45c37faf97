package ingestion

import (
	"context"
	"encoding/json"
	"net/http"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// configure posts resources to POST configure and returns the job as
// Partner Center first reports it (usually notStarted or running). It
// never waits for the job.
func (c *Client) configure(ctx context.Context, op string, resources ...any) (*pc.Job, error) {
	body := wire.Configure{Schema: wire.SchemaOf(wire.KindConfigure), Resources: resources}
	var st wire.ConfigureStatus
	if err := c.do(ctx, op, http.MethodPost, c.endpointAt(wire.Version, nil, "configure"), body, &st); err != nil {
		return nil, err
	}
	return toJob(op, &st)
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

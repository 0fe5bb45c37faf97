package ingestion

import (
	"context"
	"net/http"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// configure posts resources to POST configure and returns the job as
// Partner Center first reports it (usually notStarted or running).
func (c *Client) configure(ctx context.Context, op string, resources ...wire.Resource) (*wire.ConfigureStatus, error) {
	body := wire.Configure{Schema: wire.Schema(wire.KindConfigure), Resources: resources}
	var st wire.ConfigureStatus
	if err := c.do(ctx, op, http.MethodPost, c.endpoint(nil, "configure"), body, &st); err != nil {
		return nil, err
	}
	if err := checkJob(op, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// jobStatus reads a job.
func (c *Client) jobStatus(ctx context.Context, op, jobID string) (*wire.ConfigureStatus, error) {
	var st wire.ConfigureStatus
	if err := c.do(ctx, op, http.MethodGet, c.endpoint(nil, "configure", jobID, "status"), nil, &st); err != nil {
		return nil, err
	}
	if err := checkJob(op, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// runJob configures resources and waits for the job; a failed job is its
// classified error. It is for the short jobs a port call stands for
// (create a product, submit, delete); draft writes and stop-sale return
// their job to the caller instead, who polls it across reconciles.
func (c *Client) runJob(ctx context.Context, op string, resources ...wire.Resource) (*wire.ConfigureStatus, error) {
	st, err := c.configure(ctx, op, resources...)
	if err != nil {
		return nil, err
	}
	if st, err = c.waitJob(ctx, op, st); err != nil {
		return nil, err
	}
	if st.JobResult != wire.JobSucceeded {
		return nil, jobFailedError(op, st)
	}
	return st, nil
}

// waitJob polls a job until it completes, starting at JobPollInterval and
// doubling up to maxJobPollInterval, within the caller's context and at
// most maxJobWait. A job still running when time is up is a transient
// error naming it: it keeps running in Partner Center, and the caller's
// retry then meets its effect (a conflict code, or the created resource).
func (c *Client) waitJob(ctx context.Context, op string, st *wire.ConfigureStatus) (*wire.ConfigureStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, maxJobWait)
	defer cancel()
	interval := c.opts.JobPollInterval
	for st.JobStatus != wire.JobCompleted {
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &pc.Error{Class: pc.ClassTransient, Op: op,
				Message: "configure job " + st.JobID + " had not completed when the call's time ran out; it goes on in Partner Center",
				Err:     ctx.Err()}
		case <-t.C:
		}
		next, err := c.jobStatus(ctx, op, st.JobID)
		if err != nil {
			return nil, err
		}
		st = next
		interval = min(2*interval, maxJobPollInterval)
	}
	return st, nil
}

// checkJob enforces the required fields of a job.
func checkJob(op string, st *wire.ConfigureStatus) error {
	if st.JobID == "" {
		return contractError(op, "configure job without a jobId")
	}
	switch st.JobStatus {
	case wire.JobNotStarted, wire.JobRunning:
		return nil
	case wire.JobCompleted:
		if st.JobResult != wire.JobSucceeded && st.JobResult != wire.JobFailed {
			return contractError(op, "configure job %s completed with jobResult %q", st.JobID, st.JobResult)
		}
		return nil
	case "":
		return contractError(op, "configure job %s without a jobStatus", st.JobID)
	}
	return contractError(op, "configure job %s has unknown jobStatus %q", st.JobID, st.JobStatus)
}

// toJob maps a job to the port.
func toJob(st *wire.ConfigureStatus) *pc.Job {
	j := &pc.Job{ID: st.JobID, Status: pc.JobStatus(st.JobStatus), Result: pc.JobResult(st.JobResult)}
	if j.Result == "" {
		j.Result = pc.JobPending
	}
	for _, we := range st.Errors {
		j.Errors = append(j.Errors, pc.FeedbackItem{Code: we.Code, Resource: we.Target, Message: we.Message})
		j.Errors = append(j.Errors, feedback(we.Details)...)
	}
	return j
}

// GetJob implements pc.Client.
func (c *Client) GetJob(ctx context.Context, jobID string) (*pc.Job, error) {
	const op = "GetJob"
	if jobID == "" {
		return nil, invalidRequest(op, "job ID is empty")
	}
	st, err := c.jobStatus(ctx, op, jobID)
	if err != nil {
		return nil, err
	}
	return toJob(st), nil
}

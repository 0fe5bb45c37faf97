package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// POST configure, as Microsoft documents it: the body is a configure
// envelope {$schema, resources[]}. A body that is not one (invalid JSON, no
// resources, a resource without a $schema of a known kind) is a 400
// schemaValidationError and creates no job. Otherwise the answer is 202 with
// a configure-status, and the job completes:
//   - failed, with one schemaValidationError inner error per resource that
//     does not match its schema (nothing is applied);
//   - failed, with resourceNotFound / invalidId / businessValidationError /
//     invalidState / notSupported / productLocked inner errors when a
//     resource clashes with what Partner Center holds (nothing is applied);
//   - otherwise its resources are applied at once, atomically, and the job
//     completes succeeded after JobDelay, or, when it submitted a product,
//     when the submission completes (certification of a preview, or the
//     push to live) with the submission's result and errors.

// submissionBase makes submission IDs look like Partner Center's large
// numeric IDs.
const submissionBase = 1 << 40

// maxBodyBytes bounds every request body the simulator reads.
const maxBodyBytes = 4 << 20

// reqResource is one resource of a configure request.
type reqResource struct {
	index   int
	kind    string
	version string
	body    resource
}

func (s *Simulator) handleConfigure(w http.ResponseWriter, r *http.Request) {
	raw, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	reqs, err := parseEnvelope(raw)
	if err != nil {
		writeError(w, err)
		return
	}
	job, err := s.runConfigure(reqs)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, configureStatus{Schema: schemaURI(kindConfigureStatus, schemaVersion), JobID: job.ID,
		JobStatus: jobNotStarted, JobResult: resultPending, JobStart: jobTime(job.Created), JobEnd: jobEndRunning,
		Errors: []innerError{}})
}

// schemaError is the 400 of a body that is not a configure envelope.
func schemaError(details []string, format string, args ...any) *apiError {
	e := &apiError{status: http.StatusBadRequest, code: codeSchemaValidation, message: fmt.Sprintf(format, args...)}
	for _, d := range details {
		e.details = append(e.details, innerError{Code: codeSchemaValidation, Message: d, Details: []innerError{}})
	}
	return e
}

// parseEnvelope checks the configure envelope and the $schema of each
// resource.
func parseEnvelope(raw []byte) ([]reqResource, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var env map[string]any
	if err := dec.Decode(&env); err != nil {
		return nil, schemaError(nil, "the body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, schemaError(nil, "the body has data after the JSON object")
	}
	s, _ := env["$schema"].(string)
	if k, _ := kindOf(s); k != kindConfigure {
		return nil, schemaError([]string{"/$schema: want a configure schema URI such as " + schemaURI(kindConfigure, schemaVersion)},
			"the body is not a configure request: $schema is %q", s)
	}
	list, ok := env["resources"].([]any)
	if !ok || len(list) == 0 {
		return nil, schemaError([]string{"/resources: want a non-empty array of resources"}, "the configure request has no resources")
	}
	var out []reqResource
	var problems []string
	for i, item := range list {
		body, ok := item.(map[string]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("/resources/%d: got %s, want object", i, jsonType(item)))
			continue
		}
		s, _ := body["$schema"].(string)
		kind, version := kindOf(s)
		switch _, known := resourceKinds[kind]; {
		case s == "":
			problems = append(problems, fmt.Sprintf("/resources/%d: missing property '$schema'", i))
		case kind == "":
			problems = append(problems, fmt.Sprintf("/resources/%d/$schema: %q is not a schema URI https://<host>/schema/<kind>/<version>", i, s))
		case !known:
			problems = append(problems, fmt.Sprintf("/resources/%d/$schema: %q is not a resource kind the configure API takes", i, kind))
		}
		normalizeCasing(body)
		out = append(out, reqResource{index: i, kind: kind, version: version, body: body})
	}
	if len(problems) > 0 {
		return nil, schemaError(problems, "invalid configure request: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// refOf is the resourceId of an inner error about a request resource: its
// durable ID, else its resourceName, else its identity, as resource
// references are written.
func refOf(r resource) any {
	if id := str(r, "id"); id != "" {
		return id
	}
	if n := str(r, "resourceName"); n != "" {
		return map[string]any{"resourceName": n}
	}
	if id, ok := r["identity"].(map[string]any); ok {
		if x, ok := id["externalId"].(string); ok && x != "" {
			return map[string]any{"externalId": x}
		}
	}
	return nil
}

func inner(code string, resourceID any, format string, args ...any) innerError {
	return innerError{Code: code, ResourceID: resourceID, Message: fmt.Sprintf(format, args...), Details: []innerError{}}
}

// runConfigure validates the resources against their schemas, then applies
// them in one transaction and records the job.
func (s *Simulator) runConfigure(reqs []reqResource) (*jobRec, error) {
	now := s.now()
	job := &jobRec{ID: newGUID(), Created: now, Due: now.Add(s.jobDelay()), Result: resultSucceeded}
	for _, rr := range reqs {
		if problems := validateResource(rr.kind, rr.version, rr.body); len(problems) > 0 {
			e := inner(codeSchemaValidation, refOf(rr.body), "resources[%d] does not match the %s schema: %s", rr.index, rr.kind, strings.Join(problems, "; "))
			for _, p := range problems {
				e.Details = append(e.Details, innerError{Code: codeSchemaValidation, Message: p, Details: []innerError{}})
			}
			job.Errors = append(job.Errors, e)
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		st := newStage(tx)
		if len(job.Errors) == 0 {
			a := &applier{s: s, st: st, now: now, job: job, products: map[string]*productRec{}, drafts: map[string]*draftRec{},
				names: map[string]string{}, created: map[string]string{}}
			if err := a.apply(reqs); err != nil {
				return err
			}
			offers := a.offers()
			if len(a.errs) > 0 {
				st = newStage(tx) // drop the request's effects
				job.Errors, job.Resources, job.Submissions, job.Due = a.errs, nil, nil, now.Add(s.jobDelay())
			}
			countJob(st, reqs, offers)
		}
		if len(job.Errors) > 0 {
			job.Result = resultFailed
		}
		if err := st.putJSON(bucketJobs, job.ID, job); err != nil {
			return err
		}
		return st.flush()
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

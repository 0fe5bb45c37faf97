package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// apiError is an error answered with the documented HTTP error envelope
// {"error": {"code", "message", "details"}}.
type apiError struct {
	status  int
	code    string
	message string
	details []innerError
}

func (e *apiError) Error() string { return e.message }

func errBadRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: httpBadRequest, message: fmt.Sprintf(format, args...)}
}

func errNotFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: httpNotFound, message: fmt.Sprintf(format, args...)}
}

func errConflict(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusConflict, code: code, message: fmt.Sprintf(format, args...)}
}

func errForbidden(format string, args ...any) *apiError {
	return &apiError{status: http.StatusForbidden, code: httpForbidden, message: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		raw, _ = json.Marshal(errorBody{Error: httpError{Code: httpInternal, Message: "encode response: " + err.Error(), Details: []innerError{}}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

// writeError answers err: an *apiError as itself, anything else as a 500.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{status: http.StatusInternalServerError, code: httpInternal, message: "simulator: " + err.Error()}
	}
	details := ae.details
	if details == nil {
		details = []innerError{}
	}
	writeJSON(w, ae.status, errorBody{Error: httpError{Code: ae.code, Message: ae.message, Details: details}})
}

// readBody reads a request body of at most maxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: httpTooLarge,
				message: fmt.Sprintf("request body exceeds %d bytes", maxBodyBytes)}
		}
		return nil, errBadRequest("reading request body: %v", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errBadRequest("request body is empty; send a JSON document")
	}
	return raw, nil
}

// decodeBody reads a JSON body into v, refusing unknown fields and trailing
// data so that a client bug shows as a clear 400 (simulator extensions
// only; published bodies are judged by their schemas).
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := readBody(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return errBadRequest("malformed JSON at byte %d: %v", syntax.Offset, err)
		case errors.As(err, &typ):
			return errBadRequest("malformed JSON: field %q wants %s, got %s", typ.Field, typ.Type, typ.Value)
		default:
			return errBadRequest("malformed JSON: %v", err)
		}
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return errBadRequest("malformed JSON: unexpected data after the JSON document")
	}
	return nil
}

// statusRecorder remembers the status a handler answered, for Stats.
type statusRecorder struct {
	http.ResponseWriter
	status int
	// dropAfter: the fault dropafter was drawn for the request.
	dropAfter bool
}

// discardWriter takes an answer that is never sent (the fault dropafter).
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// serve answers a read: fill sets *out from the store (a view) and the
// answer is out as JSON, or the error fill returned.
func (s *Simulator) serve(w http.ResponseWriter, out any, fill func(st *stage, now time.Time) error) {
	if err := s.view(fill); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// serveUpdate answers a write: fn changes the store (an update) and sets
// *out, and the answer is out as JSON, or the error fn returned.
func (s *Simulator) serveUpdate(w http.ResponseWriter, out any, fn func(st *stage, now time.Time) error) {
	if err := s.update(fn); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

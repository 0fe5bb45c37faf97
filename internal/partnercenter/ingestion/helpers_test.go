package ingestion

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

const basePath = "/rp/product-ingestion"

// HTTP-style error codes of ErrorResponse, as Microsoft's documented
// samples spell them (the cancel sample answers badRequest).
const (
	codeBadRequest   = "badRequest"
	codeUnauthorized = "unauthorized"
	codeNotFound     = "notFound"
	codeConflict     = "conflict"
	codeThrottled    = "tooManyRequests"
	codeInternal     = "internalServerError"
)

// request is what the test server saw of one request.
type request struct {
	Method string
	Path   string // relative to basePath, or the full path when outside it
	Query  url.Values
	Header http.Header
	Body   []byte
}

// server is an httptest server that records requests and answers with a
// test's handler.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

func (s *server) count() int { return len(s.requests()) }

// newClient starts a server with handler h (the number of the request,
// from 1, is passed along) and a client of it with fast retries.
func newClient(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int), opts ...func(*Options)) (*Client, *server) {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.reqs = append(s.reqs, request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, basePath+"/"),
			Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
		n := len(s.reqs)
		s.mu.Unlock()
		h(w, r, n)
	}))
	t.Cleanup(s.Close)
	o := Options{
		BaseURL:        s.URL + basePath,
		RequestTimeout: 2 * time.Second,
		MaxAttempts:    4,
		MinBackoff:     time.Millisecond,
		MaxBackoff:     5 * time.Millisecond,
	}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, wire.ErrorResponse{Error: wire.ErrorBody{Code: code, Message: msg}})
}

func product(id, offerID string) wire.Product {
	return wire.Product{Schema: wire.SchemaOf(wire.KindProduct), ID: wire.ProductRef(id),
		Identity: wire.Identity{ExternalID: offerID}, Type: "softwareAsAService", Alias: "Contoso"}
}

func job(id, status, result string) wire.ConfigureStatus {
	return wire.ConfigureStatus{Schema: wire.SchemaOf(wire.KindConfigureStatus), JobID: id, JobStatus: status, JobResult: result}
}

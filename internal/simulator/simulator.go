package simulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	bolt "go.etcd.io/bbolt"
)

// APIPrefix is where the Product Ingestion surface is served, as the real
// API serves it under https://graph.microsoft.com.
const APIPrefix = "/rp/product-ingestion"

// Options configure a Simulator.
type Options struct {
	// Addr is the listen address, e.g. "127.0.0.1:8090"; "" or a port of 0
	// picks a free loopback port.
	Addr string
	// SeedFile is a YAML seed (DESIGN.md section 7); "" uses the embedded
	// default seed.
	SeedFile string
	// StoreDir is the folder of the bbolt store; "" uses a fresh temporary
	// folder that Close removes.
	StoreDir string
	// CertificationDelay is how long a preview submission stays inProgress;
	// 0 completes it on the first read after its creation.
	CertificationDelay time.Duration
	// MergeDelay is how long a merge request stays mergeRequested.
	MergeDelay time.Duration
	// Faults is a fault spec such as "429=0.1,5xx=0.05,latency=200ms,drop=0.02,qps=20,seed=1".
	Faults string
	// JobDelay is how long configure jobs take; 0 completes them on the
	// first read.
	JobDelay time.Duration
	// LiveDelay is how long a push to live takes; 0 uses JobDelay.
	LiveDelay time.Duration
	// Realistic gives the delays Partner Center's documents describe
	// (certification takes hours to days) instead of demo timings, for
	// benchmarks: every delay left at 0 takes its realistic default
	// (RealisticCertificationDelay, RealisticJobDelay, RealisticLiveDelay,
	// RealisticMergeDelay); the ones set are kept. Progress is worked out
	// from stored due times, so a restart keeps counting.
	Realistic bool
	// Logger receives one line per request at V(1) and faults at V(0).
	Logger logr.Logger
	// NoOCPGTM switches the OCP GTM migration extension off: its routes
	// answer as an unknown route does, as Microsoft's hosts (which publish
	// no migration API) would.
	NoOCPGTM bool
}

// Simulator is the Partner Center simulator. Create it with New, serve it
// with Start (or mount Handler), and Close it.
type Simulator struct {
	opts    Options
	log     logr.Logger
	db      *bolt.DB
	tempDir string
	faults  faults
	mux     *http.ServeMux
	labels  map[string]route // mux pattern -> surface and label for Stats
	// piPageSize is the page size of the submission API's product
	// listings (defaultPIPageSize; tests set less).
	piPageSize int
	now        func() time.Time

	statsMu     sync.Mutex
	requests    map[string]int
	faultCounts map[string]int

	mu       sync.Mutex
	server   *http.Server
	listener net.Listener
	closed   bool
	done     chan struct{}
}

// New opens the store, loads the seed into it (keeping what is there) and
// prepares the handler. It does not listen: call Start.
func New(opts Options) (*Simulator, error) {
	seed, err := LoadSeed(opts.SeedFile)
	if err != nil {
		return nil, err
	}
	s := &Simulator{opts: opts, log: opts.Logger, now: time.Now, requests: map[string]int{},
		faultCounts: map[string]int{}, done: make(chan struct{})}
	if s.log.GetSink() == nil {
		s.log = logr.Discard()
	}
	if err := s.faults.set(opts.Faults); err != nil {
		return nil, fmt.Errorf("simulator faults: %w", err)
	}
	dir := opts.StoreDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "cosell-simulator-"); err != nil {
			return nil, fmt.Errorf("simulator store: %w", err)
		}
		s.tempDir = dir
	}
	if s.db, err = openStore(dir); err != nil {
		s.removeTemp()
		return nil, err
	}
	if err := seed.load(s.db); err != nil {
		_ = s.db.Close()
		s.removeTemp()
		return nil, fmt.Errorf("simulator seed: %w", err)
	}
	if err := s.loadRequestCounters(); err != nil {
		_ = s.db.Close()
		s.removeTemp()
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Simulator) removeTemp() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

// Realistic defaults (Options.Realistic). Microsoft documents that
// certification takes hours to days and asks clients to poll a job at most
// once a minute; it publishes no figure for jobs, going live or merges, so
// these are the simulator's choices.
const (
	RealisticCertificationDelay = 8 * time.Hour
	RealisticJobDelay           = 2 * time.Minute
	RealisticLiveDelay          = 2 * time.Hour
	RealisticMergeDelay         = 72 * time.Hour
)

func (s *Simulator) delay(set, realistic time.Duration) time.Duration {
	if set == 0 && s.opts.Realistic {
		return realistic
	}
	return set
}

func (s *Simulator) certificationDelay() time.Duration {
	return s.delay(s.opts.CertificationDelay, RealisticCertificationDelay)
}

func (s *Simulator) jobDelay() time.Duration { return s.delay(s.opts.JobDelay, RealisticJobDelay) }

func (s *Simulator) mergeDelay() time.Duration {
	return s.delay(s.opts.MergeDelay, RealisticMergeDelay)
}

func (s *Simulator) liveDelay() time.Duration {
	if s.opts.LiveDelay == 0 && !s.opts.Realistic {
		return s.jobDelay()
	}
	return s.delay(s.opts.LiveDelay, RealisticLiveDelay)
}

// Surfaces of a route: the published Product Ingestion API (needs
// $version), the published Partner Ingestion API, a simulator extension
// the operator calls (faulted like the APIs), and admin routes (never
// faulted).
const (
	surfaceProductIngestion = iota
	surfacePartnerIngestion
	surfaceExtension
	surfaceAdmin
)

type route struct {
	surface int
	label   string
}

// routeRow is one route of a surface's table: method, path, the label
// of its Stats.Requests keys, and handler.
type routeRow struct {
	method, path, label string
	h                   http.HandlerFunc
}

// routes registers the surfaces with a label for each, the route part of
// the Stats.Requests keys.
func (s *Simulator) routes() {
	s.mux = http.NewServeMux()
	s.labels = map[string]route{}
	s.register(surfaceProductIngestion, APIPrefix, s.productIngestionRoutes())
	s.partnerIngestionRoutes(func(method, path, label string, h http.HandlerFunc) {
		s.register(surfacePartnerIngestion, PartnerIngestionPrefix, []routeRow{{method, path, label, h}})
	})
	if !s.opts.NoOCPGTM {
		s.register(surfaceExtension, ExtensionPrefix+"/ocp-gtm/partners/{partnerId}", s.ocpGTMRoutes())
	}
	s.register(surfaceAdmin, "", s.adminRoutes())
}

// register serves rows of surface under prefix.
func (s *Simulator) register(surface int, prefix string, rows []routeRow) {
	for _, rt := range rows {
		pattern := rt.method + " " + prefix + rt.path
		s.mux.HandleFunc(pattern, rt.h)
		s.labels[pattern] = route{surface: surface, label: rt.label}
	}
}

// productIngestionRoutes are the Product Ingestion API's routes, under
// APIPrefix.
func (s *Simulator) productIngestionRoutes() []routeRow {
	return []routeRow{
		{"POST", "/configure", "configure", s.handleConfigure},
		{"GET", "/configure/{jobId}/status", "configure/status", s.handleJobStatus},
		{"GET", "/configure/{jobId}", "configure/detail", s.handleJobDetail},
		{"GET", "/product", "product", s.handleProducts},
		{"GET", "/product/{productId}", "product/{id}", s.handleProduct},
		{"GET", "/plan", "plan", s.handlePlans},
		{"GET", "/resource-tree/product/{productId}", "resource-tree", s.handleResourceTree},
		{"GET", "/resource-tree/{productId}", "resource-tree", s.handleResourceTree},
		{"GET", "/submission/{productId}", "submissions", s.handleSubmissions},
		{"GET", "/submission/{productId}/{submissionId}", "submission", s.handleSubmission},
		{"GET", "/{kind}/{rest...}", "durable-id", s.handleDurable},
	}
}

// ocpGTMRoutes are the OCP GTM migration extension's routes (migration.go),
// under a partner's path.
func (s *Simulator) ocpGTMRoutes() []routeRow {
	return []routeRow{
		{"GET", "/prerequisites", "ocp-gtm/prerequisites", s.handlePrerequisites},
		{"GET", "/solutions", "ocp-gtm/solutions", s.handleSolutions},
		{"GET", "/solutions/{solutionId}", "ocp-gtm/solution", s.handleSolution},
		{"POST", "/solutions/{solutionId}/migrate", "ocp-gtm/migrate", s.handleMigrate},
		{"POST", "/solutions/{solutionId}/merge", "ocp-gtm/merge", s.handleMerge},
		{"POST", "/solutions/{solutionId}/discard", "ocp-gtm/discard", s.handleDiscard},
		{"POST", "/solutions/{solutionId}/undo-discard", "ocp-gtm/undo-discard", s.handleUndoDiscard},
	}
}

// adminRoutes are the admin routes, answered on loopback only (/healthz
// to anyone) and never faulted.
func (s *Simulator) adminRoutes() []routeRow {
	return []routeRow{
		{"GET", "/healthz", "healthz", s.handleHealthz},
		{"GET", ExtensionPrefix + "/stats", "stats", s.handleStats},
		{"GET", ExtensionPrefix + "/faults", "faults", s.handleFaults},
		{"PUT", ExtensionPrefix + "/faults", "faults", s.handleFaults},
		{"PUT", ExtensionPrefix + "/partners/{partnerId}", "partners", s.handlePartner},
		{"PUT", ExtensionPrefix + "/drafts/{kind}/{rest...}", "drafts", s.handleEditDraft},
		{"POST", ExtensionPrefix + "/products/{productId}/stop-sale", "stop-sale", s.handleStopSale},
		{"PUT", ExtensionPrefix + "/products/{productId}/certification", "certification", s.handleCertificationOutcome},
		{"DELETE", ExtensionPrefix + "/products/{productId}", "delete-product", s.handleDeleteProduct},
	}
}

func (s *Simulator) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// Start listens on Options.Addr and serves in the background until Close or
// until ctx ends.
func (s *Simulator) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("simulator: closed")
	}
	if s.server != nil {
		return errors.New("simulator: already started")
	}
	addr := s.opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("simulator: listen on %s: %w", addr, err)
	}
	s.listener = ln
	s.server = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error(err, "simulator stopped serving")
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	s.log.Info("Partner Center simulator listening", "url", APIURL(ln.Addr().String()))
	return nil
}

// APIURL is the Product Ingestion base URL of a simulator at host:port.
func APIURL(hostPort string) string { return "http://" + hostPort + APIPrefix }

// URL is the Product Ingestion base URL once Start has listened, else "".
func (s *Simulator) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return ""
	}
	return APIURL(s.listener.Addr().String())
}

// Handler serves the API surfaces and the admin endpoints, for tests that
// mount it in an httptest.Server.
func (s *Simulator) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Close stops the server, saves the request counters and closes the store
// (removing it when it was temporary). It is idempotent.
func (s *Simulator) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	var errs []error
	if s.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.server.Shutdown(ctx); err != nil {
			_ = s.server.Close()
		}
		cancel()
	}
	if err := s.saveRequestCounters(); err != nil {
		errs = append(errs, err)
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("simulator store: %w", err))
	}
	s.removeTemp()
	return errors.Join(errs...)
}

// SetFaults replaces the fault spec at run time.
func (s *Simulator) SetFaults(spec string) error {
	if err := s.faults.set(spec); err != nil {
		return err
	}
	s.log.Info("faults changed", "faults", spec)
	return nil
}

// serveHTTP serves admin routes directly, and guards the API surfaces (and
// the extensions the operator calls) with fault injection, authentication
// and, on the Product Ingestion API, the $version check.
func (s *Simulator) serveHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	rt, routed := s.labels[pattern]
	if routed && rt.surface == surfaceAdmin {
		s.serveAdmin(w, r, rt.label)
		return
	}
	label := rt.label
	if !routed {
		label = "unknown"
	}
	rec := &statusRecorder{ResponseWriter: w}
	start := s.now()
	dropped := false
	defer func() { s.logRequest(r, label, rec.status, dropped, start) }()
	defer s.recoverHandler(rec, r)
	if !routed {
		writeError(rec, errNotFound("no route for %s %s; the Product Ingestion API is served under %s/, the Partner Ingestion API under %s/ and the simulator's extensions under %s/",
			r.Method, r.URL.Path, APIPrefix, PartnerIngestionPrefix, ExtensionPrefix))
		return
	}
	dropped = s.serveAPI(rec, r, rt.surface)
}

// serveAdmin serves an admin route to a client adminAllowed lets in.
func (s *Simulator) serveAdmin(w http.ResponseWriter, r *http.Request, label string) {
	if !adminAllowed(r, label) {
		writeError(w, &apiError{status: http.StatusForbidden, code: "forbidden",
			message: "the simulator's admin routes answer only on loopback"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// logRequest counts a request of an API surface for Stats, by method,
// label and status ("dropped" when the connection was dropped), and logs
// it at V(1).
func (s *Simulator) logRequest(r *http.Request, label string, code int, dropped bool, start time.Time) {
	status := strconv.Itoa(code)
	if dropped {
		status = "dropped"
	}
	s.countRequest(r.Method + " " + label + " " + status)
	s.log.V(1).Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "duration", s.now().Sub(start))
}

// recoverHandler answers a handler's panic as a 500; it re-panics
// http.ErrAbortHandler, as net/http expects. It must be deferred.
func (s *Simulator) recoverHandler(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler { //nolint:errorlint // a panic value, re-panicked as net/http expects
		panic(v)
	}
	s.log.Error(fmt.Errorf("%v", v), "handler panicked", "path", r.URL.Path)
	writeError(w, fmt.Errorf("internal error handling %s %s", r.Method, r.URL.Path))
}

// serveAPI serves a routed request of surface: the fault spec first (a
// faulted request changes nothing), then authentication and, on the
// Product Ingestion API, $version, then the handler. It reports whether it
// dropped the connection.
func (s *Simulator) serveAPI(rec *statusRecorder, r *http.Request, surface int) bool {
	if dropped := s.injectFault(rec, r); dropped || rec.status != 0 {
		return dropped
	}
	if err := checkAuth(r); err != nil {
		rec.Header().Set("WWW-Authenticate", `Bearer realm="simulator"`)
		writeError(rec, err)
		return false
	}
	if surface == surfaceProductIngestion {
		if err := checkVersion(r); err != nil {
			writeError(rec, err)
			return false
		}
	}
	if rec.dropAfter {
		return s.serveThenDrop(rec, r)
	}
	s.mux.ServeHTTP(rec, r)
	return false
}

// serveThenDrop is the fault dropafter: the request takes effect, its
// answer is lost.
func (s *Simulator) serveThenDrop(rec *statusRecorder, r *http.Request) bool {
	s.mux.ServeHTTP(discardWriter{header: http.Header{}}, r)
	s.countFault(faultDropAfter)
	s.log.Info("injected fault: dropping connection after handling", "path", r.URL.Path)
	return dropConnection(rec)
}

// checkVersion refuses a Product Ingestion call without $version or with
// a version the API does not serve.
func checkVersion(r *http.Request) error {
	v, ok := r.URL.Query()[versionParam]
	switch {
	case !ok || v[0] == "":
		return errBadRequest("query parameter %s is required on every call (one of %s)", versionParam, strings.Join(acceptedVersions, ", "))
	case !acceptedVersion(v[0]):
		return errBadRequest("%s %q is not a version this API serves (one of %s)", versionParam, v[0], strings.Join(acceptedVersions, ", "))
	}
	return nil
}

// dropConnection closes the client's connection without an answer; it
// reports true (the request's status is "dropped").
func dropConnection(w *statusRecorder) bool {
	if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
	}
	// Not hijackable (HTTP/2): abort the stream without a response.
	panic(http.ErrAbortHandler)
}

// injectFault applies the fault spec to a request before it is handled, so
// a faulted request changes nothing, except dropafter, which it only marks
// on w for serveAPI: that request is handled, then its answer dropped. It
// reports whether it dropped the connection; an answered fault shows as a
// status on w.
func (s *Simulator) injectFault(w *statusRecorder, r *http.Request) bool {
	d, latency := s.faults.decide(s.now())
	if latency > 0 {
		s.countFault(faultLatency)
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch d.kind {
	case faultNone:
		return false
	case faultDrop:
		s.countFault(faultDrop)
		s.log.Info("injected fault: dropping connection", "path", r.URL.Path)
		return dropConnection(w)
	case faultDropAfter:
		// Decided here, done in serveAPI once the request was handled.
		w.dropAfter = true
		return false
	case faultQPS, fault429:
		s.countFault(d.kind)
		w.Header().Set("Retry-After", strconv.Itoa(d.retryAfter))
		msg := "injected fault: too many requests; retry after %d s"
		if d.kind == faultQPS {
			msg = "rate limit exceeded; retry after %d s"
		}
		writeError(w, &apiError{status: http.StatusTooManyRequests, code: httpTooMany, message: fmt.Sprintf(msg, d.retryAfter)})
	case fault5xx:
		s.countFault(fault5xx)
		code := httpInternal
		if d.status == http.StatusServiceUnavailable {
			code = httpUnavailable
		}
		writeError(w, &apiError{status: d.status, code: code, message: "injected fault: server error"})
	}
	s.log.Info("injected fault", "kind", d.kind, "path", r.URL.Path)
	return false
}

// adminAllowed reports whether an admin route may answer r: only a client
// on loopback may change the simulator's state behind the operator's back
// or read its counters; /healthz answers anyone.
func adminAllowed(r *http.Request, label string) bool {
	if label == "healthz" {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkAuth accepts requests without credentials (the embedded default has
// none) and refuses an Authorization header that is not a bearer token.
func checkAuth(r *http.Request) error {
	h, ok := r.Header["Authorization"]
	if !ok {
		return nil
	}
	token, isBearer := strings.CutPrefix(strings.Join(h, ","), "Bearer ")
	if !isBearer || strings.TrimSpace(token) == "" {
		return &apiError{status: http.StatusUnauthorized, code: httpUnauthorized,
			message: `the Authorization header must be "Bearer <access token>"`}
	}
	return nil
}

// view runs fn in a read transaction. When fn staged writes (settling
// progress that came due), it runs fn again in a write transaction and
// commits them, so reads take the write lock only when time moved state on.
func (s *Simulator) view(fn func(st *stage, now time.Time) error) error {
	now := s.now()
	dirty := false
	err := s.db.View(func(tx *bolt.Tx) error {
		st := newStage(tx)
		if err := fn(st, now); err != nil {
			return err
		}
		dirty = st.dirty()
		return nil
	})
	if err != nil || !dirty {
		return err
	}
	return s.update(func(st *stage, _ time.Time) error { return fn(st, now) })
}

// update runs fn in a write transaction and commits what it staged, unless
// it fails.
func (s *Simulator) update(fn func(st *stage, now time.Time) error) error {
	now := s.now()
	return s.db.Update(func(tx *bolt.Tx) error {
		st := newStage(tx)
		if err := fn(st, now); err != nil {
			return err
		}
		return st.flush()
	})
}

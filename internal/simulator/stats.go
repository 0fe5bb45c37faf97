package simulator

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Stats tells tests and benchmarks what the simulator was asked to do.
type Stats struct {
	// ProductsByOfferID counts existing (not deleted) products by offer ID;
	// more than one for an offer ID would be a duplicate.
	ProductsByOfferID map[string]int `json:"productsByOfferId"`
	// PreviewSubmissions and LiveSubmissions count submissions created, by
	// offer ID.
	PreviewSubmissions map[string]int `json:"previewSubmissions"`
	LiveSubmissions    map[string]int `json:"liveSubmissions"`
	// Migrations, MergeRequests, Discards and UndoDiscards count accepted
	// state changes by solution ID; a repeated idempotent request does not
	// count.
	Migrations    map[string]int `json:"migrations"`
	MergeRequests map[string]int `json:"mergeRequests"`
	Discards      map[string]int `json:"discards"`
	UndoDiscards  map[string]int `json:"undoDiscards"`
	// ConfigureJobs counts the configure jobs made (POST configure
	// requests accepted, whatever their result) by purpose (create,
	// product, draft, preview, live, lifecycle) and offer ID: a request
	// sent twice makes two jobs, so more than one per intended write is a
	// resent write.
	ConfigureJobs map[string]map[string]int `json:"configureJobs"`
	// Requests counts API requests by "METHOD route status", such as
	// "POST configure 202"; a dropped connection's status is "dropped".
	Requests map[string]int `json:"requests"`
	// Faults counts injected faults by kind: 429, 5xx, drop, dropafter, qps, latency.
	Faults map[string]int `json:"faults"`
}

// Counter name prefixes in the store's counters bucket.
const (
	counterPreview      = "preview/"
	counterLive         = "live/"
	counterMigrations   = "migrate/"
	counterMerges       = "merge/"
	counterDiscards     = "discard/"
	counterUndoDiscards = "undo-discard/"
	counterRequests     = "requests/"
	counterConfigure    = "configure/"
	counterFaults       = "faults/"
)

// Stats reads the counters. State-changing counters are committed with the
// changes they count; request and fault counters are kept in memory and
// saved by Close.
func (s *Simulator) Stats() Stats {
	out := Stats{ProductsByOfferID: map[string]int{}, PreviewSubmissions: map[string]int{}, LiveSubmissions: map[string]int{},
		Migrations: map[string]int{}, MergeRequests: map[string]int{}, Discards: map[string]int{}, UndoDiscards: map[string]int{},
		ConfigureJobs: map[string]map[string]int{}}
	s.statsMu.Lock()
	out.Requests, out.Faults = maps.Clone(s.requests), maps.Clone(s.faultCounts)
	s.statsMu.Unlock()
	byPrefix := map[string]map[string]int{counterPreview: out.PreviewSubmissions, counterLive: out.LiveSubmissions,
		counterMigrations: out.Migrations, counterMerges: out.MergeRequests, counterDiscards: out.Discards,
		counterUndoDiscards: out.UndoDiscards}
	err := s.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
			prefix, name, ok := strings.Cut(string(k), "/")
			if purpose, offer, isJob := strings.Cut(name, "/"); ok && isJob && prefix+"/" == counterConfigure {
				if out.ConfigureJobs[purpose] == nil {
					out.ConfigureJobs[purpose] = map[string]int{}
				}
				out.ConfigureJobs[purpose][offer], _ = strconv.Atoi(string(v))
			}
			if m := byPrefix[prefix+"/"]; ok && m != nil {
				m[name], _ = strconv.Atoi(string(v))
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketProducts).ForEach(func(_, v []byte) error {
			var p productRec
			if json.Unmarshal(v, &p) == nil {
				out.ProductsByOfferID[p.ExternalID]++
			}
			return nil
		})
	})
	if err != nil {
		s.log.Error(err, "reading stats")
	}
	return out
}

func (s *Simulator) countRequest(key string) {
	s.statsMu.Lock()
	s.requests[key]++
	s.statsMu.Unlock()
}

func (s *Simulator) countFault(kind string) {
	s.statsMu.Lock()
	s.faultCounts[kind]++
	s.statsMu.Unlock()
}

func (s *Simulator) loadRequestCounters() error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
			n, _ := strconv.Atoi(string(v))
			if name, ok := strings.CutPrefix(string(k), counterRequests); ok {
				s.requests[name] = n
			} else if name, ok := strings.CutPrefix(string(k), counterFaults); ok {
				s.faultCounts[name] = n
			}
			return nil
		})
	})
}

func (s *Simulator) saveRequestCounters() error {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCounters)
		for name, n := range s.requests {
			if err := b.Put([]byte(counterRequests+name), []byte(strconv.Itoa(n))); err != nil {
				return err
			}
		}
		for name, n := range s.faultCounts {
			if err := b.Put([]byte(counterFaults+name), []byte(strconv.Itoa(n))); err != nil {
				return err
			}
		}
		return nil
	})
}

// handleStats answers GET /simulator/stats.
func (s *Simulator) handleStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

// faultsBody is the answer of the faults endpoint.
type faultsBody struct {
	Faults string `json:"faults"`
}

// handleFaults answers GET /simulator/faults with the current spec and
// takes a new spec (the plain-text body) with PUT.
func (s *Simulator) handleFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPut:
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4096))
		if err != nil {
			writeError(w, errBadRequest("reading fault spec: %v", err))
			return
		}
		if err := s.SetFaults(strings.TrimSpace(string(raw))); err != nil {
			writeError(w, errBadRequest("%v", err))
			return
		}
	default:
		w.Header().Set("Allow", "GET, PUT")
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: httpNotAllowed,
			message: "use PUT /simulator/faults with a fault spec such as 429=0.1,5xx=0.05 as the body, or GET to read it"})
		return
	}
	writeJSON(w, http.StatusOK, faultsBody{Faults: s.faults.current()})
}

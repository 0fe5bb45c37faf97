package teams

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosell-operator/cosell-operator/internal/credentials"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// GlobalLabel is the credentials label of the global credential's metrics;
// a team's is TeamLabel(namespace).
const GlobalLabel = "global"

// TeamLabel is the credentials label of a team namespace's metrics.
func TeamLabel(namespace string) string { return "team/" + namespace }

// IngestionClient returns an Options.NewClient that builds the HTTP
// adapter: base, with the team's credential built by credential from its
// Secret's data, sending through the team's pacer, its requests counted
// under TeamLabel. A nil credential checks the Secret's data
// (ingestion.CredentialFromSecretData) but sends no token: the embedded
// simulator needs none.
func IngestionClient(base ingestion.Options, credential credentials.FromSecretData) func(Team) (pc.Client, error) {
	return func(t Team) (pc.Client, error) {
		opts := base
		if credential == nil {
			if _, err := ingestion.CredentialFromSecretData(t.Data); err != nil {
				return nil, err
			}
			opts.Credential = nil
		} else {
			cred, err := credential(t.Data)
			if err != nil {
				return nil, err
			}
			opts.Credential = cred
		}
		opts.HTTPClient = &http.Client{Transport: t.Pacer}
		opts.Observer = Observer(TeamLabel(t.Namespace), base.Observer)
		return ingestion.New(opts)
	}
}

// The metrics of the credentials: requests and pacing per credential, so
// that each team's budget shows. Their names are part of the operator's
// interface: do not rename.
var (
	credentialRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cosell_partner_center_credential_requests_total",
		Help: "HTTP requests to Partner Center by credentials (global, or team/<namespace>) and status code (0: no response).",
	}, []string{"credentials", "code"})
	pacerRateDesc = prometheus.NewDesc("cosell_partner_center_pacer_rate",
		"Requests per second the pacer of a credential (global, or team/<namespace>) holds its calls to; 0 when not pacing.",
		[]string{"credentials"}, nil)
	registerOnce sync.Once
	registerErr  error
)

// Observer returns an ingestion.Options.Observer that counts requests under
// label, then calls next (when not nil).
func Observer(label string, next func(op string, statusCode int, d time.Duration)) func(op string, statusCode int, d time.Duration) {
	return func(op string, statusCode int, d time.Duration) {
		credentialRequests.WithLabelValues(label, strconv.Itoa(statusCode)).Inc()
		if next != nil {
			next(op, statusCode, d)
		}
	}
}

// RegisterMetrics registers the per-credential request counter (once) and,
// when r is not nil, r's pacer rates with reg.
func RegisterMetrics(reg prometheus.Registerer, r *Router) error {
	registerOnce.Do(func() { registerErr = reg.Register(credentialRequests) })
	if registerErr != nil || r == nil {
		return registerErr
	}
	return reg.Register(r)
}

// Describe implements prometheus.Collector: the pacer rate of each
// credential.
func (r *Router) Describe(ch chan<- *prometheus.Desc) { ch <- pacerRateDesc }

// Collect implements prometheus.Collector.
func (r *Router) Collect(ch chan<- prometheus.Metric) {
	if p := r.opts.DefaultPacer; p != nil {
		ch <- prometheus.MustNewConstMetric(pacerRateDesc, prometheus.GaugeValue, p.Rate(), GlobalLabel)
	}
	names, pacers := r.teamsWithPacers()
	for i, ns := range names {
		ch <- prometheus.MustNewConstMetric(pacerRateDesc, prometheus.GaugeValue, pacers[i].Rate(), TeamLabel(ns))
	}
}

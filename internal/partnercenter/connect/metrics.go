package connect

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// GlobalLabel is the credentials label of the global credential's metrics;
// a team's is TeamLabel(namespace).
const GlobalLabel = "global"

// TeamLabel is the credentials label of a team namespace's metrics.
func TeamLabel(namespace string) string { return "team/" + namespace }

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

// RegisterMetrics registers the per-credential request counter (once) and
// c's pacer rates with reg.
func RegisterMetrics(reg prometheus.Registerer, c *Connector) error {
	registerOnce.Do(func() { registerErr = reg.Register(credentialRequests) })
	if registerErr != nil {
		return registerErr
	}
	return reg.Register(c)
}

// Describe implements prometheus.Collector: the pacer rate of each
// credential.
func (c *Connector) Describe(ch chan<- *prometheus.Desc) { ch <- pacerRateDesc }

// Collect implements prometheus.Collector.
func (c *Connector) Collect(ch chan<- prometheus.Metric) {
	if c.global != nil {
		ch <- prometheus.MustNewConstMetric(pacerRateDesc, prometheus.GaugeValue, c.globalPacer.Rate(), GlobalLabel)
	}
	if c.teams == nil {
		return
	}
	names, pacers := c.teams.withPacers()
	for i, ns := range names {
		ch <- prometheus.MustNewConstMetric(pacerRateDesc, prometheus.GaugeValue, pacers[i].Rate(), TeamLabel(ns))
	}
}

// Pacer returns the pacer of a team namespace, or nil before its first
// client was built.
func (c *Connector) Pacer(namespace string) *ingestion.Pacer {
	if c.teams == nil {
		return nil
	}
	return c.teams.pacer(namespace)
}

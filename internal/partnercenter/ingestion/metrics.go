package ingestion

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The adapter's metrics. Their names are part of the operator's interface
// (dashboards and alerts use them): do not rename.
var (
	requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cosell_partner_center_requests_total",
		Help: "HTTP requests to Partner Center by port operation and status code (0: no response).",
	}, []string{"operation", "code"})
	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "cosell_partner_center_request_duration_seconds",
		Help:    "Latency of HTTP requests to Partner Center by port operation.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
	}, []string{"operation"})
	registerOnce sync.Once
	registerErr  error
)

// RegisterMetrics registers the adapter's metrics with reg (the manager's
// registry); calls after the first do nothing.
func RegisterMetrics(reg prometheus.Registerer) error {
	registerOnce.Do(func() {
		for _, c := range []prometheus.Collector{requestsTotal, requestDuration} {
			if err := reg.Register(c); err != nil {
				registerErr = err
				return
			}
		}
	})
	return registerErr
}

// ObserveRequest records one HTTP attempt to Partner Center.
func ObserveRequest(op string, statusCode int, d time.Duration) {
	requestsTotal.WithLabelValues(op, strconv.Itoa(statusCode)).Inc()
	requestDuration.WithLabelValues(op).Observe(d.Seconds())
}

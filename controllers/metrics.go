package controllers

import (
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/cosell-operator/cosell-operator/controllers/offer"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/controllers/solution"
)

// The Partner Center HTTP metrics (cosell_partner_center_requests_total,
// cosell_partner_center_request_duration_seconds) are the adapter's:
// package ingestion records and registers them.

var registerOnce sync.Once

// RegisterMetrics registers the operator's metrics with controller-runtime's
// registry; reader is the manager's cached client.
func RegisterMetrics(reader client.Reader) {
	registerOnce.Do(func() {
		ctrlmetrics.Registry.MustRegister(reconcile.EventsDropped)
		ctrlmetrics.Registry.MustRegister(offer.Metrics(reader)...)
		ctrlmetrics.Registry.MustRegister(solution.Metrics(reader)...)
	})
}

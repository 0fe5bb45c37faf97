package controllers

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

var (
	timeToLive = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "cosell_offer_time_to_live_seconds",
		Help:    "Time from a MarketplaceOffer's creation to its first live version.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 20),
	})
	// The drift counters are labelled by offer (namespace, name) and kind
	// of difference (listing, plans, pricing, resell, lifecycle, other:
	// marketplaceoffer_drift_report.go); an offer's series go with it.
	driftDetected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cosell_offer_drift_detected_total",
		Help: "Changes made in Partner Center outside the operator found by the resync, by offer and kind of difference.",
	}, []string{"namespace", "name", "kind"})
	driftCorrected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cosell_offer_drift_corrected_total",
		Help: "Changes made in Partner Center outside the operator written back (driftPolicy Correct), by offer and kind of difference.",
	}, []string{"namespace", "name", "kind"})
	registerOnce sync.Once
)

const outOfSyncHelp = "1 while Partner Center is known to differ from the MarketplaceOffer's spec by a change made outside the operator (or, in managementPolicy Observe, at all), else 0."

// forgetDriftMetrics drops the drift series of an offer that no longer
// exists.
func forgetDriftMetrics(key client.ObjectKey) {
	labels := prometheus.Labels{"namespace": key.Namespace, "name": key.Name}
	driftDetected.DeletePartialMatch(labels)
	driftCorrected.DeletePartialMatch(labels)
}

// The Partner Center HTTP metrics (cosell_partner_center_requests_total,
// cosell_partner_center_request_duration_seconds) are the adapter's:
// package ingestion records and registers them.

// observeOffer records metrics of a status change.
func observeOffer(old, cur *v1alpha1.MarketplaceOffer) {
	if old.Status.LiveSince == nil && cur.Status.LiveSince != nil {
		timeToLive.Observe(cur.Status.LiveSince.Sub(cur.CreationTimestamp.Time).Seconds())
	}
}

// objectsCollector counts objects by phase, state and readiness from the
// manager's cache when scraped, so no gauge can drift from the truth.
type objectsCollector struct {
	reader    client.Reader
	offers    *prometheus.Desc
	outOfSync *prometheus.Desc
	sols      *prometheus.Desc
}

// RegisterMetrics registers the operator's metrics with controller-runtime's
// registry; reader is the manager's cached client.
func RegisterMetrics(reader client.Reader) {
	registerOnce.Do(func() {
		ctrlmetrics.Registry.MustRegister(timeToLive, eventsDropped, driftDetected, driftCorrected, newObjectsCollector(reader))
	})
}

func newObjectsCollector(reader client.Reader) *objectsCollector {
	return &objectsCollector{
		reader:    reader,
		offers:    prometheus.NewDesc("cosell_marketplaceoffers", "MarketplaceOffers by phase and readiness.", []string{"phase", "ready"}, nil),
		outOfSync: prometheus.NewDesc("cosell_marketplaceoffer_out_of_sync", outOfSyncHelp, []string{"namespace", "name"}, nil),
		sols:      prometheus.NewDesc("cosell_solutions", "Solutions by action, state and readiness.", []string{"action", "state", "ready"}, nil),
	}
}

func (c *objectsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.offers
	ch <- c.outOfSync
	ch <- c.sols
}

func (c *objectsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx := context.Background()
	type offerKey struct{ phase, ready string }
	var offers v1alpha1.MarketplaceOfferList
	// Read-only use: no deep copy of every cached object on each scrape.
	if err := c.reader.List(ctx, &offers, client.UnsafeDisableDeepCopy); err == nil {
		counts := map[offerKey]int{}
		for i := range offers.Items {
			o := &offers.Items[i]
			counts[offerKey{string(o.Status.Phase), readyOf(o.Status.Conditions)}]++
			ch <- prometheus.MustNewConstMetric(c.outOfSync, prometheus.GaugeValue, boolValue(outOfSync(o.Status.Conditions)), o.Namespace, o.Name)
		}
		for k, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.offers, prometheus.GaugeValue, float64(n), k.phase, k.ready)
		}
	}
	type solKey struct{ action, state, ready string }
	var sols v1alpha1.SolutionList
	if err := c.reader.List(ctx, &sols, client.UnsafeDisableDeepCopy); err == nil {
		counts := map[solKey]int{}
		for i := range sols.Items {
			s := &sols.Items[i]
			counts[solKey{string(s.Spec.Action), string(s.Status.State), readyOf(s.Status.Conditions)}]++
		}
		for k, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.sols, prometheus.GaugeValue, float64(n), k.action, k.state, k.ready)
		}
	}
}

func readyOf(conds []metav1.Condition) string {
	if c := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition); c != nil {
		return string(c.Status)
	}
	return "Unknown"
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

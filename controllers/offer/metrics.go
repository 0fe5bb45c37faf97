package offer

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

var (
	timeToLive = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "cosell_offer_time_to_live_seconds",
		Help:    "Time from a MarketplaceOffer's creation to its first live version.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 20),
	})
	// The drift counters are labelled by namespace and kind of difference
	// (listing, plans, pricing, resell, lifecycle, other: drift_report.go),
	// a bounded set of series however many offers there are; which offer
	// differs is the out-of-sync gauge's, read from the cache at a scrape.
	driftDetected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cosell_offer_drift_detected_total",
		Help: "Changes made in Partner Center outside the operator found by the resync, by namespace and kind of difference.",
	}, []string{"namespace", "kind"})
	driftCorrected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cosell_offer_drift_corrected_total",
		Help: "Changes made in Partner Center outside the operator written back (driftPolicy Correct), by namespace and kind of difference.",
	}, []string{"namespace", "kind"})
	// driftNamespaces holds the namespaces whose drift series exist.
	driftNamespaces sync.Map
)

const outOfSyncHelp = "1 while Partner Center is known to differ from the MarketplaceOffer's spec by a change made outside the operator (or, in managementPolicy Observe, at all), else 0."

// Metrics are the MarketplaceOffer metrics to register: the counters the
// reconciler records and a collector counting offers from reader, the
// manager's cached client, when scraped.
func Metrics(reader client.Reader) []prometheus.Collector {
	return []prometheus.Collector{timeToLive, driftDetected, driftCorrected, newCollector(reader)}
}

// observeOffer records metrics of a status change.
func observeOffer(old, cur *v1alpha1.MarketplaceOffer) {
	if old.Status.LiveSince == nil && cur.Status.LiveSince != nil {
		timeToLive.Observe(cur.Status.LiveSince.Sub(cur.CreationTimestamp.Time).Seconds())
	}
}

// collector counts offers by phase and readiness, and says which are out
// of sync, from the manager's cache when scraped, so no gauge can drift
// from the truth.
type collector struct {
	reader    client.Reader
	offers    *prometheus.Desc
	outOfSync *prometheus.Desc
}

func newCollector(reader client.Reader) *collector {
	return &collector{
		reader:    reader,
		offers:    prometheus.NewDesc("cosell_marketplaceoffers", "MarketplaceOffers by phase and readiness.", []string{"phase", "ready"}, nil),
		outOfSync: prometheus.NewDesc("cosell_marketplaceoffer_out_of_sync", outOfSyncHelp, []string{"namespace", "name"}, nil),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.offers
	ch <- c.outOfSync
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	type offerKey struct{ phase, ready string }
	var offers v1alpha1.MarketplaceOfferList
	// Read-only use: no deep copy of every cached object on each scrape.
	if err := c.reader.List(context.Background(), &offers, client.UnsafeDisableDeepCopy); err != nil {
		return
	}
	counts := map[offerKey]int{}
	for i := range offers.Items {
		o := &offers.Items[i]
		counts[offerKey{string(o.Status.Phase), reconcile.ReadyOf(o.Status.Conditions)}]++
		ch <- prometheus.MustNewConstMetric(c.outOfSync, prometheus.GaugeValue, reconcile.BoolValue(outOfSync(o.Status.Conditions)), o.Namespace, o.Name)
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.offers, prometheus.GaugeValue, float64(n), k.phase, k.ready)
	}
}

// outOfSync reports whether Partner Center is known to differ from the
// offer's spec because of a change outside the operator (or, in
// managementPolicy Observe, at all): InSync False, a draft being written
// back (DraftSynced DriftDetected), or a sale stopped or product deleted
// outside it (Live SaleStopped or ProductDeleted).
func outOfSync(conds []metav1.Condition) bool {
	if c := meta.FindStatusCondition(conds, v1alpha1.InSyncCondition); c != nil && c.Status == metav1.ConditionFalse {
		return true
	}
	if c := meta.FindStatusCondition(conds, v1alpha1.DraftSyncedCondition); c != nil && c.Reason == v1alpha1.ReasonDriftDetected {
		return true
	}
	c := meta.FindStatusCondition(conds, v1alpha1.LiveCondition)
	return c != nil && c.Status == metav1.ConditionFalse &&
		(c.Reason == v1alpha1.ReasonSaleStopped || c.Reason == v1alpha1.ReasonProductDeleted)
}

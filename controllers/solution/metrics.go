package solution

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// Metrics are the Solution metrics to register: a collector counting
// Solutions by action, state and readiness from reader, the manager's
// cached client, when scraped.
func Metrics(reader client.Reader) []prometheus.Collector {
	return []prometheus.Collector{&collector{reader: reader,
		sols: prometheus.NewDesc("cosell_solutions", "Solutions by action, state and readiness.", []string{"action", "state", "ready"}, nil)}}
}

type collector struct {
	reader client.Reader
	sols   *prometheus.Desc
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) { ch <- c.sols }

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	type solKey struct{ action, state, ready string }
	var sols v1alpha1.SolutionList
	// Read-only use: no deep copy of every cached object on each scrape.
	if err := c.reader.List(context.Background(), &sols, client.UnsafeDisableDeepCopy); err != nil {
		return
	}
	counts := map[solKey]int{}
	for i := range sols.Items {
		s := &sols.Items[i]
		counts[solKey{string(s.Spec.Action), string(s.Status.State), reconcile.ReadyOf(s.Status.Conditions)}]++
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.sols, prometheus.GaugeValue, float64(n), k.action, k.state, k.ready)
	}
}

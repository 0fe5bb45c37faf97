// What the API server and the simulator counted: API writes, Partner
// Center calls by route.

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

func adminClient(cfg *rest.Config, qps float32, burst int) (client.Client, error) {
	c := rest.CopyConfig(cfg)
	c.QPS, c.Burst = qps, burst
	return client.New(c, client.Options{Scheme: scheme})
}

// grown is what each counter of after grew by since before, leaving out
// those that did not grow: the writes or calls made between two scrapes.
func grown[V int | float64](after, before map[string]V) map[string]V {
	d := map[string]V{}
	for k, v := range after {
		if v > before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

// counts are what the API server and the simulator counted so far: the
// API-server writes of the operator's kinds and events (apiWrites) and
// the Partner Center calls by route.
type counts struct {
	api map[string]float64
	pc  map[string]int
}

func readCounts(ctx context.Context, restCfg *rest.Config, simBase string) (counts, error) {
	api, err := apiWrites(ctx, restCfg)
	if err != nil {
		return counts{}, err
	}
	st, err := simStats(simBase)
	if err != nil {
		return counts{}, err
	}
	return counts{api: api, pc: st.Requests}, nil
}

// since is what was counted between before and c.
func (c counts) since(before counts) counts {
	return counts{api: grown(c.api, before.api), pc: grown(c.pc, before.pc)}
}

// readsAndWrites sums Partner Center calls by route into reads and writes.
func readsAndWrites(byRoute map[string]int) (reads, writes int) {
	for k, d := range byRoute {
		if isWriteRoute(k) {
			writes += d
		} else {
			reads += d
		}
	}
	return reads, writes
}

// apiWrites scrapes kube-apiserver's apiserver_request_total (as admin)
// and returns mutating requests of the operator's group and of events.
func apiWrites(ctx context.Context, cfg *rest.Config) (map[string]float64, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	raw, err := cs.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	ss, err := parseProm(strings.NewReader(string(raw)))
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, s := range ss {
		if s.name != "apiserver_request_total" {
			continue
		}
		l := s.labels
		switch l["verb"] {
		case "POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE":
		default:
			continue
		}
		if l["group"] != "marketplace.cosell.io" && l["resource"] != "events" {
			continue
		}
		key := l["verb"] + " " + l["resource"]
		if l["subresource"] != "" {
			key += "/" + l["subresource"]
		}
		out[key] += s.value
	}
	return out, nil
}

func simStats(base string) (*simulator.Stats, error) {
	resp, err := http.Get(base + "/simulator/stats")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var st simulator.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, err
	}
	return &st, nil
}

func sum(m map[string]int) int {
	t := 0
	for _, v := range m {
		t += v
	}
	return t
}

// eventReasons counts the Events the API server holds by the kind of
// their object, type and reason ("MarketplaceOffer Normal Ready"): which
// transitions the operator told of.
func eventReasons(ctx context.Context, cfg *rest.Config) (map[string]int, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	byReason := map[string]int{}
	opts := metav1.ListOptions{Limit: 1000}
	for {
		list, err := cs.EventsV1().Events("").List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			e := &list.Items[i]
			byReason[eventKey(e)]++
		}
		if opts.Continue = list.Continue; opts.Continue == "" {
			return byReason, nil
		}
	}
}

func eventKey(e *eventsv1.Event) string {
	return e.Regarding.Kind + " " + e.Type + " " + e.Reason
}

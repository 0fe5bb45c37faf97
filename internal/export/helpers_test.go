package export

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// counter counts the requests sent through it, by method and path suffix.
type counter struct {
	mu   sync.Mutex
	reqs []string
	next http.RoundTripper
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r.Method+" "+r.URL.RequestURI())
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// count is the number of requests whose "METHOD path?query" contains s.
func (c *counter) count(s string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, r := range c.reqs {
		if strings.Contains(r, s) {
			n++
		}
	}
	return n
}

func (c *counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = nil
}

// startSimulator runs the simulator in process and returns a client of it
// whose requests are counted.
func startSimulator(t *testing.T) (*ingestion.Client, *counter) {
	t.Helper()
	sim, err := simulator.New(simulator.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); _ = sim.Close() })
	if err := sim.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cnt := &counter{next: http.DefaultTransport}
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 5 * time.Millisecond,
		HTTPClient: &http.Client{Transport: cnt}})
	if err != nil {
		t.Fatal(err)
	}
	return c, cnt
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

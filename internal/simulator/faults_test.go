package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestParseFaults(t *testing.T) {
	g := NewWithT(t)
	f, err := parseFaults(" 429=0.1, 5xx=0.05,latency=200ms,drop=0.02,qps=20,seed=7 ")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f).To(Equal(faultSpec{p429: 0.1, p5xx: 0.05, pDrop: 0.02, latency: 200 * time.Millisecond, qps: 20, seed: 7, seeded: true}))
	_, err = parseFaults("")
	g.Expect(err).NotTo(HaveOccurred())
	for spec, bad := range map[string]string{
		"429=2":                  `"429=2"`,
		"5xx=x":                  `"5xx=x"`,
		"latency=fast":           `"latency=fast"`,
		"qps=0":                  `"qps=0"`,
		"boom=1":                 `unknown fault "boom"`,
		"429":                    `"429"`,
		"seed=-1":                `"seed=-1"`,
		"drop=0.1,drop=0.2":      `"drop=0.2"`,
		"429=0.6,5xx=0.6":        "more than 1",
		"drop=0.5,dropafter=0.6": "more than 1",
	} {
		_, err := parseFaults(spec)
		g.Expect(err).To(MatchError(ContainSubstring(bad)), spec)
	}
}

// probe sends one cheap API request and returns its status (0 when the
// connection was dropped) and Retry-After.
func (a *api) probe() (int, string) {
	resp, err := http.Get(a.base + piPath("product?externalId=probe"))
	if err != nil {
		return 0, ""
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func TestFaultKinds(t *testing.T) {
	a := newAPI(t, Options{Faults: "429=1"}, nil)
	g := a.g

	code, retry := a.probe()
	g.Expect(code).To(Equal(http.StatusTooManyRequests))
	g.Expect(retry).To(Equal("1"))
	// A faulted request changes nothing.
	resp, body := a.doResp("POST", piPath("configure"), envelope(productRes("faulted", "softwareAsAService", "Faulted")))
	g.Expect(resp.StatusCode).To(Equal(http.StatusTooManyRequests))
	g.Expect(resp.Header.Get("Retry-After")).To(Equal("1"))
	g.Expect(string(body)).To(ContainSubstring(`"code":"tooManyRequests"`))
	// The extensions the operator calls are faulted too; admin routes never.
	code, _ = a.do("GET", gtmPath(partner, "prerequisites"), nil)
	g.Expect(code).To(Equal(http.StatusTooManyRequests))
	code, _ = a.do("GET", PartnerIngestionPrefix+"/products", nil)
	g.Expect(code).To(Equal(http.StatusTooManyRequests))
	code, _ = a.do("GET", "/simulator/stats", nil)
	g.Expect(code).To(Equal(http.StatusOK))

	g.Expect(a.sim.SetFaults("5xx=1,seed=3")).To(Succeed())
	seen := map[int]bool{}
	for range 20 {
		code, _ := a.probe()
		seen[code] = true
	}
	g.Expect(seen).To(Equal(map[int]bool{500: true, 503: true}))

	g.Expect(a.sim.SetFaults("drop=1")).To(Succeed())
	code, _ = a.probe()
	g.Expect(code).To(Equal(0), "the connection is closed without an answer (the client may retry an idempotent GET once)")

	g.Expect(a.sim.SetFaults("latency=60ms")).To(Succeed())
	start := time.Now()
	code, _ = a.probe()
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(time.Since(start)).To(BeNumerically(">=", 60*time.Millisecond))

	// Admin endpoints are never faulted.
	g.Expect(a.sim.SetFaults("5xx=1")).To(Succeed())
	resp, err := http.Get(a.base + "/healthz")
	g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK))

	g.Expect(a.sim.SetFaults("")).To(Succeed())
	var found listOf[product]
	a.get("product?externalId=faulted", &found)
	g.Expect(found.Value).To(BeEmpty())
	stats := a.sim.Stats()
	g.Expect(stats.Faults).To(And(HaveKeyWithValue("429", 4), HaveKeyWithValue("5xx", 20), HaveKeyWithValue("drop", BeNumerically(">=", 1)),
		HaveKeyWithValue("latency", 1)))
	g.Expect(stats.Requests).To(And(HaveKeyWithValue("POST configure 429", 1), HaveKeyWithValue("GET product dropped", BeNumerically(">=", 1))))
}

// TestDropAfter: the fault dropafter handles the request, then closes the
// connection instead of answering: the write took effect, unknown to the
// client, and the configure job is counted.
func TestDropAfter(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t, Options{}, nil)
	spec, err := parseFaults("dropafter=0.25")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(spec.pDropAfter).To(Equal(0.25))

	g.Expect(a.sim.SetFaults("dropafter=1")).To(Succeed())
	body, err := json.Marshal(envelope(productRes("dropped", "softwareAsAService", "Dropped")))
	g.Expect(err).NotTo(HaveOccurred())
	resp, err := http.Post(a.base+piPath("configure"), "application/json", bytes.NewReader(body))
	if err == nil {
		resp.Body.Close()
	}
	g.Expect(err).To(HaveOccurred(), "no answer")
	g.Expect(a.sim.SetFaults("")).To(Succeed())
	var found listOf[product]
	a.get("product?externalId=dropped", &found)
	g.Expect(found.Value).To(HaveLen(1), "the request took effect")
	stats := a.sim.Stats()
	g.Expect(stats.Faults).To(HaveKeyWithValue("dropafter", 1))
	// The request is counted once its handler returned, after the client
	// saw the connection close.
	g.Eventually(func() map[string]int { return a.sim.Stats().Requests }).Should(HaveKeyWithValue("POST configure dropped", 1))
	g.Expect(stats.ConfigureJobs).To(Equal(map[string]map[string]int{"create": {"dropped": 1}}))
}

func TestFaultsAreDeterministicWithSeed(t *testing.T) {
	g := NewWithT(t)
	sequence := func() string {
		a := newAPI(t, Options{Faults: "429=0.3,5xx=0.3,seed=42"}, nil)
		var out []string
		for range 40 {
			code, _ := a.probe()
			out = append(out, http.StatusText(code))
		}
		return strings.Join(out, ",")
	}
	first := sequence()
	g.Expect(sequence()).To(Equal(first))
	g.Expect(first).To(And(ContainSubstring("OK"), ContainSubstring("Too Many Requests")))
}

func TestFaultsEndpoint(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	put := func(spec string) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, a.base+"/simulator/faults", strings.NewReader(spec))
		resp, err := http.DefaultClient.Do(req)
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 1024)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	code, body := put("429=lots")
	g.Expect(code).To(Equal(http.StatusBadRequest))
	g.Expect(body).To(ContainSubstring(`429=lots`))
	code, _ = put("429=1")
	g.Expect(code).To(Equal(http.StatusOK))
	c, _ := a.probe()
	g.Expect(c).To(Equal(http.StatusTooManyRequests))
	code, _ = put("")
	g.Expect(code).To(Equal(http.StatusOK))
	c, _ = a.probe()
	g.Expect(c).To(Equal(http.StatusOK))
}

func TestQPSLimit(t *testing.T) {
	a := newAPI(t, Options{Faults: "qps=5"}, nil)
	g := a.g
	ok, limited := 0, 0
	for range 20 {
		code, retry := a.probe()
		switch code {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
			g.Expect(retry).To(Equal("1"))
		default:
			t.Fatalf("unexpected status %d", code)
		}
	}
	g.Expect(ok).To(BeNumerically(">=", 5))
	g.Expect(ok).To(BeNumerically("<", 10), "a burst of 20 gets about the bucket's 5")
	g.Expect(limited).To(BeNumerically(">", 0))
	g.Expect(a.sim.Stats().Faults["qps"]).To(Equal(limited))
	// The bucket refills.
	g.Eventually(func() int { code, _ := a.probe(); return code }).WithPolling(100 * time.Millisecond).Should(Equal(http.StatusOK))
}

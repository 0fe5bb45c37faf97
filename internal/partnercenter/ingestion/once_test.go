package ingestion

import (
	"context"
	"net/http"
	"sync"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// partner is a small Partner Center for the tests of POST configure's
// ambiguous failures: it applies a configure request (a product, or a
// preview submission) and then answers as fail says, and serves the
// product lookup and the submissions list that show whether a request
// took effect.
type partner struct {
	mu         sync.Mutex
	products   map[string]string // offer ID -> product ID
	subs       []wire.Submission
	configures int
	// fail says how to answer configure request n (from 1): "" answers,
	// "drop" closes the connection, "503" answers 503; apply says
	// whether the request takes effect first.
	fail  func(n int) (how string, apply bool)
	nextS int
}

func (p *partner) handler(w http.ResponseWriter, r *http.Request, _ int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path := r.URL.Path[len(basePath)+1:]
	switch {
	case r.Method == http.MethodPost && path == "configure":
		p.configures++
		how, apply := p.fail(p.configures)
		if apply {
			p.apply()
		}
		switch how {
		case "drop":
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
		case "503":
			writeError(w, http.StatusServiceUnavailable, "serviceUnavailable", "try again")
		case "429":
			w.Header().Set("Retry-After", "0")
			writeError(w, http.StatusTooManyRequests, codeThrottled, "slow down")
		default:
			writeJSON(w, http.StatusAccepted, job("j1", wire.StatusRunning, wire.ResultPending))
		}
	case r.Method == http.MethodGet && path == "product":
		list := wire.List[wire.Product]{}
		if id, ok := p.products[r.URL.Query().Get("externalId")]; ok {
			list.Value = append(list.Value, product(id, r.URL.Query().Get("externalId")))
		}
		writeJSON(w, http.StatusOK, list)
	case r.Method == http.MethodGet && path == "submission/p1":
		writeJSON(w, http.StatusOK, wire.List[wire.Submission]{Value: p.subs})
	default:
		writeError(w, http.StatusNotFound, codeNotFound, "no route "+path)
	}
}

// apply makes the effect of a configure request: the product offer-1
// when the partner keeps products, else a running preview submission of
// p1.
func (p *partner) apply() {
	if p.products != nil {
		p.products["offer-1"] = "p1"
		return
	}
	p.nextS++
	p.subs = append(p.subs, wire.Submission{ID: wire.SubmissionRef("p1", string(rune('0'+p.nextS))),
		Product: wire.DurableRef(wire.ProductRef("p1")), Target: wire.Target{TargetType: wire.TargetPreview},
		Status: wire.StatusRunning, Result: wire.ResultPending})
}

func (p *partner) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.configures
}

// TestConfigureNotResentBlind: a create whose connection drops after
// Partner Center applied it is not sent again: the product lookup shows
// it took effect, and the caller is told to read the state again.
func TestConfigureNotResentBlind(t *testing.T) {
	g := NewWithT(t)
	p := &partner{products: map[string]string{}, fail: func(n int) (string, bool) { return "drop", true }}
	c, _ := newClient(t, p.handler)
	_, err := c.CreateProduct(context.Background(), pc.ProductSpec{OfferID: "offer-1", OfferType: "SoftwareAsAService", Name: "Contoso"})
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassConflict))
	g.Expect(e.Message).To(ContainSubstring("took the request"))
	g.Expect(p.count()).To(Equal(1), "one configure request, not resent")
}

// TestConfigureResentWhenNotTaken: a create whose connection drops before
// Partner Center applied it is sent again once the lookup shows nothing.
func TestConfigureResentWhenNotTaken(t *testing.T) {
	g := NewWithT(t)
	p := &partner{products: map[string]string{}, fail: func(n int) (string, bool) {
		if n == 1 {
			return "drop", false
		}
		return "", true
	}}
	c, _ := newClient(t, p.handler)
	job, err := c.CreateProduct(context.Background(), pc.ProductSpec{OfferID: "offer-1", OfferType: "SoftwareAsAService", Name: "Contoso"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(job.ID).To(Equal("j1"))
	g.Expect(p.count()).To(Equal(2))
}

// TestSubmissionAfter5xx: a preview submission answered 503 after Partner
// Center made it is not sent again: the submissions list shows a new one.
func TestSubmissionAfter5xx(t *testing.T) {
	g := NewWithT(t)
	p := &partner{fail: func(n int) (string, bool) { return "503", true }}
	c, _ := newClient(t, p.handler)
	_, err := c.SubmitPreview(context.Background(), "p1")
	g.Expect(asPC(g, err).Class).To(Equal(pc.ClassConflict))
	g.Expect(p.count()).To(Equal(1))
}

// TestBusyFromSubmissions: a submission in progress makes the product
// busy, read from its submissions list before anything is sent.
func TestBusyFromSubmissions(t *testing.T) {
	g := NewWithT(t)
	p := &partner{subs: []wire.Submission{{ID: wire.SubmissionRef("p1", "7"), Target: wire.Target{TargetType: wire.TargetPreview},
		Status: wire.StatusRunning, Result: wire.ResultPending}}, fail: func(int) (string, bool) { return "", true }}
	c, _ := newClient(t, p.handler)
	_, err := c.SubmitPreview(context.Background(), "p1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassConflict))
	g.Expect(e.Message).To(ContainSubstring("busy"))
	_, err = c.GoLive(context.Background(), "p1", "6")
	g.Expect(asPC(g, err).Class).To(Equal(pc.ClassConflict))
	g.Expect(p.count()).To(BeZero(), "nothing sent to a busy product")
}

// TestThrottledConfigureResent: a 429 was not handled, so it is sent again.
func TestThrottledConfigureResent(t *testing.T) {
	g := NewWithT(t)
	p := &partner{fail: func(n int) (string, bool) {
		if n == 1 {
			return "429", false
		}
		return "", true
	}}
	c, _ := newClient(t, p.handler)
	_, err := c.SubmitPreview(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.count()).To(Equal(2))
}

package export

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/export/seedtest"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

const productGUID = "11111111-2222-3333-4444-555555555555"

// fakeAccount is an httptest Partner Center holding one co-sell-only
// draft offer; fail, when set, answers a request instead (its number n
// counts from 1).
type fakeAccount struct {
	mu    sync.Mutex
	times []time.Time
	fail  func(w http.ResponseWriter, r *http.Request, n int) bool
}

func (a *fakeAccount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.times = append(a.times, time.Now())
	n := len(a.times)
	a.mu.Unlock()
	if a.fail != nil && a.fail(w, r, n) {
		return
	}
	p := wire.Product{Schema: wire.SchemaOf(wire.KindProduct), ID: wire.ProductRef(productGUID),
		Identity: wire.Identity{ExternalID: "contoso-cosell"}, Type: "cosellOnly", Alias: "Contoso"}
	var body any
	switch strings.TrimPrefix(r.URL.Path, "/rp/product-ingestion/") {
	case "product":
		body = wire.List[wire.Product]{Value: []wire.Product{p}}
	case "submission/" + productGUID:
		body = wire.List[wire.Submission]{Value: []wire.Submission{{Schema: wire.SchemaOf(wire.KindSubmission),
			ID: wire.SubmissionRef(productGUID, wire.DraftSubmissionID), Product: wire.DurableRef(wire.ProductRef(productGUID)),
			Target: wire.Target{TargetType: wire.TargetDraft}}}}
	case "resource-tree/product/" + productGUID:
		body = map[string]any{"$schema": wire.SchemaOf(wire.KindResourceTree), "root": wire.ProductRef(productGUID),
			"target": wire.Target{TargetType: r.URL.Query().Get("targetType")}, "resources": []any{p}}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func errorBody(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(wire.ErrorResponse{Error: wire.ErrorBody{Code: code, Message: msg}})
}

func TestMainRefusedCredentials(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			g := NewWithT(t)
			acct := &fakeAccount{fail: func(w http.ResponseWriter, r *http.Request, n int) bool {
				errorBody(w, status, "unauthorized", "The access token is invalid.")
				return true
			}}
			srv := httptest.NewServer(acct)
			t.Cleanup(srv.Close)
			var out, errOut bytes.Buffer
			err := Main(context.Background(), []string{"--partner-center", srv.URL + "/rp/product-ingestion", "--publisher", "contoso"}, &out, &errOut)
			g.Expect(err).To(HaveOccurred())
			g.Expect(err.Error()).To(HavePrefix("credentials refused by Partner Center (HTTP "))
			g.Expect(err.Error()).To(ContainSubstring("The access token is invalid"))
			g.Expect(err.Error()).To(ContainSubstring("check the Partner Center credentials"))
			g.Expect(out.String()).To(BeEmpty())
			g.Expect(acct.times).To(HaveLen(1), "a refusal is not retried")
		})
	}
}

// TestMainHonoursRetryAfter: a 429 with Retry-After 1 is waited out, then
// the export succeeds.
func TestMainHonoursRetryAfter(t *testing.T) {
	g := NewWithT(t)
	acct := &fakeAccount{fail: func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			errorBody(w, http.StatusTooManyRequests, "tooManyRequests", "Rate limit exceeded.")
			return true
		}
		return false
	}}
	srv := httptest.NewServer(acct)
	t.Cleanup(srv.Close)
	var out, errOut bytes.Buffer
	err := Main(testContext(t), []string{"--partner-center", srv.URL + "/rp/product-ingestion", "--publisher", "contoso"}, &out, &errOut)
	g.Expect(err).NotTo(HaveOccurred(), errOut.String())
	g.Expect(errOut.String()).To(Equal("exported 1/1: contoso-cosell\n"))
	g.Expect(out.String()).To(ContainSubstring("offerID: contoso-cosell"))
	g.Expect(acct.times[1].Sub(acct.times[0])).To(BeNumerically(">=", 900*time.Millisecond), "the retry waited as Retry-After asked")
}

// TestThrottlingOutlastsRetries: when the retries run out, export says so
// and fails.
func TestThrottlingOutlastsRetries(t *testing.T) {
	g := NewWithT(t)
	acct := &fakeAccount{fail: func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "1")
		errorBody(w, http.StatusTooManyRequests, "tooManyRequests", "Rate limit exceeded.")
		return true
	}}
	srv := httptest.NewServer(acct)
	t.Cleanup(srv.Close)
	c, err := ingestion.New(ingestion.Options{BaseURL: srv.URL + "/rp/product-ingestion", MaxAttempts: 3, MaxRetryAfter: time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	var out, errOut bytes.Buffer
	err = run(testContext(t), c, c, flags{publisher: "contoso"}, FromLive, &out, &errOut)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(HavePrefix("throttled by Partner Center (HTTP 429)"))
	g.Expect(err.Error()).To(ContainSubstring("gave up after 3 attempts"))
	g.Expect(acct.times).To(HaveLen(3))
}

func TestMainFlags(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"embedded":   {[]string{"--partner-center", "embedded", "--publisher", "contoso"}, "--partner-center must be the base URL"},
		"no URL":     {[]string{"--publisher", "contoso"}, "--partner-center must be the base URL"},
		"publisher":  {[]string{"--partner-center", "http://127.0.0.1:1/rp/product-ingestion"}, "--publisher is required"},
		"from":       {[]string{"--partner-center", "http://127.0.0.1:1/rp/product-ingestion", "--publisher", "c", "--from", "staging"}, "--from \"staging\""},
		"solutions":  {[]string{"--partner-center", "http://127.0.0.1:1/rp/product-ingestion", "--publisher", "c", "--solutions"}, "--solutions needs --partner"},
		"offer type": {[]string{"--partner-center", "http://127.0.0.1:1/rp/product-ingestion", "--publisher", "c", "--migrate-offer-type", "Thing"}, "--migrate-offer-type"},
		"microsoft":  {[]string{"--partner-center", "https://graph.microsoft.com/rp/product-ingestion", "--publisher", "c"}, "the real Partner Center needs credentials"},
		// Microsoft cannot list legacy solutions: --solutions needs the
		// file, even with --partner, and says so before any call.
		"microsoft solutions": {[]string{"--partner-center", "https://graph.microsoft.com/rp/product-ingestion", "--publisher", "c", "--solutions", "--partner", "4871234"},
			"--solutions against Microsoft's Partner Center needs --solutions-file: Microsoft publishes no API that lists"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			for _, k := range []string{EnvTenantID, EnvClientID, EnvClientSecret} {
				t.Setenv(k, "")
			}
			var out, errOut bytes.Buffer
			err := Main(context.Background(), tc.args, &out, &errOut)
			g.Expect(err).To(MatchError(ContainSubstring(tc.want)))
		})
	}
}

// TestObserveFlagWritesObserveMode: --observe writes managementPolicy
// Observe and says in the file's comment what it does.
func TestObserveFlagWritesObserveMode(t *testing.T) {
	g := NewWithT(t)
	ctx := testContext(t)
	c, _ := startSimulator(t)
	_, err := seedtest.Seed(ctx, c, []seedtest.Offer{{OfferID: "contoso-cosell", OfferType: "CoSellOnly", Name: "Co-sell", Stage: seedtest.Draft}})
	g.Expect(err).NotTo(HaveOccurred())
	for _, observe := range []bool{false, true} {
		var out, errOut bytes.Buffer
		g.Expect(run(ctx, c, c, flags{publisher: "contoso", observe: observe}, FromLive, &out, &errOut)).To(Succeed())
		if observe {
			g.Expect(out.String()).To(ContainSubstring("\n  managementPolicy: Observe\n"))
			g.Expect(out.String()).To(ContainSubstring("# spec.managementPolicy Observe: the operator only reads Partner Center"))
		} else {
			g.Expect(out.String()).NotTo(ContainSubstring("managementPolicy"))
		}
	}
}

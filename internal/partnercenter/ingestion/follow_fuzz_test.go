package ingestion

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// fuzzHost is where the fuzzed client sends its requests; answerFunc
// answers them in process, so nothing leaves the test.
const fuzzHost = "127.0.0.1:9"

type answerFunc func(r *http.Request, n int) (int, []byte)

// fuzzTransport answers every request with answer and records the
// requests' URLs.
type fuzzTransport struct {
	mu     sync.Mutex
	urls   []string
	answer answerFunc
}

func (f *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.urls = append(f.urls, r.URL.String())
	n := len(f.urls)
	f.mu.Unlock()
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	status, body := f.answer(r, n)
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

func fuzzClient(t *testing.T, answer answerFunc) (*Client, *fuzzTransport) {
	tr := &fuzzTransport{answer: answer}
	c, err := New(Options{BaseURL: "http://" + fuzzHost + basePath, HTTPClient: &http.Client{Transport: tr},
		RequestTimeout: time.Second, MaxAttempts: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

// classified fails the test on an error that is not a classified *pc.Error.
func classified(t *testing.T, err error) {
	t.Helper()
	var e *pc.Error
	if err != nil && (!errors.As(err, &e) || e.Class == "") {
		t.Fatalf("unclassified error %T: %v", err, err)
	}
}

// FuzzNextLinkFollowing answers every GET product with the fuzzed page:
// FindProduct and ListProducts follow its @nextLink (or nextLink, as the
// recordings spell it). No request may leave the API's host (the token
// goes along), FindProduct stops after maxPages pages, and every failure
// is a classified error.
func FuzzNextLinkFollowing(f *testing.F) {
	for _, seed := range []string{
		`{"value":[],"@nextLink":"product?continuationToken=2"}`,
		`{"value":[],"nextLink":"v1.0/ingestion/products?$skipToken=eyJMYXN0SWQiOiJbXSJ9"}`,
		`{"value":[],"@nextLink":"https://evil.example.com/rp/product-ingestion/product?t=1"}`,
		`{"value":[],"@nextLink":"//evil.example.com/x"}`,
		`{"value":[],"@nextLink":"https://127.0.0.1:9/rp/product-ingestion/product"}`,
		`{"value":[],"@nextLink":"http://127.0.0.1:9/rp/product-ingestion/product?$version=1&$version=2"}`,
		`{"value":[],"@nextLink":"%zz"}`,
		`{"value":[{"id":"product/p1","identity":{"externalId":"other"}}],"@nextLink":"product?p=2"}`,
		`{"value":[{"id":"product/p1","identity":{"externalId":"contoso"}}]}`,
		`{"value":[{"id":"","identity":{"externalId":"contoso"}}]}`,
		`{"value":null,"@nextLink":7}`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		c, tr := fuzzClient(t, func(*http.Request, int) (int, []byte) { return http.StatusOK, page })
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := c.FindProduct(ctx, "contoso")
		classified(t, err)
		if len(tr.urls) > maxPages {
			t.Fatalf("FindProduct sent %d requests, more than %d pages", len(tr.urls), maxPages)
		}
		next := ""
		for i := 0; i < 3; i++ {
			pg, err := c.ListProducts(ctx, ListProductsOptions{}, next)
			classified(t, err)
			if err != nil || pg.Next == "" {
				break
			}
			next = pg.Next
		}
		for _, u := range tr.urls {
			if !strings.HasPrefix(u, "http://"+fuzzHost+"/") {
				t.Fatalf("a request left the API's host: %s", u)
			}
		}
	})
}

// FuzzCoSellAnswers answers one of ConfigureCoSell's three reads (the
// product lookup, the co-sell branch, the co-sell listing) with the fuzzed
// body and the others as recorded: no answer may panic the decoding, a
// failure is a classified error, and a success wrote a listing that is a
// JSON object with the solution areas and contacts.
func FuzzCoSellAnswers(f *testing.F) {
	for i, seed := range []string{
		// Shapes of the recorded answers (recordings/test_marketplace_offer*.yaml).
		`{"value":[{"resourceType":"AzureApplication","name":"a","externalIDs":[{"type":"AzureOfferId","value":"contoso"}],"isModularPublishing":true,"id":"p1"}]}`,
		`{"value":[{"resourceType":"Branch","friendlyName":"Main","type":"Main","module":"Cosell","currentDraftInstanceID":"i1"}]}`,
		`{"value":[{"resourceType":"CosellListing","solutionAreas":[],"contacts":[],"@odata.etag":"\"e\""}]}`,
		`{"value":[]}`, `{"value":[null]}`, `{"value":[1]}`, `{"value":[{"id":""}]}`,
		`{"value":[{"type":"Main"},{"type":"Main","currentDraftInstanceID":"i2"}]}`,
		`{"value":[{"solutionAreas":7}]}`, `{"value":["x"]}`, `null`, ``, `{`,
	} {
		f.Add(uint8(i%3), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		recorded := [][]byte{
			[]byte(`{"value":[{"id":"p1","externalIDs":[{"type":"AzureOfferId","value":"contoso"}]}]}`),
			[]byte(`{"value":[{"type":"Main","currentDraftInstanceID":"i1"}]}`),
			[]byte(`{"value":[{"resourceType":"CosellListing","offerType":"x"}]}`),
		}
		var put []byte
		c, _ := fuzzClient(t, func(r *http.Request, n int) (int, []byte) {
			if r.Method == http.MethodPut {
				put = []byte("{}")
				return http.StatusOK, put
			}
			if n-1 == int(which%3) {
				return http.StatusOK, body
			}
			if n-1 < len(recorded) {
				return http.StatusOK, recorded[n-1]
			}
			return http.StatusNotFound, nil
		})
		_, err := c.ConfigureCoSell(context.Background(), "contoso", "SoftwareAsAService",
			pc.CoSellListing{SolutionAreas: []string{"AI"}, Contacts: []pc.Contact{{Name: "n", Email: "n@example.com", Role: "CoSell"}}})
		classified(t, err)
		if err == nil && put == nil {
			t.Fatal("ConfigureCoSell succeeded without writing the listing")
		}
	})
}

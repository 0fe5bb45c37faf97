// Package ingestion is the HTTP adapter of the partnercenter port: a client
// of Microsoft's Product Ingestion API (and of the OCP GTM migration surface
// that only the simulator serves), speaking the wire format of package wire.
//
// Every call carries $version and, per attempt, a deadline; throttling,
// 5xx, timeouts and dropped connections are retried with capped, jittered
// exponential backoff (honouring Retry-After), and every failure comes back
// as a classified *partnercenter.Error.
package ingestion

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Defaults of Options.
const (
	DefaultRequestTimeout  = 30 * time.Second
	DefaultMaxAttempts     = 6
	DefaultMinBackoff      = 200 * time.Millisecond
	DefaultMaxBackoff      = 30 * time.Second
	DefaultMaxRetryAfter   = 2 * time.Minute
	DefaultJobPollInterval = 100 * time.Millisecond

	// maxJobPollInterval caps the growing interval between job polls: the
	// jobs a call waits for (create, submit, delete) take seconds.
	maxJobPollInterval = 2 * time.Second
	// maxJobWait bounds how long a call waits for a job when the caller's
	// context has no earlier deadline, so a stuck job cannot hang a worker.
	maxJobWait = 5 * time.Minute

	// Scope is the OAuth scope of the Product Ingestion API.
	Scope = "https://graph.microsoft.com/.default"
)

// Options configure a Client.
type Options struct {
	// BaseURL is the API root, such as
	// https://graph.microsoft.com/rp/product-ingestion.
	BaseURL string
	// MigrationSurface is true when the server offers the OCP GTM migration
	// surface (the simulator); Microsoft offers no public API for it.
	MigrationSurface bool
	// Credential, when set, authenticates every request with a bearer token
	// for Scope.
	Credential azcore.TokenCredential
	// HTTPClient sends the requests; nil means a client with no overall
	// timeout (each attempt has RequestTimeout) whose transport is a Pacer,
	// so that all callers honour Partner Center's throttling together.
	HTTPClient *http.Client
	// RequestTimeout bounds one attempt.
	RequestTimeout time.Duration
	// MaxAttempts bounds the attempts of one call, the first included.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the exponential, fully jittered
	// backoff between attempts.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps an honoured Retry-After.
	MaxRetryAfter time.Duration
	// JobPollInterval is the first interval between polls of a configure
	// job a call waits for; it grows up to about two seconds.
	JobPollInterval time.Duration
	// Observer, when set, is called after every HTTP attempt with the port
	// operation, the HTTP status (0 when there was no response) and the
	// attempt's duration.
	Observer func(op string, statusCode int, d time.Duration)
}

// Client is the HTTP adapter of partnercenter.Client. It is safe for
// concurrent use.
type Client struct {
	base *url.URL
	opts Options
	http *http.Client
}

var _ pc.Client = (*Client)(nil)

// New validates opts, fills in defaults and returns a Client.
func New(opts Options) (*Client, error) {
	if strings.TrimSpace(opts.BaseURL) == "" {
		return nil, errors.New("partner center base URL is empty: set it to https://graph.microsoft.com/rp/product-ingestion or a simulator's URL")
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("partner center base URL %q is not a URL: %w", opts.BaseURL, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("partner center base URL %q must start with https:// (or http:// for a local simulator)", opts.BaseURL)
	}
	if base.Host == "" {
		return nil, fmt.Errorf("partner center base URL %q has no host", opts.BaseURL)
	}
	if base.User != nil {
		// Credentials belong in the Secret, never in a URL that is logged.
		return nil, errors.New("partner center base URL must not carry user information")
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("partner center base URL %q must not have a query or fragment", opts.BaseURL)
	}
	base.Path = strings.TrimSuffix(base.Path, "/") + "/"
	base.RawPath = ""

	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = opts.MinBackoff
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opts.JobPollInterval <= 0 {
		opts.JobPollInterval = DefaultJobPollInterval
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &Pacer{}}
	}
	return &Client{base: base, opts: opts, http: hc}, nil
}

// endpoint joins path segments (escaped one by one, so IDs cannot add
// segments) to the base URL and adds $version and the query.
func (c *Client) endpoint(query url.Values, segments ...string) string {
	escaped := make([]string, len(segments))
	for i, s := range segments {
		escaped[i] = url.PathEscape(s)
	}
	u := *c.base
	u.Path = c.base.Path + strings.Join(segments, "/")
	u.RawPath = c.base.EscapedPath() + strings.Join(escaped, "/")
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set(wire.VersionQueryParameter, wire.Version)
	u.RawQuery = q.Encode()
	return u.String()
}

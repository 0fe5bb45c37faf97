// Package ingestion is the HTTP adapter of the partnercenter port: a client
// of Microsoft's Product Ingestion API and of the Partner Ingestion API's
// co-sell listing, speaking the published contract of package wire (and,
// only for a simulator host, the simulator's OCP GTM extension).
//
// Every Product Ingestion write carries $version=2022-03-01-preview2, every
// read the newest version the adapter writes (wire.ReadVersion), and,
// per attempt, a deadline; throttling, 5xx, timeouts and dropped
// connections are retried with capped, jittered exponential backoff
// (honouring Retry-After), and every failure comes back as a classified
// *partnercenter.Error. No call waits for a configure job: writes return
// the job, and callers poll it at most once per JobPollInterval.
package ingestion

import (
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
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxAttempts    = 6
	DefaultMinBackoff     = 200 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultMaxRetryAfter  = 2 * time.Minute

	// MicrosoftJobPollInterval is the default job poll interval against
	// Microsoft's API: Microsoft asks clients not to poll a job more than
	// once a minute.
	MicrosoftJobPollInterval = time.Minute
	// SimulatorJobPollInterval is the default against a simulator, whose
	// jobs complete in moments.
	SimulatorJobPollInterval = 2 * time.Second

	// Scope is the OAuth scope of the Product Ingestion API.
	Scope = "https://graph.microsoft.com/.default"
)

// Options configure a Client.
type Options struct {
	// BaseURL is the Product Ingestion API root, such as
	// https://graph.microsoft.com/rp/product-ingestion, or a simulator's
	// (http://127.0.0.1:8090/rp/product-ingestion).
	BaseURL string
	// CoSellBaseURL is the Partner Ingestion API root. Empty means
	// https://api.partner.microsoft.com/v1.0/ingestion for a Microsoft
	// host, and the same scheme and host as BaseURL with path
	// /v1.0/ingestion for a simulator.
	CoSellBaseURL string
	// Credential, when set, authenticates every request with a bearer
	// token: for Scope on the Product Ingestion API, for wire.CoSellScope
	// on the Partner Ingestion API.
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
	// MaxRetryWait caps how long one call waits in the caller's goroutine
	// before a retry. When the wait a retry needs (the answer's
	// Retry-After, capped by MaxRetryAfter, or else the backoff) is longer,
	// the call does not retry but returns the *partnercenter.Error at once,
	// Deferred, with RetryAfter set (to the backoff it would have waited
	// when the answer named none), so that a caller with other work, such
	// as a controller worker, requeues after RetryAfter instead of idling
	// for it (partnercenter.RetryDeferred). The last attempt's error is
	// never deferred, and neither is a 429 when the transport is a Pacer:
	// under a limit, each caller waiting its Retry-After out keeps the rate
	// down. Zero means no cap: every retry waits in the call, up to
	// MaxAttempts.
	MaxRetryWait time.Duration
	// JobPollInterval is what JobPollInterval reports: how long callers
	// wait between two reads of a job. Zero means
	// DefaultJobPollInterval(BaseURL).
	JobPollInterval time.Duration
	// Observer, when set, is called after every HTTP attempt with the port
	// operation, the HTTP status (0 when there was no response) and the
	// attempt's duration, besides the package's metrics.
	Observer func(op string, statusCode int, d time.Duration)
	// NoExtensions treats a simulator host as Microsoft's hosts are: the
	// OCP GTM migration operations are Unsupported, as against Microsoft.
	NoExtensions bool
}

// Client is the HTTP adapter of partnercenter.Client. It is safe for
// concurrent use.
type Client struct {
	base, cosell, root *url.URL
	// extensions is true for a simulator host: the OCP GTM migration is
	// served there as a simulator extension.
	extensions bool
	opts       Options
	http       *http.Client
}

var _ pc.Client = (*Client)(nil)

// New validates opts, fills in defaults and returns a Client.
func New(opts Options) (*Client, error) {
	base, err := parseBase("partner center base URL", opts.BaseURL)
	if err != nil {
		return nil, err
	}
	host := HostOf(base)
	var cosell *url.URL
	switch {
	case opts.CoSellBaseURL != "":
		if cosell, err = parseBase("partner ingestion base URL", opts.CoSellBaseURL); err != nil {
			return nil, err
		}
	case host.Microsoft:
		cosell, _ = url.Parse(wire.CoSellBase + "/")
	default:
		cosell = &url.URL{Scheme: base.Scheme, Host: base.Host, Path: wire.CoSellPathPrefix + "/"}
	}
	root := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: "/"}

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
		opts.JobPollInterval = host.JobPollInterval
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &Pacer{}}
	}
	extensions := host.SimulatorExtensions && !opts.NoExtensions
	return &Client{base: base, cosell: cosell, root: root, extensions: extensions, opts: opts, http: hc}, nil
}

// ServesMigration reports whether the OCP GTM migration operations are
// served (a simulator with its extension); against Microsoft's hosts they
// are Unsupported and a person carries them out in Partner Center.
func (c *Client) ServesMigration() bool { return c.extensions }

// JobPollInterval implements pc.Client.
func (c *Client) JobPollInterval() time.Duration { return c.opts.JobPollInterval }

func parseBase(what, raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%s is empty: set it to https://graph.microsoft.com/rp/product-ingestion or a simulator's URL", what)
	}
	base, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a URL: %w", what, raw, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("%s %q must start with https:// (or http:// for a local simulator)", what, raw)
	}
	if base.Host == "" {
		return nil, fmt.Errorf("%s %q has no host", what, raw)
	}
	if base.User != nil {
		// Credentials belong in the Secret, never in a URL that is logged.
		return nil, fmt.Errorf("%s must not carry user information", what)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("%s %q must not have a query or fragment", what, raw)
	}
	base.Path = strings.TrimSuffix(base.Path, "/") + "/"
	base.RawPath = ""
	return base, nil
}

// endpoint joins path segments (escaped one by one, so IDs cannot add
// segments) to the Product Ingestion base URL and adds the query and the
// $version of a read, wire.ReadVersion.
func (c *Client) endpoint(query url.Values, segments ...string) string {
	return c.endpointAt(wire.ReadVersion, query, segments...)
}

// endpointAt is endpoint with another $version (wire.Version for writes).
func (c *Client) endpointAt(version string, query url.Values, segments ...string) string {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set(wire.VersionQueryParameter, version)
	return join(c.base, q, segments...)
}

var parens = strings.NewReplacer("%28", "(", "%29", ")")

// join joins escaped segments to base and sets the query.
func join(base *url.URL, q url.Values, segments ...string) string {
	escaped := make([]string, len(segments))
	for i, s := range segments {
		// Parentheses stay literal: the Partner Ingestion API's function
		// segments are spelled getByModule(module=...) in its swagger.
		escaped[i] = parens.Replace(url.PathEscape(s))
	}
	u := *base
	u.Path = base.Path + strings.Join(segments, "/")
	u.RawPath = base.EscapedPath() + strings.Join(escaped, "/")
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

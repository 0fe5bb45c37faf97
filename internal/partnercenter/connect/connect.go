package connect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// Embedded is the Endpoint that runs the simulator in-process.
const Embedded = "embedded"

// MaxRetryWait is how long a failed call may wait in a reconcile's
// goroutine before a retry: a longer backoff (after 5xx answers or dropped
// connections) goes back to the workqueue instead of holding a worker
// idle; shorter ones, and a 429's Retry-After, are waited out in place,
// unless the pacer has learned that the 429s are noise
// (ingestion.Options.MaxRetryWait, ingestion.Pacer.Noise).
const MaxRetryWait = 500 * time.Millisecond

// Options configure New; main.go fills them from its flags.
type Options struct {
	// Endpoint is Embedded or the base URL of a Product Ingestion API.
	Endpoint string
	// Simulator configures the embedded simulator; its Addr must be on
	// loopback.
	Simulator simulator.Options
	// JobPollInterval overrides the host's interval between two reads of
	// a job; zero keeps it.
	JobPollInterval time.Duration
	// Secret is the global credentials Secret (--partner-center-secret),
	// read through Reader (the manager's cache of that one Secret); nil
	// when there is none.
	Secret *types.NamespacedName
	Reader client.Reader
	// TeamNamespaces publish with their own Secret, TeamSecret in each,
	// read through TeamReader (uncached: one get by name).
	TeamNamespaces []string
	TeamSecret     string
	TeamReader     client.Reader
	// SecretMaxAge is how long a team's client, once its Secret was read,
	// is used without reading the Secret again; zero reads it on every
	// Connect. A failed read is never reused.
	SecretMaxAge time.Duration
	// Identity configures workload identity (and azidentity's client
	// options); its zero value reads the AKS webhook's environment.
	Identity Identity
	// NewClient builds a team's client; nil builds the HTTP adapter.
	// Tests substitute it.
	NewClient func(Team) (pc.Client, error)
	// Now is the clock of SecretMaxAge; nil means time.Now.
	Now func() time.Time
	// Log receives the start-up lines.
	Log logr.Logger
}

// Connector is the partnercenter.Connector of the operator.
type Connector struct {
	global      pc.Client
	globalPacer *ingestion.Pacer
	teams       *teams
	jobPoll     time.Duration
}

var _ pc.Connector = (*Connector)(nil)

// New builds the Connector. With Endpoint Embedded it starts the simulator,
// which stops when ctx ends.
func New(ctx context.Context, opts Options) (*Connector, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	withCredentials := opts.Secret != nil || len(opts.TeamNamespaces) > 0
	baseURL, err := endpoint(ctx, opts, withCredentials)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(baseURL)
	host := ingestion.HostOf(u)
	// Tokens only to Microsoft, over https: a simulator gets no
	// credential (its Secrets are still checked for their keys).
	useTokens := IsMicrosoftAPI(u)
	base := ingestion.Options{BaseURL: baseURL, JobPollInterval: opts.JobPollInterval, MaxRetryWait: MaxRetryWait}
	c := &Connector{globalPacer: &ingestion.Pacer{}, jobPoll: cmp(opts.JobPollInterval, host.JobPollInterval)}
	if c.global, err = globalClient(opts, base, c.globalPacer, useTokens, host.NeedsCredentials); err != nil {
		return nil, err
	}
	if len(opts.TeamNamespaces) == 0 {
		return c, nil
	}
	newClient := opts.NewClient
	if newClient == nil {
		newClient = teamClient(base, opts.Identity, useTokens)
	}
	if c.teams, err = newTeams(opts.TeamReader, opts.TeamSecret, opts.TeamNamespaces, opts.SecretMaxAge, opts.Now, newClient); err != nil {
		return nil, fmt.Errorf("--team-namespaces: %w", err)
	}
	opts.Log.Info("team namespaces publish with their own Partner Center credentials",
		"namespaces", opts.TeamNamespaces, "secret", opts.TeamSecret, "globalCredential", c.global != nil)
	return c, nil
}

func cmp(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	return b
}

// endpoint starts the embedded simulator or checks the base URL, and
// returns the base URL to call.
func endpoint(ctx context.Context, opts Options, withCredentials bool) (string, error) {
	if opts.Endpoint != Embedded {
		u, err := url.Parse(opts.Endpoint)
		if _, ok := ingestion.HostOfURL(opts.Endpoint); err != nil || !ok {
			return "", fmt.Errorf("--partner-center must be 'embedded' or the base URL of a Product Ingestion API, such as https://graph.microsoft.com/rp/product-ingestion; got %q", opts.Endpoint)
		}
		return opts.Endpoint, checkEndpoint(u, withCredentials)
	}
	if opts.Secret != nil {
		return "", fmt.Errorf("--partner-center-secret %s has no use with --partner-center=embedded: the embedded simulator takes no credentials and keeps its state only in --simulator-store; give --partner-center the URL of Microsoft's API, or drop the Secret", opts.Secret)
	}
	return startSimulator(ctx, opts.Simulator, opts.Log)
}

// startSimulator starts the embedded simulator on loopback.
func startSimulator(ctx context.Context, so simulator.Options, log logr.Logger) (string, error) {
	if host, _, err := net.SplitHostPort(so.Addr); so.Addr != "" && (err != nil || !IsLoopback(host)) {
		return "", fmt.Errorf("--simulator-addr %q: the embedded simulator listens on loopback only (such as 127.0.0.1:8090)", so.Addr)
	}
	sim, err := simulator.New(so)
	if err != nil {
		return "", fmt.Errorf("creating the embedded Partner Center simulator: %w", err)
	}
	if err := sim.Start(ctx); err != nil {
		_ = sim.Close()
		return "", fmt.Errorf("starting the embedded Partner Center simulator on %s: %w", so.Addr, err)
	}
	log.Info("embedded Partner Center simulator started", "url", sim.URL())
	return sim.URL(), nil
}

// globalClient builds the client of the namespaces that are not a team's:
// nil when only team namespaces have credentials.
func globalClient(opts Options, base ingestion.Options, pacer *ingestion.Pacer, useTokens, needsCredentials bool) (pc.Client, error) {
	o := base
	o.HTTPClient = &http.Client{Transport: tokenGuard{next: pacer}}
	o.Observer = Observer(GlobalLabel, nil)
	switch {
	case opts.Secret != nil && useTokens:
		o.Credential = &SecretCredential{Reader: opts.Reader, Key: *opts.Secret, Build: opts.Identity.Credential}
	case opts.Secret != nil, !needsCredentials:
		// A simulator: no token.
	case len(opts.TeamNamespaces) == 0:
		return nil, errors.New("the real Partner Center needs credentials: set --partner-center-secret to namespace/name of a Secret with tenantId, clientId and clientSecret (or useWorkloadIdentity), or --team-namespaces")
	default:
		// Only team namespaces have credentials; the others are refused
		// (CodeNoCredentials).
		return nil, nil
	}
	return ingestion.New(o)
}

// teamClient builds a team's HTTP adapter: base, with the credential of
// the team's Secret (only for Microsoft's API; a simulator's Secret is
// checked for its keys, no credential is built), sending through the
// team's pacer, its requests counted under TeamLabel.
func teamClient(base ingestion.Options, id Identity, useTokens bool) func(Team) (pc.Client, error) {
	return func(t Team) (pc.Client, error) {
		o := base
		if useTokens {
			cred, err := id.Credential(t.Data)
			if err != nil {
				return nil, err
			}
			o.Credential = cred
		} else if err := checkKeys(t.Data); err != nil {
			return nil, err
		}
		o.HTTPClient = &http.Client{Transport: tokenGuard{next: t.Pacer}}
		o.Observer = Observer(TeamLabel(t.Namespace), base.Observer)
		return ingestion.New(o)
	}
}

// checkKeys checks a Secret has the keys of a credential, without building
// one.
func checkKeys(data map[string][]byte) error {
	wi, err := useWorkloadIdentity(string(data[KeyUseWorkloadIdentity]))
	if err != nil {
		return err
	}
	need := []string{KeyTenantID, KeyClientID, KeyClientSecret}
	if wi {
		need = need[:2]
	}
	if missing := missingKeys(data, need); len(missing) > 0 {
		return credentialsError(CodeIncomplete, fmt.Sprintf("the credentials Secret lacks %v (missing or empty)", missing))
	}
	return nil
}

// Connect implements partnercenter.Connector: the team's client in a team
// namespace, the global one elsewhere.
func (c *Connector) Connect(ctx context.Context, namespace string) (pc.Client, error) {
	if c.teams.isTeam(namespace) {
		return c.teams.connect(ctx, namespace)
	}
	if c.global == nil {
		return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeNoCredentials, Credentials: true,
			Message: fmt.Sprintf("namespace %s has no Partner Center credentials: it is not a team namespace (--team-namespaces) and the operator has no global credential (--partner-center-secret)", namespace)}
	}
	return c.global, nil
}

// IsTeam reports whether namespace publishes with its own credentials.
func (c *Connector) IsTeam(namespace string) bool { return c.teams.isTeam(namespace) }

// JobPollInterval is the interval between two reads of a job of every
// client of c: they all talk to the same Partner Center.
func (c *Connector) JobPollInterval() time.Duration { return c.jobPoll }

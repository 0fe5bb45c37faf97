// Package teams gives each team namespace its own Partner Center
// credentials, client and throttling budget, the platform's global
// credential remaining the default for the other namespaces.
//
// A Router is the partnercenter.Client the controllers hold. Each call
// picks the client of the namespace of the object being reconciled, which
// the controllers put in the context (WithNamespace):
//
//   - a team namespace (Options.Namespaces) uses only its own Secret,
//     Options.SecretName in that namespace, read uncached with a get of
//     that one Secret (no list, no watch: a Role with resourceNames
//     suffices). When the Secret is missing, unreadable or incomplete, the
//     call fails with a terminal error that says what to create or grant;
//     it never falls back to the global credential, so that a team's
//     objects cannot publish into the platform's account by accident.
//   - any other namespace uses Options.Default (the global credential);
//     without one, its calls fail saying so.
//
// A team's client is built lazily and cached by the digest of its Secret's
// data, so that a rotated Secret is used from the next reconcile on. Each
// team namespace has its own ingestion.Pacer, kept across rotations: one
// team's throttling never slows another's.
package teams

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/internal/credentials"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// Error codes of the terminal *partnercenter.Error values a Router returns
// when a namespace has no usable credentials. IsCredentialsError reports
// them (and those of the global credentials Secret: credentials.CodeMissing,
// credentialsIncomplete and credentialsInvalid).
const (
	// CodeSecretMissing: a team namespace's Secret does not exist.
	CodeSecretMissing = "teamCredentialsMissing"
	// CodeSecretForbidden: the operator may not read it.
	CodeSecretForbidden = "teamCredentialsForbidden"
	// CodeNoCredentials: a namespace that is not a team's, and no global
	// credential.
	CodeNoCredentials = "noCredentials"
	// CodeNoNamespace: a call whose context names no namespace (a bug:
	// the controllers always set it).
	CodeNoNamespace = "noNamespace"
)

// AllNamespaces in Options.Namespaces makes every namespace a team's.
const AllNamespaces = "*"

// Options configure a Router.
type Options struct {
	// Reader reads team Secrets. It must be uncached (the manager's
	// APIReader): the operator gets one Secret by name and never lists or
	// watches Secrets in team namespaces.
	Reader client.Reader
	// SecretName is the name of the credentials Secret in each team
	// namespace.
	SecretName string
	// Namespaces are the team namespaces; AllNamespaces makes every
	// namespace one.
	Namespaces []string
	// Default serves the namespaces that are not a team's: the global
	// credential. Nil refuses them (CodeNoCredentials).
	Default pc.Client
	// DefaultPacer, when set, is Default's pacer; it only adds the global
	// budget to the pacer metric.
	DefaultPacer *ingestion.Pacer
	// NewClient builds a team's client from its Secret. It must send
	// through Team.Pacer.
	NewClient func(Team) (pc.Client, error)
	// JobPollInterval is what JobPollInterval reports; zero means
	// Default's.
	JobPollInterval time.Duration
	// SecretMaxAge is how long a team's client, once its Secret was read,
	// is used without reading the Secret again: a burst of reconciles in
	// one namespace then costs one get, and a rotation is picked up within
	// SecretMaxAge. Zero reads the Secret on every reconcile. A failed
	// read is never reused.
	SecretMaxAge time.Duration
	// Now is the clock of SecretMaxAge; nil means time.Now.
	Now func() time.Time
}

// Team is what NewClient gets to build a team's client.
type Team struct {
	// Namespace is the team's namespace; Secret its credentials Secret.
	Namespace string
	Secret    types.NamespacedName
	// Data is the Secret's data (tenantId, clientId, clientSecret).
	Data map[string][]byte
	// Pacer is the team's own throttling budget: the transport its client
	// must send through.
	Pacer *ingestion.Pacer
}

// Router is a partnercenter.Client that sends each call to the client of
// the calling object's namespace. It is safe for concurrent use.
type Router struct {
	opts Options
	all  bool
	team map[string]bool

	mu      sync.Mutex
	clients map[string]*built // by namespace
	pacers  map[string]*ingestion.Pacer
}

// built is a team's client, the digest of the Secret data it was built
// from, and when that Secret was last read.
type built struct {
	hash   [32]byte
	client pc.Client
	read   time.Time
}

// New returns a Router.
func New(opts Options) (*Router, error) {
	if opts.Reader == nil || opts.NewClient == nil {
		return nil, errors.New("teams: Reader and NewClient are required")
	}
	if opts.SecretName == "" {
		return nil, errors.New("teams: the name of the team credentials Secret is empty")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &Router{opts: opts, team: map[string]bool{}, clients: map[string]*built{}, pacers: map[string]*ingestion.Pacer{}}
	for _, ns := range opts.Namespaces {
		if ns = strings.TrimSpace(ns); ns == AllNamespaces {
			r.all = true
		} else if ns != "" {
			r.team[ns] = true
		}
	}
	if !r.all && len(r.team) == 0 {
		return nil, errors.New("teams: no team namespace")
	}
	return r, nil
}

// IsTeam reports whether namespace uses its own credentials.
func (r *Router) IsTeam(namespace string) bool { return r.all || r.team[namespace] }

// scope is the namespace of one reconcile and the client resolved for it,
// once: a reconcile reads its team's Secret at most once, however many
// calls it makes.
type scope struct {
	namespace string
	once      sync.Once
	client    pc.Client
	err       error
}

type scopeKey struct{}

// WithNamespace returns ctx carrying namespace, the namespace of the object
// being reconciled: the Router picks that namespace's client. Call it once
// per reconcile; the client resolved is reused by every call made with the
// returned context.
func WithNamespace(ctx context.Context, namespace string) context.Context {
	return context.WithValue(ctx, scopeKey{}, &scope{namespace: namespace})
}

// For returns the client of the namespace ctx carries (WithNamespace). Its
// error is a terminal *partnercenter.Error telling what to create or grant,
// or a transient one when the API server could not be read.
func (r *Router) For(ctx context.Context) (pc.Client, error) {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	if s == nil {
		return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeNoNamespace,
			Message: "a Partner Center call was made without the namespace of its object, so its credentials are unknown"}
	}
	if !r.IsTeam(s.namespace) {
		if r.opts.Default == nil {
			return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeNoCredentials,
				Message: fmt.Sprintf("namespace %s has no Partner Center credentials: it is not a team namespace (--team-namespaces) and the operator has no global credential (--partner-center-secret)", s.namespace)}
		}
		return r.opts.Default, nil
	}
	s.once.Do(func() { s.client, s.err = r.resolve(ctx, s.namespace) })
	return s.client, s.err
}

// resolve reads namespace's Secret and returns the client built from its
// data, building it when the data changed.
func (r *Router) resolve(ctx context.Context, namespace string) (pc.Client, error) {
	if r.opts.SecretMaxAge > 0 {
		r.mu.Lock()
		b := r.clients[namespace]
		fresh := b != nil && r.opts.Now().Sub(b.read) < r.opts.SecretMaxAge
		r.mu.Unlock()
		if fresh {
			return b.client, nil
		}
	}
	key := types.NamespacedName{Namespace: namespace, Name: r.opts.SecretName}
	secret := &corev1.Secret{}
	if err := r.opts.Reader.Get(ctx, key, secret); err != nil {
		switch {
		case apierrors.IsNotFound(err):
			return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeSecretMissing, Err: err,
				Message: fmt.Sprintf("namespace %s publishes with its own Partner Center credentials, but Secret %s does not exist: create it with the keys tenantId, clientId and clientSecret of the team's Entra ID app registration (the global credential is not used for a team namespace)", namespace, key)}
		case apierrors.IsForbidden(err):
			return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeSecretForbidden, Err: err,
				Message: fmt.Sprintf("the operator may not read Secret %s: grant the operator's ServiceAccount get on it: a Role in namespace %s with verbs [get] and resourceNames [%s], and a RoleBinding (README.md, \"Sharing a cluster\")", key, namespace, r.opts.SecretName)}
		}
		return nil, &pc.Error{Class: pc.ClassTransient, Err: err,
			Message: fmt.Sprintf("reading the Partner Center credentials Secret %s: %v", key, err)}
	}
	h := credentials.HashData(secret.Data)
	read := r.opts.Now()

	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.clients[namespace]; b != nil && b.hash == h {
		b.read = read
		return b.client, nil
	}
	pacer := r.pacers[namespace]
	if pacer == nil {
		pacer = &ingestion.Pacer{}
		r.pacers[namespace] = pacer
	}
	c, err := r.opts.NewClient(Team{Namespace: namespace, Secret: key, Data: secret.Data, Pacer: pacer})
	if err != nil {
		var pcErr *pc.Error
		if errors.As(err, &pcErr) {
			cp := *pcErr
			cp.Message = fmt.Sprintf("Secret %s: %s", key, pcErr.Message)
			return nil, &cp
		}
		return nil, &pc.Error{Class: pc.ClassTerminal, Code: "credentialsInvalid", Err: err,
			Message: fmt.Sprintf("Secret %s: %v", key, err)}
	}
	r.clients[namespace] = &built{hash: h, client: c, read: read}
	return c, nil
}

// Pacer returns the pacer of a team namespace, or nil before its first
// client was built.
func (r *Router) Pacer(namespace string) *ingestion.Pacer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pacers[namespace]
}

// teamsWithPacers lists the team namespaces that have a pacer, sorted.
func (r *Router) teamsWithPacers() ([]string, []*ingestion.Pacer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.pacers))
	for ns := range r.pacers {
		names = append(names, ns)
	}
	slices.Sort(names)
	pacers := make([]*ingestion.Pacer, len(names))
	for i, ns := range names {
		pacers[i] = r.pacers[ns]
	}
	return names, pacers
}

// IsCredentialsError reports whether err says that the namespace's
// credentials are missing, unreadable or incomplete: a person must create,
// fix or grant the Secret.
func IsCredentialsError(err error) bool {
	switch pc.CodeOf(err) {
	case CodeSecretMissing, CodeSecretForbidden, CodeNoCredentials, CodeNoNamespace,
		credentials.CodeMissing, "credentialsIncomplete", "credentialsInvalid":
		return pc.IsTerminal(err)
	}
	return false
}

package connect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// Codes of the credentials errors of a namespace without usable
// credentials (besides CodeMissing, CodeIncomplete and CodeInvalid).
const (
	// CodeTeamSecretMissing: a team namespace's Secret does not exist.
	CodeTeamSecretMissing = "teamCredentialsMissing"
	// CodeTeamSecretForbidden: the operator may not read it.
	CodeTeamSecretForbidden = "teamCredentialsForbidden"
	// CodeNoCredentials: a namespace that is not a team's, and no global
	// credential.
	CodeNoCredentials = "noCredentials"
)

// AllNamespaces in Options.TeamNamespaces makes every namespace a team's.
const AllNamespaces = "*"

// Team is what Options.NewClient gets to build a team's client.
type Team struct {
	// Namespace is the team's namespace; Secret its credentials Secret.
	Namespace string
	Secret    types.NamespacedName
	// Data is the Secret's data.
	Data map[string][]byte
	// Pacer is the team's own throttling budget, kept across rotations.
	Pacer *ingestion.Pacer
}

// teams resolves the clients of team namespaces.
type teams struct {
	reader     client.Reader
	secretName string
	all        bool
	team       map[string]bool
	newClient  func(Team) (pc.Client, error)
	maxAge     time.Duration
	now        func() time.Time

	// flights makes concurrent reconciles of one team share one read of
	// its Secret.
	flights singleflight.Group

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

func newTeams(reader client.Reader, secretName string, namespaces []string, maxAge time.Duration,
	now func() time.Time, newClient func(Team) (pc.Client, error)) (*teams, error) {
	if reader == nil || newClient == nil {
		return nil, errors.New("team namespaces need a reader of their Secrets and a client builder")
	}
	if secretName == "" {
		return nil, errors.New("the name of the team credentials Secret is empty (--team-credentials-secret)")
	}
	t := &teams{reader: reader, secretName: secretName, team: map[string]bool{}, newClient: newClient,
		maxAge: maxAge, now: now, clients: map[string]*built{}, pacers: map[string]*ingestion.Pacer{}}
	for _, ns := range namespaces {
		if ns = strings.TrimSpace(ns); ns == AllNamespaces {
			t.all = true
		} else if ns != "" {
			t.team[ns] = true
		}
	}
	if !t.all && len(t.team) == 0 {
		return nil, errors.New("no team namespace (--team-namespaces)")
	}
	return t, nil
}

// isTeam reports whether namespace uses its own credentials.
func (t *teams) isTeam(namespace string) bool { return t != nil && (t.all || t.team[namespace]) }

// fresh is namespace's client when its Secret was read less than maxAge
// ago.
func (t *teams) fresh(namespace string) pc.Client {
	if t.maxAge <= 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if b := t.clients[namespace]; b != nil && t.now().Sub(b.read) < t.maxAge {
		return b.client
	}
	return nil
}

// connect returns namespace's client, reading its Secret unless it was
// read less than maxAge ago; concurrent callers share one read.
func (t *teams) connect(ctx context.Context, namespace string) (pc.Client, error) {
	if c := t.fresh(namespace); c != nil {
		return c, nil
	}
	v, err, _ := t.flights.Do(namespace, func() (any, error) {
		if c := t.fresh(namespace); c != nil {
			return c, nil
		}
		// The read is shared: it must not end with the first caller's
		// context.
		return t.resolve(context.WithoutCancel(ctx), namespace)
	})
	if err != nil {
		return nil, err
	}
	return v.(pc.Client), nil
}

// resolve reads namespace's Secret and returns the client built from its
// data, building it when the data changed.
func (t *teams) resolve(ctx context.Context, namespace string) (pc.Client, error) {
	key := types.NamespacedName{Namespace: namespace, Name: t.secretName}
	secret := &corev1.Secret{}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := t.reader.Get(ctx, key, secret); err != nil {
		return nil, t.readError(namespace, key, err)
	}
	h := HashData(secret.Data)
	read := t.now()

	t.mu.Lock()
	defer t.mu.Unlock()
	if b := t.clients[namespace]; b != nil && b.hash == h {
		b.read = read
		return b.client, nil
	}
	pacer := t.pacers[namespace]
	if pacer == nil {
		pacer = &ingestion.Pacer{}
		t.pacers[namespace] = pacer
	}
	c, err := t.newClient(Team{Namespace: namespace, Secret: key, Data: secret.Data, Pacer: pacer})
	if err != nil {
		var pcErr *pc.Error
		if errors.As(err, &pcErr) {
			cp := *pcErr
			cp.Credentials = true
			cp.Message = fmt.Sprintf("Secret %s: %s", key, pcErr.Message)
			return nil, &cp
		}
		return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeInvalid, Credentials: true, Err: err,
			Message: fmt.Sprintf("Secret %s: %v", key, err)}
	}
	t.clients[namespace] = &built{hash: h, client: c, read: read}
	return c, nil
}

func (t *teams) readError(namespace string, key types.NamespacedName, err error) error {
	switch {
	case apierrors.IsNotFound(err):
		return &pc.Error{Class: pc.ClassTerminal, Code: CodeTeamSecretMissing, Credentials: true, Err: err,
			Message: fmt.Sprintf("namespace %s publishes with its own Partner Center credentials, but Secret %s does not exist: create it with the keys tenantId, clientId and clientSecret of the team's Entra ID app registration, or tenantId, clientId and useWorkloadIdentity: \"true\" (the global credential is not used for a team namespace)", namespace, key)}
	case apierrors.IsForbidden(err):
		return &pc.Error{Class: pc.ClassTerminal, Code: CodeTeamSecretForbidden, Credentials: true, Err: err,
			Message: fmt.Sprintf("the operator may not read Secret %s: grant the operator's ServiceAccount get on it: a Role in namespace %s with verbs [get] and resourceNames [%s], and a RoleBinding (docs: \"Sharing a cluster\")", key, namespace, t.secretName)}
	}
	return &pc.Error{Class: pc.ClassTransient, Err: err,
		Message: fmt.Sprintf("reading the Partner Center credentials Secret %s: %v", key, err)}
}

// pacer returns the pacer of a team namespace, or nil before its first
// client was built.
func (t *teams) pacer(namespace string) *ingestion.Pacer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pacers[namespace]
}

// withPacers lists the team namespaces that have a pacer, sorted, and
// their pacers.
func (t *teams) withPacers() ([]string, []*ingestion.Pacer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.pacers))
	for ns := range t.pacers {
		names = append(names, ns)
	}
	slices.Sort(names)
	pacers := make([]*ingestion.Pacer, len(names))
	for i, ns := range names {
		pacers[i] = t.pacers[ns]
	}
	return names, pacers
}

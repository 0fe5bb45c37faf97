package reconcile

import (
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Options tune both reconcilers; main.go builds one per controller from
// its flags.
type Options struct {
	// Concurrency is the number of objects reconciled at once.
	Concurrency int
	// RateLimiter backs off objects whose reconcile failed.
	RateLimiter workqueue.TypedRateLimiter[reconcile.Request]
	// StalledRecheck is how often a stalled object is checked again.
	StalledRecheck time.Duration
	// CredentialsSecret, when set, is the Secret holding Partner Center
	// credentials; its changes wake every object that is not Ready.
	CredentialsSecret *types.NamespacedName
	// MinPoll and MaxPoll bound the interval of polls of Partner Center's
	// long-running work (jobs, certification, merges).
	MinPoll, MaxPoll time.Duration
	// ResyncInterval is how often a settled MarketplaceOffer is read back
	// from Partner Center to find changes made outside the operator,
	// unless its spec.resyncInterval says otherwise: zero means
	// DefaultResyncInterval (1h), a negative value turns the resync off
	// (edits and requested reconciles still read it back).
	ResyncInterval time.Duration
}

func (o *Options) Defaults() {
	if o.StalledRecheck == 0 {
		o.StalledRecheck = 10 * time.Minute
	}
	if o.MinPoll == 0 {
		o.MinPoll = 250 * time.Millisecond
	}
	if o.MaxPoll == 0 {
		o.MaxPoll = 2 * time.Minute
	}
}

// Dependencies are what each reconciler is given: the API server, Partner
// Center, where events go, the clock and the options. Clock and Options may
// be left zero (the real clock, the defaults).
type Dependencies struct {
	client.Client
	// APIReader reads what the manager does not cache (the namespace of an
	// object being deleted); nil reads through Client.
	APIReader client.Reader
	// PartnerCenter connects each reconcile to Partner Center with the
	// credentials of the object's namespace.
	PartnerCenter partnercenter.Connector
	Recorder      recorder.EventRecorder
	Clock         clock.PassiveClock
	Options       Options
}

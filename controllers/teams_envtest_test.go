package controllers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/connect"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

const teamSecretName = "cosell-partner-center"

// account is one simulated Partner Center account: a simulator behind a
// server that records the bearer token of every request.
type account struct {
	url string
	pc  partnercenter.Client

	mu     sync.Mutex
	tokens []string
}

func newAccount(t *testing.T) *account {
	t.Helper()
	sim, err := simulator.New(simulator.Options{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	a := &account{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.tokens = append(a.tokens, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		a.mu.Unlock()
		sim.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	a.url = srv.URL + simulator.APIPrefix
	// The test's own view of the account, sending no token.
	if a.pc, err = ingestion.New(ingestion.Options{BaseURL: a.url}); err != nil {
		t.Fatal(err)
	}
	return a
}

// seen returns the tokens the account received, in order.
func (a *account) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.tokens...)
}

// staticToken is the credential of a team's Secret in these tests: its
// clientSecret, as a bearer token.
type staticToken string

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// startTeamsOperator runs the manager with a connect.Connector: each of
// teamNamespaces publishes with the Secret teamSecretName in it, whose
// tenantId names its account in accounts; the other watched namespaces
// use global.
func startTeamsOperator(t *testing.T, global *account, accounts map[string]*account, teamNamespaces []string, watched ...string) {
	t.Helper()
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:     scheme,
		Cache:      cache.Options{DefaultNamespaces: namespaces(watched[0], watched[1:]...)},
		Metrics:    metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The global client is the simulator's, without a token; each team's
	// sends its Secret's clientSecret as its token, so that an account
	// sees whose credentials reached it.
	conn, err := connect.New(context.Background(), connect.Options{
		Endpoint: global.url, JobPollInterval: 100 * time.Millisecond,
		// Uncached, as in main.go: the manager's cache never holds team Secrets.
		TeamReader: mgr.GetAPIReader(), TeamSecret: teamSecretName, TeamNamespaces: teamNamespaces,
		NewClient: func(team connect.Team) (partnercenter.Client, error) {
			acct := accounts[string(team.Data["tenantId"])]
			if acct == nil {
				t.Errorf("Secret %s names no account of the test", team.Secret)
				return nil, os.ErrNotExist
			}
			return ingestion.New(ingestion.Options{BaseURL: acct.url, JobPollInterval: 100 * time.Millisecond,
				Credential: staticToken(team.Data["clientSecret"]), HTTPClient: &http.Client{Transport: team.Pacer}})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := controllers.IndexFields(ctx, mgr.GetFieldIndexer()); err != nil {
		t.Fatal(err)
	}
	opts := controllers.Options{Concurrency: 4, StalledRecheck: time.Second, MinPoll: 50 * time.Millisecond, MaxPoll: time.Second}
	deps := controllers.Dependencies{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), PartnerCenter: conn, Recorder: mgr.GetEventRecorder("cosell-operator"), Options: opts}
	if err := controllers.SetupWithManager(mgr, deps, deps); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
}

func createTeamSecret(g Gomega, ns, tenant, clientSecret string) {
	g.ExpectWithOffset(1, k8s.Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: teamSecretName},
		StringData: map[string]string{"tenantId": tenant, "clientId": "app-" + tenant, "clientSecret": clientSecret},
	})).To(Succeed())
}

// teamOffer is the analytics sample as name in ns, declaring offerID.
func teamOffer(g Gomega, ns, name, offerID string) *v1alpha1.MarketplaceOffer {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", "marketplace_v1alpha1_marketplaceoffer_analytics.yaml"))
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	o := &v1alpha1.MarketplaceOffer{}
	g.ExpectWithOffset(1, yaml.Unmarshal(data, o)).To(Succeed())
	o.Namespace, o.Name, o.Spec.OfferID = ns, name, offerID
	return o
}

func expectLive(g Gomega, ns, name string) *v1alpha1.MarketplaceOffer {
	var o *v1alpha1.MarketplaceOffer
	g.EventuallyWithOffset(1, func(g Gomega) {
		o = getOffer(g, ns, name)
		ready(g, o.Status.Conditions, o.Generation)
		g.Expect(o.Status.Phase).To(Equal(v1alpha1.PhaseLive))
	}, timeout, interval).Should(Succeed())
	return o
}

// Two teams, two accounts: each team's offers land in its own account
// only. Team B declaring an offer ID that exists in team A's account
// neither finds nor adopts A's product: it creates its own in B's account.
// A namespace that is not a team's publishes with the global credential. A
// rotated team Secret is used without a restart.
func TestTeamsPublishOnlyIntoTheirOwnAccounts(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	global, accountA, accountB := newAccount(t), newAccount(t), newAccount(t)
	teamA, teamB, platform := newNamespace(t), newNamespace(t), newNamespace(t)
	createTeamSecret(g, teamA, "tenant-a", "token-a")
	createTeamSecret(g, teamB, "tenant-b", "token-b")

	// Team A's account already holds a product with the offer ID team B
	// will declare (made in the portal, say).
	job, err := accountA.pc.CreateProduct(ctx, partnercenter.ProductSpec{OfferID: "shared-offer", OfferType: "SoftwareAsAService", Name: "Team A's product"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Eventually(func(g Gomega) {
		j, err := accountA.pc.GetJob(ctx, job.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(j.Succeeded()).To(BeTrue())
	}, timeout, interval).Should(Succeed())
	productA, err := accountA.pc.FindProduct(ctx, "shared-offer")
	g.Expect(err).NotTo(HaveOccurred())

	startTeamsOperator(t, global, map[string]*account{"tenant-a": accountA, "tenant-b": accountB},
		[]string{teamA, teamB}, teamA, teamB, platform)
	g.Expect(k8s.Create(ctx, teamOffer(g, teamA, "analytics", "team-a-analytics"))).To(Succeed())
	g.Expect(k8s.Create(ctx, teamOffer(g, teamB, "shared", "shared-offer"))).To(Succeed())
	g.Expect(k8s.Create(ctx, teamOffer(g, platform, "analytics", "platform-analytics"))).To(Succeed())

	offerA := expectLive(g, teamA, "analytics")
	offerB := expectLive(g, teamB, "shared")
	offerP := expectLive(g, platform, "analytics")

	// Each product is in its team's account, and only there.
	for _, tc := range []struct {
		offerID, productID string
		in                 *account
		notIn              []*account
	}{
		{"team-a-analytics", offerA.Status.ProductID, accountA, []*account{accountB, global}},
		{"shared-offer", offerB.Status.ProductID, accountB, []*account{global}},
		{"platform-analytics", offerP.Status.ProductID, global, []*account{accountA, accountB}},
	} {
		p, err := tc.in.pc.FindProduct(ctx, tc.offerID)
		g.Expect(err).NotTo(HaveOccurred(), tc.offerID)
		g.Expect(p.ID).To(Equal(tc.productID), tc.offerID)
		for _, other := range tc.notIn {
			_, err := other.pc.FindProduct(ctx, tc.offerID)
			g.Expect(partnercenter.IsNotFound(err)).To(BeTrue(), "%s leaked into another account: %v", tc.offerID, err)
		}
	}
	// Team B did not take team A's product: B's is another, and A's is as
	// A left it, never submitted.
	g.Expect(offerB.Status.ProductID).NotTo(Equal(productA.ID))
	stillA, err := accountA.pc.GetProduct(ctx, productA.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(stillA.Name).To(Equal("Team A's product"))
	subs, err := accountA.pc.ListSubmissions(ctx, productA.ID)
	g.Expect(err).NotTo(HaveOccurred())
	for _, s := range subs {
		g.Expect(s.IsDraft()).To(BeTrue(), "team B submitted team A's product: %+v", s)
	}
	// Each account saw only its own team's token (the global one, none).
	g.Expect(accountA.seen()).To(ContainElement("token-a"))
	g.Expect(accountA.seen()).NotTo(ContainElement("token-b"))
	g.Expect(accountB.seen()).To(ContainElement("token-b"))
	g.Expect(accountB.seen()).NotTo(ContainElement("token-a"))
	g.Expect(global.seen()).NotTo(BeEmpty())
	g.Expect(global.seen()).To(HaveEach(BeEmpty()), "the global account saw a team's token (the test's global client sends none)")

	// Team A rotates its client secret: the next reconciles use it,
	// without a restart.
	s := &corev1.Secret{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: teamA, Name: teamSecretName}, s)).To(Succeed())
	s.Data["clientSecret"] = []byte("token-a-rotated")
	g.Expect(k8s.Update(ctx, s)).To(Succeed())
	g.Expect(k8s.Create(ctx, teamOffer(g, teamA, "second", "team-a-second"))).To(Succeed())
	expectLive(g, teamA, "second")
	seen := accountA.seen()
	first := -1
	for i, tok := range seen {
		if tok == "token-a-rotated" {
			first = i
			break
		}
	}
	g.Expect(first).To(BeNumerically(">=", 0), "the rotated secret was never used")
	g.Expect(seen[first:]).NotTo(ContainElement("token-a"), "the old secret was used after the rotated one")
	g.Expect(accountB.seen()).NotTo(ContainElement("token-a-rotated"))
}

// A team namespace without its Secret stalls, naming the Secret to create,
// and publishes nothing with the global credential; once the Secret
// exists the offer goes live in the team's account.
func TestMissingTeamSecretStallsNamingIt(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	global, accountC := newAccount(t), newAccount(t)
	teamC := newNamespace(t)
	startTeamsOperator(t, global, map[string]*account{"tenant-c": accountC}, []string{teamC}, teamC)
	g.Expect(k8s.Create(ctx, teamOffer(g, teamC, "analytics", "team-c-analytics"))).To(Succeed())

	g.Eventually(func(g Gomega) {
		o := getOffer(g, teamC, "analytics")
		c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonCredentialsUnavailable))
		g.Expect(c.Message).To(ContainSubstring("Secret " + teamC + "/" + teamSecretName + " does not exist"))
		g.Expect(c.Message).To(ContainSubstring("tenantId, clientId and clientSecret"))
		g.Expect(kstatusOf(g, o)).To(Equal(status.FailedStatus))
		g.Expect(o.Status.ProductID).To(BeEmpty())
	}, timeout, interval).Should(Succeed())
	g.Expect(global.seen()).To(BeEmpty(), "a team without its Secret reached the global account")
	g.Expect(accountC.seen()).To(BeEmpty())

	// The Secret created, the stalled offer is checked again and goes live
	// in the team's account.
	createTeamSecret(g, teamC, "tenant-c", "token-c")
	o := expectLive(g, teamC, "analytics")
	p, err := accountC.pc.FindProduct(ctx, "team-c-analytics")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.ID).To(Equal(o.Status.ProductID))
	g.Expect(global.seen()).To(BeEmpty())
}

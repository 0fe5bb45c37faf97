package connect

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// Many reconciles of one team at once, for longer than SecretMaxAge: the
// Secret is read at most once per SecretMaxAge, never once per reconcile.
func TestConcurrentReconcilesOfOneTeamShareOneSecretRead(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var gets atomic.Int32
	reader := fake.NewClientBuilder().WithObjects(teamSecret("team-a", "tenant-a")).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			gets.Add(1)
			time.Sleep(5 * time.Millisecond) // an API server round trip: readers overlap
			return c.Get(ctx, key, obj, opts...)
		},
	}).Build()
	build := func(team Team) (pc.Client, error) { return &account{name: team.Namespace}, nil }
	tm, err := newTeams(reader, secretName, []string{"team-a"}, 10*time.Second, clock, build)
	g.Expect(err).NotTo(HaveOccurred())
	c := &Connector{teams: tm}

	const periods, workers, connects = 3, 64, 50
	for p := range periods {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range connects {
					got, err := c.Connect(context.Background(), "team-a")
					if err != nil || got == nil {
						t.Errorf("Connect: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		g.Expect(gets.Load()).To(Equal(int32(p+1)), "period %d: %d connects", p, workers*connects)
		mu.Lock()
		now = now.Add(10 * time.Second)
		mu.Unlock()
	}
}

type recordingTransport struct{ sent []*http.Request }

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.sent = append(r.sent, req)
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

// A token goes only to Microsoft's API hosts, over https: to any other
// host, or over http, the request is refused before it leaves.
func TestTokenGoesOnlyToMicrosoftAPIHostsOverHTTPS(t *testing.T) {
	for raw, allowed := range map[string]bool{
		"https://graph.microsoft.com/rp/product-ingestion/product": true,
		"https://api.partner.microsoft.com/v1.0/ingestion/x":       true,
		"https://GRAPH.microsoft.com:443/rp":                       true,
		"http://graph.microsoft.com/rp/product-ingestion":          false,
		"https://graph.microsoft.com.evil.example/rp":              false,
		"https://evil-graph.microsoft.com/rp":                      false,
		"https://login.microsoftonline.com/x":                      false,
		"http://127.0.0.1:8090/rp/product-ingestion":               false,
		"https://simulator.example/rp":                             false,
	} {
		g := NewWithT(t)
		next := &recordingTransport{}
		guard := tokenGuard{next: next}
		req := httptest.NewRequest(http.MethodGet, raw, nil)
		req.Header.Set("Authorization", "Bearer t0ken")
		resp, err := guard.RoundTrip(req)
		if allowed {
			g.Expect(err).NotTo(HaveOccurred(), raw)
			g.Expect(resp.Body.Close()).To(Succeed())
			g.Expect(next.sent).To(HaveLen(1), raw)
			continue
		}
		g.Expect(err).To(MatchError(ContainSubstring("refusing to send a Partner Center token")), raw)
		g.Expect(next.sent).To(BeEmpty(), raw)

		// Without a token, the request goes (a simulator).
		req.Header.Del("Authorization")
		resp, err = guard.RoundTrip(req)
		g.Expect(err).NotTo(HaveOccurred(), raw)
		g.Expect(resp.Body.Close()).To(Succeed())
		g.Expect(next.sent).To(HaveLen(1), raw)
	}
}

// A credentials Secret with a plain-http endpoint that is not loopback is
// refused at start-up, saying what to do.
func TestPlainHTTPEndpointWithCredentialsIsRefusedAtStartUp(t *testing.T) {
	key := &types.NamespacedName{Namespace: "ops", Name: "partner-center"}
	for _, tc := range []struct {
		endpoint string
		secret   *types.NamespacedName
		teams    []string
		wantErr  string
	}{
		{endpoint: "http://pc.example.com/rp/product-ingestion", secret: key, wantErr: "plain http to pc.example.com, which is not loopback"},
		{endpoint: "http://10.0.0.5:8090/rp/product-ingestion", teams: []string{"team-a"}, wantErr: "use https"},
		{endpoint: "http://graph.microsoft.com/rp/product-ingestion", secret: key, wantErr: "plain http"},
		{endpoint: "http://127.0.0.1:8090/rp/product-ingestion", secret: key},
		{endpoint: "http://localhost:8090/rp/product-ingestion", teams: []string{"team-a"}},
		{endpoint: "http://[::1]:8090/rp/product-ingestion", secret: key},
		// No credentials: nothing to leak.
		{endpoint: "http://simulator.cosell-system:8090/rp/product-ingestion"},
	} {
		g := NewWithT(t)
		_, err := New(context.Background(), Options{Endpoint: tc.endpoint, Secret: tc.secret, TeamNamespaces: tc.teams,
			TeamSecret: secretName, TeamReader: fake.NewClientBuilder().Build(), Reader: fake.NewClientBuilder().Build()})
		if tc.wantErr == "" {
			g.Expect(err).NotTo(HaveOccurred(), tc.endpoint)
			continue
		}
		g.Expect(err).To(MatchError(ContainSubstring(tc.wantErr)), tc.endpoint)
		g.Expect(err).To(MatchError(ContainSubstring("--partner-center")), tc.endpoint)
	}
}

// A simulator gets no token, from the global Secret or a team's: the
// Secret's keys are checked, no credential is built, no Authorization
// header is sent.
func TestNoCredentialIsBuiltForASimulator(t *testing.T) {
	g := NewWithT(t)
	var auth []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	defer srv.Close()
	global := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "partner-center"},
		Data: teamSecret("ops", "00000000-0000-0000-0000-000000000001").Data}
	team := teamSecret("team-a", "00000000-0000-0000-0000-000000000002")
	incomplete := teamSecret("team-b", "00000000-0000-0000-0000-000000000003")
	delete(incomplete.Data, KeyClientSecret)
	reader := fake.NewClientBuilder().WithObjects(global, team, incomplete).Build()
	c, err := New(context.Background(), Options{Endpoint: srv.URL + "/rp/product-ingestion",
		Secret: &types.NamespacedName{Namespace: "ops", Name: "partner-center"}, Reader: reader,
		TeamNamespaces: []string{"team-a", "team-b"}, TeamSecret: secretName, TeamReader: reader})
	g.Expect(err).NotTo(HaveOccurred())
	for _, ns := range []string{"platform", "team-a"} {
		client, err := c.Connect(context.Background(), ns)
		g.Expect(err).NotTo(HaveOccurred(), ns)
		_, err = client.FindProduct(context.Background(), "offer")
		g.Expect(pc.IsNotFound(err)).To(BeTrue(), "%s: %v", ns, err)
	}
	g.Expect(auth).NotTo(BeEmpty())
	g.Expect(auth).To(HaveEach(BeEmpty()), "a token was sent to a simulator")
	_, err = c.Connect(context.Background(), "team-b")
	g.Expect(pc.IsCredentials(err)).To(BeTrue(), "a simulator's team Secret is still checked: %v", err)
	g.Expect(err).To(MatchError(ContainSubstring("clientSecret")))
}

// The embedded simulator listens on loopback only, and takes no
// credentials Secret.
func TestEmbeddedSimulatorListensOnLoopbackOnly(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:8090", "pc.example.com:8090"} {
		_, err := New(ctx, Options{Endpoint: Embedded, Simulator: simulator.Options{Addr: addr}})
		g.Expect(err).To(MatchError(ContainSubstring("listens on loopback only")), addr)
	}
	_, err := New(ctx, Options{Endpoint: Embedded, Secret: &types.NamespacedName{Namespace: "ops", Name: "pc"}})
	g.Expect(err).To(MatchError(ContainSubstring("no use with --partner-center=embedded")))

	c, err := New(ctx, Options{Endpoint: Embedded, Simulator: simulator.Options{Addr: "127.0.0.1:0"}})
	g.Expect(err).NotTo(HaveOccurred())
	client, err := c.Connect(ctx, "anywhere")
	g.Expect(err).NotTo(HaveOccurred())
	_, err = client.FindProduct(ctx, "offer")
	g.Expect(pc.IsNotFound(err)).To(BeTrue(), "%v", err)
}

// Against Microsoft, a namespace publishes only with credentials: the
// global Secret, or its own when it is a team's. Without either, New
// refuses; with team namespaces only, the others are refused at Connect
// instead of being sent without a token.
func TestMicrosoftNeedsCredentials(t *testing.T) {
	const microsoft = "https://graph.microsoft.com/rp/product-ingestion"
	team := teamSecret("team-a", "00000000-0000-0000-0000-000000000001")
	reader := fake.NewClientBuilder().WithObjects(team).Build()
	key := &types.NamespacedName{Namespace: "ops", Name: "partner-center"}
	for _, tc := range []struct {
		name      string
		secret    *types.NamespacedName
		teams     []string
		wantErr   string
		otherCode string // the error code of Connect from a namespace that is not a team's
	}{
		{name: "no credentials at all", wantErr: "--team-namespaces"},
		{name: "global only", secret: key},
		{name: "teams only", teams: []string{"team-a"}, otherCode: CodeNoCredentials},
		{name: "teams and global", teams: []string{"team-a", "team-b"}, secret: key},
		{name: "every namespace a team's", teams: []string{AllNamespaces}, otherCode: CodeTeamSecretMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			c, err := New(context.Background(), Options{Endpoint: microsoft, Secret: tc.secret, Reader: reader,
				TeamNamespaces: tc.teams, TeamSecret: secretName, TeamReader: reader})
			if tc.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tc.wantErr)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c.JobPollInterval()).To(Equal(time.Minute), "Microsoft's poll interval")
			if len(tc.teams) > 0 {
				g.Expect(c.IsTeam("team-a")).To(BeTrue())
				// A team's client is built from its Secret, without a call.
				client, err := c.Connect(context.Background(), "team-a")
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(client).NotTo(BeNil())
			}
			_, err = c.Connect(context.Background(), "platform")
			if tc.otherCode == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(pc.CodeOf(err)).To(Equal(tc.otherCode))
			g.Expect(pc.IsCredentials(err)).To(BeTrue())
		})
	}
}

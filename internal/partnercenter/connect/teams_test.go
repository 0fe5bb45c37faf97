package connect

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

const secretName = "cosell-partner-center"

// account is a stand-in Partner Center client that answers FindProduct
// with its own name, so that a test sees which client a call reached.
type account struct {
	pc.Client
	name  string
	calls atomic.Int32
}

func (a *account) FindProduct(_ context.Context, offerID string) (*pc.Product, error) {
	a.calls.Add(1)
	return &pc.Product{ID: a.name, OfferID: offerID}, nil
}

func (a *account) JobPollInterval() time.Duration { return time.Second }

func teamSecret(ns, tenant string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: secretName},
		Data: map[string][]byte{"tenantId": []byte(tenant), "clientId": []byte("app"), "clientSecret": []byte("s3cret")}}
}

// harness is a Router over a fake API server whose NewClient makes one
// account per build, named after the namespace and the tenant.
type harness struct {
	router *Connector
	reader client.WithWatch
	gets   atomic.Int32
	builds []Team
	global *account
}

func newHarness(t *testing.T, namespaces []string, getErr error, objs ...client.Object) *harness {
	t.Helper()
	return newHarnessWith(t, namespaces, getErr, nil, objs...)
}

func newHarnessWith(t *testing.T, namespaces []string, getErr error, edit func(*teams), objs ...client.Object) *harness {
	t.Helper()
	h := &harness{global: &account{name: "global"}}
	h.reader = fake.NewClientBuilder().WithObjects(objs...).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			h.gets.Add(1)
			if getErr != nil {
				return getErr
			}
			return c.Get(ctx, key, obj, opts...)
		},
	}).Build()
	newClient := func(team Team) (pc.Client, error) {
		h.builds = append(h.builds, team)
		if _, err := (Identity{}).Credential(team.Data); err != nil {
			return nil, err
		}
		return &account{name: team.Namespace + ":" + string(team.Data["tenantId"])}, nil
	}
	tm, err := newTeams(h.reader, secretName, namespaces, 0, time.Now, newClient)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(tm)
	}
	h.router = &Connector{global: h.global, globalPacer: &ingestion.Pacer{}, teams: tm}
	return h
}

func (h *harness) find(ns string) (string, error) {
	c, err := h.router.Connect(context.Background(), ns)
	if err != nil {
		return "", err
	}
	p, err := c.FindProduct(context.Background(), "offer")
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

func TestRouterSendsEachNamespaceToItsOwnCredentials(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, []string{"team-a", "team-b"}, nil, teamSecret("team-a", "tenant-a"), teamSecret("team-b", "tenant-b"))

	for ns, want := range map[string]string{
		"team-a": "team-a:tenant-a", "team-b": "team-b:tenant-b",
		// Not a team namespace: the global credential.
		"platform": "global",
	} {
		got, err := h.find(ns)
		g.Expect(err).NotTo(HaveOccurred(), ns)
		g.Expect(got).To(Equal(want), ns)
	}
	g.Expect(h.router.IsTeam("team-a")).To(BeTrue())
	g.Expect(h.router.IsTeam("platform")).To(BeFalse())

	// Without a global credential, a namespace that is not a team's is
	// refused, saying so.
	h.router.global = nil
	_, err := h.find("platform")
	g.Expect(pc.CodeOf(err)).To(Equal(CodeNoCredentials))
	g.Expect(pc.IsCredentials(err)).To(BeTrue())
}

func TestAllNamespacesAreTeamsWithStar(t *testing.T) {
	g := NewWithT(t)
	h := newHarness(t, []string{AllNamespaces}, nil, teamSecret("anyone", "tenant-x"))
	got, err := h.find("anyone")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal("anyone:tenant-x"))
	_, err = h.find("platform")
	g.Expect(pc.CodeOf(err)).To(Equal(CodeTeamSecretMissing))
	g.Expect(h.global.calls.Load()).To(BeZero())
}

func TestTeamWithoutUsableSecretNeverFallsBackToTheGlobalCredential(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, secretName, nil)
	incomplete := teamSecret("team-a", "tenant-a")
	delete(incomplete.Data, "clientSecret")
	for _, tc := range []struct {
		name     string
		getErr   error
		objs     []client.Object
		code     string
		class    pc.Class
		contains []string
	}{
		{name: "missing", code: CodeTeamSecretMissing, class: pc.ClassTerminal,
			contains: []string{"Secret team-a/" + secretName + " does not exist", "create it", "tenantId"}},
		{name: "forbidden", getErr: forbidden, code: CodeTeamSecretForbidden, class: pc.ClassTerminal,
			contains: []string{"may not read Secret team-a/" + secretName, "resourceNames [" + secretName + "]", "RoleBinding"}},
		{name: "incomplete", objs: []client.Object{incomplete}, code: "credentialsIncomplete", class: pc.ClassTerminal,
			contains: []string{"Secret team-a/" + secretName, "clientSecret"}},
		{name: "API server unavailable", getErr: apierrors.NewServiceUnavailable("etcd is down"), class: pc.ClassTransient,
			contains: []string{"team-a/" + secretName, "etcd is down"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			h := newHarness(t, []string{"team-a"}, tc.getErr, tc.objs...)
			_, err := h.find("team-a")
			g.Expect(err).To(HaveOccurred())
			g.Expect(pc.ClassOf(err)).To(Equal(tc.class))
			g.Expect(pc.CodeOf(err)).To(Equal(tc.code))
			g.Expect(pc.IsCredentials(err)).To(Equal(tc.class == pc.ClassTerminal))
			for _, s := range tc.contains {
				g.Expect(err.Error()).To(ContainSubstring(s))
			}
			g.Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
			g.Expect(h.global.calls.Load()).To(BeZero(), "a team call reached the global credential")
		})
	}
}

func TestRotatedTeamSecretIsUsedFromTheNextReconcile(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	h := newHarness(t, []string{"team-a"}, nil, teamSecret("team-a", "tenant-a"))

	// One reconcile connects once and makes all its calls with the client.
	c, err := h.router.Connect(ctx, "team-a")
	g.Expect(err).NotTo(HaveOccurred())
	for range 3 {
		p, err := c.FindProduct(ctx, "offer")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(p.ID).To(Equal("team-a:tenant-a"))
	}
	g.Expect(h.gets.Load()).To(Equal(int32(1)))

	// The next reconcile reads it again; unchanged, the client is reused.
	first, err := h.router.Connect(ctx, "team-a")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(h.gets.Load()).To(Equal(int32(2)))
	g.Expect(h.builds).To(HaveLen(1))

	// Rotated: a new client, on the same pacer (the team's budget).
	s := &corev1.Secret{}
	g.Expect(h.reader.Get(ctx, client.ObjectKey{Namespace: "team-a", Name: secretName}, s)).To(Succeed())
	s.Data["tenantId"] = []byte("tenant-rotated")
	g.Expect(h.reader.Update(ctx, s)).To(Succeed())
	got, err := h.find("team-a")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal("team-a:tenant-rotated"))
	second, err := h.router.Connect(ctx, "team-a")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(second).NotTo(BeIdenticalTo(first))
	g.Expect(h.builds).To(HaveLen(2))
	g.Expect(h.builds[1].Pacer).To(BeIdenticalTo(h.builds[0].Pacer))
	g.Expect(h.router.Pacer("team-a")).To(BeIdenticalTo(h.builds[0].Pacer))

	// Deleted: the next reconcile stalls instead of using the old client.
	g.Expect(h.reader.Delete(ctx, s)).To(Succeed())
	_, err = h.find("team-a")
	g.Expect(pc.CodeOf(err)).To(Equal(CodeTeamSecretMissing))
}

// With SecretMaxAge, a burst of reconciles reads the Secret once; a
// rotation is picked up once the read is that old, and a failed read is
// not remembered.
func TestSecretMaxAgeBoundsReadsAndRotationDelay(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newHarnessWith(t, []string{"team-a"}, nil, func(o *teams) {
		o.maxAge = 10 * time.Second
		o.now = func() time.Time { return now }
	}, teamSecret("team-a", "tenant-a"))

	for range 5 {
		got, err := h.find("team-a")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got).To(Equal("team-a:tenant-a"))
	}
	g.Expect(h.gets.Load()).To(Equal(int32(1)), "five reconciles within SecretMaxAge")

	s := &corev1.Secret{}
	g.Expect(h.reader.Get(ctx, client.ObjectKey{Namespace: "team-a", Name: secretName}, s)).To(Succeed())
	s.Data["tenantId"] = []byte("tenant-rotated")
	g.Expect(h.reader.Update(ctx, s)).To(Succeed())
	now = now.Add(9 * time.Second)
	got, err := h.find("team-a")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal("team-a:tenant-a"), "within SecretMaxAge of the read")
	now = now.Add(2 * time.Second)
	got, err = h.find("team-a")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(got).To(Equal("team-a:tenant-rotated"), "past SecretMaxAge")

	// Deleted: past SecretMaxAge the next reconcile stalls, and keeps
	// reading (an error is not remembered).
	g.Expect(h.reader.Delete(ctx, s)).To(Succeed())
	now = now.Add(11 * time.Second)
	before := h.gets.Load()
	for range 2 {
		_, err = h.find("team-a")
		g.Expect(pc.CodeOf(err)).To(Equal(CodeTeamSecretMissing))
	}
	g.Expect(h.gets.Load() - before).To(Equal(int32(2)))
}

// TestEachTeamHasItsOwnPacer throttles team A's account: A's pacer starts
// pacing, while team B, whose account answers, is not slowed at all.
func TestEachTeamHasItsOwnPacer(t *testing.T) {
	g := NewWithT(t)
	serve := func(status int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			if status == http.StatusOK {
				_, _ = w.Write([]byte(`{"value":[]}`))
			} else {
				_, _ = w.Write([]byte(`{"error":{"code":"tooManyRequests","message":"slow down"}}`))
			}
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	urls := map[string]string{
		"tenant-a": serve(http.StatusTooManyRequests).URL + "/rp/product-ingestion",
		"tenant-b": serve(http.StatusOK).URL + "/rp/product-ingestion",
	}
	var hosts []string
	build := func(team Team) (pc.Client, error) {
		base := ingestion.Options{BaseURL: urls[string(team.Data["tenantId"])], MaxAttempts: 1}
		hosts = append(hosts, base.BaseURL)
		return teamClient(base, Identity{}, false)(team)
	}
	reader := fake.NewClientBuilder().WithObjects(teamSecret("team-a", "tenant-a"), teamSecret("team-b", "tenant-b")).Build()
	tm, err := newTeams(reader, secretName, []string{"team-a", "team-b"}, 0, time.Now, build)
	g.Expect(err).NotTo(HaveOccurred())
	r := &Connector{teams: tm, globalPacer: &ingestion.Pacer{}}
	ctx := context.Background()
	a, err := r.Connect(ctx, "team-a")
	g.Expect(err).NotTo(HaveOccurred())
	b, err := r.Connect(ctx, "team-b")
	g.Expect(err).NotTo(HaveOccurred())
	_, errA := a.FindProduct(ctx, "offer-a")
	g.Expect(pc.ClassOf(errA)).To(Equal(pc.ClassTransient), "A's account throttles")
	_, errB := b.FindProduct(ctx, "offer-b")
	g.Expect(pc.IsNotFound(errB)).To(BeTrue(), "B's account answers: %v", errB)
	g.Expect(hosts).To(HaveLen(2))
	pacerA, pacerB := r.Pacer("team-a"), r.Pacer("team-b")
	g.Expect(pacerA).NotTo(BeNil())
	g.Expect(pacerB).NotTo(BeNil())
	g.Expect(pacerA).NotTo(BeIdenticalTo(pacerB))

	// Both teams keep calling; A's window of 429s makes A's pacer pace.
	g.Eventually(func() float64 {
		_, _ = a.FindProduct(ctx, "offer-a")
		_, err := b.FindProduct(ctx, "offer-b")
		g.Expect(pc.IsNotFound(err)).To(BeTrue())
		return pacerA.Rate()
	}, 20*time.Second, 10*time.Millisecond).Should(BeNumerically(">", 0))
	g.Expect(pacerB.Rate()).To(BeZero(), "team B is slowed by team A's throttling")
	g.Expect(strings.Join(hosts, " ")).To(ContainSubstring(urls["tenant-a"]))
}

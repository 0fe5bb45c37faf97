package connect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

const (
	wiTenant = "6f2c8a7e-0b5f-4c3a-9e2d-6f7a8b9c0d1e"
	wiClient = "8e1d4c2b-aaaa-4bbb-8ccc-000000000042"
)

// entraID is a token endpoint on loopback that checks the federated
// assertion of each client-credentials request against the projected
// token file, as Entra ID checks it against the federated credential.
type entraID struct {
	srv       *httptest.Server
	tokenFile string

	mu        sync.Mutex
	requests  []map[string]string
	expiresIn int
	failures  []string
}

func newEntraID(t *testing.T, tokenFile string) *entraID {
	e := &entraID{tokenFile: tokenFile, expiresIn: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+wiTenant+"/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := "https://" + r.Host + "/" + wiTenant
		_ = json.NewEncoder(w).Encode(map[string]string{
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"issuer":                 base + "/v2.0",
		})
	})
	mux.HandleFunc("POST /"+wiTenant+"/oauth2/v2.0/token", e.token)
	e.srv = httptest.NewTLSServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *entraID) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	want, _ := os.ReadFile(e.tokenFile)
	got := map[string]string{}
	for k := range r.PostForm {
		got[k] = r.PostForm.Get(k)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, got)
	for k, v := range map[string]string{
		"grant_type":            "client_credentials",
		"client_id":             wiClient,
		"client_assertion":      string(want),
		"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
	} {
		if got[k] != v {
			e.failures = append(e.failures, fmt.Sprintf("%s = %q, want %q", k, got[k], v))
		}
	}
	// MSAL adds the OpenID scopes to the one asked for.
	if !slices.Contains(strings.Fields(got["scope"]), ingestion.Scope) {
		e.failures = append(e.failures, fmt.Sprintf("scope = %q, want %s among them", got["scope"], ingestion.Scope))
	}
	if got["client_secret"] != "" {
		e.failures = append(e.failures, "a client_secret was sent")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": e.expiresIn,
		"access_token": fmt.Sprintf("access-%d", len(e.requests))})
}

func (e *entraID) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.requests)
}

// A Secret naming the client and tenant and asking for workload identity
// gets Partner Center tokens by exchanging the projected ServiceAccount
// token; when the kubelet rewrites that file and the access token has
// expired, the next request carries the new ServiceAccount token.
func TestWorkloadIdentityExchangesTheProjectedTokenAndFollowsItsRotation(t *testing.T) {
	g := NewWithT(t)
	tokenFile := filepath.Join(t.TempDir(), "azure-identity-token")
	g.Expect(os.WriteFile(tokenFile, []byte("sa-token-1"), 0o600)).To(Succeed())
	entra := newEntraID(t, tokenFile)
	id := Identity{
		TokenFile: tokenFile,
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: entra.srv.URL + "/"},
			Transport: entra.srv.Client(),
		},
		DisableInstanceDiscovery: true,
	}
	// The Secret has no secret value; it is read as any credentials
	// Secret is.
	key := types.NamespacedName{Namespace: "team-a", Name: secretName}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}, Data: map[string][]byte{
		KeyTenantID: []byte(wiTenant), KeyClientID: []byte(wiClient), KeyUseWorkloadIdentity: []byte("true\n")}}
	cred := &SecretCredential{Reader: fake.NewClientBuilder().WithObjects(secret).Build(), Key: key, Build: id.Credential}
	ctx := context.Background()
	get := func() string {
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{ingestion.Scope}})
		g.Expect(err).NotTo(HaveOccurred())
		return tok.Token
	}
	failures := func() []string {
		entra.mu.Lock()
		defer entra.mu.Unlock()
		return entra.failures
	}

	g.Expect(get()).To(Equal("access-1"))
	g.Expect(entra.count()).To(Equal(1))
	g.Expect(failures()).To(BeEmpty())
	g.Expect(get()).To(Equal("access-1"), "a valid token is reused")
	g.Expect(entra.count()).To(Equal(1))

	// The next token expires at once (within azidentity's refresh margin),
	// and the kubelet rotates the ServiceAccount token.
	entra.mu.Lock()
	entra.expiresIn = 60
	entra.mu.Unlock()
	g.Expect(os.WriteFile(tokenFile, []byte("sa-token-2"), 0o600)).To(Succeed())
	g.Expect(get()).To(Equal("access-2"))
	g.Expect(failures()).To(BeEmpty(), "the rotated ServiceAccount token was not the assertion")
	g.Expect(entra.requests[1]["client_assertion"]).To(Equal("sa-token-2"))

	// Expired: the next request, with the file rotated again, carries the
	// newest ServiceAccount token.
	g.Expect(os.WriteFile(tokenFile, []byte("sa-token-3"), 0o600)).To(Succeed())
	g.Expect(get()).To(Equal("access-3"))
	g.Expect(entra.requests[2]["client_assertion"]).To(Equal("sa-token-3"))
	g.Expect(failures()).To(BeEmpty())
}

// Without the projected token (no webhook, or the pod label missing), the
// error says how to set workload identity up.
func TestWorkloadIdentityWithoutAProjectedTokenSaysWhatToSet(t *testing.T) {
	g := NewWithT(t)
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", "")
	_, err := Identity{}.Credential(map[string][]byte{KeyTenantID: []byte(wiTenant), KeyClientID: []byte(wiClient), KeyUseWorkloadIdentity: []byte("true")})
	g.Expect(pc.IsCredentials(err)).To(BeTrue())
	g.Expect(err).To(MatchError(ContainSubstring("azure.workload.identity/use")))
}

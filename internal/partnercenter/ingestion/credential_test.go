package ingestion

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// fakeCredential hands out a fixed token and records the scopes asked for.
type fakeCredential struct {
	token  string
	err    error
	scopes atomic.Value
}

func (f *fakeCredential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.scopes.Store(opts.Scopes)
	if f.err != nil {
		return azcore.AccessToken{}, f.err
	}
	return azcore.AccessToken{Token: f.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestBearerTokenSent(t *testing.T) {
	g := NewWithT(t)
	cred := &fakeCredential{token: "tok-123"}
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, product("p1", "o"))
	}, func(o *Options) { o.Credential = cred })
	_, err := c.GetProduct(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.requests()[0].Header.Get("Authorization")).To(Equal("Bearer tok-123"))
	g.Expect(cred.scopes.Load()).To(Equal([]string{"https://graph.microsoft.com/.default"}))

	// Without a credential, no Authorization header.
	c, s = newClient(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, product("p1", "o")) })
	_, err = c.GetProduct(context.Background(), "p1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s.requests()[0].Header.Values("Authorization")).To(BeEmpty())
}

func TestTokenErrors(t *testing.T) {
	g := NewWithT(t)
	// A network failure reaching Entra ID is transient and retried.
	cred := &fakeCredential{err: errors.New("dial tcp: connection refused")}
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) { t.Error("unexpected call") },
		func(o *Options) { o.Credential = cred })
	_, err := c.GetProduct(context.Background(), "p1")
	g.Expect(pc.IsTransient(err)).To(BeTrue())
	g.Expect(err).To(MatchError(ContainSubstring("gave up after 4 attempts")))
	g.Expect(s.count()).To(Equal(0))

	// An incomplete Secret is terminal and keeps its message.
	_, buildErr := CredentialFromSecretData(map[string][]byte{"tenantId": []byte("t")})
	cred.err = buildErr
	_, err = c.GetProduct(context.Background(), "p1")
	e := asPC(g, err)
	g.Expect(e.Class).To(Equal(pc.ClassTerminal))
	g.Expect(e.Op).To(Equal("GetProduct"))
	g.Expect(e.Message).To(ContainSubstring("clientId, clientSecret"))
}

func TestCredentialFromSecretData(t *testing.T) {
	g := NewWithT(t)
	const secret = "s3cr3t-value-never-shown"
	cases := map[string]struct {
		data    map[string][]byte
		missing string
	}{
		"empty":        {map[string][]byte{}, "lacks tenantId, clientId, clientSecret"},
		"no secret":    {map[string][]byte{"tenantId": []byte("t"), "clientId": []byte("c")}, "lacks clientSecret "},
		"blank client": {map[string][]byte{"tenantId": []byte("t"), "clientId": []byte(" \n"), "clientSecret": []byte(secret)}, "lacks clientId "},
		"no tenant":    {map[string][]byte{"clientId": []byte("c"), "clientSecret": []byte(secret)}, "lacks tenantId "},
	}
	for name, tc := range cases {
		cred, err := CredentialFromSecretData(tc.data)
		g.Expect(cred).To(BeNil(), name)
		g.Expect(err).To(MatchError(ContainSubstring(tc.missing)), name)
		g.Expect(err.Error()).NotTo(ContainSubstring(secret), name)
		g.Expect(pc.IsTerminal(err)).To(BeTrue(), name)
	}

	// A tenant ID azidentity refuses: the message carries no value.
	_, err := CredentialFromSecretData(map[string][]byte{"tenantId": []byte("bad tenant/" + secret),
		"clientId": []byte("c"), "clientSecret": []byte(secret)})
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).NotTo(ContainSubstring(secret))
	g.Expect(errors.Unwrap(err)).To(BeNil())

	cred, err := CredentialFromSecretData(map[string][]byte{
		"tenantId": []byte("00000000-0000-0000-0000-000000000001\n"), "clientId": []byte("c"), "clientSecret": []byte(secret)})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cred).NotTo(BeNil())
}

package ingestion

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// No credential value may reach an error or a log line: errors end up in
// status conditions and events that anyone who can read the object sees.

// Distinctive values, so that a leak cannot hide in a coincidence.
const (
	leakTenantID     = "7e1a9c3b-5d2f-4b8e-9a6c-0f1e2d3c4b5a"
	leakClientID     = "c11e47-1d-zebra-quokka"
	leakClientSecret = "s3cr3t~Xq8Z-walrus-Pj2K.never-shown"
	leakToken        = "eyJ0eXAi.bearer-token-marmot.sig"
)

// leakBuffer collects log output from several goroutines.
type leakBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *leakBuffer) write(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
	l.b.WriteByte('\n')
}

func (l *leakBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// logger is a funcr logger at full verbosity writing into the buffer.
func (l *leakBuffer) logger() logr.Logger {
	return funcr.New(func(prefix, args string) { l.write(prefix + " " + args) }, funcr.Options{Verbosity: 10})
}

// renderings are the ways an error reaches a person: its message, fmt's
// verbs, and every error it wraps.
func renderings(err error) []string {
	if err == nil {
		return nil
	}
	out := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)}
	var pcErr *pc.Error
	if errors.As(err, &pcErr) {
		for _, d := range pcErr.Details {
			out = append(out, d.Code, d.Resource, d.Message)
		}
	}
	return out
}

// expectNoValue fails when any rendering of err, or the log, holds a value
// (or its URL- or JSON-escaped form).
func expectNoValue(g *WithT, what string, texts []string, values ...string) {
	g.THelper()
	for _, v := range values {
		quoted := strconv.Quote(v)
		forms := []string{v, url.QueryEscape(v), url.PathEscape(v), quoted[1 : len(quoted)-1]}
		for _, text := range texts {
			for _, form := range forms {
				g.Expect(text).NotTo(ContainSubstring(form), "%s leaks a credential value", what)
			}
		}
	}
}

func TestCredentialLeakFromSecretData(t *testing.T) {
	g := NewWithT(t)
	values := []string{leakTenantID, leakClientID, leakClientSecret}
	for name, data := range map[string]map[string][]byte{
		"no secret":        {KeyTenantID: []byte(leakTenantID), KeyClientID: []byte(leakClientID)},
		"blank secret":     {KeyTenantID: []byte(leakTenantID), KeyClientID: []byte(leakClientID), KeyClientSecret: []byte(" \n\t")},
		"no tenant":        {KeyClientID: []byte(leakClientID), KeyClientSecret: []byte(leakClientSecret)},
		"no client":        {KeyTenantID: []byte(leakTenantID), KeyClientSecret: []byte(leakClientSecret)},
		"keys misspelled":  {"tenantID": []byte(leakTenantID), "clientID": []byte(leakClientID), "client_secret": []byte(leakClientSecret)},
		"tenant not an ID": {KeyTenantID: []byte("tenant " + leakClientSecret), KeyClientID: []byte(leakClientID), KeyClientSecret: []byte(leakClientSecret)},
		"tenant a URL":     {KeyTenantID: []byte("https://login.example/" + leakTenantID), KeyClientID: []byte(leakClientID), KeyClientSecret: []byte(leakClientSecret)},
		"tenant quoted":    {KeyTenantID: []byte(`"` + leakTenantID + `"`), KeyClientID: []byte(leakClientID), KeyClientSecret: []byte(leakClientSecret)},
		"secret in every key": {KeyTenantID: []byte(leakClientSecret + "/"), KeyClientID: []byte(leakClientSecret),
			KeyClientSecret: []byte(leakClientSecret)},
	} {
		cred, err := CredentialFromSecretData(data)
		g.Expect(cred).To(BeNil(), name)
		g.Expect(err).To(HaveOccurred(), name)
		g.Expect(pc.IsTerminal(err)).To(BeTrue(), name)
		g.Expect(err.Error()).To(ContainSubstring("credentials Secret"), "%s: the message says where to look", name)
		texts := renderings(err)
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			texts = append(texts, renderings(e)...)
		}
		expectNoValue(g, name, texts, values...)
	}
}

// TestCredentialLeakThroughAdapter builds a real Entra ID credential from
// Secret data and lets the adapter use it. Entra ID is unreachable from the
// test (or, where it is reachable, refuses the made-up tenant), so every
// call fails: neither the errors, nor a logr logger the caller logs them
// to, nor the Azure SDK's own log may carry the secret.
func TestCredentialLeakThroughAdapter(t *testing.T) {
	g := NewWithT(t)
	var logs leakBuffer
	azlog.SetListener(func(ev azlog.Event, msg string) { logs.write(string(ev) + ": " + msg) })
	t.Cleanup(func() { azlog.SetListener(nil) })

	cred, err := CredentialFromSecretData(map[string][]byte{KeyTenantID: []byte(leakTenantID + "\n"),
		KeyClientID: []byte(leakClientID), KeyClientSecret: []byte(leakClientSecret + "\n")})
	g.Expect(err).NotTo(HaveOccurred())

	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		t.Error("no request may reach Partner Center without a token")
	}, func(o *Options) {
		o.Credential = cred
		o.MaxAttempts = 2
	})
	ctx := logr.NewContext(context.Background(), logs.logger())

	tctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	_, tokErr := cred.GetToken(tctx, policy.TokenRequestOptions{Scopes: []string{Scope}})
	g.Expect(tokErr).To(HaveOccurred())
	cctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	_, callErr := c.GetProduct(cctx, "p1")
	g.Expect(callErr).To(HaveOccurred())
	t.Logf("token error: %v\ncall error: %v", tokErr, callErr)
	g.Expect(s.count()).To(Equal(0))
	// The controllers log errors from the context's logger, with values.
	logr.FromContextOrDiscard(ctx).Error(callErr, "reconciling failed", "offer", "contoso-analytics", "cause", tokErr)
	logr.FromContextOrDiscard(ctx).V(1).Info("token", "error", fmt.Sprintf("%+v", tokErr))

	texts := append(renderings(tokErr), renderings(callErr)...)
	texts = append(texts, logs.String())
	expectNoValue(g, "a failed token request", texts, leakClientSecret)
	g.Expect(logs.String()).To(ContainSubstring("reconciling failed"), "the logger was used")
}

// authFailure is what azidentity returns when Entra ID answers with an
// error; body is that answer, here one that echoes the request's form, as
// a misbehaving proxy might.
func authFailure(status int, body string) error {
	req, _ := http.NewRequest(http.MethodPost, "https://login.microsoftonline.com/"+leakTenantID+"/oauth2/v2.0/token", nil)
	return &azidentity.AuthenticationFailedError{RawResponse: &http.Response{StatusCode: status, Status: http.StatusText(status),
		Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: req}}
}

// failingCredential fails every GetToken with a fresh error from mk.
type failingCredential struct{ mk func() error }

func (f failingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, f.mk()
}

func TestCredentialLeakFromTokenErrors(t *testing.T) {
	echo := `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.",` +
		`"request":"grant_type=client_credentials&client_id=` + leakClientID + `&client_secret=` + url.QueryEscape(leakClientSecret) + `"}`
	for name, tc := range map[string]struct {
		mk    func() error
		class pc.Class
	}{
		"refused (401)":          {func() error { return authFailure(http.StatusUnauthorized, echo) }, pc.ClassTerminal},
		"bad request (400)":      {func() error { return authFailure(http.StatusBadRequest, echo) }, pc.ClassTerminal},
		"Entra ID failing (5xx)": {func() error { return authFailure(http.StatusServiceUnavailable, echo) }, pc.ClassTransient},
		"throttled (429)":        {func() error { return authFailure(http.StatusTooManyRequests, echo) }, pc.ClassTransient},
		"a Secret's error": {func() error {
			_, err := CredentialFromSecretData(map[string][]byte{KeyTenantID: []byte("no tenant " + leakClientSecret),
				KeyClientID: []byte(leakClientID), KeyClientSecret: []byte(leakClientSecret)})
			return fmt.Errorf("Secret cosell-operator-system/partner-center: %w", err)
		}, pc.ClassTerminal},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			var logs leakBuffer
			c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
				t.Error("no request may reach Partner Center without a token")
			}, func(o *Options) { o.Credential = failingCredential{tc.mk} })
			ctx := logr.NewContext(context.Background(), logs.logger())
			_, err := c.SubmitPreview(ctx, "p1")
			g.Expect(err).To(HaveOccurred())
			g.Expect(pc.ClassOf(err)).To(Equal(tc.class), "error: %v", err)
			g.Expect(s.count()).To(Equal(0))
			logr.FromContextOrDiscard(ctx).Error(err, "submitting failed", "offer", "contoso-analytics")
			expectNoValue(g, name, append(renderings(err), logs.String()), leakClientSecret)
		})
	}
}

// TestCredentialLeakOfBearerToken: the access token the adapter sends is a
// credential too; Partner Center's error answers and the caller's log never
// show it.
func TestCredentialLeakOfBearerToken(t *testing.T) {
	g := NewWithT(t)
	var logs leakBuffer
	cred := &fakeCredential{token: leakToken}
	c, s := newClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n % 3 {
		case 1:
			writeError(w, http.StatusUnauthorized, "unauthorized", "the token was refused")
		case 2:
			w.WriteHeader(http.StatusBadGateway) // a proxy's page, without JSON
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		default:
			writeError(w, http.StatusNotFound, "notFound", "no such product")
		}
	}, func(o *Options) {
		o.Credential = cred
		o.MaxAttempts = 1
	})
	ctx := logr.NewContext(context.Background(), logs.logger())
	var errs []string
	for i := 0; i < 3; i++ {
		_, err := c.GetProduct(ctx, "p1")
		g.Expect(err).To(HaveOccurred())
		logr.FromContextOrDiscard(ctx).Error(err, "reading the product failed")
		errs = append(errs, renderings(err)...)
	}
	g.Expect(s.requests()[0].Header.Get("Authorization")).To(Equal("Bearer "+leakToken), "the token was sent")
	expectNoValue(g, "errors of authenticated calls", append(errs, logs.String()), leakToken)
}

package connect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// TestCredentialLeakFromMalformedSecret: the errors a malformed credentials
// Secret causes name the Secret and its keys, never a value of its data.
// They reach status conditions and events.
func TestCredentialLeakFromMalformedSecret(t *testing.T) {
	const (
		tenant = "4d1c8a7e-0b5f-4c3a-9e2d-6f7a8b9c0d1e"
		client = "client-id-pangolin-6621"
		secret = "Zq8~s3cr3t-axolotl.value-never-shown"
		other  = "unrelated-value-in-the-secret-narwhal"
	)
	key := types.NamespacedName{Namespace: "cosell-operator-system", Name: "partner-center"}
	for name, data := range map[string]map[string][]byte{
		"no secret":                      {"tenantId": []byte(tenant), "clientId": []byte(client), "note": []byte(other)},
		"empty secret":                   {"tenantId": []byte(tenant), "clientId": []byte(client), "clientSecret": []byte("\n")},
		"no tenant":                      {"clientId": []byte(client), "clientSecret": []byte(secret), "note": []byte(other)},
		"bad tenant":                     {"tenantId": []byte("tenant=" + secret), "clientId": []byte(client), "clientSecret": []byte(secret)},
		"tenant is secret":               {"tenantId": []byte(secret + "!"), "clientId": []byte(client), "clientSecret": []byte(secret)},
		"keys in snake":                  {"tenant_id": []byte(tenant), "client_id": []byte(client), "client_secret": []byte(secret)},
		"binary":                         {"tenantId": {0xff, 0x00, 's'}, "clientId": []byte(client), "clientSecret": []byte(secret)},
		"workload identity and a secret": {"tenantId": []byte(tenant), "clientId": []byte(client), "clientSecret": []byte(secret), "useWorkloadIdentity": []byte("true")},
		"workload identity, no client":   {"tenantId": []byte(tenant), "useWorkloadIdentity": []byte("true"), "note": []byte(other)},
		"workload identity, bad flag":    {"tenantId": []byte(tenant), "clientId": []byte(client), "useWorkloadIdentity": []byte("yes")},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}, Data: data}
			cred := &SecretCredential{Reader: fake.NewClientBuilder().WithObjects(s).Build(), Key: key, Build: Identity{}.Credential}
			_, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{ingestion.Scope}})
			g.Expect(err).To(HaveOccurred())
			g.Expect(err.Error()).To(ContainSubstring("Secret cosell-operator-system/partner-center"), "the error names the Secret")
			g.Expect(pc.IsCredentials(err)).To(BeTrue(), "a credentials error: %v", err)
			texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)}
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error(), fmt.Sprintf("%#v", e))
			}
			for _, text := range texts {
				for _, v := range []string{tenant, client, secret, other} {
					g.Expect(text).NotTo(ContainSubstring(v), "the error shows a value of the Secret's data")
				}
				g.Expect(strings.ToLower(text)).NotTo(ContainSubstring("axolotl"))
			}
			// The same Secret fails the same way again: nothing is cached.
			_, again := cred.GetToken(context.Background(), policy.TokenRequestOptions{})
			g.Expect(again).To(MatchError(err.Error()))
		})
	}
}

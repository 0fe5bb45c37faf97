package connect

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

type staticCred string

func (c staticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(c), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestSecretCredentialFollowsTheSecret(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	key := types.NamespacedName{Namespace: "cosell-operator-system", Name: "partner-center"}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name},
		Data: map[string][]byte{"clientSecret": []byte("one")}}
	c := fake.NewClientBuilder().WithObjects(secret).Build()
	builds := 0
	cred := &SecretCredential{Reader: c, Key: key, Build: func(d map[string][]byte) (azcore.TokenCredential, error) {
		builds++
		return staticCred(d["clientSecret"]), nil
	}}

	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tok.Token).To(Equal("one"))
	_, _ = cred.GetToken(ctx, policy.TokenRequestOptions{})
	g.Expect(builds).To(Equal(1), "an unchanged Secret reuses the credential")

	secret.Data["clientSecret"] = []byte("two")
	g.Expect(c.Update(ctx, secret)).To(Succeed())
	tok, err = cred.GetToken(ctx, policy.TokenRequestOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tok.Token).To(Equal("two"))
	g.Expect(builds).To(Equal(2))

	g.Expect(c.Delete(ctx, secret)).To(Succeed())
	_, err = cred.GetToken(ctx, policy.TokenRequestOptions{})
	g.Expect(err).To(MatchError(ContainSubstring("reading Partner Center credentials from Secret cosell-operator-system/partner-center")))
	g.Expect(pc.IsTerminal(err)).To(BeTrue(), "a missing Secret needs a person")
	g.Expect(pc.CodeOf(err)).To(Equal(CodeMissing))
	g.Expect(pc.IsCredentials(err)).To(BeTrue())
}

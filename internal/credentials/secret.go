// Package credentials provides the Entra ID credential the operator uses
// for Partner Center, read from a Kubernetes Secret and re-read whenever the
// Secret changes, so that rotating the client secret needs no restart.
package credentials

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// CodeMissing is the code of the terminal *partnercenter.Error a Secret
// returns when the credentials Secret does not exist.
const CodeMissing = "credentialsMissing"

// FromSecretData builds a credential from a Secret's data. It is
// ingestion.CredentialFromSecretData in production; tests substitute it.
type FromSecretData func(map[string][]byte) (azcore.TokenCredential, error)

// The operator reads only the credentials Secret in its own namespace.
// +kubebuilder:rbac:groups="",namespace=system,resources=secrets,verbs=get;list;watch

// Secret is an azcore.TokenCredential backed by the Secret at Key. Each
// GetToken reads the Secret through Reader (the manager's cache, limited to
// that one Secret) and rebuilds the inner credential when the data changed.
// The inner credential caches tokens until they expire.
type Secret struct {
	Reader client.Reader
	Key    types.NamespacedName
	Build  FromSecretData

	mu    sync.Mutex
	hash  [32]byte
	inner azcore.TokenCredential
}

// GetToken implements azcore.TokenCredential.
func (s *Secret) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	inner, err := s.current(ctx)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return inner.GetToken(ctx, opts)
}

func (s *Secret) current(ctx context.Context) (azcore.TokenCredential, error) {
	secret := &corev1.Secret{}
	if err := s.Reader.Get(ctx, s.Key, secret); err != nil {
		if apierrors.IsNotFound(err) {
			// A person must create it; its creation wakes the objects.
			return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeMissing, Err: err,
				Message: fmt.Sprintf("reading Partner Center credentials from Secret %s: it does not exist; create it with the keys tenantId, clientId and clientSecret (--partner-center-secret)", s.Key)}
		}
		return nil, fmt.Errorf("reading Partner Center credentials from Secret %s: %w", s.Key, err)
	}
	h := HashData(secret.Data)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inner != nil && h == s.hash {
		return s.inner, nil
	}
	inner, err := s.Build(secret.Data)
	if err != nil {
		return nil, fmt.Errorf("Secret %s: %w", s.Key, err)
	}
	s.inner, s.hash = inner, h
	return inner, nil
}

// HashData is a digest of a Secret's data (keys and values, in key order):
// equal data, equal digest. Credentials rebuilt from a Secret are cached by
// it, so that a rotated Secret is picked up on its next read.
func HashData(data map[string][]byte) [32]byte {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s%d:", len(k), k, len(data[k]))
		h.Write(data[k])
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

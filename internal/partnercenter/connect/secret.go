package connect

import (
	"context"
	"fmt"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// CodeMissing is the code of the credentials error of a credentials Secret
// that does not exist.
const CodeMissing = "credentialsMissing"

// FromSecretData builds a credential from a Secret's data: Identity's
// Credential in production; tests substitute it.
type FromSecretData func(map[string][]byte) (azcore.TokenCredential, error)

// The operator reads only its own credentials Secret in its own namespace,
// by name: list and watch are those of the manager's cache of that one
// Secret, by a metadata.name field selector, which the API server
// authorizes against resourceNames. partner-center is the name of
// config/manager/manager.yaml's example; the chart's rbac.yaml puts the
// name of its Secret instead.
// +kubebuilder:rbac:groups="",namespace=system,resources=secrets,resourceNames=partner-center,verbs=get;list;watch

// SecretCredential is an azcore.TokenCredential backed by the Secret at
// Key. Each GetToken reads the Secret through Reader (the manager's cache,
// limited to that one Secret) and rebuilds the inner credential when the
// data changed, so that rotating the Secret needs no restart. The inner
// credential caches tokens until they expire.
type SecretCredential struct {
	Reader client.Reader
	Key    types.NamespacedName
	Build  FromSecretData

	mu    sync.Mutex
	hash  [32]byte
	inner azcore.TokenCredential
}

// GetToken implements azcore.TokenCredential.
func (s *SecretCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	inner, err := s.current(ctx)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return inner.GetToken(ctx, opts)
}

func (s *SecretCredential) current(ctx context.Context) (azcore.TokenCredential, error) {
	secret := &corev1.Secret{}
	if err := s.Reader.Get(ctx, s.Key, secret); err != nil {
		if apierrors.IsNotFound(err) {
			// A person must create it; its creation wakes the objects.
			return nil, &pc.Error{Class: pc.ClassTerminal, Code: CodeMissing, Credentials: true, Err: err,
				Message: fmt.Sprintf("reading Partner Center credentials from Secret %s: it does not exist; create it with the keys tenantId, clientId and clientSecret, or tenantId, clientId and useWorkloadIdentity: \"true\" (--partner-center-secret)", s.Key)}
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
		return nil, fmt.Errorf("the Secret %s: %w", s.Key, err)
	}
	s.inner, s.hash = inner, h
	return inner, nil
}

package connect

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Keys of a credentials Secret. A client-secret Secret has tenantId,
// clientId and clientSecret; a workload-identity Secret has tenantId,
// clientId and useWorkloadIdentity: "true", and no secret value
// (docs/guides/workload-identity.md).
const (
	KeyTenantID            = "tenantId"
	KeyClientID            = "clientId"
	KeyClientSecret        = "clientSecret"
	KeyUseWorkloadIdentity = "useWorkloadIdentity"
)

// Error codes of the credentials errors built from a Secret's data.
const (
	CodeIncomplete = "credentialsIncomplete"
	CodeInvalid    = "credentialsInvalid"
)

// Identity is what a workload-identity credential needs besides the
// Secret: the projected ServiceAccount token file and, in tests, where
// Entra ID is and how to reach it.
type Identity struct {
	// TokenFile is the projected ServiceAccount token; empty means
	// $AZURE_FEDERATED_TOKEN_FILE, which the AKS workload identity webhook
	// sets.
	TokenFile string
	// ClientOptions are azidentity's: Cloud sets the authority host
	// (default: $AZURE_AUTHORITY_HOST, else Microsoft Entra ID's).
	ClientOptions azcore.ClientOptions
	// DisableInstanceDiscovery skips Entra ID's instance metadata request,
	// for an authority host on loopback in tests.
	DisableInstanceDiscovery bool
}

// Credential builds the Entra ID credential of a credentials Secret's data
// (surrounding whitespace, such as the newline of `echo`, ignored): a
// client secret, or workload identity when useWorkloadIdentity is "true".
// The credential caches tokens until they expire.
//
// Errors are credentials *partnercenter.Error values that name the keys at
// fault and never carry a value.
func (id Identity) Credential(data map[string][]byte) (azcore.TokenCredential, error) {
	get := func(k string) string { return strings.TrimSpace(string(data[k])) }
	tenant, client, secret := get(KeyTenantID), get(KeyClientID), get(KeyClientSecret)
	wi, err := useWorkloadIdentity(get(KeyUseWorkloadIdentity))
	if err != nil {
		return nil, err
	}
	need := []string{KeyTenantID, KeyClientID, KeyClientSecret}
	if wi {
		if secret != "" {
			return nil, credentialsError(CodeInvalid, "the credentials Secret says useWorkloadIdentity and also holds a clientSecret: remove clientSecret (workload identity needs no secret value), or useWorkloadIdentity")
		}
		need = need[:2]
	}
	if missing := missingKeys(data, need); len(missing) > 0 {
		shape := "the keys tenantId, clientId and clientSecret of an Entra ID app registration, or tenantId, clientId and useWorkloadIdentity: \"true\""
		return nil, credentialsError(CodeIncomplete, "the credentials Secret lacks "+strings.Join(missing, ", ")+" (missing or empty); it needs "+shape)
	}
	var cred azcore.TokenCredential
	if wi {
		cred, err = id.workloadIdentity(tenant, client)
	} else {
		cred, err = azidentity.NewClientSecretCredential(tenant, client, secret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: id.ClientOptions, DisableInstanceDiscovery: id.DisableInstanceDiscovery})
	}
	if err != nil {
		// azidentity validates the tenant ID's form; its message is kept
		// without any of the values, and err itself is not wrapped.
		return nil, credentialsError(CodeInvalid, "the credentials Secret holds an unusable Entra ID credential: "+redact(err.Error(), tenant, client, secret))
	}
	return cred, nil
}

func useWorkloadIdentity(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, credentialsError(CodeInvalid, fmt.Sprintf("the credentials Secret's useWorkloadIdentity is %q: it must be \"true\" or \"false\"", v))
}

func missingKeys(data map[string][]byte, keys []string) []string {
	var missing []string
	for _, k := range keys {
		if strings.TrimSpace(string(data[k])) == "" {
			missing = append(missing, k)
		}
	}
	return missing
}

func credentialsError(code, msg string) *pc.Error {
	return &pc.Error{Class: pc.ClassTerminal, Code: code, Credentials: true, Message: msg}
}

// redact removes every value from msg.
func redact(msg string, values ...string) string {
	for _, v := range values {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	return msg
}

// workloadIdentity is azidentity's WorkloadIdentityCredential for the
// projected ServiceAccount token, rebuilt when the kubelet rewrites the
// token file. azidentity keeps an assertion it read for several minutes;
// rebuilding on a change of the file makes the next token request carry
// the token the kubelet just wrote, whenever that request comes.
type workloadIdentity struct {
	id             Identity
	tenant, client string
	file           string

	mu     sync.Mutex
	digest [32]byte
	inner  azcore.TokenCredential
}

func (id Identity) workloadIdentity(tenant, client string) (azcore.TokenCredential, error) {
	file := id.TokenFile
	if file == "" {
		file = os.Getenv("AZURE_FEDERATED_TOKEN_FILE")
	}
	if file == "" {
		return nil, credentialsError(CodeInvalid, "the credentials Secret asks for workload identity, but the operator's pod has no projected ServiceAccount token (AZURE_FEDERATED_TOKEN_FILE is not set): label the pod azure.workload.identity/use: \"true\" and annotate its ServiceAccount with azure.workload.identity/client-id (docs/guides/workload-identity.md)")
	}
	w := &workloadIdentity{id: id, tenant: tenant, client: client, file: file}
	// A first build checks the tenant ID's form at once.
	if _, err := w.build(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *workloadIdentity) build() (azcore.TokenCredential, error) {
	return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: w.id.ClientOptions, TenantID: w.tenant, ClientID: w.client, TokenFilePath: w.file,
		DisableInstanceDiscovery: w.id.DisableInstanceDiscovery,
	})
}

// GetToken implements azcore.TokenCredential.
func (w *workloadIdentity) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	inner, err := w.current()
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return inner.GetToken(ctx, opts)
}

func (w *workloadIdentity) current() (azcore.TokenCredential, error) {
	token, err := os.ReadFile(w.file)
	if err != nil {
		return nil, &pc.Error{Class: pc.ClassTransient, Credentials: true, Err: err,
			Message: fmt.Sprintf("reading the projected ServiceAccount token %s for workload identity: %v", w.file, err)}
	}
	digest := sha256.Sum256(token)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inner != nil && digest == w.digest {
		return w.inner, nil
	}
	inner, err := w.build()
	if err != nil {
		return nil, credentialsError(CodeInvalid, "workload identity: "+redact(err.Error(), w.tenant, w.client))
	}
	w.inner, w.digest = inner, digest
	return inner, nil
}

// HashData is a digest of a Secret's data (keys and values, in key order):
// equal data, equal digest. Clients and credentials built from a Secret
// are cached by it, so that a rotated Secret is picked up on its next read.
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

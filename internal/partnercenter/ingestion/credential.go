package ingestion

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Keys of the credentials Secret.
const (
	KeyTenantID     = "tenantId"
	KeyClientID     = "clientId"
	KeyClientSecret = "clientSecret"
)

// CredentialFromSecretData builds the Entra ID client-secret credential of
// a credentials Secret's data (keys tenantId, clientId, clientSecret;
// surrounding whitespace, such as the newline of `echo`, is ignored). The
// credential caches tokens until they expire.
//
// Errors are terminal *partnercenter.Error values that name the keys at
// fault and never carry a value: a person must fix the Secret, and its
// change wakes the controllers.
func CredentialFromSecretData(data map[string][]byte) (azcore.TokenCredential, error) {
	keys := []string{KeyTenantID, KeyClientID, KeyClientSecret}
	values := make([]string, len(keys))
	var missing []string
	for i, k := range keys {
		values[i] = strings.TrimSpace(string(data[k]))
		if values[i] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, &pc.Error{Class: pc.ClassTerminal, Code: "credentialsIncomplete",
			Message: "the credentials Secret lacks " + strings.Join(missing, ", ") +
				" (missing or empty); it needs the keys tenantId, clientId and clientSecret of an Entra ID app registration"}
	}
	cred, err := azidentity.NewClientSecretCredential(values[0], values[1], values[2], nil)
	if err != nil {
		// azidentity validates the tenant ID's form; its message is kept
		// without any of the values, and err itself is not wrapped.
		return nil, &pc.Error{Class: pc.ClassTerminal, Code: "credentialsInvalid",
			Message: "the credentials Secret holds an unusable Entra ID credential: " + redact(err.Error(), values...)}
	}
	return cred, nil
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

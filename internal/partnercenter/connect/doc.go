// Package connect is the Partner Center connection: the
// partnercenter.Connector the controllers call once per reconcile with the
// object's namespace, which gives the client that acts with that
// namespace's credentials.
//
// New builds it from the manager's flags: it starts the embedded simulator
// (on loopback) or checks the endpoint, builds the global client (the
// credentials Secret of --partner-center-secret, or none for a simulator),
// each with its own ingestion.Pacer, and, with team namespaces, builds each
// team's client on its first Connect.
//
//   - A team namespace uses only its own Secret, read uncached with a get of
//     that one Secret (a Role with resourceNames suffices), at most once per
//     SecretMaxAge however many reconciles ask at once (singleflight). A
//     missing, unreadable or incomplete Secret is a credentials error
//     (partnercenter.IsCredentials) that says what to create or grant; a
//     team never falls back to the global credential.
//   - Any other namespace uses the global client; without one, Connect
//     fails with a credentials error.
//
// A team's client is cached by the digest of its Secret's data, so a
// rotated Secret is used from the next read on, and keeps its pacer across
// rotations: one team's throttling never slows another's.
//
// Tokens go only to Microsoft's API hosts, over https (guard.go): a
// simulator gets no credential, and a request carrying a token to any other
// host is refused before it leaves. Credentials are an Entra ID client
// secret or workload identity (credential.go).
package connect

package connect

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// MicrosoftAPIHosts are the hosts a Partner Center token may be sent to:
// the Product Ingestion API (graph.microsoft.com, the audience of its
// token) and the Partner Ingestion API that has the co-sell endpoints
// (api.partner.microsoft.com), as /work/shared/partner-center/README.md
// ("The Product Ingestion API in facts", "What has no API") and
// internal/partnercenter/ingestion name them.
var MicrosoftAPIHosts = []string{"graph.microsoft.com", "api.partner.microsoft.com"}

// IsMicrosoftAPI reports whether u is one of MicrosoftAPIHosts over https.
func IsMicrosoftAPI(u *url.URL) bool {
	if u.Scheme != "https" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	for _, m := range MicrosoftAPIHosts {
		if h == m {
			return true
		}
	}
	return false
}

// IsLoopback reports whether host (a host name or IP, without port) is
// this machine: localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// tokenGuard is the outermost transport of every Partner Center client: a
// request that carries an Authorization header to anything but a Microsoft
// API host over https is refused before it leaves, redirects included. The
// adapter attaches a token only when the client has a credential, and a
// client gets one only for Microsoft's API (New); the guard makes sure a
// base URL, a redirect or a nextLink cannot carry it elsewhere.
type tokenGuard struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (g tokenGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" && !IsMicrosoftAPI(req.URL) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("refusing to send a Partner Center token to %s://%s: tokens go only to %s over https",
			req.URL.Scheme, req.URL.Host, strings.Join(MicrosoftAPIHosts, " and "))
	}
	return g.next.RoundTrip(req)
}

// checkEndpoint refuses, at start-up, an endpoint that would carry
// credentials in clear: plain http to a host that is not loopback when
// credentials are configured (a Secret or team namespaces).
func checkEndpoint(u *url.URL, withCredentials bool) error {
	if u.Scheme == "http" && withCredentials && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("--partner-center %s is plain http to %s, which is not loopback, and credentials are configured (--partner-center-secret or --team-namespaces): use https, or a simulator on loopback", u.Redacted(), u.Hostname())
	}
	return nil
}

// TokenGuard returns next behind the guard of tokenGuard: for clients
// built outside New, such as export's.
func TokenGuard(next http.RoundTripper) http.RoundTripper { return tokenGuard{next: next} }

package simulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The admin routes change state behind the operator's back: they answer
// only a client on loopback. /healthz answers anyone.
func TestAdminRoutesAnswerOnlyOnLoopback(t *testing.T) {
	s, err := New(Options{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, tc := range []struct {
		method, path, remote string
		want                 int
	}{
		{"GET", ExtensionPrefix + "/stats", "192.0.2.10:40000", http.StatusForbidden},
		{"PUT", ExtensionPrefix + "/faults", "10.1.2.3:40000", http.StatusForbidden},
		{"DELETE", ExtensionPrefix + "/products/p-1", "[2001:db8::1]:40000", http.StatusForbidden},
		{"GET", ExtensionPrefix + "/stats", "127.0.0.1:40000", http.StatusOK},
		{"GET", ExtensionPrefix + "/stats", "[::1]:40000", http.StatusOK},
		{"GET", "/healthz", "192.0.2.10:40000", http.StatusOK},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}"))
		req.RemoteAddr = tc.remote
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %s from %s: %d, want %d (%s)", tc.method, tc.path, tc.remote, rec.Code, tc.want, rec.Body)
		}
	}
}

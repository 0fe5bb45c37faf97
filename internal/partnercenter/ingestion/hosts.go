package ingestion

import (
	"net/url"
	"strings"
	"time"
)

// Host is what the adapter knows of a Partner Center host: whether it is
// Microsoft's, and so what it supports.
type Host struct {
	// Microsoft is true for Microsoft's hosts (graph.microsoft.com and any
	// other *.microsoft.com host).
	Microsoft bool
	// SimulatorExtensions is true for any other host: a simulator, which
	// serves the OCP GTM migration as an extension. Microsoft publishes no
	// API for it, so against Microsoft the adapter answers Unsupported.
	SimulatorExtensions bool
	// JobPollInterval is the default interval between two reads of a job.
	JobPollInterval time.Duration
	// NeedsCredentials is true when calls without a token cannot succeed.
	NeedsCredentials bool
}

// HostOf classifies the host of a base URL.
func HostOf(u *url.URL) Host {
	h := strings.ToLower(u.Hostname())
	if h == "microsoft.com" || strings.HasSuffix(h, ".microsoft.com") {
		return Host{Microsoft: true, JobPollInterval: MicrosoftJobPollInterval, NeedsCredentials: true}
	}
	return Host{SimulatorExtensions: true, JobPollInterval: SimulatorJobPollInterval}
}

// HostOfURL classifies the host of a base URL string; ok is false when it
// is not an http(s) URL with a host.
func HostOfURL(raw string) (Host, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Host{}, false
	}
	return HostOf(u), true
}

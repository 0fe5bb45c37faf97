package simulator

import (
	"net/http"
	"strings"
)

// Reads at the version asked. The overview: "$version" on a read is the
// highest version the caller accepts; each resource comes back at that
// version, or at the closest older one it has. A resource stored at a
// later version than asked is answered in the asked version's shape:
//
//   - a resource whose "kind" value exists only from a later version than
//     asked (kindSince) has no shape at the asked version and is left out
//     of the answer (a SaaS listing read at 2022-03-01-preview2);
//   - a price-and-availability-plan comes back at the version it was
//     written at, whatever the read asks: an observation overrides the
//     overview here (SAAS-FACTS.md: a real SaaS tree read at
//     2022-03-01-preview3 held its price-and-availability-plans at
//     preview4);
//   - any other resource comes back with the asked version in its $schema
//     and its properties as stored: Microsoft publishes no schema after
//     preview2, so the simulator knows no other difference between
//     versions.

// kindSince is the first version of the documented "kind" values that
// did not exist at preview2: azureSaaS (and azureSaaS-plan) since
// 2022-03-01-preview3, the release the overview's changelog names for SaaS
// ("SaaS preview support released as 2022-03-01-preview3"); the container
// and core-VM kinds are documented only by the examples of preview5 (the
// transactable-containers page), so the simulator takes preview5.
var kindSince = map[string]string{
	"azureSaaS":           "2022-03-01-preview3",
	"azureSaaS-plan":      "2022-03-01-preview3",
	"azureContainer":      "2022-03-01-preview5",
	"azureContainer-plan": "2022-03-01-preview5",
	"azureCoreVM-plan":    "2022-03-01-preview5",
}

// readVersion is the $version of a read (checked by serveAPI); a request
// without one (an internal caller) reads the newest.
func readVersion(r *http.Request) string {
	if v := r.URL.Query().Get(versionParam); v != "" {
		return v
	}
	return acceptedVersions[len(acceptedVersions)-1]
}

// laterVersion reports whether version a is later than b. The versions the
// simulator serves differ only in their last digit, so strings compare.
func laterVersion(a, b string) bool { return strings.Compare(a, b) > 0 }

// atVersion is a stored resource as a read at version asked answers it,
// and false when it has no shape at that version.
func atVersion(r resource, asked string) (resource, bool) {
	kind, stored := kindOf(str(r, "$schema"))
	if kind == "" || !laterVersion(stored, asked) || kind == kindPricePlan {
		return r, true
	}
	if since, ok := kindSince[str(r, "kind")]; ok && laterVersion(since, asked) {
		return nil, false
	}
	out := cloneResource(r)
	out["$schema"] = schemaURI(kind, asked)
	return out, true
}

// allAtVersion maps atVersion over resources, leaving out those without a
// shape at the asked version.
func allAtVersion(rs []resource, asked string) []resource {
	out := make([]resource, 0, len(rs))
	for _, r := range rs {
		if v, ok := atVersion(r, asked); ok {
			out = append(out, v)
		}
	}
	return out
}

// productAt is a product as a read at version asked answers it.
func productAt(p product, asked string) product {
	if _, stored := kindOf(p.Schema); laterVersion(stored, asked) {
		p.Schema = schemaURI(kindProduct, asked)
	}
	return p
}

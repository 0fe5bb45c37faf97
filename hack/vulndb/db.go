package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

// record is what the index needs of an OSV record; raw is the record as
// read, written to ID/<id>.json unchanged.
type record struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases"`
	Affected []struct {
		Module struct {
			Path string `json:"name"`
		} `json:"package"`
		Ranges []osvRange `json:"ranges"`
	} `json:"affected"`
	raw []byte
}

type osvRange struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced string `json:"introduced"`
		Fixed      string `json:"fixed"`
	} `json:"events"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Fixed    string    `json:"fixed,omitempty"`
}

type moduleMeta struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vulnMeta struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
}

// readRecords reads every <id>.json of dir; a record whose id is not its
// file name, or that does not parse, is an error (the data is pinned, so
// a bad record means a bad pin).
func readRecords(dir string) ([]*record, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no OSV records", dir)
	}
	recs := make([]*record, 0, len(names))
	for _, name := range names {
		data, err := os.ReadFile(name) //nolint:gosec // files of the pinned module
		if err != nil {
			return nil, err
		}
		r := &record{raw: data}
		if err := json.Unmarshal(data, r); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if r.ID+".json" != filepath.Base(name) {
			return nil, fmt.Errorf("%s: the record's id is %q, not its file name", name, r.ID)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// write writes the database of recs to out, replacing what was there.
func write(out string, recs []*record) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil { //nolint:gosec // public data
			return err
		}
	}
	var newest time.Time
	modules := map[string]*moduleMeta{}
	vulns := make([]vulnMeta, 0, len(recs))
	for _, r := range recs {
		if r.Modified.After(newest) {
			newest = r.Modified
		}
		vulns = append(vulns, vulnMeta{ID: r.ID, Modified: r.Modified, Aliases: r.Aliases})
		for _, a := range r.Affected {
			m := modules[a.Module.Path]
			if m == nil {
				m = &moduleMeta{Path: a.Module.Path, Vulns: []moduleVuln{}}
				modules[a.Module.Path] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: r.ID, Modified: r.Modified, Fixed: latestFix(a.Ranges)})
		}
		if err := os.WriteFile(filepath.Join(out, "ID", r.ID+".json"), r.raw, 0o644); err != nil { //nolint:gosec // public data
			return err
		}
	}
	return writeIndex(out, newest, modules, vulns)
}

func writeIndex(out string, newest time.Time, modules map[string]*moduleMeta, vulns []vulnMeta) error {
	mods := make([]*moduleMeta, 0, len(modules))
	for _, m := range modules {
		slices.SortFunc(m.Vulns, func(a, b moduleVuln) int { return strings.Compare(a.ID, b.ID) })
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b *moduleMeta) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(vulns, func(a, b vulnMeta) int { return strings.Compare(a.ID, b.ID) })
	for name, v := range map[string]any{
		"db.json":      map[string]time.Time{"modified": newest},
		"modules.json": mods,
		"vulns.json":   vulns,
	} {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, "index", name), data, 0o644); err != nil { //nolint:gosec // public data
			return err
		}
	}
	return nil
}

// latestFix is the index's "fixed": the highest fixed version of the
// SEMVER ranges, or "" when a vulnerability is introduced again after it
// (then every version must be checked against the record itself). The
// client only uses it to skip records a module's version is past.
func latestFix(ranges []osvRange) string {
	var latest string
	for _, r := range ranges {
		if r.Type != "SEMVER" {
			continue
		}
		for _, e := range r.Events {
			if e.Fixed != "" && less(latest, e.Fixed) {
				latest = e.Fixed
			}
		}
		for _, e := range r.Events {
			if e.Introduced != "" && e.Introduced != "0" && less(latest, e.Introduced) {
				latest = ""
				break
			}
		}
	}
	return latest
}

// less compares OSV versions (semver without the leading v); "" is
// lowest.
func less(a, b string) bool {
	return semver.Compare(canonical(a), canonical(b)) < 0
}

func canonical(v string) string {
	if v == "" {
		return ""
	}
	return "v" + v
}

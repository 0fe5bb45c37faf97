package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func writeRecord(t *testing.T, dir, id, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, id+".json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBuildsGovulncheckLayout: the records of data/osv become the
// database's documented layout, with each module's vulnerabilities and the
// fix the client may skip by.
func TestBuildsGovulncheckLayout(t *testing.T) {
	src := t.TempDir()
	osv := filepath.Join(src, "data", "osv")
	if err := os.MkdirAll(osv, 0o755); err != nil {
		t.Fatal(err)
	}
	writeRecord(t, osv, "GO-2026-0001", `{"id":"GO-2026-0001","modified":"2026-03-01T00:00:00Z","aliases":["CVE-1"],
		"affected":[{"package":{"name":"example.com/a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"},{"introduced":"1.3.0"},{"fixed":"1.4.1"}]}]}]}`)
	writeRecord(t, osv, "GO-2026-0002", `{"id":"GO-2026-0002","modified":"2026-05-01T00:00:00Z",
		"affected":[{"package":{"name":"example.com/a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"},{"introduced":"2.0.0"}]}]},
		{"package":{"name":"stdlib"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.26.9"}]}]}]}`)
	out := filepath.Join(t.TempDir(), "db")
	if err := run("", src, out); err != nil {
		t.Fatal(err)
	}
	var db struct{ Modified string }
	readJSON(t, filepath.Join(out, "index", "db.json"), &db)
	if db.Modified != "2026-05-01T00:00:00Z" {
		t.Errorf("db.json modified = %q, want the newest record's", db.Modified)
	}
	var mods []moduleMeta
	readJSON(t, filepath.Join(out, "index", "modules.json"), &mods)
	if len(mods) != 2 || mods[0].Path != "example.com/a" || mods[1].Path != "stdlib" {
		t.Fatalf("modules.json = %+v", mods)
	}
	a := mods[0].Vulns
	if len(a) != 2 || a[0].Fixed != "1.4.1" || a[1].Fixed != "" {
		t.Errorf("example.com/a vulns = %+v, want fixed 1.4.1, then none (introduced again after its fix)", a)
	}
	var vulns []vulnMeta
	readJSON(t, filepath.Join(out, "index", "vulns.json"), &vulns)
	if len(vulns) != 2 || vulns[0].Aliases[0] != "CVE-1" {
		t.Errorf("vulns.json = %+v", vulns)
	}
	if _, err := os.Stat(filepath.Join(out, "ID", "GO-2026-0002.json")); err != nil {
		t.Error(err)
	}
}

// TestRefusesRecordNotNamedByItsID: a record whose id is not its file
// name would be served under the wrong ID.
func TestRefusesRecordNotNamedByItsID(t *testing.T) {
	src := t.TempDir()
	osv := filepath.Join(src, "data", "osv")
	if err := os.MkdirAll(osv, 0o755); err != nil {
		t.Fatal(err)
	}
	writeRecord(t, osv, "GO-2026-0001", `{"id":"GO-2026-9999"}`)
	if err := run("", src, filepath.Join(t.TempDir(), "db")); err == nil {
		t.Fatal("a misnamed record was accepted")
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

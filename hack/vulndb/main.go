// Command vulndb builds the Go vulnerability database that govulncheck
// reads with -db file://DIR from a pinned version of the Go module
// golang.org/x/vulndb, whose data/osv/<id>.json are the database's
// records. The public database's site is not needed: the module comes
// through the Go module proxy like any other, and its version pins the
// data (make verify passes it).
//
// It writes the layout of the database's documented API (the v1 schema
// golang.org/x/vuln's client reads from a directory):
//
//	DIR/index/db.json       {"modified": newest record's modified}
//	DIR/index/modules.json  [{"path", "vulns": [{"id", "modified", "fixed"}]}]
//	DIR/index/vulns.json    [{"id", "modified", "aliases"}]
//	DIR/ID/<id>.json        each record, as in data/osv
//
// Usage: go run ./hack/vulndb -version <vulndb version> -out DIR
// (or -src DIR of an unpacked module). The output is rebuilt only when
// DIR/VERSION names another version.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const module = "golang.org/x/vulndb"

func main() {
	version := flag.String("version", "", "Version of "+module+" to build the database from (fetched with go mod download).")
	src := flag.String("src", "", "Folder of an unpacked "+module+" instead of -version (for tests).")
	out := flag.String("out", "", "Folder to write the database to. Required.")
	flag.Parse()
	if err := run(*version, *src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}

func run(version, src, out string) error {
	switch {
	case out == "":
		return errors.New("-out is required: the folder to write the database to")
	case (version == "") == (src == ""):
		return errors.New("give exactly one of -version (a version of " + module + ") and -src (an unpacked copy)")
	}
	stamp := version
	if version != "" {
		if got, err := os.ReadFile(filepath.Join(out, "VERSION")); err == nil && strings.TrimSpace(string(got)) == version { //nolint:gosec // the -out folder named on the command line
			return nil // built from this version already
		}
		dir, err := download(version)
		if err != nil {
			return err
		}
		src = dir
	} else {
		stamp = "src " + src
	}
	recs, err := readRecords(filepath.Join(src, "data", "osv"))
	if err != nil {
		return err
	}
	if err := write(out, recs); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "VERSION"), []byte(stamp+"\n"), 0o644) //nolint:gosec // public data
}

// download fetches the module through the Go module proxy (checked
// against go.sum's database like any module) and returns its folder.
func download(version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version) //nolint:gosec // the version is the Makefile's pin
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w", module, version, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(data, &info); err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w", module, version, err)
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	}
	return info.Dir, nil
}

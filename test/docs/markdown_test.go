// Package docs_test keeps README.md and docs/ honest: it runs the README's
// demo as written against the pieces of `make run`, and applies every other
// Kubernetes manifest of the docs with a server-side dry run. docs/README.md
// ("Writing docs") describes the markers it reads.
package docs_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// The markers: an HTML comment on the line before a fenced block (blank
// lines between are allowed), or around the demo.
const (
	markDemoBegins    = "demo begins"
	markDemoEnds      = "demo ends"
	markOutput        = "output"         // what the previous command prints
	markError         = "error"          // the previous command fails, printing this
	markSkip          = "skip"           // "skip: why": not run, not applied
	markSeed          = "seed"           // a simulator seed file
	markSolutionsFile = "solutions-file" // a legacy-solutions file of export
)

var markerLine = regexp.MustCompile(`^<!--\s*docs-test:\s*(.*?)\s*-->$`)

// block is one fenced code block of a Markdown file.
type block struct {
	file   string // relative to the repository
	line   int    // of the opening fence
	lang   string // the info string's first word: sh, yaml, text...
	body   string
	marker string // the marker just before it, if any
	demo   bool   // inside the README's demo
}

func (b block) String() string { return fmt.Sprintf("%s:%d (%s block)", b.file, b.line, b.lang) }

// readBlocks reads the fenced blocks of a Markdown file. A marker that is
// not one of the known ones, a skip without a reason, a demo that does not
// end, or a marker that belongs to no block is an error.
func readBlocks(root, rel string) ([]block, error) {
	f, err := os.Open(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		blocks  []block
		pending string // a marker waiting for its block
		demo    bool
		cur     *block
		body    strings.Builder
		fence   string
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cur != nil {
			if strings.TrimSpace(line) == fence {
				cur.body = body.String()
				blocks = append(blocks, *cur)
				cur = nil
				continue
			}
			body.WriteString(line + "\n")
			continue
		}
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			fence = trimmed[:strings.LastIndex(trimmed, "`")+1]
			lang, _, _ := strings.Cut(strings.TrimSpace(strings.TrimLeft(trimmed, "`")), " ")
			cur = &block{file: rel, line: n, lang: lang, marker: pending, demo: demo}
			pending = ""
			body.Reset()
			continue
		}
		if m := markerLine.FindStringSubmatch(trimmed); m != nil {
			if pending != "" {
				return nil, fmt.Errorf("%s:%d: marker %q is followed by another marker, not by a fenced block", rel, n, pending)
			}
			switch mark := m[1]; {
			case mark == markDemoBegins || mark == markDemoEnds:
				if demo == (mark == markDemoBegins) {
					return nil, fmt.Errorf("%s:%d: %q out of order", rel, n, mark)
				}
				demo = mark == markDemoBegins
			case mark == markOutput || mark == markError || mark == markSeed || mark == markSolutionsFile:
				pending = mark
			case strings.HasPrefix(mark, markSkip+":") && strings.TrimSpace(strings.TrimPrefix(mark, markSkip+":")) != "":
				pending = markSkip
			default:
				return nil, fmt.Errorf("%s:%d: unknown marker %q: use demo begins, demo ends, output, error, seed, solutions-file or \"skip: <why>\"", rel, n, mark)
			}
			continue
		}
		if trimmed != "" && pending != "" {
			return nil, fmt.Errorf("%s:%d: marker %q must be followed by a fenced block", rel, n, pending)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: the block never closes", rel, cur.line)
	}
	if demo {
		return nil, fmt.Errorf("%s: %q without %q", rel, markDemoBegins, markDemoEnds)
	}
	return blocks, nil
}

// docFiles are README.md and every Markdown file under docs/.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(root, path)
			files = append(files, rel)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// allBlocks reads the blocks of every doc file.
func allBlocks(t *testing.T) []block {
	t.Helper()
	root := testenv.RepoRoot()
	var all []block
	for _, rel := range docFiles(t, root) {
		blocks, err := readBlocks(root, rel)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b.demo && rel != "README.md" {
				t.Fatalf("%s: only README.md has a demo", b)
			}
		}
		all = append(all, blocks...)
	}
	return all
}

func TestMarkersAreWellFormed(t *testing.T) {
	blocks := allBlocks(t)
	demo := 0
	for _, b := range blocks {
		if b.demo {
			demo++
		}
		if (b.marker == markOutput || b.marker == markError) && !b.demo {
			t.Errorf("%s: an %s block is checked only inside the demo", b, b.marker)
		}
	}
	if demo == 0 {
		t.Errorf("README.md has no demo between <!-- docs-test: %s --> and <!-- docs-test: %s -->", markDemoBegins, markDemoEnds)
	}
}

// maxReadmeLines keeps the README what it is for: what the operator is,
// the two commands, the demo and links; everything else is in docs/.
const maxReadmeLines = 200

func TestReadmeIsShort(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, more than %d: move the detail into docs/ and link it", n, maxReadmeLines)
	}
}

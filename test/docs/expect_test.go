package docs_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cosell-operator/cosell-operator/test/internal/localrun"
)

// isTable says whether an expected output is a kubectl table.
func isTable(expected string) bool {
	return strings.HasPrefix(strings.TrimSpace(expected), "NAME ")
}

// matchTable checks that every row of the expected table is in the output
// with the cells shown, column by column; columns the README leaves out
// (AGE) are not compared.
func matchTable(expected, output string) error {
	want, err := localrun.ParseTables(strings.TrimSpace(expected) + "\n")
	if err != nil {
		return fmt.Errorf("the expected table: %w", err)
	}
	got, err := localrun.ParseTables(output)
	if err != nil {
		return fmt.Errorf("the output: %w", err)
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	var diffs []string
	for _, name := range names {
		row, ok := got[name]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("no row %s", name))
			continue
		}
		for col, v := range want[name] {
			if col == "NAME" {
				continue // the key: the kind's group may be left out
			}
			if g, ok := row[col]; !ok || g != v {
				diffs = append(diffs, fmt.Sprintf("%s %s: want %q, got %q", name, col, v, g))
			}
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s", strings.Join(diffs, "; "))
	}
	return nil
}

var spaces = regexp.MustCompile(`\s+`)

// matchText checks that the expected text appears in the output, spaces
// and line breaks compared loosely, "..." standing for anything.
func matchText(expected, output string) error {
	out := spaces.ReplaceAllString(output, " ")
	rest := out
	for _, piece := range strings.Split(expected, "...") {
		piece = strings.TrimSpace(spaces.ReplaceAllString(piece, " "))
		if piece == "" {
			continue
		}
		i := strings.Index(rest, piece)
		if i < 0 {
			return fmt.Errorf("%q is not in the output (after what matched before it)", piece)
		}
		rest = rest[i+len(piece):]
	}
	return nil
}

// matchOutput checks an output against what the README shows.
func matchOutput(expected, output string) error {
	if isTable(expected) {
		return matchTable(expected, output)
	}
	return matchText(expected, output)
}

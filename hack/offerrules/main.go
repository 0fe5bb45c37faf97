// Command offerrules writes the offer-type CEL rules of the
// MarketplaceOffer spec (v1alpha1.OfferTypeRules, made from the table in
// internal/partnercenter/wire/offertypes.go) into the marker block of
// api/v1alpha1/marketplaceoffer_types.go, so that the CRD and the
// operator's OfferTypeRefusals say the same, and the same table into
// docs/guides/what-git-manages.md. `make manifests` runs it before
// controller-gen; `make verify` fails when a file was stale.
package main

import (
	"fmt"
	"os"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// The files it writes, relative to the repository's root.
const (
	typesFile = "api/v1alpha1/marketplaceoffer_types.go"
	docsFile  = "docs/guides/what-git-manages.md"
)

func main() {
	if err := rewrite(typesFile, v1alpha1.WithOfferTypeMarkers); err != nil {
		fmt.Fprintln(os.Stderr, "offerrules:", err)
		os.Exit(1)
	}
	if err := rewrite(docsFile, withTable); err != nil {
		fmt.Fprintln(os.Stderr, "offerrules:", err)
		os.Exit(1)
	}
}

// rewrite replaces the file at path with what update makes of it, when
// that differs.
func rewrite(path string, update func(string) (string, error)) error {
	src, err := os.ReadFile(path) //nolint:gosec // one of the repository's files named above
	if err != nil {
		return err
	}
	out, err := update(string(src))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if out == string(src) {
		return nil
	}
	return os.WriteFile(path, []byte(out), 0o644) //nolint:gosec // a source file, readable as the others
}

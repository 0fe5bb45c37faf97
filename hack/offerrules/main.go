// Command offerrules writes the offer-type CEL rules of the
// MarketplaceOffer spec (v1alpha1.OfferTypeRules, made from the table in
// internal/partnercenter/wire/offertypes.go) into the marker block of
// api/v1alpha1/marketplaceoffer_types.go, so that the CRD and the
// operator's OfferTypeRefusals say the same. `make manifests` runs it
// before controller-gen; `make verify` fails when the file was stale.
package main

import (
	"fmt"
	"os"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

func main() {
	path := "api/v1alpha1/marketplaceoffer_types.go"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := rewrite(path); err != nil {
		fmt.Fprintln(os.Stderr, "offerrules:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	src, err := os.ReadFile(path) //nolint:gosec // the API types file named on the command line
	if err != nil {
		return err
	}
	out, err := v1alpha1.WithOfferTypeMarkers(string(src))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if out == string(src) {
		return nil
	}
	return os.WriteFile(path, []byte(out), 0o644) //nolint:gosec // a source file, readable as the others
}

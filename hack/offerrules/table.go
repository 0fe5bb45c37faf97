package main

import (
	"fmt"
	"strings"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Lines that open and close the generated table in the docs page.
const (
	tableBegin = "<!-- BEGIN offer-types table: written by hack/offerrules (make manifests) -->"
	tableEnd   = "<!-- END offer-types table -->"
)

// withTable returns the docs page src with the table of what Git manages
// per offer type between its BEGIN and END lines.
func withTable(src string) (string, error) {
	begin := strings.Index(src, tableBegin)
	end := strings.Index(src, tableEnd)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("no %q ... %q block", tableBegin, tableEnd)
	}
	return src[:begin] + tableBegin + "\n" + table() + src[end:], nil
}

// table renders wire.OfferTypes: for each part, Git (the spec field the
// operator writes) or Partner Center.
func table() string {
	var b strings.Builder
	b.WriteString("| Offer type | Listing | Plans | Plan pricing | CSP resell | Co-sell tab | Declare in `managedInPartnerCenter` |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, t := range wire.OfferTypes {
		pc := "Partner Center"
		cell := func(p wire.Part, git string) string {
			if t.Writes(p) {
				return git
			}
			return pc
		}
		pricing := pc
		if m := t.PricingModels(); len(m) > 0 {
			pricing = "Git: " + strings.Join(m, ", ") + "; other models: Partner Center"
		} else if !t.Writes(wire.PartPlans) {
			pricing = "Partner Center (with the plans)"
		}
		resell := cell(wire.PartResell, "Git: None, All (`spec.resell`); specific partners: Partner Center")
		var declare []string
		for _, p := range v1alpha1.ManagedInPartnerCenter(v1alpha1.OfferType(t.Spec)) {
			declare = append(declare, string(p))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", t.Spec,
			cell(wire.PartListing, "Git (`spec.listing`, required)"), cell(wire.PartPlans, "Git (`spec.plans`)"),
			pricing, resell, cell(wire.PartCoSell, "Git (`spec.coSell`) or Partner Center"), strings.Join(declare, ", "))
	}
	return b.String()
}

package simulator

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

const partner = "4871234"

func migrateBody(offerID, offerType, publisher string) wire.MigrateRequest {
	return wire.MigrateRequest{Schema: wire.Schema(wire.KindMigrationRequest), Identity: wire.Identity{ExternalID: offerID},
		Type: offerType, PublisherID: publisher}
}

func mergeBody(productRef, listingURI string) wire.MergeRequest {
	return wire.MergeRequest{Schema: wire.Schema(wire.KindMergeRequest), Product: productRef, ListingURI: listingURI,
		OfferType: "SoftwareAsAService", OfferName: "Contoso Analytics"}
}

func TestPrerequisites(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	get := func(partnerID, publisher string) (int, wire.Prerequisites) {
		var p wire.Prerequisites
		code, _ := a.call("GET", "migration/partners/"+partnerID+"/prerequisites?publisherId="+publisher, nil, &p)
		return code, p
	}
	code, p := get(partner, "contoso")
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(p).To(Equal(wire.Prerequisites{Schema: wire.Schema(wire.KindPrerequisites), PartnerID: partner,
		MembershipValid: true, MarketplaceAccount: true, PublisherRole: "Admin"}))
	_, p = get(partner, "someone-else")
	g.Expect(p.PublisherRole).To(BeEmpty())
	_, p = get("5550001", "northwind")
	g.Expect(p.MembershipValid).To(BeFalse())
	_, p = get("5550002", "fabrikam")
	g.Expect(p.PublisherRole).To(Equal("Marketer"))
	code, _ = get("9999999", "contoso")
	g.Expect(code).To(Equal(http.StatusNotFound))
}

func TestMigrateAdoptsDraft(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g

	// The MarketplaceOffer was applied first: a never-submitted draft exists.
	pid := a.createProduct("contoso-fieldservice", "azureApplication")
	a.mustSucceed(listing(pid, "Contoso Field Service", "Own summary", longDescription, "https://contoso.example/privacy"))

	code, sol, e := a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	g.Expect(sol.State).To(Equal(wire.SolutionMigrated))
	g.Expect(sol.Product).To(Equal(wire.ProductRef(pid)), "the existing draft is adopted")
	p := a.product(pid)
	g.Expect(p.MigratedFrom).To(Equal("ocp-contoso-fieldservice"))

	var tree wire.ResourceTree
	a.call("GET", "resource-tree/product/"+pid+"?targetType=draft", nil, &tree)
	var docs []wire.Document
	var summary string
	for _, r := range tree.Resources {
		switch wire.KindOf(r.Schema) {
		case wire.KindCoSellListing:
			docs = r.Documents
		case wire.KindListing:
			summary = r.Summary
		}
	}
	g.Expect(docs).To(ContainElement(HaveField("Type", "SolutionOnePager")), "the bill of materials joins the co-sell documents")
	g.Expect(summary).To(Equal("Own summary"), "the draft's own listing is kept")

	// Idempotent.
	code, again, _ := a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(again).To(Equal(sol))
	g.Expect(a.sim.Stats().Migrations).To(Equal(map[string]int{"ocp-contoso-fieldservice": 1}))
	g.Expect(a.findProducts("contoso-fieldservice")).To(HaveLen(1))

	// Another solution cannot take the migrated product.
	code, _, e = a.solutionAction(partner, "ocp-contoso-legacy-crm", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(wire.CodeProductExists))

	// Migrating into a new offer creates a draft from the solution.
	code, crm, e := a.solutionAction(partner, "ocp-contoso-legacy-crm", "migrate", migrateBody("contoso-crm-connector", "dynamics365ForCustomerEngagement", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	crmID, _ := wire.ParseProductRef(crm.Product)
	a.call("GET", "resource-tree/product/"+crmID+"?targetType=draft", nil, &tree)
	g.Expect(tree.Resources).To(ContainElement(And(HaveField("Title", "Contoso Legacy CRM Connector"),
		HaveField("Summary", HavePrefix("Synchronises")))))
	g.Expect(a.product(crmID).Alias).To(Equal("Contoso Legacy CRM Connector"))

	// A migrated solution cannot be discarded.
	code, _, e = a.solutionAction(partner, "ocp-contoso-legacy-crm", "discard", nil)
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(wire.CodeInvalidState))
	g.Expect(e.Error.Message).To(ContainSubstring("migrated"))
}

func TestMigrateRefusesSubmittedDraft(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	pid := a.createProduct("contoso-fieldservice", "azureApplication")
	a.mustSucceed(fieldServiceDraft(pid)...)
	a.submit(pid, wire.TargetPreview, "")
	code, _, e := a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	a.g.Expect(code).To(Equal(http.StatusConflict))
	a.g.Expect(e.Error.Code).To(Equal(wire.CodeProductExists))
	a.g.Expect(a.solution(partner, "ocp-contoso-fieldservice").State).To(Equal(wire.SolutionPendingMigration))
}

func TestMigrationNeedsPrerequisites(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	code, _, e := a.solutionAction("5550001", "ocp-northwind-inventory", "migrate", migrateBody("northwind-inventory", "softwareAsAService", "northwind"))
	g.Expect(code).To(Equal(http.StatusForbidden))
	g.Expect(e.Error.Message).To(ContainSubstring("membership"))
	code, _, e = a.solutionAction("5550002", "ocp-fabrikam-payroll", "migrate", migrateBody("fabrikam-payroll", "softwareAsAService", "fabrikam"))
	g.Expect(code).To(Equal(http.StatusForbidden))
	g.Expect(e.Error.Message).To(ContainSubstring("Marketer"))
	code, _, _ = a.solutionAction(partner, "no-such-solution", "discard", nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	code, _, _ = a.solutionAction("9999999", "ocp-contoso-analytics", "discard", nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	code, _, e = a.solutionAction(partner, "ocp-contoso-analytics", "migrate", migrateBody("Bad ID", "saas", ""))
	g.Expect(code).To(Equal(http.StatusBadRequest))
	g.Expect(e.Error.Message).To(And(ContainSubstring("externalId"), ContainSubstring("type"), ContainSubstring("publisherId")))
}

func TestMergeCompletesAfterDelay(t *testing.T) {
	a := newAPI(t, Options{MergeDelay: 150 * time.Millisecond}, nil)
	g := a.g
	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	a.mustSucceed(analyticsDraft(pid)...)

	// Not live yet.
	code, _, e := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody(wire.ProductRef(pid), ""))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(wire.CodeInvalidState))
	g.Expect(e.Error.Message).To(ContainSubstring("must be live first"))

	a.publish(pid)
	code, sol, e := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody(wire.ProductRef(pid), ""))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	g.Expect(sol.State).To(Equal(wire.SolutionMergeRequested))
	g.Expect(sol.SupportRequestID).NotTo(BeEmpty())
	g.Expect(sol.Product).To(Equal(wire.ProductRef(pid)))

	// Repeating is idempotent; another target is a conflict.
	code, again, _ := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody(wire.ProductRef(pid), ""))
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(again.SupportRequestID).To(Equal(sol.SupportRequestID))
	code, _, e = a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("", "https://appsource.microsoft.com/product/other"))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(wire.CodeInvalidState))

	// The product learns of the merge without anyone reading the solution.
	g.Eventually(func() []string { return a.product(pid).MergedSolutions }).
		WithTimeout(5 * time.Second).WithPolling(20 * time.Millisecond).Should(Equal([]string{"ocp-contoso-analytics"}))
	g.Expect(a.solution(partner, "ocp-contoso-analytics").State).To(Equal(wire.SolutionMerged))
	g.Expect(a.sim.Stats().MergeRequests).To(Equal(map[string]int{"ocp-contoso-analytics": 1}))

	// A merged solution cannot be discarded.
	code, _, _ = a.solutionAction(partner, "ocp-contoso-analytics", "discard", nil)
	g.Expect(code).To(Equal(http.StatusConflict))
}

func TestMergeByListingURI(t *testing.T) {
	a := newAPI(t, Options{MergeDelay: 0}, nil)
	g := a.g
	for _, bad := range []string{"http://appsource.microsoft.com/product/x", "https://example.com/product/x", "::"} {
		code, _, e := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("", bad))
		g.Expect(code).To(Equal(http.StatusBadRequest), bad)
		g.Expect(e.Error.Message).To(ContainSubstring("appsource.microsoft.com"))
	}
	// With both, the durable ID names the offer (here one that does not exist).
	code, _, _ := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody(wire.ProductRef("x"), "https://appsource.microsoft.com/product/x"))
	g.Expect(code).To(Equal(http.StatusNotFound), "both product and listingUri")
	code, _, _ = a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("", ""))
	g.Expect(code).To(Equal(http.StatusBadRequest), "neither")

	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	a.mustSucceed(analyticsDraft(pid)...)
	live := a.publish(pid)
	code, sol, e := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("", live.LiveLink))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	g.Expect(sol.Product).To(Equal(wire.ProductRef(pid)), "the URL of a simulated live offer links the merge")
	g.Eventually(func() string { return a.solution(partner, "ocp-contoso-analytics").State }).Should(Equal(wire.SolutionMerged))
	g.Expect(a.product(pid).MergedSolutions).To(Equal([]string{"ocp-contoso-analytics"}))
}

func TestDiscardAndUndo(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	const sol = "ocp-contoso-legacy-crm"
	code, undo, _ := a.solutionAction(partner, sol, "undo-discard", nil)
	g.Expect(code).To(Equal(http.StatusOK), "nothing to undo is idempotent")
	g.Expect(undo.State).To(Equal(wire.SolutionPendingMigration))
	for range 2 {
		code, s, e := a.solutionAction(partner, sol, "discard", nil)
		g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
		g.Expect(s.State).To(Equal(wire.SolutionDiscarded))
	}
	// Discarded solutions cannot be migrated or merged until the discard is undone.
	code, _, e := a.solutionAction(partner, sol, "migrate", migrateBody("contoso-crm", "softwareAsAService", "contoso"))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Message).To(ContainSubstring("undo the discard"))
	for range 2 {
		code, s, _ := a.solutionAction(partner, sol, "undo-discard", nil)
		g.Expect(code).To(Equal(http.StatusOK))
		g.Expect(s.State).To(Equal(wire.SolutionPendingMigration))
	}
	stats := a.sim.Stats()
	g.Expect(stats.Discards).To(Equal(map[string]int{sol: 1}))
	g.Expect(stats.UndoDiscards).To(Equal(map[string]int{sol: 1}))
	g.Expect(stats.Requests).To(HaveKeyWithValue("POST migration/discard 200", 2))
}

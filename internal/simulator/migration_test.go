package simulator

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func TestPrerequisites(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	get := func(partnerID, publisher string) (int, prerequisites) {
		var p prerequisites
		code, body := a.do("GET", gtmPath(partnerID, "prerequisites?publisherId="+publisher), nil)
		if code == http.StatusOK {
			g.Expect(json.Unmarshal(body, &p)).To(Succeed())
		}
		return code, p
	}
	code, p := get(partner, "contoso")
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(p).To(Equal(prerequisites{PartnerID: partner,
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
	own := listingRes("product/" + pid)
	own["shortDescription"] = "Own summary"
	a.mustSucceed(own)

	code, sol, e := a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	g.Expect(sol.State).To(Equal(solutionMigrated))
	g.Expect(sol.Product).To(Equal(pid), "the existing draft is adopted")
	g.Expect(a.treeResource(pid, "draft", "listing")["shortDescription"]).To(Equal("Own summary"), "the draft's own listing is kept")
	refs := a.coSellListing(pid)["assetReferences"]
	g.Expect(refs).To(ContainElement(map[string]any{"type": "SolutionOnePager", "value": "https://contoso.example/fieldservice/one-pager.pdf"}),
		"the bill of materials joins the co-sell listing")

	// Idempotent.
	code, again, _ := a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(again).To(Equal(sol))
	g.Expect(a.sim.Stats().Migrations).To(Equal(map[string]int{"ocp-contoso-fieldservice": 1}))
	g.Expect(a.sim.Stats().ProductsByOfferID["contoso-fieldservice"]).To(Equal(1))

	// Another solution cannot take the migrated product.
	code, _, e = a.solutionAction(partner, "ocp-contoso-legacy-crm", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(extProductExists))

	// Migrating into a new offer creates a draft from the solution.
	code, crm, e := a.solutionAction(partner, "ocp-contoso-legacy-crm", "migrate", migrateBody("contoso-crm-connector", "softwareAsAService", "contoso"))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	crmID := crm.Product
	l := a.treeResource(crmID, "draft", "listing")
	g.Expect(l["title"]).To(Equal("Contoso Legacy CRM Connector"))
	g.Expect(l["shortDescription"]).To(HavePrefix("Synchronises"))
	a.expectValidResource(l)
	g.Expect(a.product(crmID).Alias).To(Equal("Contoso Legacy CRM Connector"))

	// A migrated solution cannot be discarded.
	code, _, e = a.solutionAction(partner, "ocp-contoso-legacy-crm", "discard", nil)
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(extInvalidState))
	g.Expect(e.Error.Message).To(ContainSubstring("migrated"))
}

func TestMigrateRefusesSubmittedDraft(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	pid := a.createProduct("contoso-fieldservice", "azureApplication")
	a.mustSucceed(listingRes("product/" + pid))
	a.submit(pid, targetPreview, "")
	code, _, e := a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	a.g.Expect(code).To(Equal(http.StatusConflict))
	a.g.Expect(e.Error.Code).To(Equal(extProductExists))
	a.g.Expect(a.solution(partner, "ocp-contoso-fieldservice").State).To(Equal(solutionPendingMigration))
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
	pid, _ := a.createOffer("contoso-analytics")

	// Not live yet.
	code, _, e := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("product/"+pid, ""))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(extInvalidState))
	g.Expect(e.Error.Message).To(ContainSubstring("must be live first"))

	a.publish(pid)
	code, sol, e := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("product/"+pid, ""))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	g.Expect(sol.State).To(Equal(solutionMergeRequested))
	g.Expect(sol.SupportRequestID).NotTo(BeEmpty())
	g.Expect(sol.Product).To(Equal(pid))

	// Repeating is idempotent; another target is a conflict.
	code, again, _ := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("product/"+pid, ""))
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(again.SupportRequestID).To(Equal(sol.SupportRequestID))
	code, _, e = a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("", "https://appsource.microsoft.com/product/other"))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Code).To(Equal(extInvalidState))

	// The product learns of the merge without anyone reading the solution.
	g.Eventually(func() []string { return a.mergedInto(pid) }).
		WithTimeout(5 * time.Second).WithPolling(20 * time.Millisecond).Should(Equal([]string{"ocp-contoso-analytics"}))
	g.Expect(a.solution(partner, "ocp-contoso-analytics").State).To(Equal(solutionMerged))
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
	code, _, _ := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("product/00000000-0000-4000-8000-000000000000", "https://appsource.microsoft.com/product/x"))
	g.Expect(code).To(Equal(http.StatusNotFound), "both product and listingUri")
	code, _, _ = a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("", ""))
	g.Expect(code).To(Equal(http.StatusBadRequest), "neither")

	pid, _ := a.createOffer("contoso-analytics")
	a.publish(pid)
	code, sol, e := a.solutionAction(partner, "ocp-contoso-analytics", "merge", mergeBody("", "https://appsource.microsoft.com/product/contoso-analytics"))
	g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	g.Expect(sol.Product).To(Equal(pid), "the URL of a simulated live offer links the merge")
	g.Eventually(func() string { return a.solution(partner, "ocp-contoso-analytics").State }).Should(Equal(solutionMerged))
	g.Expect(a.mergedInto(pid)).To(Equal([]string{"ocp-contoso-analytics"}))
}

func TestDiscardAndUndo(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	const sol = "ocp-contoso-legacy-crm"
	code, undo, _ := a.solutionAction(partner, sol, "undo-discard", nil)
	g.Expect(code).To(Equal(http.StatusOK), "nothing to undo is idempotent")
	g.Expect(undo.State).To(Equal(solutionPendingMigration))
	for range 2 {
		code, s, e := a.solutionAction(partner, sol, "discard", nil)
		g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
		g.Expect(s.State).To(Equal(solutionDiscarded))
	}
	// Discarded solutions cannot be migrated or merged until the discard is undone.
	code, _, e := a.solutionAction(partner, sol, "migrate", migrateBody("contoso-crm", "softwareAsAService", "contoso"))
	g.Expect(code).To(Equal(http.StatusConflict))
	g.Expect(e.Error.Message).To(ContainSubstring("undo the discard"))
	for range 2 {
		code, s, _ := a.solutionAction(partner, sol, "undo-discard", nil)
		g.Expect(code).To(Equal(http.StatusOK))
		g.Expect(s.State).To(Equal(solutionPendingMigration))
	}
	stats := a.sim.Stats()
	g.Expect(stats.Discards).To(Equal(map[string]int{sol: 1}))
	g.Expect(stats.UndoDiscards).To(Equal(map[string]int{sol: 1}))
	g.Expect(stats.Requests).To(HaveKeyWithValue("POST ocp-gtm/discard 200", 2))
}

// mergedInto lists the solutions merged into a product (from the
// extension's solutions list: the published product has no such field).
func (a *api) mergedInto(productID string) []string {
	a.t.Helper()
	code, body := a.do("GET", gtmPath(partner, "solutions"), nil)
	a.g.Expect(code).To(Equal(http.StatusOK))
	var l listOf[legacySolution]
	a.g.Expect(json.Unmarshal(body, &l)).To(Succeed())
	var out []string
	for _, s := range l.Value {
		if s.Product == productID && s.State == solutionMerged {
			out = append(out, s.SolutionID)
		}
	}
	return out
}

// TestMigrateWithoutDocumentedListing: a migration into an offer type
// whose listing Microsoft documents no Product Ingestion kind for makes a
// draft product without a listing, and it passes certification.
func TestMigrateWithoutDocumentedListing(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	code, sol, e := a.solutionAction(partner, "ocp-contoso-fieldservice", "migrate", migrateBody("contoso-fieldservice", "azureApplication", "contoso"))
	a.g.Expect(code).To(Equal(http.StatusOK), "%+v", e)
	a.g.Expect(kinds(a.tree(sol.Product, "draft").Resources)).To(Equal([]string{"product"}))
	a.publish(sol.Product)
}

// With NoOCPGTM the OCP GTM extension answers as an unknown route does,
// as Microsoft's hosts (which publish no migration API) would, while the
// published API and the admin routes are still served.
func TestNoOCPGTMTurnsTheExtensionOff(t *testing.T) {
	a := newAPI(t, Options{NoOCPGTM: true}, nil)
	g := a.g
	for _, rt := range []struct{ method, path string }{
		{"GET", gtmPath(partner, "prerequisites")},
		{"GET", gtmPath(partner, "solutions")},
		{"POST", gtmPath(partner, "solutions/ocp-contoso-legacy-crm/discard")},
	} {
		code, body := a.do(rt.method, rt.path, nil)
		g.Expect(code).To(Equal(http.StatusNotFound), rt.path)
		g.Expect(string(body)).To(ContainSubstring("no route for "+rt.method), rt.path)
	}
	code, _ := a.do("GET", "/healthz", nil)
	g.Expect(code).To(Equal(http.StatusOK))
}

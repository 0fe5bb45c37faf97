package plan

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

const samples = "../../config/samples/"

// The three sample Solutions against the simulator's seed, where each
// legacy solution is pending migration: plan names the call each would
// make, and the offer the migration makes is not planned as a create.
func TestPlanSolutions(t *testing.T) {
	g := NewWithT(t)
	sim, c := startSimulator(t)
	files := []string{samples + "marketplace_v1alpha1_solution_discard.yaml", samples + "marketplace_v1alpha1_solution_merge.yaml",
		samples + "marketplace_v1alpha1_solution_migrate.yaml", samples + "marketplace_v1alpha1_marketplaceoffer_fieldservice.yaml"}
	code, res := planJSON(t, sim.URL(), files...)
	g.Expect(code).To(Equal(ExitChanges))
	byName := map[string]Object{}
	for _, o := range res.Objects {
		byName[o.Name] = o
	}
	g.Expect(actions(byName["contoso-fieldservice"])).To(BeEmpty(), "the migration makes the product")
	g.Expect(byName["contoso-fieldservice"].Notes).To(ContainElement(ContainSubstring("the migration of a legacy solution")))
	g.Expect(actions(byName["ocp-contoso-legacy-crm"])).To(Equal([]string{ActionDiscardSolution}))
	g.Expect(actions(byName["ocp-contoso-analytics"])).To(Equal([]string{ActionRequestMerge}))
	g.Expect(byName["ocp-contoso-analytics"].Notes).To(ContainElement(ContainSubstring("MarketplaceOffer contoso-analytics is not in the input")))
	g.Expect(actions(byName["ocp-contoso-fieldservice"])).To(Equal([]string{ActionMigrateSolution}))
	g.Expect(byName["ocp-contoso-fieldservice"].Actions[0].Message).To(ContainSubstring("offer contoso-fieldservice (AzureApplication, publisher contoso)"))
	noWrites(g, sim)

	// Discarded: nothing left for the Discard; a Migrate of it first
	// undoes the discard.
	_, err := c.DiscardSolution(context.Background(), "4871234", "ocp-contoso-legacy-crm")
	g.Expect(err).NotTo(HaveOccurred())
	_, res = planJSON(t, sim.URL(), samples+"marketplace_v1alpha1_solution_discard.yaml")
	g.Expect(res.Objects[0].Actions).To(BeEmpty())
	g.Expect(res.Objects[0].Notes).To(ContainElement("Partner Center reports the legacy solution " + string(pc.SolutionStateDiscarded)))
	merge := strings.Replace(readFile(t, samples+"marketplace_v1alpha1_solution_discard.yaml"), "action: Discard",
		"action: Merge\n  merge:\n    offerURL: https://appsource.microsoft.com/product/saas/contoso.crm", 1)
	file := t.TempDir() + "/merge.yaml"
	writeFile(t, file, merge)
	_, res = planJSON(t, sim.URL(), file)
	g.Expect(actions(res.Objects[0])).To(Equal([]string{ActionUndoDiscard, ActionRequestMerge}))

	// A legacy solution the partner does not have stalls.
	missing := strings.Replace(merge, "solutionID: ocp-contoso-legacy-crm", "solutionID: ocp-contoso-nothing", 1)
	writeFile(t, file, missing)
	_, res = planJSON(t, sim.URL(), file)
	g.Expect(actions(res.Objects[0])).To(Equal([]string{ActionSolutionNotFound}))
	for k, n := range sim.Stats().Requests {
		if !strings.HasPrefix(k, "GET ") {
			g.Expect(k).To(Equal("POST ocp-gtm/discard 200"), "plan made a write")
			g.Expect(n).To(Equal(1), "the test's discard only")
		}
	}
}

// Against a Partner Center without the migration API (Microsoft's), a
// Solution is a note: the operator hands it off.
func TestPlanSolutionWithoutMigrationAPI(t *testing.T) {
	g := NewWithT(t)
	sim, _ := startSimulator(t)
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), NoExtensions: true})
	g.Expect(err).NotTo(HaveOccurred())
	in, err := ReadInput([]string{samples + "marketplace_v1alpha1_solution_discard.yaml"}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	res, err := Run(context.Background(), c, in)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Changes).To(BeFalse())
	g.Expect(res.Objects[0].Notes).To(ContainElement(ContainSubstring("no OCP GTM migration API")))
}

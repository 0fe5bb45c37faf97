package simulator

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

func TestDefaultSeed(t *testing.T) {
	g := NewWithT(t)
	seed, err := LoadSeed("")
	g.Expect(err).NotTo(HaveOccurred())
	partners, solutions := seed.records()
	byID := map[string]partnerRec{}
	for _, p := range partners {
		byID[p.PartnerID] = p
	}
	g.Expect(byID["4871234"]).To(Equal(partnerRec{PartnerID: "4871234", MembershipValid: true, MarketplaceAccount: true,
		Publishers: map[string]string{"contoso": "Admin"}}))
	g.Expect(byID["5550001"].MembershipValid).To(BeFalse())
	g.Expect(byID["5550002"].Publishers).To(Equal(map[string]string{"fabrikam": "Marketer"}))
	var contoso []string
	for _, s := range solutions {
		if s.PartnerID == "4871234" {
			contoso = append(contoso, s.SolutionID)
			g.Expect(s.BillOfMaterials).To(ContainElements(HaveField("Type", "SolutionOnePager"), HaveField("Type", "PitchDeck")))
			g.Expect(s.Name).NotTo(BeEmpty())
			g.Expect(s.Summary).NotTo(BeEmpty())
		}
	}
	g.Expect(contoso).To(ConsistOf("ocp-contoso-analytics", "ocp-contoso-fieldservice", "ocp-contoso-legacy-crm"))
}

func TestSeedValidation(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"not YAML":         {"partners: [", "yaml"},
		"unknown field":    {"partners: [{partnerID: '1', colour: red}]", "colour"},
		"empty":            {"{}", "partners: at least one partner"},
		"no partnerID":     {"partners: [{membershipValid: true}]", "partners[0].partnerID: required"},
		"partnerID digits": {"partners: [{partnerID: abc}]", "partners[0].partnerID"},
		"duplicate":        {"partners: [{partnerID: '1'}, {partnerID: '1'}]", "partners[1].partnerID"},
		"role":             {"partners: [{partnerID: '1', publishers: [{publisherID: p}]}]", "partners[0].publishers[0].role: required"},
		"solution name":    {"partners: [{partnerID: '1', solutions: [{solutionID: s}]}]", "partners[0].solutions[0].name: required"},
		"duplicate solution": {"partners: [{partnerID: '1', solutions: [{solutionID: s, name: S}, {solutionID: s, name: S}]}]",
			"partners[0].solutions[1].solutionID"},
		"document url": {"partners: [{partnerID: '1', solutions: [{solutionID: s, name: S, billOfMaterials: [{type: PitchDeck, url: 'http://x'}]}]}]",
			"partners[0].solutions[0].billOfMaterials[0].url"},
		"generate count": {"generate: {partnerID: '9', publisherID: bench, solutions: 0}", "generate.solutions"},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := ParseSeed([]byte(tc.yaml))
			g.Expect(err).To(MatchError(ContainSubstring(tc.want)))
		})
	}

	g := NewWithT(t)
	path := filepath.Join(t.TempDir(), "seed.yaml")
	g.Expect(os.WriteFile(path, []byte("partners: [{partnerID: x}]"), 0o600)).To(Succeed())
	_, err := New(Options{SeedFile: path})
	g.Expect(err).To(MatchError(And(ContainSubstring(path), ContainSubstring("partners[0].partnerID"))))
	_, err = New(Options{SeedFile: filepath.Join(t.TempDir(), "missing.yaml")})
	g.Expect(err).To(HaveOccurred())
	_, err = New(Options{Faults: "429=7"})
	g.Expect(err).To(MatchError(ContainSubstring("429=7")))
}

func TestGeneratedSeed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.yaml")
	g := NewWithT(t)
	g.Expect(os.WriteFile(path, []byte(`
partners:
  - partnerID: "4871234"
    membershipValid: true
    marketplaceAccount: true
    publishers: [{publisherID: contoso, role: Admin}]
generate: {partnerID: "5559999", publisherID: bench, solutions: 3}
`), 0o600)).To(Succeed())
	a := newAPI(t, Options{SeedFile: path}, nil)
	sol := a.solution("5559999", "bench-sol-00003")
	g.Expect(sol.Name).To(Equal("Bench Solution 00003"))
	g.Expect(sol.State).To(Equal(solutionPendingMigration))
	code, body := a.do("GET", gtmPath("5559999", "prerequisites?publisherId=bench"), nil)
	g.Expect(code).To(Equal(200))
	g.Expect(string(body)).To(ContainSubstring(`"publisherRole":"Admin"`))
	code, _ = a.do("GET", gtmPath("5559999", "solutions/bench-sol-00004"), nil)
	g.Expect(code).To(Equal(404))
	code, migrated, e := a.solutionAction("5559999", "bench-sol-00001", "migrate", migrateBody("bench-offer-00001", "softwareAsAService", "bench"))
	g.Expect(code).To(Equal(200), "%+v", e)
	g.Expect(migrated.State).To(Equal(solutionMigrated))
}

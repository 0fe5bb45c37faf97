package simulator

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"

	bolt "go.etcd.io/bbolt"
	"sigs.k8s.io/yaml"
)

//go:embed seed.yaml
var defaultSeed []byte

// Seed is the seed file (DESIGN.md section 7): partners with their standing,
// publishers and legacy solutions, plus optional generated solutions for
// scale tests.
type Seed struct {
	Partners []SeedPartner `json:"partners"`
	// Generate adds generated solutions, for benchmarks.
	Generate *SeedGenerate `json:"generate,omitempty"`
}

// SeedPartner is one partner (MPN ID).
type SeedPartner struct {
	PartnerID          string          `json:"partnerID"`
	MembershipValid    bool            `json:"membershipValid"`
	MarketplaceAccount bool            `json:"marketplaceAccount"`
	Publishers         []SeedPublisher `json:"publishers,omitempty"`
	Solutions          []SeedSolution  `json:"solutions,omitempty"`
}

// SeedPublisher is a publisher profile and the role the caller holds on it.
type SeedPublisher struct {
	PublisherID string `json:"publisherID"`
	Role        string `json:"role"`
}

// SeedSolution is a legacy OCP GTM solution.
type SeedSolution struct {
	SolutionID      string         `json:"solutionID"`
	Name            string         `json:"name"`
	Summary         string         `json:"summary,omitempty"`
	BillOfMaterials []SeedDocument `json:"billOfMaterials,omitempty"`
}

// SeedDocument is a piece of co-sell collateral.
type SeedDocument struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// SeedGenerate generates Solutions solutions named bench-sol-00001,
// bench-sol-00002, ... for PartnerID, which is added (valid, enrolled, with
// PublisherID as Admin) unless the seed lists it already.
type SeedGenerate struct {
	PartnerID   string `json:"partnerID"`
	PublisherID string `json:"publisherID"`
	Solutions   int    `json:"solutions"`
}

// maxGenerated bounds generated solutions so a typo cannot fill the disk.
const maxGenerated = 1_000_000

var (
	partnerIDPattern = regexp.MustCompile(`^[0-9]{1,20}$`)
	idPattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
)

// LoadSeed reads and validates a seed file; "" reads the embedded default.
func LoadSeed(path string) (*Seed, error) {
	raw, name := defaultSeed, "embedded seed"
	if path != "" {
		var err error
		if raw, err = os.ReadFile(path); err != nil { //nolint:gosec // the seed file is named by the operator's own flag
			return nil, fmt.Errorf("seed: %w", err)
		}
		name = path
	}
	seed, err := ParseSeed(raw)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", name, err)
	}
	return seed, nil
}

// ParseSeed parses and validates seed YAML. Unknown fields are errors, and
// every error names the field path, such as partners[0].solutions[2].name.
func ParseSeed(raw []byte) (*Seed, error) {
	var seed Seed
	if err := yaml.UnmarshalStrict(raw, &seed); err != nil {
		return nil, err
	}
	if err := seed.validate(); err != nil {
		return nil, err
	}
	return &seed, nil
}

func (s *Seed) validate() error {
	var c seedCheck
	if len(s.Partners) == 0 && s.Generate == nil {
		c.bad("partners", "at least one partner is required")
	}
	partners := map[string]bool{}
	for i, p := range s.Partners {
		c.partner(fmt.Sprintf("partners[%d]", i), p, partners)
	}
	if s.Generate != nil {
		c.generate(s.Generate)
	}
	return errors.Join(c.errs...)
}

// What the seed's IDs must be, for the messages of seedCheck.
const (
	mpnIDForm       = "an MPN ID (digits only; quote it in YAML)"
	publisherIDForm = "a publisher ID (letters, digits, '.', '_', '-')"
	solutionIDForm  = "a solution ID (letters, digits, '.', '_', '-')"
)

// seedCheck collects the problems of a seed, each at its field path.
type seedCheck struct{ errs []error }

func (c *seedCheck) bad(path, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// id checks an ID of a seed list at path: given, matching pattern (else it
// is not what), and not in seen, the IDs listed before it.
func (c *seedCheck) id(path, id string, pattern *regexp.Regexp, what string, seen map[string]bool) {
	switch {
	case id == "":
		c.bad(path, "required")
	case !pattern.MatchString(id):
		c.bad(path, "%q is not %s", id, what)
	case seen[id]:
		c.bad(path, "%q is listed twice", id)
	}
	seen[id] = true
}

// partner checks a partner at path with its publishers and solutions.
func (c *seedCheck) partner(path string, p SeedPartner, seen map[string]bool) {
	c.id(path+".partnerID", p.PartnerID, partnerIDPattern, mpnIDForm, seen)
	publishers := map[string]bool{}
	for j, pub := range p.Publishers {
		ppath := fmt.Sprintf("%s.publishers[%d]", path, j)
		c.id(ppath+".publisherID", pub.PublisherID, idPattern, publisherIDForm, publishers)
		if pub.Role == "" {
			c.bad(ppath+".role", "required (Admin, Developer, or another role that cannot publish)")
		}
	}
	solutions := map[string]bool{}
	for j, sol := range p.Solutions {
		c.solution(fmt.Sprintf("%s.solutions[%d]", path, j), sol, solutions)
	}
}

// solution checks a legacy solution at path with its bill of materials.
func (c *seedCheck) solution(path string, sol SeedSolution, seen map[string]bool) {
	c.id(path+".solutionID", sol.SolutionID, idPattern, solutionIDForm, seen)
	if sol.Name == "" {
		c.bad(path+".name", "required")
	}
	for k, d := range sol.BillOfMaterials {
		dpath := fmt.Sprintf("%s.billOfMaterials[%d]", path, k)
		if d.Type == "" {
			c.bad(dpath+".type", "required (SolutionOnePager, PitchDeck, ReferenceArchitecture, ...)")
		}
		if u, err := url.Parse(d.URL); d.URL == "" || err != nil || u.Scheme != "https" || u.Host == "" {
			c.bad(dpath+".url", "%q is not an https URL", d.URL)
		}
	}
}

// generate checks the generate section.
func (c *seedCheck) generate(g *SeedGenerate) {
	if !partnerIDPattern.MatchString(g.PartnerID) {
		c.bad("generate.partnerID", "%q is not %s", g.PartnerID, mpnIDForm)
	}
	if !idPattern.MatchString(g.PublisherID) {
		c.bad("generate.publisherID", "%q is not a publisher ID", g.PublisherID)
	}
	if g.Solutions < 1 || g.Solutions > maxGenerated {
		c.bad("generate.solutions", "%d is out of range (1 to %d)", g.Solutions, maxGenerated)
	}
}

// records expands the seed into store records, generated solutions included.
func (s *Seed) records() ([]partnerRec, []solutionRec) {
	var partners []partnerRec
	var solutions []solutionRec
	index := map[string]int{}
	for _, p := range s.Partners {
		pr := partnerRec{PartnerID: p.PartnerID, MembershipValid: p.MembershipValid,
			MarketplaceAccount: p.MarketplaceAccount, Publishers: map[string]string{}}
		for _, pub := range p.Publishers {
			pr.Publishers[pub.PublisherID] = pub.Role
		}
		index[p.PartnerID] = len(partners)
		partners = append(partners, pr)
		for _, sol := range p.Solutions {
			rec := solutionRec{PartnerID: p.PartnerID, SolutionID: sol.SolutionID, Name: sol.Name,
				Summary: sol.Summary, State: solutionPendingMigration}
			for _, d := range sol.BillOfMaterials {
				rec.BillOfMaterials = append(rec.BillOfMaterials, document(d))
			}
			solutions = append(solutions, rec)
		}
	}
	if g := s.Generate; g != nil {
		if i, ok := index[g.PartnerID]; ok {
			if _, has := partners[i].Publishers[g.PublisherID]; !has {
				partners[i].Publishers[g.PublisherID] = "Admin"
			}
		} else {
			partners = append(partners, partnerRec{PartnerID: g.PartnerID, MembershipValid: true, MarketplaceAccount: true,
				Publishers: map[string]string{g.PublisherID: "Admin"}})
		}
		for n := 1; n <= g.Solutions; n++ {
			id := fmt.Sprintf("bench-sol-%05d", n)
			solutions = append(solutions, solutionRec{PartnerID: g.PartnerID, SolutionID: id,
				Name: fmt.Sprintf("Bench Solution %05d", n), Summary: "A generated legacy solution for scale tests.",
				State: solutionPendingMigration,
				BillOfMaterials: []document{
					{Type: "SolutionOnePager", URL: "https://bench.example/" + id + "/one-pager.pdf"},
					{Type: "PitchDeck", URL: "https://bench.example/" + id + "/deck.pptx"},
				}})
		}
	}
	return partners, solutions
}

// load puts the seed's partners and solutions into the store, leaving those
// present already alone so that a restart keeps the solutions' states.
func (s *Seed) load(db *bolt.DB) error {
	partners, solutions := s.records()
	return db.Update(func(tx *bolt.Tx) error {
		st := newStage(tx)
		for i := range partners {
			if st.get(bucketPartners, partners[i].PartnerID) == nil {
				if err := st.putJSON(bucketPartners, partners[i].PartnerID, &partners[i]); err != nil {
					return err
				}
			}
		}
		for i := range solutions {
			key := solutionKey(solutions[i].PartnerID, solutions[i].SolutionID)
			if st.get(bucketSolutions, key) == nil {
				if err := st.putJSON(bucketSolutions, key, &solutions[i]); err != nil {
					return err
				}
			}
		}
		return st.flush()
	})
}

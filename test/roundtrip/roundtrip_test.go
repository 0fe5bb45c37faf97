// Package roundtrip_test proves issue 12's round trip: an account of 24
// offers of mixed types and states, put into the simulator through the
// port, is exported to YAML files, and each file, read back, says exactly
// what Partner Center holds: its spec converted to draft resources equals
// the version exported, its target is where the offer is, and (what a
// 0-write adoption needs) it equals the draft the operator compares it
// with, except for the offers whose newer draft the file warns about.
// adopt_test.go applies the files: the operator adopts every offer and
// writes nothing (internal/export/doc.go, "Adoption").
package roundtrip_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export"
	"github.com/cosell-operator/cosell-operator/internal/export/seedtest"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// writes counts the requests that are not GETs.
type writes struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (w *writes) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		w.n.Add(1)
	}
	return w.next.RoundTrip(r)
}

func saas(title string, plans ...pc.Plan) pc.Draft {
	return pc.Draft{Listing: seedtest.Listing(title), Plans: plans, Resell: pc.Resell{Policy: "All"}}
}

func flat(id, price string, markets ...string) pc.Plan {
	return pc.Plan{ID: id, Name: strings.ToUpper(id[:1]) + id[1:], Description: id + " plan", Pricing: "FlatRate", Price: price, Markets: markets}
}

// account is the estate: 24 offers, every state, the offer types with a
// published draft shape and some without.
func account() []seedtest.Offer {
	var out []seedtest.Offer
	add := func(id, typ string, stage seedtest.Stage, d pc.Draft) {
		out = append(out, seedtest.Offer{OfferID: id, OfferType: typ, Name: id, Stage: stage, Draft: d})
	}
	for i, stage := range []seedtest.Stage{seedtest.Live, seedtest.Live, seedtest.Live, seedtest.Preview, seedtest.Preview,
		seedtest.Draft, seedtest.Draft, seedtest.StopSold} {
		id := "saas-" + string(stage) + "-" + string(rune('a'+i))
		id = strings.NewReplacer("+", "-").Replace(id)
		d := saas("SaaS "+string(rune('A'+i)), flat("basic", "10.00", "US"), pc.Plan{ID: "team", Name: "Team", Description: "per user",
			Pricing: "PerUser", Price: "4.50", Markets: []string{"CA", "DE", "US"}})
		if i%2 == 1 {
			d.Resell = pc.Resell{Policy: "None"}
		}
		add(id, "SoftwareAsAService", stage, d)
	}
	for i, title := range []string{"SaaS Newer A", "SaaS Newer B"} {
		newer := saas(title, flat("basic", "12.00", "US", "DE"))
		newer.Listing.Summary = "Changed in the draft, not yet published."
		out = append(out, seedtest.Offer{OfferID: "saas-newer-" + string(rune('a'+i)), OfferType: "SoftwareAsAService", Name: title,
			Stage: seedtest.LiveNewerDraft, Draft: saas(title, flat("basic", "10.00", "US")), NewerDraft: newer})
	}
	add("vm-live-byol", "AzureVirtualMachine", seedtest.Live, pc.Draft{Listing: seedtest.Listing("VM BYOL"),
		Plans: []pc.Plan{{ID: "byol", Name: "BYOL", Pricing: "BYOL", Markets: []string{"US"}}}})
	add("vm-live-free", "AzureVirtualMachine", seedtest.Live, pc.Draft{Listing: seedtest.Listing("VM Free"),
		Plans: []pc.Plan{{ID: "free", Name: "Free", Pricing: "Free", Markets: []string{"DE"}}}, Resell: pc.Resell{Policy: "All"}})
	add("vm-preview-flat", "AzureVirtualMachine", seedtest.Preview, pc.Draft{Listing: seedtest.Listing("VM Flat"),
		Plans: []pc.Plan{{ID: "flat", Name: "Flat", Pricing: "FlatRate", Price: "0.25", Markets: []string{"US"}}}})
	add("vm-draft", "AzureVirtualMachine", seedtest.Draft, pc.Draft{Listing: seedtest.Listing("VM Draft")})
	add("containers-live", "AzureContainer", seedtest.Live, pc.Draft{Listing: seedtest.Listing("Containers"),
		Plans: []pc.Plan{{ID: "default", Name: "Default", Markets: []string{"US"}}}})
	add("containers-draft", "AzureContainer", seedtest.Draft, pc.Draft{Listing: seedtest.Listing("Containers Draft")})
	// An Azure application's listing is written and read through the
	// submission API (internal/partnercenter/README.md).
	add("app-live", "AzureApplication", seedtest.Live, pc.Draft{Listing: pc.Listing{Title: "App", Summary: "An application.", Description: "An Azure application."}})
	add("app-draft", "AzureApplication", seedtest.Draft, pc.Draft{Listing: pc.Listing{Title: "App Draft", Summary: "A draft.", Description: "An Azure application draft."}})
	add("consulting-preview", "ConsultingService", seedtest.Preview, pc.Draft{})
	add("cosell-only-live", "CoSellOnly", seedtest.Live, pc.Draft{})
	add("cosell-only-draft", "CoSellOnly", seedtest.Draft, pc.Draft{})
	add("dynamics-bc-draft", "Dynamics365BusinessCentral", seedtest.Draft, pc.Draft{})
	add("managed-service-draft", "ManagedService", seedtest.Draft, pc.Draft{})
	add("powerbi-app-preview", "PowerBIApp", seedtest.Preview, pc.Draft{})
	return out
}

// draftOf converts a spec to draft resources the way the controllers do
// (controllers/offer/convert.go), in the normal form the adapter reads.
func draftOf(spec v1.MarketplaceOfferSpec) pc.Draft {
	l := spec.Listing
	d := pc.Draft{Listing: pc.Listing{Title: l.Title, Summary: l.Summary, ShortDescription: l.ShortDescription,
		Description: l.Description, PrivacyPolicyURL: l.PrivacyPolicyURL, SupportURL: l.SupportURL, Keywords: l.Keywords},
		Resell: pc.Resell{Policy: "None"}}
	for _, p := range spec.Plans {
		d.Plans = append(d.Plans, pc.Plan{ID: p.ID, Name: p.Name, Description: p.Description, Pricing: string(p.Pricing),
			Price: p.Price, Markets: p.Markets})
	}
	if spec.Resell != nil {
		d.Resell = pc.Resell{Policy: string(spec.Resell.Policy), PartnerIDs: spec.Resell.PartnerIDs}
	}
	return normal(d)
}

func normal(d pc.Draft) pc.Draft {
	set := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		s = slices.Clone(s)
		slices.Sort(s)
		return slices.Compact(s)
	}
	d.Listing.Keywords = set(d.Listing.Keywords)
	d.Plans = slices.Clone(d.Plans)
	if len(d.Plans) == 0 {
		d.Plans = nil
	}
	for i := range d.Plans {
		d.Plans[i].Markets = set(d.Plans[i].Markets)
	}
	slices.SortFunc(d.Plans, func(a, b pc.Plan) int { return strings.Compare(a.ID, b.ID) })
	if d.Resell.Policy == "" {
		d.Resell.Policy = "None"
	}
	d.Resell.PartnerIDs = set(d.Resell.PartnerIDs)
	return d
}

// estate is the simulator holding the seeded account, a client of it
// whose writes are counted, and the export of the account in dir.
type estate struct {
	sim    *simulator.Simulator
	c      *ingestion.Client
	w      *writes
	seeded []seedtest.Seeded
	dir    string
}

// exportEstate seeds the account into a new simulator and exports it with
// from to a folder.
func exportEstate(ctx context.Context, t *testing.T, g Gomega, from export.From) *estate {
	sim, err := simulator.New(simulator.Options{Addr: "127.0.0.1:0"})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = sim.Close() })
	g.Expect(sim.Start(ctx)).To(Succeed())
	w := &writes{next: http.DefaultTransport}
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 5 * time.Millisecond, HTTPClient: &http.Client{Transport: w}})
	g.Expect(err).NotTo(HaveOccurred())

	seeded, err := seedtest.Seed(ctx, c, account())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(len(seeded)).To(BeNumerically(">=", 20))

	dir := t.TempDir()
	before := w.n.Load()
	var progress bytes.Buffer
	res, err := export.Run(ctx, c, export.Options{PublisherID: "contoso", Namespace: "estate", PageSize: 7, From: from, Progress: &progress})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Err()).NotTo(HaveOccurred())
	var docs []export.Document
	for _, o := range res.Offers {
		docs = append(docs, export.OfferDocument(o))
	}
	g.Expect(export.WriteDir(dir, docs)).To(Succeed())
	g.Expect(w.n.Load()).To(Equal(before), "export writes nothing to Partner Center")
	g.Expect(strings.Count(progress.String(), "exported ")).To(Equal(len(seeded)))
	return &estate{sim: sim, c: c, w: w, seeded: seeded, dir: dir}
}

func TestExportReReadEquality(t *testing.T) {
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := exportEstate(ctx, t, g, export.FromLive)
	c, seeded, dir := e.c, e.seeded, e.dir

	for _, s := range seeded {
		data, err := os.ReadFile(filepath.Join(dir, s.OfferID+".yaml"))
		g.Expect(err).NotTo(HaveOccurred(), s.OfferID)
		var got v1.MarketplaceOffer
		g.Expect(yaml.UnmarshalStrict(data, &got)).To(Succeed(), s.OfferID)
		g.Expect(got.Spec.OfferID).To(Equal(s.OfferID))
		g.Expect(string(got.Spec.OfferType)).To(Equal(s.OfferType))
		g.Expect(got.Annotations).To(HaveKeyWithValue(export.AdoptAnnotation, "true"))

		var wantTarget v1.OfferTarget
		var version pc.SubmissionTarget
		switch s.Stage {
		case seedtest.Draft:
			wantTarget, version = v1.TargetDraft, pc.TargetDraft
		case seedtest.Preview:
			wantTarget, version = v1.TargetPreview, pc.TargetPreview
		default:
			wantTarget, version = v1.TargetLive, pc.TargetLive
		}
		g.Expect(got.Spec.Target).To(Equal(wantTarget), s.OfferID)

		// Re-read equality: the file says what Partner Center holds.
		held, err := c.GetTarget(ctx, s.ProductID, version)
		g.Expect(err).NotTo(HaveOccurred(), s.OfferID)
		g.Expect(draftOf(got.Spec)).To(Equal(*held), "%s: the file equals the %s version", s.OfferID, version)
		// And what was put in (for the types with a published shape).
		if published(s.OfferType) {
			g.Expect(draftOf(got.Spec)).To(Equal(normal(s.Draft)), "%s: the file equals what was seeded", s.OfferID)
		} else {
			g.Expect(got.Spec.Listing).To(Equal(v1.OfferListing{}), "%s: nothing guessed", s.OfferID)
			g.Expect(string(data)).To(ContainSubstring("# - spec.listing: Microsoft publishes no listing shape for " + s.OfferType))
		}

		// What a 0-write adoption needs: the file equals the draft the
		// operator compares the spec with, unless the file warns.
		draft, err := c.GetTarget(ctx, s.ProductID, pc.TargetDraft)
		g.Expect(err).NotTo(HaveOccurred())
		if s.Stage == seedtest.LiveNewerDraft {
			g.Expect(draftOf(got.Spec)).NotTo(Equal(*draft))
			g.Expect(string(data)).To(ContainSubstring("the draft differs from the live version"))
		} else {
			g.Expect(draftOf(got.Spec)).To(Equal(*draft), "%s: the file equals the draft", s.OfferID)
		}
		if s.Stage == seedtest.StopSold {
			g.Expect(string(data)).To(ContainSubstring("# - sale stopped:"))
		}
	}
}

// published reports whether Microsoft publishes a listing shape for the
// offer type (wire.OfferTypes).
func published(offerType string) bool {
	t, ok := wire.LookupOfferType(offerType)
	return ok && t.Writes(wire.PartListing) // an Azure application's through the submission API
}

package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// LegacySolution is a legacy OCP GTM solution to plan for: what the
// simulator's extension lists, or a row of a --solutions-file.
type LegacySolution struct {
	pc.LegacySolution
	// ListingURL is the customer-facing listing URL (AppSource or Azure
	// Marketplace) the partner noted for the solution, when the file has
	// one; the extension does not return one.
	ListingURL string
}

// DefaultMatchThreshold is the similarity from which a legacy solution is
// suggested for a merge into a live offer.
const DefaultMatchThreshold = 0.75

// PlanOptions configure the migration plan.
type PlanOptions struct {
	// PartnerID fills spec.partnerID where a solution has none.
	PartnerID string
	// PublisherID fills spec.publisherID of the offers Migrate suggests.
	PublisherID string
	// Namespace fills metadata.namespace.
	Namespace string
	// Threshold is the score from which Merge is suggested (default
	// DefaultMatchThreshold).
	Threshold float64
	// MigrateOfferType is the offer type of the offers Migrate suggests
	// (default CoSellOnly): a legacy solution carries no offer type.
	MigrateOfferType v1.OfferType
}

// Suggestion is the suggested decision for one pending legacy solution.
type Suggestion struct {
	Solution *v1.Solution
	// Comment explains the suggestion: the match and its score, or why
	// Migrate, and that Discard is left for a person.
	Comment []string
	// Offer is the new offer a Migrate suggestion writes, or nil.
	Offer *Offer
}

// Match is the best live offer for a legacy solution.
type Match struct {
	Offer *Offer
	Score float64
	// By says what matched: "name" or "listing URL", with the tokens.
	By string
}

// Plan suggests a decision for every legacy solution pending migration
// among sols, against the exported offers: Merge into the live offer whose
// name or listing URL matches best when the score reaches the threshold,
// otherwise Migrate into a new MarketplaceOffer. Discard is never
// suggested: it is a person's call. Solutions in another state are
// returned in skipped, with why.
func Plan(sols []LegacySolution, offers []*Offer, opts PlanOptions) (plan []Suggestion, skipped []string) {
	if opts.Threshold <= 0 {
		opts.Threshold = DefaultMatchThreshold
	}
	if opts.MigrateOfferType == "" {
		opts.MigrateOfferType = v1.OfferTypeCoSellOnly
	}
	taken := map[string]bool{}
	for _, o := range offers {
		taken[o.Object.Spec.OfferID] = true
	}
	for _, s := range sols {
		if s.State != pc.SolutionStatePendingMigration {
			skipped = append(skipped, fmt.Sprintf("solution %s is %s: nothing to decide", s.SolutionID, s.State))
			continue
		}
		partnerID := s.PartnerID
		if partnerID == "" {
			partnerID = opts.PartnerID
		}
		sol := &v1.Solution{
			TypeMeta:   metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Solution"},
			ObjectMeta: metav1.ObjectMeta{Name: ObjectName(s.SolutionID), Namespace: opts.Namespace},
			Spec:       v1.SolutionSpec{SolutionID: s.SolutionID, PartnerID: partnerID},
		}
		sg := Suggestion{Solution: sol}
		head := fmt.Sprintf("Migration plan for legacy OCP GTM solution %s (%q) of partner %s, written by cosell-operator export --solutions.",
			s.SolutionID, s.Name, partnerID)
		m, ok := BestMatch(s, offers)
		if ok && m.Score >= opts.Threshold {
			sol.Spec.Action = v1.ActionMerge
			sol.Spec.Merge = &v1.MergeSpec{OfferRef: &v1.OfferReference{Name: m.Offer.Object.Name}}
			sg.Comment = []string{head,
				fmt.Sprintf("SUGGESTION, not applied: Merge into the live offer %s (MarketplaceOffer %s): %s, score %.2f (threshold %.2f).",
					m.Offer.Object.Spec.OfferID, m.Offer.Object.Name, m.By, m.Score, opts.Threshold)}
		} else {
			sol.Spec.Action = v1.ActionMigrate
			o := migrateOffer(s, opts, taken)
			sol.Spec.Migrate = &v1.MigrateSpec{OfferRef: v1.OfferReference{Name: o.Object.Name}}
			sg.Offer = o
			why := "no live offer matches"
			if ok {
				why = fmt.Sprintf("the best live offer, %s, matches by %s with score %.2f only (threshold %.2f)",
					m.Offer.Object.Spec.OfferID, m.By, m.Score, opts.Threshold)
			}
			sg.Comment = []string{head,
				fmt.Sprintf("SUGGESTION, not applied: Migrate into a new draft offer %s (written to %s.yaml): %s.",
					o.Object.Spec.OfferID, o.Object.Spec.OfferID, why)}
		}
		sg.Comment = append(sg.Comment,
			"Discard is not suggested: whether a solution is obsolete is a person's call (set action: Discard and remove merge/migrate).",
			"Review this file before applying it: the operator carries the action out in Partner Center, and a migration or merge cannot be undone.",
			"Similarity: names (and listing URLs) are lowercased and split into words on anything that is not a letter or digit; "+
				"one-letter words and the, a, an, and, for, of, by, with, to, in, on are dropped; the score is the Dice coefficient "+
				"2*|common words| / (|words of one| + |words of the other|), from 0 (nothing in common) to 1 (the same words). "+
				"A listing URL whose last path segment is <publisherID>.<offerID> of an offer scores 1.")
		plan = append(plan, sg)
	}
	return plan, skipped
}

// BestMatch is the live, on-sale offer most similar to a legacy solution,
// by name (against the listing title and the product's name) or listing
// URL (against <publisherID>.<offerID>, the last segment of the
// storefronts' listing URLs, or the offer ID's words). ok is false when
// there is no live offer.
func BestMatch(s LegacySolution, offers []*Offer) (Match, bool) {
	var best Match
	found := false
	nameTokens := tokens(s.Name)
	for _, o := range offers {
		spec := o.Object.Spec
		if o.Suggested || spec.Target != v1.TargetLive || o.Deprecated {
			continue
		}
		consider := func(score float64, by string) {
			if !found || score > best.Score {
				best, found = Match{Offer: o, Score: score, By: by}, true
			}
		}
		for _, name := range []string{spec.Listing.Title, o.Name} {
			if name != "" {
				t := tokens(name)
				consider(Dice(nameTokens, t), fmt.Sprintf("name %v vs %v", nameTokens, t))
			}
		}
		if s.ListingURL != "" {
			if last := listingKey(s.ListingURL); last != "" {
				if strings.EqualFold(last, spec.PublisherID+"."+spec.OfferID) {
					consider(1, "listing URL "+s.ListingURL+" names "+spec.PublisherID+"."+spec.OfferID)
				} else {
					u, t := tokens(last), tokens(spec.OfferID)
					consider(Dice(u, t), fmt.Sprintf("listing URL %v vs offer ID %v", u, t))
				}
			}
		}
	}
	return best, found
}

// listingKey is the last path segment of a listing URL.
func listingKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return path.Base(strings.TrimSuffix(u.Path, "/"))
}

var stopWords = map[string]bool{"the": true, "a": true, "an": true, "and": true, "for": true, "of": true,
	"by": true, "with": true, "to": true, "in": true, "on": true}

// tokens are the normalized words of s, sorted and unique.
func tokens(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	words = slices.DeleteFunc(words, func(w string) bool { return len([]rune(w)) < 2 || stopWords[w] })
	slices.Sort(words)
	return slices.Compact(words)
}

// Dice is the Dice coefficient of two sorted, unique word lists.
func Dice(a, b []string) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	common := 0
	for _, w := range a {
		if _, ok := slices.BinarySearch(b, w); ok {
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// migrateOffer is the new draft offer a Migrate suggestion proposes,
// pre-filled from the solution's name, summary and bill of materials.
func migrateOffer(s LegacySolution, opts PlanOptions, taken map[string]bool) *Offer {
	id := uniqueID(slug(s.Name, s.SolutionID), taken)
	summary := s.Summary
	if summary == "" {
		summary = s.Name
	}
	obj := &v1.MarketplaceOffer{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "MarketplaceOffer"},
		ObjectMeta: metav1.ObjectMeta{Name: ObjectName(id), Namespace: opts.Namespace},
		Spec: v1.MarketplaceOfferSpec{
			OfferID: id, OfferType: opts.MigrateOfferType, PublisherID: opts.PublisherID, Target: v1.TargetDraft,
			// Declared, so that it waits for the migration in any apply order.
			MigrateFrom:    &v1.MigrateFrom{SolutionID: s.SolutionID},
			Listing:        v1.OfferListing{Title: truncate(s.Name, 50), Summary: truncate(summary, 100), Description: truncate(summary, 5000)},
			DeletionPolicy: v1.DeletionPolicyOrphan,
		},
	}
	o := &Offer{Object: obj, Suggested: true, Version: pc.TargetDraft,
		Header: fmt.Sprintf("SUGGESTION, not applied: the new draft offer that legacy solution %s (%q) migrates into, "+
			"pre-filled from the solution by cosell-operator export --solutions. Review every field.", s.SolutionID, s.Name)}
	o.Notes = append(o.Notes,
		fmt.Sprintf("spec.offerID %s is the solution's name made an offer ID; choose the final one now: it cannot change later", id),
		fmt.Sprintf("spec.offerType %s is a suggestion: a legacy solution carries no offer type", opts.MigrateOfferType),
		"spec.listing.description is the solution's summary; certification asks for at least 100 characters",
		"no adoption annotation: this offer does not exist yet; the Solution's migration creates its draft")
	cs := &v1.CoSell{}
	seen := map[v1.DocumentType]bool{}
	for _, d := range s.BillOfMaterials {
		t := v1.DocumentType(d.Type)
		switch {
		case !slices.Contains(documentTypes, t):
			o.Missing = append(o.Missing, fmt.Sprintf("bill of materials %s %s: the co-sell tab has no document type %q", d.Type, d.URL, d.Type))
		case seen[t]:
			o.Missing = append(o.Missing, fmt.Sprintf("bill of materials %s %s: the co-sell tab holds one document per type", d.Type, d.URL))
		default:
			seen[t] = true
			cs.Documents = append(cs.Documents, v1.CoSellDocument{Type: t, URL: d.URL})
		}
	}
	if len(cs.Documents) > 0 {
		obj.Spec.CoSell = cs
		o.Missing = append(o.Missing, "spec.coSell.solutionType and spec.coSell.solutionAreas: a legacy solution carries neither; "+
			"the CRD requires both: fill them in (or remove spec.coSell) before applying")
	}
	return o
}

var documentTypes = []v1.DocumentType{v1.DocumentSolutionOnePager, v1.DocumentPitchDeck, v1.DocumentReferenceArchitecture,
	v1.DocumentCaseStudy, v1.DocumentWhitepaper, v1.DocumentVideo, v1.DocumentRevenueValidation, v1.DocumentTechnicalValidation}

// slug makes a name an offer ID: lowercase letters and digits joined by
// '-', at most 50 characters; fallback stands in when fewer than 3 remain.
func slug(name, fallback string) string {
	s := strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}), "-")
	if len(s) > 50 {
		s = strings.TrimRight(s[:50], "-")
	}
	if len(s) < 3 {
		return ObjectName(fallback)
	}
	return s
}

func uniqueID(id string, taken map[string]bool) string {
	out := id
	for i := 2; taken[out]; i++ {
		suffix := fmt.Sprintf("-%d", i)
		out = strings.TrimRight(id[:min(len(id), 50-len(suffix))], "-") + suffix
	}
	taken[out] = true
	return out
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// SolutionDocuments are the files of a plan: solution-<id>.yaml for each
// Solution, <offerID>.yaml for each new offer.
func SolutionDocuments(plan []Suggestion) []Document {
	var docs []Document
	for _, sg := range plan {
		docs = append(docs, Document{File: "solution-" + sg.Solution.Name + ".yaml", Comment: sg.Comment, Object: sg.Solution})
		if sg.Offer != nil {
			docs = append(docs, OfferDocument(sg.Offer))
		}
	}
	return docs
}

// fileSolution is one solution of a --solutions-file in YAML or JSON: the
// shape of the simulator extension's LegacySolution, plus listingUrl.
type fileSolution struct {
	SolutionID      string         `json:"solutionId"`
	PartnerID       string         `json:"partnerId,omitempty"`
	Name            string         `json:"name"`
	Summary         string         `json:"summary,omitempty"`
	State           string         `json:"state,omitempty"`
	ListingURL      string         `json:"listingUrl,omitempty"`
	BillOfMaterials []fileDocument `json:"billOfMaterials,omitempty"`
}

type fileDocument struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// ReadSolutionsFile reads a --solutions-file: CSV when name ends in .csv,
// else YAML or JSON (docs/guides/existing-accounts.md documents it for
// users):
//
//	YAML/JSON: {"value": [{solutionId, partnerId, name, summary, state,
//	            listingUrl, billOfMaterials: [{type, url}]}]}
//	CSV:       a header row naming the columns solutionId, partnerId, name,
//	           summary, state, listingUrl, billOfMaterials (any order, any
//	           case; only solutionId and name are required); a
//	           billOfMaterials cell is "Type=URL" items separated by ';'.
//
// state is pendingMigration (the default), migrated, mergeRequested,
// merged or discarded, in any case.
func ReadSolutionsFile(name string, data []byte) ([]LegacySolution, error) {
	var rows []fileSolution
	var err error
	if strings.EqualFold(path.Ext(name), ".csv") {
		rows, err = readCSV(data)
	} else {
		var doc struct {
			Value []fileSolution `json:"value"`
		}
		err = yaml.UnmarshalStrict(data, &doc)
		rows = doc.Value
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := make([]LegacySolution, 0, len(rows))
	for i, r := range rows {
		if r.SolutionID == "" || r.Name == "" {
			return nil, fmt.Errorf("%s: solution %d has no solutionId or name", name, i+1)
		}
		state, ok := parseState(r.State)
		if !ok {
			return nil, fmt.Errorf("%s: solution %s has state %q, not one of pendingMigration, migrated, mergeRequested, merged, discarded", name, r.SolutionID, r.State)
		}
		s := LegacySolution{LegacySolution: pc.LegacySolution{PartnerID: r.PartnerID, SolutionID: r.SolutionID, Name: r.Name,
			Summary: r.Summary, State: state}, ListingURL: r.ListingURL}
		for _, d := range r.BillOfMaterials {
			s.BillOfMaterials = append(s.BillOfMaterials, pc.Document{Type: d.Type, URL: d.URL})
		}
		out = append(out, s)
	}
	return out, nil
}

func parseState(s string) (pc.SolutionState, bool) {
	if s == "" {
		return pc.SolutionStatePendingMigration, true
	}
	for _, st := range []pc.SolutionState{pc.SolutionStatePendingMigration, pc.SolutionStateMigrated,
		pc.SolutionStateMergeRequested, pc.SolutionStateMerged, pc.SolutionStateDiscarded} {
		if strings.EqualFold(s, string(st)) {
			return st, true
		}
	}
	return "", false
}

func readCSV(data []byte) ([]fileSolution, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the header row: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"solutionid", "name"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("the header row has no %s column", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[strings.ToLower(name)]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []fileSolution
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		fs := fileSolution{SolutionID: get(rec, "solutionId"), PartnerID: get(rec, "partnerId"), Name: get(rec, "name"),
			Summary: get(rec, "summary"), State: get(rec, "state"), ListingURL: get(rec, "listingUrl")}
		for _, item := range strings.Split(get(rec, "billOfMaterials"), ";") {
			if item = strings.TrimSpace(item); item == "" {
				continue
			}
			t, u, ok := strings.Cut(item, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: billOfMaterials item %q is not Type=URL", line, item)
			}
			fs.BillOfMaterials = append(fs.BillOfMaterials, fileDocument{Type: strings.TrimSpace(t), URL: strings.TrimSpace(u)})
		}
		out = append(out, fs)
	}
}

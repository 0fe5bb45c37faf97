package offer

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// fuzzSpec builds an offer spec from fuzzed values. Lists come from
// comma-separated strings; counts from small integers. Plan IDs are unique,
// as the CRD's listMapKey enforces; strings are valid UTF-8, as every
// string the API server hands over is.
func fuzzSpec(title, text, list string, nPlans, nDocs, nContacts uint8, policy uint8) *v1alpha1.MarketplaceOfferSpec {
	title, text, list = strings.ToValidUTF8(title, "?"), strings.ToValidUTF8(text, "?"), strings.ToValidUTF8(list, "?")
	items := strings.Split(list, ",")
	item := func(i int) string { return items[i%len(items)] }
	spec := &v1alpha1.MarketplaceOfferSpec{
		OfferID: "fuzz-offer", OfferType: v1alpha1.OfferTypeSoftwareAsAService, PublisherID: "contoso", Target: v1alpha1.TargetLive,
		Listing: v1alpha1.OfferListing{Title: title, Summary: text, ShortDescription: item(1), Description: text + title,
			PrivacyPolicyURL: item(2), SupportURL: item(3), Keywords: items},
	}
	pricing := []v1alpha1.PricingModel{"", v1alpha1.PricingFree, v1alpha1.PricingFlatRate, v1alpha1.PricingPerUser, v1alpha1.PricingBYOL, v1alpha1.PricingContact}
	for i := 0; i < int(nPlans%6); i++ {
		spec.Plans = append(spec.Plans, v1alpha1.Plan{ID: fmt.Sprintf("%s-%d", item(i), i), Name: item(i + 1), Description: text,
			Pricing: pricing[(i+len(item(i)))%len(pricing)], Price: item(i + 2), Markets: items[:1+i%len(items)]})
	}
	if nDocs > 0 || nContacts > 0 {
		docTypes := []v1alpha1.DocumentType{v1alpha1.DocumentSolutionOnePager, v1alpha1.DocumentPitchDeck, v1alpha1.DocumentReferenceArchitecture,
			v1alpha1.DocumentCaseStudy, v1alpha1.DocumentVideo, v1alpha1.DocumentTechnicalValidation}
		roles := []v1alpha1.ContactRole{"Engineering", "Marketing", "Sales"}
		cs := &v1alpha1.CoSell{SolutionType: v1alpha1.CoSellSolutionType(item(0)), SolutionAreas: items, Industries: items[len(items)/2:],
			LandingPageURL: item(4)}
		for i := 0; i < int(nDocs%9); i++ {
			cs.Documents = append(cs.Documents, v1alpha1.CoSellDocument{Type: docTypes[(i+int(nDocs))%len(docTypes)], URL: item(i)})
		}
		for i := 0; i < int(nContacts%4); i++ {
			cs.Contacts = append(cs.Contacts, v1alpha1.CoSellContact{Role: roles[(i+int(nContacts))%len(roles)], Name: item(i + 1), Email: item(i)})
		}
		spec.CoSell = cs
	}
	switch policy % 4 {
	case 1:
		spec.Resell = &v1alpha1.Resell{Policy: v1alpha1.ResellNone}
	case 2:
		spec.Resell = &v1alpha1.Resell{Policy: v1alpha1.ResellAll}
	case 3:
		spec.Resell = &v1alpha1.Resell{Policy: v1alpha1.ResellSpecific, PartnerIDs: items}
	}
	return spec
}

// shuffled returns a copy of spec with every list in another order.
func shuffled(spec *v1alpha1.MarketplaceOfferSpec, seed uint64) *v1alpha1.MarketplaceOfferSpec {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	out := spec.DeepCopy()
	shuffle := func(n int, swap func(i, j int)) { r.Shuffle(n, swap) }
	strs := func(s []string) { shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] }) }
	strs(out.Listing.Keywords)
	shuffle(len(out.Plans), func(i, j int) { out.Plans[i], out.Plans[j] = out.Plans[j], out.Plans[i] })
	for i := range out.Plans {
		strs(out.Plans[i].Markets)
	}
	if cs := out.CoSell; cs != nil {
		strs(cs.SolutionAreas)
		strs(cs.Industries)
		shuffle(len(cs.Documents), func(i, j int) { cs.Documents[i], cs.Documents[j] = cs.Documents[j], cs.Documents[i] })
		shuffle(len(cs.Contacts), func(i, j int) { cs.Contacts[i], cs.Contacts[j] = cs.Contacts[j], cs.Contacts[i] })
	}
	if out.Resell != nil {
		strs(out.Resell.PartnerIDs)
	}
	return out
}

// FuzzDraftFromSpec checks the draft conversion the operator's change
// detection rests on: it never panics, normalizeDraft is idempotent, the
// digest ignores the order of lists and changes with any field.
func FuzzDraftFromSpec(f *testing.F) {
	f.Add("Contoso Analytics", "Real-time analytics for retail stores.", "US,CA,GB", uint8(2), uint8(4), uint8(2), uint8(3), uint64(1))
	f.Add("", "", "", uint8(0), uint8(0), uint8(0), uint8(0), uint64(0))
	f.Add("t", "x", ",,,", uint8(5), uint8(8), uint8(3), uint8(1), uint64(7))
	f.Add("same", "same", "a,a,a,b,b", uint8(3), uint8(8), uint8(3), uint8(2), uint64(42))
	f.Add("ünïcødé <b>&</b>", "\u2028\"quoted\"\\", "z,y,x,w,v,u", uint8(255), uint8(255), uint8(255), uint8(255), uint64(1<<63))
	f.Add("\xff\xfe", "\x00", "a,\xc3", uint8(1), uint8(1), uint8(1), uint8(3), uint64(3))

	f.Fuzz(func(t *testing.T, title, text, list string, nPlans, nDocs, nContacts, policy uint8, seed uint64) {
		spec := fuzzSpec(title, text, list, nPlans, nDocs, nContacts, policy)
		before := spec.DeepCopy()
		d := draftFromSpec(spec)
		if !reflect.DeepEqual(spec, before) {
			t.Fatal("draftFromSpec changed the spec")
		}

		// Idempotent normal form.
		n := normalizeDraft(d)
		if !reflect.DeepEqual(n, d) {
			t.Fatalf("normalizeDraft is not idempotent:\n%+v\n%+v", d, n)
		}
		cs := coSellFromSpec(spec)
		digest := specDigest(d, cs)
		if specDigest(n, cs) != digest {
			t.Fatal("normal forms of one draft have different digests")
		}
		if len(digest) != 32 {
			t.Fatalf("digest %q", digest)
		}

		// Order-insensitive: the same spec with its lists shuffled.
		s := shuffled(spec, seed)
		if got := offerDigest(s); got != digest {
			t.Fatalf("shuffling lists changed the digest\n%+v\n%+v", d, draftFromSpec(s))
		}
		// ... and a draft read back in another order normalises the same.
		rev := d
		rev.Plans = reversed(d.Plans)
		rev.Listing.Keywords = reversed(d.Listing.Keywords)
		if specDigest(normalizeDraft(rev), cs) != digest {
			t.Fatal("a reordered draft normalises to another digest")
		}

		// Sensitive: any one field that differs changes the digest.
		for name, mutate := range map[string]func(*v1alpha1.MarketplaceOfferSpec){
			"title":       func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing.Title += "!" },
			"summary":     func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing.Summary += "!" },
			"short":       func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing.ShortDescription += "!" },
			"description": func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing.Description += "!" },
			"privacy":     func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing.PrivacyPolicyURL += "!" },
			"support":     func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing.SupportURL += "!" },
			"keyword":     func(s *v1alpha1.MarketplaceOfferSpec) { s.Listing.Keywords = append(s.Listing.Keywords, "!") },
			"new plan":    func(s *v1alpha1.MarketplaceOfferSpec) { s.Plans = append(s.Plans, v1alpha1.Plan{ID: "added-plan!"}) },
			"plan name": func(s *v1alpha1.MarketplaceOfferSpec) {
				if len(s.Plans) == 0 {
					s.Plans = []v1alpha1.Plan{{ID: "p"}}
				}
				s.Plans[0].Name += "!"
			},
			"plan price": func(s *v1alpha1.MarketplaceOfferSpec) {
				if len(s.Plans) == 0 {
					s.Plans = []v1alpha1.Plan{{ID: "p"}}
				}
				s.Plans[len(s.Plans)-1].Price += "1"
			},
			"plan pricing": func(s *v1alpha1.MarketplaceOfferSpec) {
				if len(s.Plans) == 0 {
					s.Plans = []v1alpha1.Plan{{ID: "p"}}
				}
				s.Plans[0].Pricing += "X"
			},
			"plan market": func(s *v1alpha1.MarketplaceOfferSpec) {
				if len(s.Plans) == 0 {
					s.Plans = []v1alpha1.Plan{{ID: "p"}}
				}
				s.Plans[0].Markets = append(s.Plans[0].Markets, "ZZ")
			},
			"no co-sell → co-sell": func(s *v1alpha1.MarketplaceOfferSpec) {
				if s.CoSell == nil {
					s.CoSell = &v1alpha1.CoSell{SolutionType: "Software"}
				} else {
					s.CoSell.SolutionType += "!"
				}
			},
			"document": func(s *v1alpha1.MarketplaceOfferSpec) {
				if s.CoSell == nil {
					s.CoSell = &v1alpha1.CoSell{}
				}
				s.CoSell.Documents = append(s.CoSell.Documents, v1alpha1.CoSellDocument{Type: v1alpha1.DocumentVideo, URL: "https://x/!"})
			},
			"document url": func(s *v1alpha1.MarketplaceOfferSpec) {
				if s.CoSell == nil || len(s.CoSell.Documents) == 0 {
					s.CoSell = &v1alpha1.CoSell{Documents: []v1alpha1.CoSellDocument{{Type: v1alpha1.DocumentVideo}}}
				}
				s.CoSell.Documents[0].URL += "!"
			},
			"contact email": func(s *v1alpha1.MarketplaceOfferSpec) {
				if s.CoSell == nil || len(s.CoSell.Contacts) == 0 {
					s.CoSell = &v1alpha1.CoSell{Contacts: []v1alpha1.CoSellContact{{Role: "Sales"}}}
				}
				s.CoSell.Contacts[0].Email += "!"
			},
			"landing page": func(s *v1alpha1.MarketplaceOfferSpec) {
				if s.CoSell == nil {
					s.CoSell = &v1alpha1.CoSell{}
				}
				s.CoSell.LandingPageURL += "!"
			},
			"industry": func(s *v1alpha1.MarketplaceOfferSpec) {
				if s.CoSell == nil {
					s.CoSell = &v1alpha1.CoSell{}
				}
				s.CoSell.Industries = append(s.CoSell.Industries, "!")
			},
			"resell": func(s *v1alpha1.MarketplaceOfferSpec) {
				if s.Resell == nil || s.Resell.Policy != v1alpha1.ResellSpecific {
					s.Resell = &v1alpha1.Resell{Policy: v1alpha1.ResellSpecific, PartnerIDs: []string{"123456"}}
				} else {
					s.Resell.PartnerIDs = append(s.Resell.PartnerIDs, "!")
				}
			},
		} {
			m := spec.DeepCopy()
			mutate(m)
			if offerDigest(m) == digest {
				t.Fatalf("changing the %s left the digest as it was", name)
			}
		}

		// Fields that do not reach Partner Center's draft do not change it.
		m := spec.DeepCopy()
		m.Target, m.Suspend, m.DeletionPolicy = v1alpha1.TargetDraft, true, v1alpha1.DeletionPolicyDelete
		if offerDigest(m) != digest {
			t.Fatal("target, suspend or deletion policy changed the draft digest")
		}
		// An omitted resell is policy None.
		if spec.Resell == nil {
			m := spec.DeepCopy()
			m.Resell = &v1alpha1.Resell{Policy: v1alpha1.ResellNone}
			if offerDigest(m) != digest {
				t.Fatal("an omitted resell and resell None differ")
			}
		}
	})
}

// offerDigest is the digest syncDraft records for a spec.
func offerDigest(spec *v1alpha1.MarketplaceOfferSpec) string {
	return specDigest(draftFromSpec(spec), coSellFromSpec(spec))
}

func reversed[T any](s []T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

package offer

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestDraftDiffNamesEachFieldThatDiffers(t *testing.T) {
	base := pc.Draft{Listing: pc.Listing{Title: "T", Summary: "S"},
		Plans:  []pc.Plan{{ID: "basic", Name: "Basic", Pricing: "FlatRate", Price: "10.00", Markets: []string{"US"}}},
		Resell: pc.Resell{Policy: "All"}}
	long := strings.Repeat("x", 100)
	for _, tc := range []struct {
		name   string
		change func(*pc.Draft)
		want   []string
	}{
		{"equal", func(*pc.Draft) {}, nil},
		{"summary", func(d *pc.Draft) { d.Listing.Summary = "X" }, []string{`listing.summary: spec "S", draft "X"`}},
		{"price and markets", func(d *pc.Draft) { d.Plans[0].Price, d.Plans[0].Markets = "12.00", []string{"DE", "US"} },
			[]string{`plans[basic].price: spec "10.00", draft "12.00"`, `plans[basic].markets: spec "US", draft "DE,US"`}},
		{"plan only in draft", func(d *pc.Draft) { d.Plans = append(d.Plans, pc.Plan{ID: "team"}) }, []string{"plans[team]: in draft only"}},
		{"plan only in spec", func(d *pc.Draft) { d.Plans = nil }, []string{"plans[basic]: in spec only"}},
		{"resell", func(d *pc.Draft) { d.Resell.Policy = "None" }, []string{`resell.policy: spec "All", draft "None"`}},
		{"long values are shortened", func(d *pc.Draft) { d.Listing.Description = long },
			[]string{`listing.description: spec "", draft "` + strings.Repeat("x", 57) + `..."`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			other := base
			other.Plans = append([]pc.Plan(nil), base.Plans...)
			tc.change(&other)
			g.Expect(draftDiff(base, other, "spec", "draft")).To(Equal(tc.want))
		})
	}
}

func TestPublishedSubmissionsTakesTheNewestCompletedSucceededOnes(t *testing.T) {
	done := func(id string, t pc.SubmissionTarget, r pc.SubmissionResult) pc.Submission {
		return pc.Submission{ID: id, Target: t, Status: pc.SubmissionCompleted, Result: r}
	}
	for _, tc := range []struct {
		name                  string
		subs                  []pc.Submission
		wantPreview, wantLive string
	}{
		{"draft only", []pc.Submission{{ID: "0", Target: pc.TargetDraft}}, "", ""},
		{"preview", []pc.Submission{done("2", pc.TargetPreview, pc.SubmissionSucceeded), {ID: "0", Target: pc.TargetDraft}}, "2", ""},
		{"live stands for the preview", []pc.Submission{done("2", pc.TargetLive, pc.SubmissionSucceeded)}, "2", "2"},
		{"newer preview over live", []pc.Submission{done("3", pc.TargetPreview, pc.SubmissionSucceeded), done("2", pc.TargetLive, pc.SubmissionSucceeded)}, "3", "2"},
		{"failed and running are skipped", []pc.Submission{done("4", pc.TargetPreview, pc.SubmissionFailed),
			{ID: "3", Target: pc.TargetPreview, Status: pc.SubmissionRunning}, done("2", pc.TargetPreview, pc.SubmissionSucceeded)}, "2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			preview, live := publishedSubmissions(tc.subs)
			id := func(s *pc.Submission) string {
				if s == nil {
					return ""
				}
				return s.ID
			}
			g.Expect(id(preview)).To(Equal(tc.wantPreview))
			g.Expect(id(live)).To(Equal(tc.wantLive))
		})
	}
}

func TestAdoptedConditionSaysWhatWasLeftAsFound(t *testing.T) {
	offer := func(a *v1alpha1.Adoption, gen int64) *v1alpha1.MarketplaceOffer {
		o := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Generation: gen,
			Annotations: map[string]string{v1alpha1.AdoptAnnotation: "true"}}}
		o.Spec.OfferID = "contoso"
		o.Status.ProductID, o.Status.Adoption = "p-1", a
		o.Status.PreviewSubmission = &v1alpha1.SubmissionRef{ID: "7", Generation: 1}
		return o
	}
	for _, tc := range []struct {
		name     string
		offer    *v1alpha1.MarketplaceOffer
		diff     []string
		reason   string
		contains string
	}{
		{"equal", offer(&v1alpha1.Adoption{Generation: 1}, 1), nil, v1alpha1.ReasonSucceeded, "nothing was written"},
		{"unpublished draft", offer(&v1alpha1.Adoption{Generation: 1, UnpublishedDraft: true}, 1), []string{"listing.summary: x"},
			v1alpha1.ReasonUnpublishedDraft, "not published until the spec changes (a generation after 1) or the marketplace.cosell.io/adopt annotation is removed: listing.summary: x"},
		{"sale stopped", offer(&v1alpha1.Adoption{Generation: 1, SaleStopped: true}, 1), nil, v1alpha1.ReasonSaleStopped, "neither restores nor publishes it"},
		{"released", offer(&v1alpha1.Adoption{Generation: 1}, 2), nil, v1alpha1.ReasonSucceeded, "generation 2 is managed from the spec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			setAdoptedCondition(tc.offer, tc.diff)
			c := meta.FindStatusCondition(tc.offer.Status.Conditions, v1alpha1.AdoptedCondition)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(c.Reason).To(Equal(tc.reason))
			g.Expect(c.Message).To(HavePrefix("took over product p-1 as Partner Center holds it (published submission 7)"))
			g.Expect(c.Message).To(ContainSubstring(tc.contains))
		})
	}
}

func TestObservedMessageListsTheDifferencesOrSaysInSync(t *testing.T) {
	g := NewWithT(t)
	o := &v1alpha1.MarketplaceOffer{}
	many := make([]string, maxDifferences+3)
	for i := range many {
		many[i] = "f"
	}
	g.Expect(observedMessage(o, &observation{productID: "p"})).To(HavePrefix("Partner Center holds what the spec says (product p)"))
	msg := observedMessage(o, &observation{productID: "p", differences: many, notCompared: []string{"spec.coSell (why)"}})
	g.Expect(msg).To(ContainSubstring("differs from the spec in 23 field(s)"))
	g.Expect(msg).To(ContainSubstring("; and 3 more; not compared: spec.coSell (why)"))
	g.Expect(msg).To(ContainSubstring("with the annotation marketplace.cosell.io/adopt"))
}

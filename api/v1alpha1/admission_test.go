package v1alpha1_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

var (
	env       *testenv.Environment
	k8sClient client.Client
)

func TestMain(m *testing.M) {
	var err error
	env, err = testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	k8sClient, err = client.New(env.Config, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// newNamespace creates a namespace of its own for a test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "admission-"}}
	if err := k8sClient.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func validOffer(ns string) *v1alpha1.MarketplaceOffer {
	return &v1alpha1.MarketplaceOffer{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "offer-", Namespace: ns},
		Spec: v1alpha1.MarketplaceOfferSpec{
			OfferID:     "contoso-analytics",
			OfferType:   v1alpha1.OfferTypeSoftwareAsAService,
			PublisherID: "contoso",
			Target:      v1alpha1.TargetLive,
			// The SaaS landing page and webhook are kept in Partner Center.
			ManagedInPartnerCenter: []v1alpha1.PartnerCenterPart{v1alpha1.PartTechnicalConfiguration},
			Listing: v1alpha1.OfferListing{
				Title:            "Contoso Analytics",
				Summary:          "Real-time analytics for retail.",
				Description:      strings.Repeat("Analytics for retail stores. ", 5),
				PrivacyPolicyURL: "https://contoso.example/privacy",
				SupportURL:       "https://contoso.example/support",
			},
			Plans: []v1alpha1.Plan{{ID: "standard", Name: "Standard", Pricing: v1alpha1.PricingFlatRate, Price: "499.00"}},
			CoSell: &v1alpha1.CoSell{
				SolutionType:  "Software",
				SolutionAreas: []string{"Data & AI"},
				Documents:     []v1alpha1.CoSellDocument{{Type: v1alpha1.DocumentSolutionOnePager, URL: "https://contoso.example/one-pager.pdf"}},
				Contacts:      []v1alpha1.CoSellContact{{Role: "Sales", Name: "Dana Whitfield", Email: "dana@contoso.example"}},
			},
			Resell: &v1alpha1.Resell{Policy: v1alpha1.ResellAll},
		},
	}
}

func validSolution(ns string) *v1alpha1.Solution {
	return &v1alpha1.Solution{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "solution-", Namespace: ns},
		Spec: v1alpha1.SolutionSpec{
			SolutionID: "ocp-contoso-analytics",
			PartnerID:  "4871234",
			Action:     v1alpha1.ActionMerge,
			Merge:      &v1alpha1.MergeSpec{OfferRef: &v1alpha1.OfferReference{Name: "contoso-analytics"}},
		},
	}
}

// TestAdmissionRefusesMistakes creates objects with the mistakes users make
// and checks the API server refuses each with a message that says what to fix.
func TestAdmissionRefusesMistakes(t *testing.T) {
	ns := newNamespace(t)
	solution := func(mutate func(*v1alpha1.Solution)) client.Object {
		s := validSolution(ns)
		mutate(s)
		return s
	}
	offer := func(mutate func(*v1alpha1.MarketplaceOffer)) client.Object {
		o := validOffer(ns)
		mutate(o)
		return o
	}
	cases := []struct {
		name string
		obj  client.Object
		want string
	}{
		{"merge without a target", solution(func(s *v1alpha1.Solution) { s.Spec.Merge = nil }),
			"action Merge needs spec.merge: set merge.offerRef.name to a MarketplaceOffer, or merge.offerURL"},
		{"merge with both offerRef and offerURL", solution(func(s *v1alpha1.Solution) {
			s.Spec.Merge.OfferURL = "https://appsource.microsoft.com/product/saas/contoso.analytics"
		}), "merge needs exactly one of offerRef"},
		{"merge with an empty block", solution(func(s *v1alpha1.Solution) { s.Spec.Merge = &v1alpha1.MergeSpec{} }),
			"merge needs exactly one of offerRef"},
		{"offer URL over http", solution(func(s *v1alpha1.Solution) {
			s.Spec.Merge = &v1alpha1.MergeSpec{OfferURL: "http://appsource.microsoft.com/product/saas/contoso.analytics"}
		}), "offerURL must be an https URL"},
		{"offer URL off the marketplace", solution(func(s *v1alpha1.Solution) {
			s.Spec.Merge = &v1alpha1.MergeSpec{OfferURL: "https://contoso.example/analytics"}
		}), "offerURL must point at a listing on appsource.microsoft.com or azuremarketplace.microsoft.com"},
		{"offer URL that is no URL", solution(func(s *v1alpha1.Solution) {
			s.Spec.Merge = &v1alpha1.MergeSpec{OfferURL: "contoso analytics"}
		}), "offerURL must be an https URL"},
		{"migrate without an offer", solution(func(s *v1alpha1.Solution) {
			s.Spec.Action, s.Spec.Merge = v1alpha1.ActionMigrate, nil
		}), "action Migrate needs spec.migrate.offerRef.name"},
		{"migrate block on a discard", solution(func(s *v1alpha1.Solution) {
			s.Spec.Action, s.Spec.Merge = v1alpha1.ActionDiscard, nil
			s.Spec.Migrate = &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: "contoso-analytics"}}
		}), "spec.migrate applies only to action Migrate; remove it or set action to Migrate (action is Discard)"},
		{"merge block on a migrate", solution(func(s *v1alpha1.Solution) {
			s.Spec.Action = v1alpha1.ActionMigrate
			s.Spec.Migrate = &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: "contoso-analytics"}}
		}), "spec.merge applies only to action Merge; remove it or set action to Merge (action is Migrate)"},
		{"portal confirmation of another action", solution(func(s *v1alpha1.Solution) {
			s.Spec.CompletedInPortal = &v1alpha1.PortalConfirmation{Action: v1alpha1.ActionDiscard, ConfirmedBy: "dana"}
		}), "spec.completedInPortal.action (Discard) confirms another action than spec.action (Merge)"},
		{"portal confirmation without a person", solution(func(s *v1alpha1.Solution) {
			s.Spec.CompletedInPortal = &v1alpha1.PortalConfirmation{Action: v1alpha1.ActionMerge}
		}), "spec.completedInPortal.confirmedBy in body should be at least 1 chars long"},
		{"unknown action", solution(func(s *v1alpha1.Solution) { s.Spec.Action = "Delete" }),
			`spec.action: Unsupported value: "Delete": supported values: "Merge", "Migrate", "Discard"`},
		{"partner ID with letters", solution(func(s *v1alpha1.Solution) { s.Spec.PartnerID = "contoso1" }),
			"spec.partnerID in body should match '^[0-9]+$'"},
		{"partner ID too short", solution(func(s *v1alpha1.Solution) { s.Spec.PartnerID = "123" }),
			"spec.partnerID in body should be at least 6 chars long"},
		{"solution ID with spaces", solution(func(s *v1alpha1.Solution) { s.Spec.SolutionID = "contoso analytics" }),
			"spec.solutionID in body should match"},
		{"offer reference that is no object name", solution(func(s *v1alpha1.Solution) {
			s.Spec.Merge.OfferRef.Name = "Contoso_Analytics"
		}), "spec.merge.offerRef.name in body should match"},

		{"offer ID with capitals", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.OfferID = "Contoso-Analytics" }),
			"offerID Contoso-Analytics is not valid: use 3 to 50 lowercase letters, digits, - or _"},
		{"offer ID of 60 characters", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.OfferID = strings.Repeat("a", 60) }),
			"spec.offerID: Too long: may not be more than 50 bytes"},
		{"offer ID starting with a dash", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.OfferID = "-contoso" }),
			"offerID -contoso is not valid"},
		{"unknown offer type", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.OfferType = "SaaS" }),
			`spec.offerType: Unsupported value: "SaaS"`},
		{"unknown target", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Target = "Production" }),
			`spec.target: Unsupported value: "Production": supported values: "Draft", "Preview", "Live"`},
		{"six solution areas", offer(func(o *v1alpha1.MarketplaceOffer) {
			o.Spec.CoSell.SolutionAreas = []string{"Data & AI", "Security", "Modern Work", "Infrastructure", "Business Applications", "Digital & App Innovation"}
		}), "spec.coSell.solutionAreas: Too many: 6: must have at most 5 items"},
		{"no solution area", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.CoSell.SolutionAreas = []string{} }),
			"spec.coSell.solutionAreas in body should have at least 1 items"},
		{"duplicate plan ids", offer(func(o *v1alpha1.MarketplaceOffer) {
			o.Spec.Plans = append(o.Spec.Plans, v1alpha1.Plan{ID: "standard", Name: "Standard again", Pricing: v1alpha1.PricingFree})
		}), `spec.plans[1]: Duplicate value: {"id":"standard"}`},
		{"plan id with capitals", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Plans[0].ID = "Standard" }),
			"plan id Standard is not valid"},
		{"plans on a consulting service", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.OfferType = v1alpha1.OfferTypeConsultingService }),
			"the plans of a ConsultingService offer are edited in Partner Center: remove spec.plans"},
		{"flat rate without a price", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Plans[0].Price = "" }),
			`plan standard is priced FlatRate and needs a price, such as "99.00"`},
		{"price on a free plan", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Plans[0].Pricing = v1alpha1.PricingFree }),
			"plan standard sets a price, which only FlatRate and PerUser pricing use"},
		{"price that is no amount", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Plans[0].Price = "$499" }),
			"spec.plans[0].price in body should match"},
		// The simulator (internal/simulator, configure_request.go) refuses
		// more than 7 integer digits; the CRD refused only more than 9,
		// so such a price passed admission and then stalled the offer.
		{"price of 8 integer digits", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Plans[0].Price = "12345678.00" }),
			"spec.plans[0].price"},
		{"market that is no country code", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Plans[0].Markets = []string{"USA"} }),
			"spec.plans[0].markets[0] in body should match '^[A-Z]{2}$'"},
		{"specific resell without partners", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Resell = &v1alpha1.Resell{Policy: v1alpha1.ResellSpecific} }),
			"resell policy Specific needs partnerIDs"},
		{"resell partners without Specific", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Resell.PartnerIDs = []string{"5123456"} }),
			"resell.partnerIDs applies only to policy Specific"},
		{"title over 50 characters", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Title = strings.Repeat("t", 51) }),
			"spec.listing.title: Too long: may not be more than 50 bytes"},
		{"summary over 100 characters", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Summary = strings.Repeat("s", 101) }),
			"spec.listing.summary: Too long: may not be more than 100 bytes"},
		{"description over 5000 characters", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Description = strings.Repeat("d", 5001) }),
			"spec.listing.description: Too long: may not be more than 5000 bytes"},
		{"four keywords", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.Keywords = []string{"a", "b", "c", "d"} }),
			"spec.listing.keywords: Too many: 4: must have at most 3 items"},
		{"privacy policy over http", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.Listing.PrivacyPolicyURL = "http://contoso.example/privacy" }),
			"privacyPolicyURL must be an https URL"},
		{"contact email that is no address", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.CoSell.Contacts[0].Email = "dana at contoso" }),
			"contact email dana at contoso is not an email address"},
		{"unknown document type", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.CoSell.Documents[0].Type = "Brochure" }),
			`spec.coSell.documents[0].type: Unsupported value: "Brochure"`},
		{"unknown deletion policy", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.DeletionPolicy = "Destroy" }),
			`spec.deletionPolicy: Unsupported value: "Destroy": supported values: "Orphan", "Delete"`},
		{"publisher ID with capitals", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.PublisherID = "Contoso" }),
			"spec.publisherID in body should match"},
		{"migrateFrom without a solution ID", offer(func(o *v1alpha1.MarketplaceOffer) { o.Spec.MigrateFrom = &v1alpha1.MigrateFrom{} }),
			"spec.migrateFrom.solutionID in body should be at least 1 chars long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			err := k8sClient.Create(context.Background(), tc.obj)
			g.Expect(err).To(HaveOccurred(), "the API server accepted it")
			g.Expect(err.Error()).To(ContainSubstring(tc.want))
		})
	}
}

// TestAdmissionRefusesImmutableChanges changes fields that Partner Center
// cannot change after creation.
func TestAdmissionRefusesImmutableChanges(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()

	offerCases := []struct {
		name   string
		mutate func(*v1alpha1.MarketplaceOffer)
		want   string
	}{
		{"offerType", func(o *v1alpha1.MarketplaceOffer) { o.Spec.OfferType = v1alpha1.OfferTypeAzureApplication },
			"offerType is immutable: Partner Center cannot change an offer's type; create a new MarketplaceOffer instead"},
		{"offerID", func(o *v1alpha1.MarketplaceOffer) { o.Spec.OfferID = "contoso-analytics-2" },
			"offerID is immutable: Partner Center cannot rename an offer"},
		{"publisherID", func(o *v1alpha1.MarketplaceOffer) { o.Spec.PublisherID = "fabrikam" },
			"publisherID is immutable: an offer cannot move between publishers"},
	}
	for _, tc := range offerCases {
		t.Run("offer "+tc.name, func(t *testing.T) {
			g := NewWithT(t)
			o := validOffer(ns)
			g.Expect(k8sClient.Create(ctx, o)).To(Succeed())
			tc.mutate(o)
			err := k8sClient.Update(ctx, o)
			g.Expect(err).To(HaveOccurred())
			g.Expect(err.Error()).To(ContainSubstring(tc.want))
		})
	}

	solutionCases := []struct {
		name   string
		mutate func(*v1alpha1.Solution)
		want   string
	}{
		{"solutionID", func(s *v1alpha1.Solution) { s.Spec.SolutionID = "ocp-contoso-other" },
			"solutionID is immutable; create a new Solution for another legacy solution"},
		{"partnerID", func(s *v1alpha1.Solution) { s.Spec.PartnerID = "4871235" },
			"partnerID is immutable; create a new Solution for another partner"},
	}
	for _, tc := range solutionCases {
		t.Run("solution "+tc.name, func(t *testing.T) {
			g := NewWithT(t)
			s := validSolution(ns)
			g.Expect(k8sClient.Create(ctx, s)).To(Succeed())
			tc.mutate(s)
			err := k8sClient.Update(ctx, s)
			g.Expect(err).To(HaveOccurred())
			g.Expect(err.Error()).To(ContainSubstring(tc.want))
		})
	}

	t.Run("solution action after Partner Center merged it", func(t *testing.T) {
		g := NewWithT(t)
		s := validSolution(ns)
		g.Expect(k8sClient.Create(ctx, s)).To(Succeed())
		s.Status.State = v1alpha1.StateMerged
		g.Expect(k8sClient.Status().Update(ctx, s)).To(Succeed())
		s.Spec.Action, s.Spec.Merge = v1alpha1.ActionDiscard, nil
		err := k8sClient.Update(ctx, s)
		g.Expect(err).To(HaveOccurred())
		g.Expect(err.Error()).To(ContainSubstring("spec.action cannot change: Partner Center already merged this solution"))
	})

	t.Run("solution action away from a discard is the undo", func(t *testing.T) {
		g := NewWithT(t)
		s := validSolution(ns)
		s.Spec.Action, s.Spec.Merge = v1alpha1.ActionDiscard, nil
		g.Expect(k8sClient.Create(ctx, s)).To(Succeed())
		s.Status.State = v1alpha1.StateDiscarded
		g.Expect(k8sClient.Status().Update(ctx, s)).To(Succeed())
		s.Spec.Action = v1alpha1.ActionMigrate
		s.Spec.Migrate = &v1alpha1.MigrateSpec{OfferRef: v1alpha1.OfferReference{Name: "contoso-analytics"}}
		g.Expect(k8sClient.Update(ctx, s)).To(Succeed())
	})
}

// TestSamplesAreAccepted applies every sample users will copy.
func TestSamplesAreAccepted(t *testing.T) {
	g := NewWithT(t)
	ns := newNamespace(t)
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "samples", "*.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(files).NotTo(BeEmpty())
	kinds := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		g.Expect(err).NotTo(HaveOccurred())
		u := &unstructured.Unstructured{}
		g.Expect(yaml.Unmarshal(data, &u.Object)).To(Succeed(), f)
		u.SetNamespace(ns)
		g.Expect(k8sClient.Create(context.Background(), u)).To(Succeed(), f)
		kinds[u.GetKind()]++
	}
	g.Expect(kinds).To(HaveKeyWithValue("Solution", 3))
	g.Expect(kinds).To(HaveKeyWithValue("MarketplaceOffer", 3))
}

func TestDefaults(t *testing.T) {
	g := NewWithT(t)
	o := validOffer(newNamespace(t))
	g.Expect(k8sClient.Create(context.Background(), o)).To(Succeed())
	g.Expect(o.Spec.DeletionPolicy).To(Equal(v1alpha1.DeletionPolicyOrphan))
}

// The largest price the simulator accepts (7 integer digits, 2 decimals)
// passes admission too.
func TestLargestSimulatorPriceIsAccepted(t *testing.T) {
	g := NewWithT(t)
	o := validOffer(newNamespace(t))
	o.Spec.Plans[0].Price = "9999999.99"
	g.Expect(k8sClient.Create(context.Background(), o)).To(Succeed())
}

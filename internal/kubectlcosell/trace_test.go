package kubectlcosell

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// certifying is what the trace test puts in Partner Center: an offer
// whose preview submission is in certification, and the job submitting it.
type certifying struct {
	url, productID, previewID, jobID string
}

// startCertifying runs the simulator in process (certification takes an
// hour, so the submission stays in it) and takes contoso-analytics to
// certification through the HTTP adapter, as the operator would.
func startCertifying(t *testing.T) certifying {
	t.Helper()
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := simulator.New(simulator.Options{Addr: "127.0.0.1:0", CertificationDelay: time.Hour})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { cancel(); _ = sim.Close() })
	g.Expect(sim.Start(ctx)).To(Succeed())
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 10 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())

	await := func(job *pc.Job, err error) string {
		g.Expect(err).NotTo(HaveOccurred())
		g.Eventually(func(g Gomega) {
			got, err := c.GetJob(ctx, job.ID)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got.Succeeded()).To(BeTrue(), "%+v", got)
		}).WithTimeout(10 * time.Second).WithPolling(10 * time.Millisecond).Should(Succeed())
		return job.ID
	}
	detail, err := c.GetJobDetail(ctx, await(c.CreateProduct(ctx, pc.ProductSpec{OfferID: "contoso-analytics", OfferType: "SoftwareAsAService", Name: "Contoso Analytics"})))
	g.Expect(err).NotTo(HaveOccurred())
	s := certifying{url: sim.URL(), productID: detail.ProductID()}
	draft := pc.Draft{
		Listing: pc.Listing{Title: "Contoso Analytics", Summary: "Real-time analytics for retail.", ShortDescription: "Retail analytics",
			Description:      "<p>Contoso Analytics turns shelf sensors into live dashboards for retail store managers, delivered as a managed SaaS service on Azure.</p>",
			PrivacyPolicyURL: "https://contoso.example/privacy", SupportURL: "https://contoso.example/support"},
		Plans:  []pc.Plan{{ID: "standard", Name: "Standard", Description: "Standard plan", Pricing: "FlatRate", Price: "499.00", Markets: []string{"US"}}},
		Resell: pc.Resell{Policy: "All"},
	}
	await(c.ConfigureDraft(ctx, s.productID, "SoftwareAsAService", draft))
	// In certification, the submission job runs until certification ends:
	// the job in flight that status records.
	job, err := c.SubmitPreview(ctx, s.productID)
	g.Expect(err).NotTo(HaveOccurred())
	s.jobID = job.ID
	g.Eventually(func(g Gomega) {
		subs, err := c.ListSubmissions(ctx, s.productID)
		g.Expect(err).NotTo(HaveOccurred())
		for _, sub := range subs {
			if sub.Target == pc.TargetPreview {
				s.previewID = sub.ID
			}
		}
		g.Expect(s.previewID).NotTo(BeEmpty())
	}).WithTimeout(10 * time.Second).WithPolling(10 * time.Millisecond).Should(Succeed())
	return s
}

// certifyingObjects creates the samples contoso-analytics and
// ocp-contoso-analytics in ns with the status the operator writes while
// the offer is in certification and the merge waits for it to go live.
func certifyingObjects(t *testing.T, ns string, s certifying) {
	g := NewWithT(t)
	ctx := context.Background()
	offer := &v1alpha1.MarketplaceOffer{}
	sample(t, "marketplace_v1alpha1_marketplaceoffer_analytics.yaml", ns, offer)
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())
	offer.Status = v1alpha1.MarketplaceOfferStatus{ObservedGeneration: 1, Phase: v1alpha1.OfferPhase("Certifying"), ProductID: s.productID,
		PreviewSubmission: &v1alpha1.SubmissionRef{ID: s.previewID, Generation: 1, Result: v1alpha1.SubmissionResult("InProgress")},
		Operation:         &v1alpha1.Operation{Purpose: v1alpha1.OperationPreview, ID: s.jobID}}
	setConditions(&offer.Status.Conditions, v1alpha1.ReasonCertifying, "generation 1 is in certification")
	g.Expect(k8s.Status().Update(ctx, offer)).To(Succeed())

	sol := &v1alpha1.Solution{}
	sample(t, "marketplace_v1alpha1_solution_merge.yaml", ns, sol)
	g.Expect(k8s.Create(ctx, sol)).To(Succeed())
	sol.Status = v1alpha1.SolutionStatus{ObservedGeneration: 1, State: v1alpha1.StatePendingMigration}
	setConditions(&sol.Status.Conditions, v1alpha1.ReasonWaitingForOffer, "waiting for MarketplaceOffer contoso-analytics to exist and go live")
	g.Expect(k8s.Status().Update(ctx, sol)).To(Succeed())
}

func setConditions(conds *[]metav1.Condition, reason, msg string) {
	meta.SetStatusCondition(conds, metav1.Condition{Type: v1alpha1.ReadyCondition, Status: metav1.ConditionFalse, Reason: reason, Message: msg, ObservedGeneration: 1})
	meta.SetStatusCondition(conds, metav1.Condition{Type: v1alpha1.ReconcilingCondition, Status: metav1.ConditionTrue, Reason: reason, Message: msg, ObservedGeneration: 1})
}

// cells splits the printed table into its cells (columns are two spaces
// or more apart; messages have single spaces), with the IDs Partner
// Center chose and the times replaced by names.
func cells(out string, s certifying) [][]string {
	out = strings.NewReplacer(s.productID, "<product>", s.previewID, "<preview>", s.jobID, "<job>").Replace(out)
	out = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).ReplaceAllString(out, "<time>")
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))] // the tree's, not a column gap
		row := regexp.MustCompile(` {2,}`).Split(strings.TrimLeft(line, " "), -1)
		row[0] = indent + row[0]
		rows = append(rows, row)
	}
	return rows
}

func TestParseJobRef(t *testing.T) {
	g := NewWithT(t)
	for id, want := range map[string][2]string{
		"preview/e3b8": {"preview", "e3b8"}, "stop-sale/9f": {"stop-sale", "9f"}, "e3b8": {"draft", "e3b8"}, "other/e3b8": {"draft", "other/e3b8"},
	} {
		purpose, jobID := parseJobRef(id)
		g.Expect([2]string{purpose, jobID}).To(Equal(want), id)
	}
}

// The job in flight is read from status.operation; a status written by a
// release before it (status.configureJob) is still read.
func TestOperationOfReadsStatusOperationThenTheLegacyField(t *testing.T) {
	g := NewWithT(t)
	at := metav1.Now()
	st := v1alpha1.MarketplaceOfferStatus{Operation: &v1alpha1.Operation{Purpose: v1alpha1.OperationStopSale, ID: "9f", StartedAt: &at},
		ConfigureJob: &v1alpha1.JobRef{ID: "preview/e3b8"}}
	g.Expect(operationOf(st)).To(Equal(&operation{purpose: "stop-sale", id: "9f", startedAt: &at}))
	st.Operation = nil
	g.Expect(operationOf(st)).To(Equal(&operation{purpose: "preview", id: "e3b8"}))
	st.ConfigureJob = nil
	g.Expect(operationOf(st)).To(BeNil())

	n := tracer{}.job(context.Background(), &operation{purpose: "preview", startedAt: &at})
	g.Expect(n.name).To(Equal("Job (preview, pending)"))
}

func TestTraceSolutionDownToPartnerCenter(t *testing.T) {
	needCluster(t)
	g := NewWithT(t)
	s := startCertifying(t)
	certifyingObjects(t, "team-c", s)

	out, err := run(t, "trace", "solution/ocp-contoso-analytics", "-n", "team-c", "--kubeconfig", kubeconfig, "--partner-center", s.url)
	g.Expect(err).NotTo(HaveOccurred())
	t.Log("\n" + out)
	g.Expect(cells(out, s)).To(Equal([][]string{
		{"NAME", "STATE", "READY", "STATUS"},
		{"Solution/ocp-contoso-analytics", "PendingMigration", "False", "WaitingForOffer: waiting for MarketplaceOffer contoso-analytics to exist and go live"},
		{"├─ LegacySolution/ocp-contoso-analytics", "PendingMigration", "-", "partner 4871234"},
		{"└─ MarketplaceOffer/contoso-analytics", "Certifying", "False", "Certifying: generation 1 is in certification"},
		{"   └─ Product/<product>", "generallyAvailable", "-", "offer ID contoso-analytics, SoftwareAsAService"},
		{"      ├─ Submission/<preview> (preview)", "running/pending", "-", "in certification since <time>"},
		{"      ├─ Submission/0 (draft)", "-", "-", "the draft the next submission publishes"},
		{"      └─ Job/<job> (preview)", "running/pending", "-", "Partner Center is running it"},
	}))
}

func TestTraceFromTheClusterAlone(t *testing.T) {
	needCluster(t)
	g := NewWithT(t)
	s := certifying{productID: "8c6a7e52-7c49-4d4e-9f35-0b0e3d1c2a10", previewID: "1152921504606846999", jobID: "0b9a4d1e-5a7c-4f7e-9d7e-2f1c3b4a5d6e"}
	certifyingObjects(t, "team-d", s)

	out, err := run(t, "trace", "offer/contoso-analytics", "-n", "team-d", "--kubeconfig", kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	t.Log("\n" + out)
	g.Expect(cells(out, s)).To(Equal([][]string{
		{"NAME", "STATE", "READY", "STATUS"},
		{"MarketplaceOffer/contoso-analytics", "Certifying", "False", "Certifying: generation 1 is in certification"},
		{"└─ Product/<product>", "-", "-", notRead},
		{"   ├─ Submission/<preview> (preview)", "InProgress", "-", "generation 1, as status records it"},
		{"   └─ Job/<job> (preview)", "-", "-", notRead},
	}))

	sol := &v1alpha1.Solution{}
	sample(t, "marketplace_v1alpha1_solution_migrate.yaml", "team-d", sol)
	g.Expect(k8s.Create(context.Background(), sol)).To(Succeed())
	out, err = run(t, "trace", "sol", sol.Name, "-n", "team-d", "--kubeconfig", kubeconfig)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cells(out, s)).To(Equal([][]string{
		{"NAME", "STATE", "READY", "STATUS"},
		{"Solution/" + sol.Name, "-", "-", "waiting for the operator to report status"},
		{"└─ MarketplaceOffer/" + sol.Spec.Migrate.OfferRef.Name, "-", "-", "not found in namespace team-d: create it"},
	}))

	_, err = run(t, "trace", "offer/nothing-here", "-n", "team-d", "--kubeconfig", kubeconfig)
	g.Expect(err).To(MatchError(ContainSubstring(`MarketplaceOffer/nothing-here in namespace team-d: marketplaceoffers.marketplace.cosell.io "nothing-here" not found`)))
}

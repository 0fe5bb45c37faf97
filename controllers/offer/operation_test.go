package offer

import (
	"context"
	"encoding/json"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// The job IDs status.configureJob held before status.operation.
func TestParseLegacyJobRef(t *testing.T) {
	for _, tc := range []struct {
		id      string
		purpose v1alpha1.OperationPurpose
		jobID   string
	}{
		{"create/j1", jobCreate, "j1"},
		{"draft/j2", jobDraft, "j2"},
		{"preview/j3", jobPreview, "j3"},
		{"live/j4", jobLive, "j4"},
		{"stop-sale/j5", jobStopSale, "j5"},
		{"delete/j6", jobDelete, "j6"},
		{"preview/", jobPreview, ""}, // a pending mark
		{"j7", jobDraft, "j7"},       // a bare ID is a draft job
		{"other/j8", jobDraft, "other/j8"},
	} {
		purpose, jobID := parseLegacyJobRef(tc.id)
		if purpose != tc.purpose || jobID != tc.jobID {
			t.Errorf("parseLegacyJobRef(%q) = %q, %q; want %q, %q", tc.id, purpose, jobID, tc.purpose, tc.jobID)
		}
	}
}

// An offer stored by a release before status.operation, with its preview
// submission job in flight in status.configureJob ("preview/<jobId>"), is
// followed to that job's end after the upgrade: no second submission, the
// submission recorded, configureJob cleared.
func TestUpgradeFollowsTheJobRecordedInConfigureJob(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := fake.New()
	f.JobReads = 3
	offer := ctrltest.DraftOffer()
	offer.Spec.Target = v1alpha1.TargetPreview
	h := newOfferHarness(t, offer, f)

	var got *v1alpha1.MarketplaceOffer
	g.Eventually(func(g Gomega) {
		_, got = h.reconcile(g)
		g.Expect(got.Status.Operation).NotTo(BeNil())
		g.Expect(got.Status.Operation.Purpose).To(Equal(jobPreview))
	}).Should(Succeed())
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1))

	// The status as the release before wrote it: the job in configureJob.
	raw, err := json.Marshal(got.Status)
	g.Expect(err).NotTo(HaveOccurred())
	var old map[string]any
	g.Expect(json.Unmarshal(raw, &old)).To(Succeed())
	op := old["operation"].(map[string]any)
	delete(old, "operation")
	old["configureJob"] = map[string]any{"id": "preview/" + op["id"].(string), "startedAt": op["startedAt"], "generation": op["generation"]}
	raw, err = json.Marshal(old)
	g.Expect(err).NotTo(HaveOccurred())
	got.Status = v1alpha1.MarketplaceOfferStatus{}
	g.Expect(json.Unmarshal(raw, &got.Status)).To(Succeed())
	g.Expect(got.Status.Operation).To(BeNil())
	g.Expect(h.r.Status().Update(ctx, got)).To(Succeed())

	_, got = h.reconcile(g)
	g.Expect(got.Status.ConfigureJob).To(BeNil(), "moved into status.operation")
	g.Eventually(func(g Gomega) {
		_, got = h.reconcile(g)
		g.Expect(meta.IsStatusConditionTrue(got.Status.Conditions, v1alpha1.ReadyCondition)).To(BeTrue())
	}).Should(Succeed())
	g.Expect(f.Calls["SubmitPreview"]).To(Equal(1), "the job recorded before the upgrade is followed, not submitted again")
	g.Expect(got.Status.Operation).To(BeNil())
	g.Expect(got.Status.ConfigureJob).To(BeNil())
	g.Expect(got.Status.PreviewSubmission).NotTo(BeNil())
	g.Expect(got.Status.PreviewSubmission.ID).NotTo(BeEmpty())
}

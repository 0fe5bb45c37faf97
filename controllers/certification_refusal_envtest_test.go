package controllers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// A refused certification in the shape real traffic has (a failed
// submission whose errors are internalServerError -> invalidState
// "Certification" -> invalidState "Issues found during Certification.",
// with no per-resource detail; the simulator's certification extension)
// stalls the offer saying that certification failed, where the report is
// read (the offer's page in Partner Center) and how to submit again.
func TestARefusedCertificationSaysWhereTheReportIsAndHowToSubmitAgain(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim := startSimulator(t, simOptions{certificationDelay: 2 * time.Second})
	ns := newNamespace(t)
	startOperator(t, sim, ns)
	offer := sampleOffer(t, ns, "marketplace_v1alpha1_marketplaceoffer_analytics.yaml")
	g.Expect(k8s.Create(ctx, offer)).To(Succeed())

	var productID string
	g.Eventually(func(g Gomega) {
		productID = getOffer(g, ns, offer.Name).Status.ProductID
		g.Expect(productID).NotTo(BeEmpty())
	}, timeout, interval).Should(Succeed())
	url := strings.TrimSuffix(sim.URL(), simulator.APIPrefix) + simulator.ExtensionPrefix + "/products/" + productID + "/certification"
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, strings.NewReader(`{"refuse":true}`))
	g.Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	_ = resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK))

	g.Eventually(func(g Gomega) {
		o := getOffer(g, ns, offer.Name)
		c := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonCertificationFailed))
		g.Expect(c.Message).To(ContainSubstring("failed certification"))
		g.Expect(c.Message).To(ContainSubstring("certification report on the offer's page in Partner Center"))
		g.Expect(c.Message).To(ContainSubstring("Issues found during Certification."))
		g.Expect(c.Message).To(ContainSubstring(v1alpha1.ReconcileRequestedAtAnnotation), "how to submit again unchanged")
		g.Expect(c.Message).NotTo(ContainSubstring("internalServerError"), "a refusal, not a server error")
		cert := meta.FindStatusCondition(o.Status.Conditions, v1alpha1.CertifiedCondition)
		g.Expect(cert).NotTo(BeNil())
		g.Expect(string(cert.Status)).To(Equal("False"))
		g.Expect(cert.Message).To(ContainSubstring("offer's page in Partner Center"))
		g.Expect(o.Status.Certification).NotTo(BeNil())
		g.Expect(o.Status.Certification.Result).To(Equal(v1alpha1.CertificationFailed))
		g.Expect(kstatusOf(g, o)).To(Equal(status.FailedStatus))
	}, timeout, interval).Should(Succeed())
}

package ingestion_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

// TestAgainstSimulatorOpaqueCertificationRefusal: the simulator refuses a
// certification in the shape of real traffic (no per-resource details);
// the port gives one item saying what failed and where the report is read,
// and a new preview passes once the refusal is lifted.
func TestAgainstSimulatorOpaqueCertificationRefusal(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	sim, c := startSim(t)
	root := strings.TrimSuffix(sim.URL(), simulator.APIPrefix)

	p := createProduct(g, c, pc.ProductSpec{OfferID: "contoso-opaque", OfferType: "SoftwareAsAService", Name: "Contoso"})
	job, err := c.ConfigureDraft(ctx, p.ID, "SoftwareAsAService", pc.Draft{
		Listing: pc.Listing{Title: "Contoso", Summary: "Scores data.", PrivacyPolicyURL: "https://contoso.example/privacy",
			Description: strings.Repeat("Contoso scores your retail data estate for gaps. ", 3)}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(await(g, c, job).Succeeded()).To(BeTrue())

	refuse := func(on bool) {
		body := `{"refuse": false}`
		if on {
			body = `{"refuse": true}`
		}
		req, _ := http.NewRequest(http.MethodPut, root+simulator.ExtensionPrefix+"/products/"+p.ID+"/certification", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		g.Expect(err).NotTo(HaveOccurred())
		_ = resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}
	refuse(true)
	job, err = c.SubmitPreview(ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	done := await(g, c, job)
	g.Expect(done.Result).To(Equal(pc.JobFailed))
	g.Expect(done.Errors).To(HaveLen(1))
	g.Expect(done.Errors[0].Code).To(Equal(pc.CodeInvalidState))
	g.Expect(done.Errors[0].Resource).To(HavePrefix("submission/" + p.ID + "/"))
	g.Expect(done.Errors[0].Message).To(ContainSubstring(ingestion.CertificationReportHint))

	refuse(false)
	job, err = c.SubmitPreview(ctx, p.ID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(await(g, c, job).Succeeded()).To(BeTrue())
}

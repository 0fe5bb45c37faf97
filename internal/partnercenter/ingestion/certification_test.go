package ingestion

import (
	"encoding/json"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// The refused certification of Microsoft's answers, as the cloudpub
// project's fixtures hold it, becomes one item that says what failed and
// where the report is read; per-resource details stay as they are.
func TestCertificationRefusalFeedback(t *testing.T) {
	g := NewWithT(t)
	const opaque = `[{"resourceId": "submission/2d541119", "code": "internalServerError", "message": "Operation failed",
		"details": [{"code": "invalidState", "message": "Certification",
			"details": [{"code": "invalidState", "message": "Issues found during Certification."}]}]}]`
	var errs []wire.InnerError
	g.Expect(json.Unmarshal([]byte(opaque), &errs)).To(Succeed())
	items := Feedback(errs)
	g.Expect(items).To(HaveLen(1))
	g.Expect(items[0].Code).To(Equal(pc.CodeInvalidState))
	g.Expect(items[0].Resource).To(Equal("submission/2d541119"))
	g.Expect(items[0].Message).To(And(ContainSubstring("Issues found during Certification."),
		ContainSubstring("certification refused"), ContainSubstring("offer's page in Partner Center")))

	const detailed = `[{"resourceId": "submission/p/2", "code": "invalidState", "message": "Certification",
		"details": [{"code": "businessValidationError", "resourceId": "listing/p/public/main/default/en-us", "message": "Add a privacy policy link."}]}]`
	var more []wire.InnerError
	g.Expect(json.Unmarshal([]byte(detailed), &more)).To(Succeed())
	items = Feedback(more)
	g.Expect(items).To(HaveLen(2), "per-resource details are kept")
	g.Expect(items[1]).To(Equal(pc.FeedbackItem{Code: "businessValidationError", Resource: "listing/p/public/main/default/en-us", Message: "Add a privacy policy link."}))
}

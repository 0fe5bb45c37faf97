package ingestion

import (
	"strings"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// A refused certification as real traffic shows it (the cloudpub project's
// fixtures of Microsoft's answers): a failed job whose error is
// internalServerError "Operation failed" on the submission, with details
// invalidState "Certification" -> invalidState "Issues found during
// Certification.", and nothing naming the resource to fix. Flattened as
// is, it would read as a server error; it is one actionable item instead.

// CertificationReportHint says where the report of a refused
// certification is read.
const CertificationReportHint = "read the certification report on the offer's page in Partner Center, where Microsoft lists what to fix"

// certificationRefusal recognises a refused certification without
// per-resource details: an invalidState whose message names certification,
// and no resourceId but the submission's anywhere in the tree.
func certificationRefusal(errs []wire.InnerError) (pc.FeedbackItem, bool) {
	var found bool
	var submission, last string
	detailed := false
	var walk func(errs []wire.InnerError)
	walk = func(errs []wire.InnerError) {
		for _, e := range errs {
			if e.ResourceID != nil && !e.ResourceID.IsZero() {
				if id := e.ResourceID.String(); strings.HasPrefix(id, wire.KindSubmission+"/") {
					submission = id
				} else {
					detailed = true
				}
			}
			if e.Code == pc.CodeInvalidState && strings.Contains(strings.ToLower(e.Message), "certification") {
				found, last = true, e.Message
			}
			walk(e.Details)
		}
	}
	walk(errs)
	if !found || detailed {
		return pc.FeedbackItem{}, false
	}
	return pc.FeedbackItem{Code: pc.CodeInvalidState, Resource: submission,
		Message: "certification refused the submission and Partner Center gave no details here (\"" + last + "\"); " + CertificationReportHint}, true
}

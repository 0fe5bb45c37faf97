package kubectlcosell

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

const notRead = "Partner Center not read: add --partner-center to see its state"

// offer is the line of a MarketplaceOffer and, below it, its product in
// Partner Center with the product's submissions and the job in flight.
func (t tracer) offer(ctx context.Context, o *v1alpha1.MarketplaceOffer) *node {
	n := objectNode(kindOffer+"/"+o.Name, string(o.Status.Phase), o, o.Spec.Suspend, o.Status.ObservedGeneration, o.Status.Conditions)
	st := o.Status
	if st.ProductID == "" {
		n.add(t.unrecordedProduct(ctx, o))
		return n
	}
	p := t.product(ctx, st.ProductID)
	p.add(t.submissions(ctx, st)...)
	if op := operationOf(st); op != nil {
		p.add(t.job(ctx, op))
	}
	n.add(p)
	return n
}

// unrecordedProduct looks for a product with the offer's ID that the
// object has not recorded: one being created, or one to adopt.
func (t tracer) unrecordedProduct(ctx context.Context, o *v1alpha1.MarketplaceOffer) *node {
	if t.pc == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	p, err := t.pc.FindProduct(ctx, o.Spec.OfferID)
	switch {
	case pc.IsNotFound(err):
		return &node{name: "Product (offer ID " + o.Spec.OfferID + ")", status: "none in Partner Center yet"}
	case err != nil:
		return &node{name: "Product (offer ID " + o.Spec.OfferID + ")", status: readError(err)}
	}
	return &node{name: "Product/" + p.ID, state: string(p.State),
		status: "offer ID " + p.OfferID + " exists in Partner Center but status.productID does not record it yet"}
}

func (t tracer) product(ctx context.Context, id string) *node {
	n := &node{name: "Product/" + id}
	if t.pc == nil {
		n.status = notRead
		return n
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	p, err := t.pc.GetProduct(ctx, id)
	if err != nil {
		n.status = readError(err)
		return n
	}
	n.state = string(p.State)
	n.status = fmt.Sprintf("offer ID %s, %s", p.OfferID, p.OfferType)
	if p.State == pc.LifecycleDeprecated {
		n.status += ": sale stopped"
	}
	return n
}

// submissions are the product's submissions as Partner Center lists them
// (newest first, the draft entry last), or without Partner Center the
// ones status records.
func (t tracer) submissions(ctx context.Context, st v1alpha1.MarketplaceOfferStatus) []*node {
	if t.pc == nil {
		var out []*node
		for _, r := range []struct {
			target string
			ref    *v1alpha1.SubmissionRef
		}{{"preview", st.PreviewSubmission}, {"live", st.LiveSubmission}} {
			if r.ref != nil {
				out = append(out, &node{name: fmt.Sprintf("Submission/%s (%s)", r.ref.ID, r.target), state: string(r.ref.Result),
					status: fmt.Sprintf("generation %d, as status records it", r.ref.Generation)})
			}
		}
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	subs, err := t.pc.ListSubmissions(ctx, st.ProductID)
	if err != nil {
		return []*node{{name: "Submissions", status: readError(err)}}
	}
	out := make([]*node, 0, len(subs))
	for _, s := range subs {
		out = append(out, submissionNode(s))
	}
	return out
}

func submissionNode(s pc.Submission) *node {
	n := &node{name: fmt.Sprintf("Submission/%s (%s)", s.ID, s.Target)}
	if s.IsDraft() {
		n.status = "the draft the next submission publishes"
		return n
	}
	n.state = string(s.Status) + "/" + string(s.Result)
	switch {
	case s.Status != pc.SubmissionCompleted && s.Target == pc.TargetPreview:
		n.status = "in certification" + since(s.Created)
	case s.Status != pc.SubmissionCompleted:
		n.status = "publishing to live" + since(s.Created)
	case s.Result == pc.SubmissionFailed && len(s.Feedback) == 0:
		n.status = "failed: the offer's status.certification.feedback says what to fix"
	case s.Result == pc.SubmissionFailed:
		n.status = "failed" + firstFeedback(s.Feedback)
	case s.State == pc.LifecycleDeprecated:
		n.status = "sale stopped"
	case s.Target == pc.TargetPreview:
		n.status = "certified: preview links work"
	default:
		n.status = "live"
	}
	return n
}

// operationOf is the job in flight: status.operation, or, as a release
// before it recorded it, status.configureJob ("<purpose>/<jobId>"); nil
// when there is none.
func operationOf(st v1alpha1.MarketplaceOfferStatus) *operation {
	if op := st.Operation; op != nil {
		return &operation{purpose: purposeWords[op.Purpose], id: op.ID, startedAt: op.StartedAt}
	}
	if ref := st.ConfigureJob; ref != nil {
		purpose, id := parseJobRef(ref.ID)
		return &operation{purpose: purpose, id: id, startedAt: ref.StartedAt}
	}
	return nil
}

// operation is a job in flight, its purpose as messages name it.
type operation struct {
	purpose, id string
	startedAt   *metav1.Time
}

// purposeWords names status.operation's purposes as the operator's
// messages do (controllers/offer/operation.go).
var purposeWords = map[v1alpha1.OperationPurpose]string{
	v1alpha1.OperationCreate: "create", v1alpha1.OperationDraft: "draft", v1alpha1.OperationPreview: "preview",
	v1alpha1.OperationLive: "live", v1alpha1.OperationStopSale: "stop-sale", v1alpha1.OperationDelete: "delete",
}

// jobPurposes are the prefixes a release before status.operation gave
// status.configureJob.id ("<purpose>/<jobId>"); a bare ID is a draft job.
var jobPurposes = map[string]bool{"create": true, "draft": true, "preview": true, "live": true, "stop-sale": true, "delete": true}

// parseJobRef splits a recorded job ID into its purpose and Partner
// Center's job ID, as the operator does.
func parseJobRef(id string) (purpose, jobID string) {
	if p, j, ok := strings.Cut(id, "/"); ok && jobPurposes[p] {
		return p, j
	}
	return "draft", id
}

// job is the job in flight that the status records. A pending mark (no
// job ID yet) is shown as such and not read.
func (t tracer) job(ctx context.Context, ref *operation) *node {
	purpose, id := ref.purpose, ref.id
	n := &node{name: "Job/" + id + " (" + purpose + ")"}
	if id == "" {
		n.name = "Job (" + purpose + ", pending)"
		n.status = "marked before the call that starts it; the operator looks for what it made before making it again" + since(timeOf(ref.startedAt))
		return n
	}
	if t.pc == nil {
		n.status = notRead
		return n
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	j, err := t.pc.GetJob(ctx, id)
	if err != nil {
		n.status = readError(err)
		return n
	}
	n.state = string(j.Status) + "/" + string(j.Result)
	switch {
	case !j.Done():
		n.status = "Partner Center is running it"
		n.status += since(timeOf(ref.startedAt))
	case j.Succeeded():
		n.status = "done; the operator records it on its next reconcile"
	default:
		n.status = fmt.Sprintf("%s%s", j.Result, firstFeedback(j.Errors))
	}
	return n
}

func timeOf(t *metav1.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time
}

func since(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " since " + t.UTC().Format(time.RFC3339)
}

func firstFeedback(items []pc.FeedbackItem) string {
	if len(items) == 0 {
		return ""
	}
	f := items[0]
	s := ": " + f.Message
	if f.Resource != "" {
		s = ": " + f.Resource + ": " + f.Message
	}
	if len(items) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(items)-1)
	}
	return s
}

package controllers_test

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers"
	"github.com/cosell-operator/cosell-operator/controllers/solution"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/fake"
)

// refusingPrerequisites is a Partner Center that refuses every
// prerequisites check with the given message.
type refusingPrerequisites struct {
	*fake.Client
	message string
}

func (r refusingPrerequisites) Prerequisites(context.Context, string, string) (*pc.Prerequisites, error) {
	return nil, &pc.Error{Class: pc.ClassTerminal, Op: "Prerequisites", StatusCode: 400, Message: r.message}
}

// FuzzStatusWritesAcceptOversizedInput drives a Solution's reconcile
// against the API server with an oversized reconcile request and an
// oversized Partner Center message: every status write is accepted (no
// 422), the stall message and the echo are within their bounds, and the
// echo is new for a new request. The seeds run in every `go test`; the
// fuzzing workers start no API server (suite_test.go), so under -fuzz the
// target skips.
func FuzzStatusWritesAcceptOversizedInput(f *testing.F) {
	f.Add("2026-12-07T07:00:00Z", "refused", uint16(1), uint16(1))
	f.Add("é", "the partner's membership lapsed ", uint16(300), uint16(2000))
	f.Add("x y ", "€", uint16(20000), uint16(40000))
	f.Fuzz(func(t *testing.T, request, message string, requestRepeat, messageRepeat uint16) {
		if k8s == nil {
			t.Skip("no API server in a fuzzing worker")
		}
		g := NewWithT(t)
		ctx := context.Background()
		// Annotations are bounded to 256 KiB in all; stay within.
		request = truncateTo(strings.Repeat(strings.ToValidUTF8(request, "?"), int(requestRepeat)), 200*1024)
		message = strings.Repeat(strings.ToValidUTF8(message, "?"), int(messageRepeat))
		if request == "" {
			request = "now"
		}
		if strings.TrimSpace(message) == "" {
			message = "refused"
		}
		ns := newNamespace(t)
		sol := &v1alpha1.Solution{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "fuzz", Annotations: map[string]string{v1alpha1.ReconcileRequestedAtAnnotation: request}},
			Spec:       v1alpha1.SolutionSpec{SolutionID: "ocp-fuzz", PartnerID: "4871234", Action: v1alpha1.ActionDiscard},
		}
		g.Expect(k8s.Create(ctx, sol)).To(Succeed())
		partnerCenter := fake.New(pc.LegacySolution{PartnerID: "4871234", SolutionID: "ocp-fuzz"})
		r := solution.NewController(controllers.Dependencies{Client: solutionIndexClient{k8s},
			PartnerCenter: pc.Static(refusingPrerequisites{Client: partnerCenter, message: message}),
			Recorder:      events.NewFakeRecorder(100), Clock: clock.RealClock{}})
		key := client.ObjectKeyFromObject(sol)
		_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: key})
		g.Expect(err).NotTo(HaveOccurred(), "the status write is accepted")
		got := &v1alpha1.Solution{}
		g.Expect(k8s.Get(ctx, key, got)).To(Succeed())
		stall := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(stall).NotTo(BeNil(), "the refusal is reported")
		g.Expect(len(stall.Message)).To(BeNumerically("<=", 32*1024))
		first := got.Status.LastHandledReconcileAt
		g.Expect(first).NotTo(BeEmpty())
		g.Expect(len(first)).To(BeNumerically("<=", 256))

		got.Annotations[v1alpha1.ReconcileRequestedAtAnnotation] = request + "!"
		g.Expect(k8s.Update(ctx, got)).To(Succeed())
		_, err = r.Reconcile(ctx, ctrl.Request{NamespacedName: key})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(k8s.Get(ctx, key, got)).To(Succeed())
		g.Expect(got.Status.LastHandledReconcileAt).NotTo(Equal(first), "a new request is echoed anew")
	})
}

// truncateTo cuts s to at most n bytes at a character boundary.
func truncateTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

package reconcile

import (
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

func TestSummarize(t *testing.T) {
	cases := []struct {
		name            string
		err             error
		wantReady       metav1.ConditionStatus
		wantReason      string
		wantReconciling bool
		wantStalled     bool
	}{
		{"done", nil, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, false, false},
		{"waiting", Waiting(time.Second, v1alpha1.ReasonCertifying, "certifying"), metav1.ConditionFalse, v1alpha1.ReasonCertifying, true, false},
		{"stalled", Stalled(v1alpha1.ReasonCertificationFailed, "fix it"), metav1.ConditionFalse, v1alpha1.ReasonCertificationFailed, false, true},
		{"transient", errors.New("HTTP 503"), metav1.ConditionFalse, v1alpha1.ReasonPartnerCenterError, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			// Start from the opposite: a stalled, reconciling, ready object.
			conds := []metav1.Condition{
				{Type: v1alpha1.ReadyCondition, Status: metav1.ConditionTrue, Reason: "Old"},
				{Type: v1alpha1.ReconcilingCondition, Status: metav1.ConditionTrue, Reason: "Old"},
				{Type: v1alpha1.StalledCondition, Status: metav1.ConditionTrue, Reason: "Old"},
			}
			summarize(&conds, 7, Classify(tc.err, v1alpha1.ReasonPartnerCenterError), "all good")
			ready := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition)
			g.Expect(ready.Status).To(Equal(tc.wantReady))
			g.Expect(ready.Reason).To(Equal(tc.wantReason))
			g.Expect(ready.ObservedGeneration).To(Equal(int64(7)))
			g.Expect(meta.FindStatusCondition(conds, v1alpha1.ReconcilingCondition) != nil).To(Equal(tc.wantReconciling))
			g.Expect(meta.FindStatusCondition(conds, v1alpha1.StalledCondition) != nil).To(Equal(tc.wantStalled))
		})
	}
}

func TestMarkStaleTurnsReadyOffForANewGeneration(t *testing.T) {
	g := NewWithT(t)
	conds := []metav1.Condition{{Type: v1alpha1.ReadyCondition, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSucceeded, ObservedGeneration: 1}}
	markStale(&conds, 1)
	g.Expect(meta.IsStatusConditionTrue(conds, v1alpha1.ReadyCondition)).To(BeTrue(), "same generation keeps its truth")
	markStale(&conds, 2)
	g.Expect(meta.IsStatusConditionFalse(conds, v1alpha1.ReadyCondition)).To(BeTrue())
	g.Expect(meta.FindStatusCondition(conds, v1alpha1.ReadyCondition).ObservedGeneration).To(Equal(int64(2)))
}

func TestPollAfterGrowsAndIsBounded(t *testing.T) {
	g := NewWithT(t)
	g.Expect(PollAfter(0, time.Second, time.Minute)).To(BeNumerically("~", time.Second, 110*time.Millisecond))
	g.Expect(PollAfter(40*time.Second, time.Second, time.Minute)).To(BeNumerically("~", 10*time.Second, time.Second+10*time.Millisecond))
	g.Expect(PollAfter(time.Hour, time.Second, time.Minute)).To(BeNumerically("<=", 66*time.Second))
}

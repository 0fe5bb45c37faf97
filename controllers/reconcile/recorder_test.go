package reconcile

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/client-go/tools/events"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

func TestBoundedRecorderDropsNormalEventsBeyondItsBudgetButNeverWarnings(t *testing.T) {
	g := NewWithT(t)
	inner := events.NewFakeRecorder(100)
	r := NewBoundedRecorder(inner, 0.001, 3) // a burst of 3, then nothing for a long while
	obj := &v1alpha1.MarketplaceOffer{}
	for range 5 {
		r.Eventf(obj, nil, "Normal", "PhaseLive", "Reconcile", "live")
	}
	for range 2 {
		r.Eventf(obj, nil, "Warning", "CertificationFailed", "Reconcile", "fix it")
	}
	close(inner.Events)
	var got []string
	for e := range inner.Events {
		got = append(got, e)
	}
	g.Expect(got).To(HaveLen(5), "3 Normal events within the burst and both Warnings: %v", got)
	g.Expect(got[3:]).To(HaveEach(HavePrefix("Warning CertificationFailed")))
}

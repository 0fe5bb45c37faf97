package main

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

func TestStripForCacheDropsWhatTheControllersNeverRead(t *testing.T) {
	g := NewWithT(t)
	offer := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{
		Name:          "contoso-analytics",
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		Annotations: map[string]string{
			corev1.LastAppliedConfigAnnotation: `{"spec":{"offerID":"contoso-analytics"}}`,
			"argocd.argoproj.io/sync-wave":     "0",
		},
	}}
	out, err := stripForCache(offer)
	g.Expect(err).NotTo(HaveOccurred())
	got := out.(*v1alpha1.MarketplaceOffer)
	g.Expect(got.ManagedFields).To(BeEmpty())
	g.Expect(got.Annotations).To(Equal(map[string]string{"argocd.argoproj.io/sync-wave": "0"}))
	g.Expect(got.Name).To(Equal("contoso-analytics"))
}

func TestWatchedNamespaces(t *testing.T) {
	for flag, want := range map[string][]string{
		"":                 nil,
		" , ":              nil,
		"team-a":           {"team-a"},
		"team-a, team-b,,": {"team-a", "team-b"},
	} {
		got := watchedNamespaces(flag)
		if want == nil {
			if got != nil {
				t.Errorf("--watch-namespaces=%q: got %v, want nil (all namespaces)", flag, got)
			}
			continue
		}
		g := NewWithT(t)
		g.Expect(got).To(HaveLen(len(want)), "--watch-namespaces=%q", flag)
		for _, ns := range want {
			g.Expect(got).To(HaveKey(ns), "--watch-namespaces=%q", flag)
		}
	}
}

func TestSimulatorRealisticLeavesGivenDelaysAlone(t *testing.T) {
	g := NewWithT(t)
	opts, err := parse("cosell-operator", []string{"--simulator-realistic", "--simulator-merge-delay=1h"}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.simulatorRealistic).To(BeTrue())
	g.Expect(opts.simulatorCertDelay).To(BeZero(), "not given: the simulator's realistic certification delay")
	g.Expect(opts.simulatorMergeDelay).To(Equal(time.Hour), "given: kept")

	opts, err = parse("cosell-operator", nil, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.simulatorCertDelay).To(Equal(5*time.Second), "the demo default")
}

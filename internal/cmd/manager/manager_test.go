package manager

import (
	"strings"
	"testing"
	"unsafe"

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
	out, err := StripForCache(offer)
	g.Expect(err).NotTo(HaveOccurred())
	got := out.(*v1alpha1.MarketplaceOffer)
	g.Expect(got.ManagedFields).To(BeEmpty())
	g.Expect(got.Annotations).To(Equal(map[string]string{"argocd.argoproj.io/sync-wave": "0"}))
	g.Expect(got.Name).To(Equal("contoso-analytics"))

	// Repeated status strings are kept once (controllers.ShareCachedStrings).
	msg := func(m string) *v1alpha1.MarketplaceOffer {
		return &v1alpha1.MarketplaceOffer{Status: v1alpha1.MarketplaceOfferStatus{Conditions: []metav1.Condition{{Type: "Ready", Message: m}}}}
	}
	a, _ := StripForCache(msg(strings.Repeat("generation 1 is live; ", 4)))
	b, _ := StripForCache(msg(strings.Repeat("generation 1 is live; ", 4)))
	g.Expect(unsafe.StringData(a.(*v1alpha1.MarketplaceOffer).Status.Conditions[0].Message)).
		To(Equal(unsafe.StringData(b.(*v1alpha1.MarketplaceOffer).Status.Conditions[0].Message)))
}

func TestWatchedNamespaces(t *testing.T) {
	for flag, want := range map[string][]string{
		"":                 nil,
		" , ":              nil,
		"team-a":           {"team-a"},
		"team-a, team-b,,": {"team-a", "team-b"},
	} {
		got := WatchedNamespaces(flag)
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

package main

import (
	"testing"

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

package ingestion

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// NoExtensions makes a simulator host answer as Microsoft's hosts do: the
// OCP GTM operations are Unsupported without a request, and the client
// says it does not serve them (the Solution then hands off to a person).
func TestNoExtensionsTreatsASimulatorAsMicrosoft(t *testing.T) {
	g := NewWithT(t)
	on, err := New(Options{BaseURL: "http://127.0.0.1:1/rp/product-ingestion"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(on.ServesMigration()).To(BeTrue())
	off, err := New(Options{BaseURL: "http://127.0.0.1:1/rp/product-ingestion", NoExtensions: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(off.ServesMigration()).To(BeFalse())
	_, err = off.DiscardSolution(context.Background(), "4871234", "ocp-contoso-legacy-crm")
	g.Expect(pc.ClassOf(err)).To(Equal(pc.ClassUnsupported))
}

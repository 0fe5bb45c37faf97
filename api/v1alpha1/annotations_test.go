package v1alpha1_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export"
)

// The export writes the adopt opt-in under its own constant; it must be
// the annotation the operator reads.
func TestExportWritesTheAdoptAnnotationTheOperatorReads(t *testing.T) {
	g := NewWithT(t)
	g.Expect(export.AdoptAnnotation).To(Equal(v1alpha1.AdoptAnnotation))
}

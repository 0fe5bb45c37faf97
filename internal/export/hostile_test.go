package export

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// hostileReader is a Partner Center that answers whatever a test needs:
// products with any offer ID, and as many pages as it likes.
type hostileReader struct {
	products []pc.Product
	// endless answers every page with another @nextLink.
	endless bool
	pages   int
}

func (h *hostileReader) ListProducts(_ context.Context, _ ingestion.ListProductsOptions, _ string) (*ingestion.ProductPage, error) {
	h.pages++
	pg := &ingestion.ProductPage{}
	if h.pages == 1 {
		pg.Products = h.products
	}
	if h.endless {
		pg.Next = "https://graph.microsoft.com/rp/product-ingestion/product?continuationToken=" + strconv.Itoa(h.pages)
	}
	return pg, nil
}

func (h *hostileReader) FindProduct(_ context.Context, offerID string) (*pc.Product, error) {
	for _, p := range h.products {
		if p.OfferID == offerID {
			return &p, nil
		}
	}
	return nil, &pc.Error{Class: pc.ClassNotFound, Op: "FindProduct"}
}

func (h *hostileReader) ListSubmissions(context.Context, string) ([]pc.Submission, error) {
	return nil, nil
}

func (h *hostileReader) GetTarget(context.Context, string, pc.SubmissionTarget) (*pc.Draft, error) {
	return &pc.Draft{}, nil
}

// TestExportOutRefusesOfferIDThatEscapesFolder: a server answering an
// offer ID such as "../x" gets no file outside --out (nor anywhere): the
// offer is reported as failed, the others are written.
func TestExportOutRefusesOfferIDThatEscapesFolder(t *testing.T) {
	g := NewWithT(t)
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	r := &hostileReader{products: []pc.Product{
		{ID: "p1", OfferID: "../escaped", OfferType: "SoftwareAsAService"},
		{ID: "p2", OfferID: "/tmp/abs", OfferType: "SoftwareAsAService"},
		{ID: "p3", OfferID: "Upper-Case", OfferType: "SoftwareAsAService"},
		{ID: "p4", OfferID: "contoso-ok", OfferType: "SoftwareAsAService"},
	}}
	err := run(context.Background(), r, nil, flags{publisher: "contoso", out: out}, FromLive, os.Stdout, os.Stderr)
	g.Expect(err).To(MatchError(ContainSubstring(`offer ID "../escaped" from Partner Center does not match the CRD's pattern`)))
	g.Expect(err).To(MatchError(ContainSubstring(`"/tmp/abs"`)))
	g.Expect(err).To(MatchError(ContainSubstring(`"Upper-Case"`)))
	g.Expect(filepath.Join(parent, "escaped.yaml")).NotTo(BeAnExistingFile())
	entries, rerr := os.ReadDir(out)
	g.Expect(rerr).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(1))
	g.Expect(entries[0].Name()).To(Equal("contoso-ok.yaml"))
}

// TestWriteDirRefusesFileNameOutsideFolder: whatever builds a document, a
// file name that is not a plain name inside the folder is refused before
// any file is written.
func TestWriteDirRefusesFileNameOutsideFolder(t *testing.T) {
	for _, name := range []string{"../x.yaml", "a/b.yaml", `a\b.yaml`, "/etc/x.yaml", "..", ".", ""} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			err := WriteDir(out, []Document{{File: "first.yaml", Object: map[string]any{}}, {File: name, Object: map[string]any{}}})
			g.Expect(err).To(MatchError(ContainSubstring("is not a plain name inside the output folder")))
			g.Expect(filepath.Join(out, "first.yaml")).NotTo(BeAnExistingFile(), "nothing is written when one name is refused")
			g.Expect(filepath.Join(parent, "x.yaml")).NotTo(BeAnExistingFile())
		})
	}
}

// TestExportStopsFollowingEndlessNextLinks: a server that answers every
// page of GET product with another @nextLink stops the export after
// MaxPages pages with an error, instead of reading forever.
func TestExportStopsFollowingEndlessNextLinks(t *testing.T) {
	g := NewWithT(t)
	r := &hostileReader{endless: true, products: []pc.Product{{ID: "p1", OfferID: "contoso", OfferType: "SoftwareAsAService"}}}
	_, err := Run(context.Background(), r, Options{PublisherID: "contoso", MaxPages: 7})
	g.Expect(err).To(MatchError(ContainSubstring("still had an @nextLink after 7 pages")))
	g.Expect(r.pages).To(Equal(7))

	r = &hostileReader{endless: true}
	_, err = Run(context.Background(), r, Options{PublisherID: "contoso"})
	g.Expect(err).To(HaveOccurred())
	g.Expect(r.pages).To(Equal(DefaultMaxPages), "the default cap applies without MaxPages")
}

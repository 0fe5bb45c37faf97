package plan

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// oneProduct is a Reader holding product p-1 for offer ID taken, empty.
type oneProduct struct{ calls []string }

func (r *oneProduct) FindProduct(_ context.Context, offerID string) (*pc.Product, error) {
	r.calls = append(r.calls, "FindProduct "+offerID)
	if offerID == "taken" {
		return &pc.Product{ID: "p-1", OfferID: offerID}, nil
	}
	return nil, &pc.Error{Class: pc.ClassNotFound, Message: "no product"}
}

func (r *oneProduct) GetDraft(context.Context, string) (*pc.Draft, error) {
	r.calls = append(r.calls, "GetDraft")
	return &pc.Draft{}, nil
}

func (r *oneProduct) GetTarget(context.Context, string, pc.SubmissionTarget) (*pc.Draft, error) {
	return nil, errors.New("not expected")
}

func (r *oneProduct) ListSubmissions(context.Context, string) ([]pc.Submission, error) {
	return nil, errors.New("not expected")
}

const stdinManifests = `apiVersion: marketplace.cosell.io/v1alpha1
kind: MarketplaceOffer
metadata: {name: a, namespace: team}
spec: {offerID: dup, offerType: CoSellOnly, publisherID: contoso, target: Draft, managedInPartnerCenter: [Listing]}
---
apiVersion: marketplace.cosell.io/v1alpha1
kind: MarketplaceOffer
metadata: {name: b, namespace: team}
spec: {offerID: dup, offerType: CoSellOnly, publisherID: contoso, target: Draft, managedInPartnerCenter: [Listing]}
---
apiVersion: marketplace.cosell.io/v1alpha1
kind: MarketplaceOffer
metadata: {name: other, namespace: team}
spec: {offerID: taken, offerType: CoSellOnly, publisherID: contoso, target: Draft, managedInPartnerCenter: [Listing]}
status: {productID: p-0}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated}
`

func TestPlanShowsConflictsAndRefusedAdoption(t *testing.T) {
	g := NewWithT(t)
	in, err := ReadInput([]string{"-"}, strings.NewReader(stdinManifests))
	g.Expect(err).NotTo(HaveOccurred())
	offers := in.Offers
	g.Expect(offers).To(HaveLen(3))
	g.Expect(in.Notes).To(ConsistOf(ContainSubstring("ConfigMap unrelated ignored")))
	r := &oneProduct{}
	var out bytes.Buffer
	g.Expect(Print(context.Background(), r, in, "text", &out)).To(MatchError(ErrChanges))
	text := out.String()
	g.Expect(strings.Count(text, "~ ownershipConflict: offer ID dup is declared by 2 objects")).To(Equal(2), text)
	g.Expect(text).To(ContainSubstring("~ adoptionRefused: would stall: adoption refused: Partner Center holds product p-1"))
	g.Expect(r.calls).To(Equal([]string{"FindProduct taken"}), "a refused adoption reads no further")

	// With the adopt annotation the draft is compared instead.
	offers[2].Annotations = map[string]string{"marketplace.cosell.io/adopt": "true"}
	r = &oneProduct{}
	res, err := Offers(context.Background(), r, offers[2:])
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Objects[0].Actions).To(BeEmpty())
	g.Expect(res.Objects[0].Notes).To(ContainElement(ContainSubstring("adopts product p-1")))
}

func (r *oneProduct) GetSolution(context.Context, string, string) (*pc.LegacySolution, error) {
	return nil, errors.New("not expected")
}

func (r *oneProduct) Prerequisites(context.Context, string, string) (*pc.Prerequisites, error) {
	return nil, errors.New("not expected")
}

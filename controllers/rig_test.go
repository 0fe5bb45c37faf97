package controllers

import (
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/offer"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// offerRig is the MarketplaceOffer controller over a fake API client and
// the map-backed Partner Center fake, for the tests of both kinds
// together.
type offerRig = ctrltest.Rig[*v1alpha1.MarketplaceOffer]

func newOfferRig(t *testing.T, o *v1alpha1.MarketplaceOffer, f pc.Client, others ...client.Object) *offerRig {
	t.Helper()
	c := offer.NewController(ctrltest.Deps(ctrltest.FakeClient(NewWithT(t), append(others, o)...), f))
	return ctrltest.NewRig(c, client.ObjectKeyFromObject(o))
}

package simulator

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestBehindTheOperatorsBack: the admin routes edit a draft, stop a sale
// and delete a product, and the published reads show it.
func TestBehindTheOperatorsBack(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid, _ := a.createOffer("contoso-analytics")
	listingID := "listing/" + pid + "/public/main/default/en-us"

	edited := listingRes("product/" + pid)
	edited["title"] = "Edited in Partner Center"
	code, body := a.do("PUT", ExtensionPrefix+"/drafts/"+listingID, edited)
	g.Expect(code).To(Equal(http.StatusOK), "%s", body)
	g.Expect(a.treeResource(pid, "draft", "listing")["title"]).To(Equal("Edited in Partner Center"))
	code, _ = a.do("PUT", ExtensionPrefix+"/drafts/product/"+pid, obj{"$schema": sch("product", version), "alias": "Renamed"})
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(a.product(pid).Alias).To(Equal("Renamed"))
	code, _ = a.do("PUT", ExtensionPrefix+"/drafts/"+listingID, obj{"$schema": sch("plan", version)})
	g.Expect(code).To(Equal(http.StatusBadRequest), "kind of the body and the path differ")
	code, _ = a.do("PUT", ExtensionPrefix+"/drafts/listing/00000000-0000-4000-8000-000000000000/public/main/default/en-us", edited)
	g.Expect(code).To(Equal(http.StatusNotFound))

	code, _ = a.do("POST", ExtensionPrefix+"/products/"+pid+"/stop-sale", nil)
	g.Expect(code).To(Equal(http.StatusConflict), "not live yet")
	a.publish(pid)
	code, _ = a.do("POST", ExtensionPrefix+"/products/"+pid+"/stop-sale", nil)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(a.product(pid).LifecycleState).To(Equal(lifecycleDeprecated))

	code, _ = a.do("DELETE", ExtensionPrefix+"/products/"+pid, nil)
	g.Expect(code).To(Equal(http.StatusNoContent))
	code, _ = a.pi("GET", "product/"+pid, nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	code, _ = a.do("DELETE", ExtensionPrefix+"/products/"+pid, nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	a.createProduct("contoso-analytics", "softwareAsAService")

	// Admin routes are counted nowhere; API routes are.
	g.Expect(a.sim.Stats().Requests).To(And(HaveKey("POST configure 202"), HaveKey("GET resource-tree 200"), Not(HaveKey(ContainSubstring("stop-sale")))))
	code, _ = a.do("GET", "/nothing/here", nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
}

// TestRealisticDefaults: Realistic gives every unset delay its realistic
// value and keeps the ones set.
func TestRealisticDefaults(t *testing.T) {
	g := NewWithT(t)
	s := &Simulator{opts: Options{Realistic: true, JobDelay: time.Second}}
	g.Expect(s.certificationDelay()).To(Equal(RealisticCertificationDelay))
	g.Expect(s.jobDelay()).To(Equal(time.Second))
	g.Expect(s.liveDelay()).To(Equal(RealisticLiveDelay))
	g.Expect(s.mergeDelay()).To(Equal(RealisticMergeDelay))
	s = &Simulator{opts: Options{JobDelay: time.Second}}
	g.Expect(s.certificationDelay()).To(BeZero())
	g.Expect(s.liveDelay()).To(Equal(time.Second), "going live takes the job delay in demo mode")
}

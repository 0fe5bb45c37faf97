package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestPublishedLifecycle walks the documented lifecycle: create a product,
// plan, listing and pricing in one request with resourceName references,
// read them back the documented ways, publish to preview, then live.
func TestPublishedLifecycle(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g

	pid, planID := a.createOffer("contoso-analytics")
	g.Expect(planID).To(MatchRegexp(`^plan/` + pid + `/[0-9a-f-]{36}$`))

	// The product, by GUID, by externalId (both spellings) and by type.
	p := a.product(pid)
	g.Expect(p).To(Equal(product{Schema: sch("product", "2022-03-01-preview3"), ID: "product/" + pid,
		Identity: identity{ExternalID: "contoso-analytics"}, Type: "softwareAsAService", Alias: "Contoso Analytics",
		LifecycleState: "generallyAvailable"}))
	for _, q := range []string{"product?externalId=contoso-analytics", "product?externalID=contoso-analytics",
		"product?type=softwareAsAService", "product"} {
		var l listOf[product]
		a.get(q, &l)
		g.Expect(l.Value).To(Equal([]product{p}), q)
		g.Expect(l.NextLink).To(BeEmpty())
	}
	var none listOf[product]
	a.get("product?externalId=nobody-here", &none)
	g.Expect(none.Value).To(BeEmpty())

	// Plans, by product and by externalId; any durable ID reads the draft.
	var plans listOf[resource]
	a.get("plan?product=product/"+pid, &plans)
	g.Expect(plans.Value).To(HaveLen(1))
	g.Expect(idOf(plans.Value[0])).To(Equal(planID))
	g.Expect(plans.Value[0]["identity"]).To(Equal(map[string]any{"externalId": "gold"}))
	a.get("plan?product=product/"+pid+"&externalId=silver", &plans)
	g.Expect(plans.Value).To(BeEmpty())
	var pl resource
	a.get(planID, &pl)
	g.Expect(pl["alias"]).To(Equal("Gold"))
	var listing resource
	a.get("listing/"+pid+"/public/main/default/en-us", &listing)
	g.Expect(listing["title"]).To(Equal("Contoso Analytics"))
	g.Expect(listing["product"]).To(Equal("product/" + pid))

	// The draft resource tree, each resource valid.
	tree := a.tree(pid, "draft")
	g.Expect(tree.Root).To(Equal("product/" + pid))
	g.Expect(kinds(tree.Resources)).To(ConsistOf("product", "plan", "listing", "price-and-availability-plan"))
	for _, r := range tree.Resources {
		a.expectValidResource(r)
	}
	code, body := a.pi("GET", "resource-tree/product/"+pid+"?targetType=preview", nil)
	g.Expect(code).To(Equal(http.StatusNotFound), "no preview yet: %s", body)

	// Submissions: only the draft entry.
	g.Expect(a.submissions(pid)).To(Equal([]submission{draftSubmission(pid)}))

	// Preview, then live with the preview's id.
	job, sub := a.submit(pid, targetPreview, "")
	g.Expect(sub).To(MatchRegexp(`^submission/` + pid + `/\d+$`))
	st := a.waitJob(job)
	g.Expect(st.JobResult).To(Equal(resultSucceeded), "%+v", st.Errors)
	subs := a.submissions(pid)
	g.Expect(subs).To(HaveLen(2))
	g.Expect(subs[1].ID).To(Equal(sub))
	g.Expect(subs[1].Status).To(Equal(jobCompleted))
	g.Expect(subs[1].Result).To(Equal(resultSucceeded))
	g.Expect(subs[1].Target.TargetType).To(Equal(targetPreview))
	g.Expect(kinds(a.tree(pid, "preview").Resources)).To(ConsistOf("product", "plan", "listing", "price-and-availability-plan"))

	live := a.publishLive(pid, sub)
	g.Expect(live).To(Equal(sub))
	subs = a.submissions(pid)
	g.Expect(subs).To(HaveLen(2), "one submission stands for preview and live")
	g.Expect(subs[1].Target.TargetType).To(Equal(targetLive))
	g.Expect(a.tree(pid, "live").Target.TargetType).To(Equal(targetLive))

	// Going live again with the same submission changes nothing.
	a.mustSucceed(submissionReq("product/"+pid, targetLive, sub))

	// A change to the draft does not touch live until it is published.
	changed := listingRes("product/" + pid)
	changed["title"] = "Contoso Analytics 2"
	a.mustSucceed(changed)
	g.Expect(a.treeResource(pid, "live", "listing")["title"]).To(Equal("Contoso Analytics"))
	g.Expect(a.treeResource(pid, "draft", "listing")["title"]).To(Equal("Contoso Analytics 2"))
	job2, sub2 := a.submit(pid, targetPreview, "")
	g.Expect(sub2).NotTo(Equal(sub))
	g.Expect(a.waitJob(job2).JobResult).To(Equal(resultSucceeded))
	subs = a.submissions(pid)
	g.Expect(subs).To(HaveLen(3), "draft, the new preview and the live one")
	g.Expect([]string{subs[1].ID, subs[2].ID}).To(Equal([]string{sub2, sub}))
	a.publishLive(pid, sub2)
	g.Expect(a.treeResource(pid, "live", "listing")["title"]).To(Equal("Contoso Analytics 2"))
	g.Expect(a.submissions(pid)).To(HaveLen(2))

	stats := a.sim.Stats()
	g.Expect(stats.PreviewSubmissions).To(Equal(map[string]int{"contoso-analytics": 2}))
	g.Expect(stats.LiveSubmissions).To(Equal(map[string]int{"contoso-analytics": 2}))
	g.Expect(stats.ProductsByOfferID).To(Equal(map[string]int{"contoso-analytics": 1}))
}

func (a *api) publishLive(productID, previewID string) string {
	a.t.Helper()
	job, live := a.submit(productID, targetLive, previewID)
	a.g.Expect(a.waitJob(job).JobResult).To(Equal(resultSucceeded))
	return live
}

func (a *api) tree(productID, targetType string) resourceTree {
	a.t.Helper()
	var tr resourceTree
	a.get("resource-tree/product/"+productID+"?targetType="+targetType, &tr)
	a.expectValid(kindResourceTree, tr)
	a.g.Expect(tr.Target.TargetType).To(Equal(targetType))
	return tr
}

func (a *api) treeResource(productID, targetType, kind string) resource {
	a.t.Helper()
	for _, r := range a.tree(productID, targetType).Resources {
		if k, _ := kindOf(str(r, "$schema")); k == kind {
			return r
		}
	}
	a.t.Fatalf("no %s in the %s tree of %s", kind, targetType, productID)
	return nil
}

func kinds(rs []resource) []string {
	var out []string
	for _, r := range rs {
		k, _ := kindOf(str(r, "$schema"))
		out = append(out, k)
	}
	return out
}

// TestJobTimes: a job runs for JobDelay with the placeholder jobEnd, then
// completes; its detail is refused until then.
func TestJobTimes(t *testing.T) {
	clk := newClock()
	a := newAPI(t, Options{JobDelay: 3 * time.Minute}, clk)
	g := a.g
	st := a.configure(productRes("contoso-analytics", "softwareAsAService", "Contoso"))
	g.Expect(st.JobStart).To(Equal("2026-03-01T09:00:00.0000000Z"))
	running := a.job(st.JobID)
	g.Expect(running.JobStatus).To(Equal(jobRunning))
	g.Expect(running.JobResult).To(Equal(resultPending))
	g.Expect(running.JobEnd).To(Equal("0001-01-01T00:00:00"))
	code, body := a.pi("GET", "configure/"+st.JobID, nil)
	g.Expect(code).To(Equal(http.StatusBadRequest), "%s", body)
	clk.Advance(3 * time.Minute)
	done := a.job(st.JobID)
	g.Expect(done.JobStatus).To(Equal(jobCompleted))
	g.Expect(done.JobResult).To(Equal(resultSucceeded))
	g.Expect(done.JobEnd).To(Equal("2026-03-01T09:03:00.0000000Z"))
	var d configureDetail
	a.get("configure/"+st.JobID, &d)
	g.Expect(d.Schema).To(Equal(sch("configure-detail", "2022-03-01-preview2")))
	g.Expect(d.Resources).To(HaveLen(1))
	a.expectValid(kindProduct, d.Resources[0])
	code, _ = a.pi("GET", "configure/00000000-0000-4000-8000-000000000000/status", nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
}

// TestCertification: a preview submission runs for CertificationDelay; a
// failing draft ends in a failed job and submission whose inner errors name
// the resources to fix; the fixed draft passes.
func TestCertification(t *testing.T) {
	clk := newClock()
	a := newAPI(t, Options{CertificationDelay: 4 * time.Hour}, clk)
	g := a.g
	pid, planID := a.createOffer("contoso-analytics")
	bad := listingRes("product/" + pid)
	delete(bad, "privacyPolicyLink")
	bad["description"] = "Too short."
	a.mustSucceed(bad)
	// A plan without price and availability.
	a.mustSucceed(planRes("product/"+pid, "silver", "Silver"))

	job, sub := a.submit(pid, targetPreview, "")
	clk.Advance(3 * time.Hour)
	g.Expect(a.job(job).JobStatus).To(Equal(jobRunning))
	s := a.submissions(pid)[1]
	g.Expect(s.Status).To(Equal(jobRunning))
	g.Expect(s.Result).To(Equal(resultPending))
	// The product is locked while certification runs.
	e := a.mustFail(codeProductLocked, submissionReq("product/"+pid, targetPreview, ""))
	g.Expect(e.Message).To(ContainSubstring(sub))
	clk.Advance(time.Hour)

	st := a.job(job)
	g.Expect(st.JobStatus).To(Equal(jobCompleted))
	g.Expect(st.JobResult).To(Equal(resultFailed))
	g.Expect(st.Errors).To(HaveLen(1))
	top := st.Errors[0]
	g.Expect(top.Code).To(Equal(codeBusinessValidation))
	g.Expect(top.ResourceID).To(Equal(sub))
	listingID := "listing/" + pid + "/public/main/default/en-us"
	var issues []string
	for _, d := range top.Details {
		g.Expect(d.Code).To(Equal(codeBusinessValidation))
		issues = append(issues, d.ResourceID.(string)+": "+d.Message)
	}
	g.Expect(issues).To(ConsistOf(
		ContainSubstring(listingID+": The listing description has 10 characters"),
		ContainSubstring(listingID+": The listing has no privacy policy link. Set privacyPolicyLink"),
		MatchRegexp(`^plan/`+pid+`/[0-9a-f-]+: Plan "Silver" has no price and availability`),
	))
	failed := a.submissions(pid)[1]
	g.Expect(failed.Result).To(Equal(resultFailed))
	// The job detail lists only what succeeded: not the failed submission.
	var d configureDetail
	a.get("configure/"+job, &d)
	g.Expect(d.Resources).To(BeEmpty())
	// Nothing goes live from a failed preview.
	a.mustFail(codeInvalidState, submissionReq("product/"+pid, targetLive, sub))

	a.mustSucceed(listingRes("product/" + pid))
	e = a.mustFail(codeBusinessValidation, planRes("product/"+pid, "silver", "x"))
	g.Expect(e.Message).To(ContainSubstring("update it with"), "a second plan with an existing externalId is refused")
	var silver listOf[resource]
	a.get("plan?product=product/"+pid+"&externalID=silver", &silver)
	g.Expect(silver.Value).To(HaveLen(1))
	silverID := idOf(silver.Value[0])
	fixedPlan := planRes("product/"+pid, "silver", "Silver")
	fixedPlan["id"] = silverID
	a.mustSucceed(fixedPlan, priceRes("product/"+pid, obj{"externalId": "silver"}))
	_ = planID
	job, sub2 := a.submit(pid, targetPreview, "")
	clk.Advance(4 * time.Hour)
	g.Expect(a.job(job).JobResult).To(Equal(resultSucceeded))
	g.Expect(sub2).NotTo(Equal(sub))
	// Live must take the newest preview.
	e = a.mustFail(codeInvalidState, submissionReq("product/"+pid, targetLive, sub))
	g.Expect(e.Message).To(ContainSubstring(sub2))
}

// TestStopSaleRestoreDelete: stop sale through the live submission, as
// the SaaS page documents; delete only a never-published draft.
func TestStopSaleRestoreDelete(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid, _ := a.createOffer("contoso-analytics")
	live := a.publish(pid)

	// Deleting a published product is refused.
	del := obj{"$schema": sch("product", "2022-03-01-preview2"), "id": "product/" + pid,
		"identity": obj{"externalId": "contoso-analytics"}, "type": "softwareAsAService", "alias": "Contoso", "lifecycleState": "deleted"}
	a.mustFail(codeInvalidState, del)
	// Deprecating through the product resource is not the documented way.
	dep := obj{"$schema": sch("product", "2022-03-01-preview2"), "id": "product/" + pid,
		"identity": obj{"externalId": "contoso-analytics"}, "type": "softwareAsAService", "alias": "Contoso", "lifecycleState": "deprecated"}
	a.mustFail(codeNotSupported, dep)

	stop := submissionReq("product/"+pid, targetLive, live)
	stop["lifecycleState"] = "deprecated"
	a.mustSucceed(stop)
	g.Expect(a.product(pid).LifecycleState).To(Equal(lifecycleDeprecated))
	g.Expect(a.submissions(pid)[1].LifecycleState).To(Equal(lifecycleDeprecated))
	a.mustFail(codeInvalidState, submissionReq("product/"+pid, targetPreview, ""))

	restore := submissionReq("product/"+pid, targetLive, live)
	restore["lifecycleState"] = "generallyAvailable"
	a.mustSucceed(restore)
	g.Expect(a.product(pid).LifecycleState).To(Equal(lifecycleAvailable))
	a.publish(pid)

	// A never-published draft can be deleted; its offer ID is free again.
	draft := a.createProduct("contoso-draft", "consultingService")
	del = obj{"$schema": sch("product", "2022-03-01-preview2"), "id": "product/" + draft,
		"identity": obj{"externalId": "contoso-draft"}, "type": "consultingService", "alias": "x", "lifecycleState": "deleted"}
	detail := a.mustSucceed(del)
	g.Expect(detail[0]["lifecycleState"]).To(Equal("deleted"))
	code, _ := a.pi("GET", "product/"+draft, nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
	a.createProduct("contoso-draft", "consultingService")
}

// TestDuplicateProduct: a second product with an offer ID that exists is
// a failed job; concurrent creates make one product.
func TestDuplicateProduct(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	e := a.mustFail(codeBusinessValidation, productRes("contoso-analytics", "softwareAsAService", "Again"))
	g.Expect(e.Message).To(ContainSubstring("product/" + pid))
	g.Expect(e.ResourceID).To(Equal(map[string]any{"resourceName": "newProduct"}))

	done := make(chan string, 8)
	for range 8 {
		go func() {
			code, body := a.pi("POST", "configure", envelope(productRes("contoso-race", "softwareAsAService", "Race")))
			if code != http.StatusAccepted {
				done <- ""
				return
			}
			var st configureStatus
			_ = json.Unmarshal(body, &st)
			done <- st.JobID
		}()
	}
	succeeded := 0
	for range 8 {
		id := <-done
		g.Expect(id).NotTo(BeEmpty())
		if a.waitJob(id).JobResult == resultSucceeded {
			succeeded++
		}
	}
	g.Expect(succeeded).To(Equal(1))
	g.Expect(a.sim.Stats().ProductsByOfferID["contoso-race"]).To(Equal(1))
}

// TestReferences: durable IDs, externalId and resourceName references, and
// the failed jobs of references that name nothing.
func TestReferences(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	pid := a.createProduct("contoso-analytics", "softwareAsAService")
	// The product by externalId (docs spelling externalID), the plan by
	// resourceName.
	pl := planRes(obj{"externalID": "contoso-analytics"}, "gold", "Gold")
	pl["resourceName"] = "goldPlan"
	detail := a.mustSucceed(pl, priceRes(obj{"externalId": "contoso-analytics"}, obj{"resourceName": "goldPlan"}))
	g.Expect(kinds(detail)).To(ConsistOf("plan", "price-and-availability-plan"))
	for _, r := range detail {
		g.Expect(r["product"]).To(Equal("product/" + pid))
	}
	g.Expect(detail[1]["plan"]).To(Equal(idOf(detail[0])))

	unknown := "product/00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		name string
		res  obj
		code string
	}{
		{"unknown durable ID", listingRes(unknown), codeResourceNotFound},
		{"unknown externalId", listingRes(obj{"externalId": "nobody-here"}), codeResourceNotFound},
		{"unknown resourceName", listingRes(obj{"resourceName": "nothing"}), codeResourceNotFound},
		{"durable ID of another kind", listingRes("plan/" + pid + "/x"), codeInvalidID},
		{"unknown plan", priceRes("product/"+pid, obj{"externalId": "silver"}), codeResourceNotFound},
		{"plan durable ID of nothing", priceRes("product/"+pid, "plan/"+pid+"/00000000-0000-4000-8000-000000000000"), codeResourceNotFound},
		{"unknown submission", submissionReq("product/"+pid, targetLive, "submission/"+pid+"/12345"), codeResourceNotFound},
		{"live without id", submissionReq("product/"+pid, targetLive, ""), codeInvalidRequest},
		{"draft target", submissionReq("product/"+pid, targetDraft, ""), codeNotSupported},
		{"update of an unknown product", obj{"$schema": sch("product", version), "id": unknown,
			"identity": obj{"externalId": "x-y-z"}, "type": "softwareAsAService", "alias": "x"}, codeResourceNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := a.mustFail(tc.code, tc.res)
			NewWithT(t).Expect(e.Message).NotTo(BeEmpty())
		})
	}
	// A failed job changes nothing: the listing of a request whose other
	// resource failed is not stored.
	st := a.run(listingRes("product/"+pid), listingRes(unknown))
	g.Expect(st.JobResult).To(Equal(resultFailed))
	code, _ := a.pi("GET", "listing/"+pid+"/public/main/default/en-us", nil)
	g.Expect(code).To(Equal(http.StatusNotFound))
}

// TestVersionAndPaging: $version is required and checked; lists page with
// @nextLink.
func TestVersionAndPaging(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	g := a.g
	for _, q := range []string{"", "?$version=", "?$version=2021-01-01", "?$version=2022-03-01-preview1"} {
		code, body := a.do("GET", APIPrefix+"/product"+q, nil)
		g.Expect(code).To(Equal(http.StatusBadRequest), q)
		var e errorBody
		g.Expect(json.Unmarshal(body, &e)).To(Succeed())
		g.Expect(e.Error.Code).To(Equal("badRequest"))
		g.Expect(e.Error.Message).To(ContainSubstring("$version"))
	}
	for _, v := range acceptedVersions {
		code, _ := a.do("GET", APIPrefix+"/product?$version="+v, nil)
		g.Expect(code).To(Equal(http.StatusOK), v)
	}
	for i := range 5 {
		a.createProduct("contoso-p"+string(rune('a'+i)), "softwareAsAService")
	}
	var seen []string
	next := piPath("product?$maxpagesize=2")
	for pages := 0; next != ""; pages++ {
		g.Expect(pages).To(BeNumerically("<", 5))
		code, body := a.do("GET", next, nil)
		g.Expect(code).To(Equal(http.StatusOK))
		var l listOf[product]
		g.Expect(json.Unmarshal(body, &l)).To(Succeed())
		g.Expect(len(l.Value)).To(BeNumerically("<=", 2))
		for _, p := range l.Value {
			seen = append(seen, p.Identity.ExternalID)
		}
		next = strings.TrimPrefix(l.NextLink, a.base)
	}
	g.Expect(seen).To(ConsistOf("contoso-pa", "contoso-pb", "contoso-pc", "contoso-pd", "contoso-pe"))
	var l listOf[product]
	a.get("product?$top=2&$skip=4", &l)
	g.Expect(l.Value).To(HaveLen(1))
	// $top is the first N items, not a page size: no next page.
	l = listOf[product]{}
	a.get("product?$top=2", &l)
	g.Expect(l.Value).To(HaveLen(2))
	g.Expect(l.NextLink).To(BeEmpty(), "$top=2 asks for the first 2 products only")
	// Within $top, $maxpagesize pages.
	l = listOf[product]{}
	a.get("product?$top=3&$maxpagesize=2", &l)
	g.Expect(l.Value).To(HaveLen(2))
	g.Expect(l.NextLink).NotTo(BeEmpty())
	l2 := listOf[product]{}
	a.get(strings.TrimPrefix(l.NextLink, a.base+APIPrefix+"/"), &l2)
	g.Expect(l2.Value).To(HaveLen(1))
	g.Expect(l2.NextLink).To(BeEmpty())
	code, _ := a.pi("GET", "product?$top=x", nil)
	g.Expect(code).To(Equal(http.StatusBadRequest))
}

// TestAuthorization: a request with an Authorization header that is not a
// bearer token is a 401.
func TestAuthorization(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	req, _ := http.NewRequest("GET", a.base+piPath("product"), nil)
	req.Header.Set("Authorization", "Basic Zm9v")
	resp, err := http.DefaultClient.Do(req)
	a.g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	a.g.Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
	req.Header.Set("Authorization", "Bearer token")
	resp, err = http.DefaultClient.Do(req)
	a.g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	a.g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
}

// TestCertificationWithoutListing: a SaaS product without a listing fails
// certification; an Azure Application product, whose listing Microsoft
// documents no Product Ingestion kind for (it is written in Partner
// Center), is not held to it.
func TestCertificationWithoutListing(t *testing.T) {
	a := newAPI(t, Options{}, nil)
	saas := a.createProduct("contoso-saas", "softwareAsAService")
	job, _ := a.submit(saas, targetPreview, "")
	st := a.waitJob(job)
	a.g.Expect(st.JobResult).To(Equal(resultFailed))
	a.g.Expect(st.Errors[0].Details).To(ConsistOf(HaveField("Message", HavePrefix("The product has no listing"))))
	app := a.createProduct("contoso-app", "azureApplication")
	a.publish(app)
}

package simulator

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// Fuzz targets of the simulator's request parsing. Their seed corpora (the
// f.Add calls and testdata/fuzz) run as unit tests; `go test -fuzz` explores
// further. A request body may name the fixture's products by placeholder:
// {{live}} is a live product's ID, {{draft}} a never-published draft's.

// fuzzFixture is a simulator, shared by the inputs of one fuzz target, with
// a live and a draft product.
type fuzzFixture struct {
	sim          *Simulator
	live, draft  string
	replacements *strings.Replacer
}

func newFuzzFixture(f *testing.F) *fuzzFixture {
	a := newAPI(f, Options{StoreDir: f.TempDir()}, nil)
	live, _ := a.createOffer("fuzz-live")
	a.publish(live)
	draft := a.createProduct("fuzz-draft", "azureApplication")
	return &fuzzFixture{sim: a.sim, live: live, draft: draft,
		replacements: strings.NewReplacer("{{live}}", live, "{{draft}}", draft)}
}

// serve sends one request straight to the simulator's Handler and checks
// the answer: never a 5xx (no faults are configured), and every 4xx a JSON
// ErrorResponse with a code and a message.
func (fx *fuzzFixture) serve(t *testing.T, method, target string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Skip("not a request a client could send:", err)
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	fx.sim.Handler().ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s answered %d: %s\nbody sent: %q", method, target, rec.Code, rec.Body.Bytes(), body)
	}
	if rec.Code >= 400 {
		var e errorBody
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("%s %s answered %d with a body that is no ErrorResponse (%v): %q", method, target, rec.Code, err, rec.Body.Bytes())
		}
		if e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s %s answered %d without a code or message: %q", method, target, rec.Code, rec.Body.Bytes())
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s answered %d with Content-Type %q", method, target, rec.Code, ct)
		}
	}
	return rec
}

func apiTarget(path string) string { return piPath(path) }

func configureSeed(resources ...obj) []byte {
	raw, err := json.Marshal(envelope(resources...))
	if err != nil {
		panic(err)
	}
	return raw
}

// FuzzConfigureRequest posts arbitrary bodies to POST configure. An
// accepted request's job must be readable and complete with a known result.
func FuzzConfigureRequest(f *testing.F) {
	const live, draft = "{{live}}", "{{draft}}"
	f.Add([]byte(``))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"$schema":"x","resources":[]}`))
	f.Add([]byte(`{"$schema":"https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview3","resources":[null,{}]}`))
	f.Add([]byte(`{"$schema":"https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview3","resources":[{"$schema":"https://schema.mp.microsoft.com/schema/price-and-availability-plan/2022-03-01-preview3","plan":"plan/{{draft}}/a"}]}`))
	f.Add([]byte(`{"$schema":"https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview3","resources":[{"$schema":"https://schema.mp.microsoft.com/schema/submission/2022-03-01-preview3","product":"product/{{live}}","id":"submission/{{live}}/1","target":{"targetType":"live"}}]}`))
	f.Add([]byte(`{"$schema":"https://schema.mp.microsoft.com/schema/configure/2022-03-01-preview3","resources":[{"$schema":"https://schema.mp.microsoft.com/schema/plan/2022-03-01-preview3","product":"product/{{draft}}","identity":null}]} trailing`))
	f.Add(configureSeed(productRes("fuzz-new", "softwareAsAService", "New")))
	f.Add(configureSeed(productRes("fuzz-live", "softwareAsAService", "Duplicate")))
	f.Add(configureSeed(listingRes("product/"+draft), planRes("product/"+draft, "gold", "Gold"), priceRes("product/"+draft, obj{"externalId": "gold"})))
	f.Add(configureSeed(listingRes(obj{"externalId": "fuzz-live"}), submissionReq("product/"+draft, targetPreview, "")))
	f.Add(configureSeed(submissionReq("product/"+live, targetPreview, "")))
	f.Add(configureSeed(submissionReq("product/"+live, targetLive, "submission/"+live+"/1099511627777")))
	f.Add(configureSeed(submissionReq("product/"+live, "staging", "")))
	f.Add(configureSeed(with(submissionReq("product/"+live, targetLive, "submission/"+live+"/1099511627777"), "lifecycleState", "deprecated")))
	f.Add(configureSeed(obj{"$schema": sch("product", version), "id": "product/" + draft, "identity": obj{"externalId": "fuzz-draft"},
		"type": "azureApplication", "alias": "x", "lifecycleState": "deleted"}))
	f.Add(configureSeed(obj{"$schema": sch("product", version), "id": "product/" + live + "/x", "lifecycleState": "published"}))
	f.Add(configureSeed(priceRes("product/"+draft, obj{"resourceName": "a"}), with(planRes("product/"+draft, "a", "A"), "resourceName", "a")))
	f.Add(configureSeed(obj{"$schema": sch("resource-tree", version), "product": "product/" + draft}))
	f.Add(configureSeed(listingRes("product/00000000-0000-4000-8000-000000000000")))
	f.Add(configureSeed(obj{"$schema": sch("listing-asset", version), "product": "product/" + draft, "kind": "azure", "languageId": "en-us",
		"type": "azureLogoLarge", "listing": obj{"resourceName": "l"}}))

	fx := newFuzzFixture(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		body = []byte(fx.replacements.Replace(string(body)))
		rec := fx.serve(t, http.MethodPost, apiTarget("configure"), body)
		if rec.Code != http.StatusAccepted {
			if rec.Code >= 200 && rec.Code < 300 {
				t.Fatalf("configure answered %d, want 202 or an error", rec.Code)
			}
			return
		}
		var st configureStatus
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st.JobID == "" {
			t.Fatalf("configure accepted without a job (%v): %q", err, rec.Body.Bytes())
		}
		status := fx.serve(t, http.MethodGet, apiTarget("configure/"+url.PathEscape(st.JobID)+"/status"), nil)
		if status.Code != http.StatusOK {
			t.Fatalf("job %s of an accepted request answered %d: %q", st.JobID, status.Code, status.Body.Bytes())
		}
		if err := json.Unmarshal(status.Body.Bytes(), &st); err != nil {
			t.Fatalf("job status is not JSON: %v", err)
		}
		if st.JobStatus != jobCompleted || (st.JobResult != resultSucceeded && st.JobResult != resultFailed) {
			t.Fatalf("job of JobDelay 0 is %s/%s", st.JobStatus, st.JobResult)
		}
		if st.JobResult == resultFailed && (len(st.Errors) == 0 || st.Errors[0].Code == "" || st.Errors[0].Message == "") {
			t.Fatalf("failed job without an explained error: %+v", st.Errors)
		}
		// Whatever the request did, the products still read.
		for _, id := range []string{fx.live, fx.draft} {
			fx.serve(t, http.MethodGet, apiTarget("product/"+id), nil)
			fx.serve(t, http.MethodGet, apiTarget("resource-tree/product/"+id), nil)
			fx.serve(t, http.MethodGet, apiTarget("submission/"+id), nil)
		}
	})
}

// FuzzMigrationRequest sends arbitrary bodies to the migration actions of
// arbitrary partners and solutions.
func FuzzMigrationRequest(f *testing.F) {
	migrate := func(offerID, offerType, publisher string) []byte {
		raw, _ := json.Marshal(migrateBody(offerID, offerType, publisher))
		return raw
	}
	merge := func(productRef, listingURI string) []byte {
		raw, _ := json.Marshal(mergeBody(productRef, listingURI))
		return raw
	}
	f.Add(uint8(0), partner, "ocp-contoso-analytics", migrate("fuzz-migrated", "softwareAsAService", "contoso"))
	f.Add(uint8(0), partner, "ocp-contoso-fieldservice", migrate("fuzz-draft", "azureApplication", "contoso"))
	f.Add(uint8(0), partner, "ocp-contoso-fieldservice", migrate("fuzz-live", "softwareAsAService", "contoso"))
	f.Add(uint8(0), "5550002", "ocp-fabrikam-payroll", migrate("fabrikam-payroll", "softwareAsAService", "fabrikam"))
	f.Add(uint8(0), "5550001", "ocp-northwind-inventory", migrate("northwind", "softwareAsAService", "northwind"))
	f.Add(uint8(0), partner, "ocp-contoso-legacy-crm", migrate("X", "", ""))
	f.Add(uint8(1), partner, "ocp-contoso-legacy-crm", merge("product/{{live}}", ""))
	f.Add(uint8(1), partner, "ocp-contoso-analytics", merge("", "https://appsource.microsoft.com/product/fuzz-live"))
	f.Add(uint8(1), partner, "ocp-contoso-analytics", merge("", "https://AppSource.microsoft.com/"))
	f.Add(uint8(1), partner, "ocp-contoso-analytics", merge("product/{{draft}}", "http://appsource.microsoft.com/x"))
	f.Add(uint8(1), partner, "ocp-contoso-analytics", merge("product/", "%zz"))
	f.Add(uint8(1), partner, "ocp-contoso-analytics", []byte(`{"$schema":"https://schema.mp.microsoft.com/schema/legacy-solution-merge/2022-03-01-preview3"}`))
	f.Add(uint8(2), partner, "ocp-contoso-legacy-crm", []byte(nil))
	f.Add(uint8(3), partner, "ocp-contoso-legacy-crm", []byte(`{}`))
	f.Add(uint8(2), "9999999", "nope", []byte(nil))
	f.Add(uint8(4), partner, "ocp-contoso-analytics", []byte(nil))
	f.Add(uint8(5), "", "", []byte(`{"identity":{"externalId":7}}`))
	f.Add(uint8(0), "4871234/solutions/x", "../../..", []byte(`[`))

	fx := newFuzzFixture(f)
	actions := []string{"migrate", "merge", "discard", "undo-discard", "", "prerequisites"}
	f.Fuzz(func(t *testing.T, action uint8, partnerID, solutionID string, body []byte) {
		body = []byte(fx.replacements.Replace(string(body)))
		act := actions[int(action)%len(actions)]
		var target, method string
		switch act {
		case "":
			method, target = http.MethodGet, gtmPath(url.PathEscape(partnerID), "solutions/"+url.PathEscape(solutionID))
		case "prerequisites":
			method, target = http.MethodGet, gtmPath(url.PathEscape(partnerID), "prerequisites")
		default:
			method, target = http.MethodPost, gtmPath(url.PathEscape(partnerID), "solutions/"+url.PathEscape(solutionID)+"/"+act)
		}
		rec := fx.serve(t, method, target, body)
		if rec.Code >= 300 {
			return
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s answered %d", method, target, rec.Code)
		}
		if act == "prerequisites" {
			return
		}
		var sol legacySolution
		if err := json.Unmarshal(rec.Body.Bytes(), &sol); err != nil || sol.SolutionID == "" || sol.PartnerID == "" {
			t.Fatalf("%s %s answered a solution without IDs (%v): %q", method, target, err, rec.Body.Bytes())
		}
		switch sol.State {
		case solutionPendingMigration, solutionMigrated, solutionMergeRequested, solutionMerged, solutionDiscarded:
		default:
			t.Fatalf("solution in unknown state %q", sol.State)
		}
		if sol.State == solutionMigrated {
			if !guidPattern.MatchString(sol.Product) {
				t.Fatalf("migrated solution names product %q", sol.Product)
			}
		}
	})
}

// FuzzFaultSpec parses arbitrary fault specs: parsing never panics, a spec
// that parses holds sound values, and applying it makes sound decisions.
func FuzzFaultSpec(f *testing.F) {
	for _, s := range []string{
		"", ",", "429=0.1,5xx=0.05,latency=200ms,drop=0.02,qps=20,seed=7", "429=1", "5xx=1,seed=0", "drop=0.5,429=0.5",
		"429=0.6,5xx=0.6", "qps=0.5", "qps=1e-20", "qps=1e300", "qps=NaN", "qps=+Inf", "latency=-1s", "latency=9999999h",
		"seed=18446744073709551615", "seed=-1", "429=0x1p-2", "429", "=", "429=0.1,429=0.2", "boom=1", " 429 = 0.25 ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		spec, err := parseFaults(raw)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		for _, p := range []float64{spec.p429, spec.p5xx, spec.pDrop} {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("probability %v out of [0,1]", p)
			}
		}
		if sum := spec.p429 + spec.p5xx + spec.pDrop; sum > 1 {
			t.Fatalf("probabilities add up to %v", sum)
		}
		if spec.latency < 0 || spec.qps < 0 || math.IsNaN(spec.qps) || math.IsInf(spec.qps, 0) {
			t.Fatalf("unsound spec %+v", spec)
		}
		var fs faults
		if err := fs.set(raw); err != nil {
			t.Fatalf("parseFaults accepted %q but set refused it: %v", raw, err)
		}
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for i := 0; i < 5; i++ {
			d, latency := fs.decide(now)
			if latency != spec.latency && d.kind != faultQPS {
				t.Fatalf("latency %v, spec says %v", latency, spec.latency)
			}
			switch d.kind {
			case faultNone, faultDrop:
			case fault429, faultQPS:
				if d.status != 429 || d.retryAfter < 1 {
					t.Fatalf("429 decision %+v", d)
				}
				if d.kind == faultQPS && i == 0 {
					t.Fatalf("qps=%v refused the first request: the bucket starts full", spec.qps)
				}
				if d.kind == faultQPS && spec.qps < 1 {
					// An empty bucket refills in 1/qps seconds; Retry-After says so
					// (up to the day any client caps it at).
					if want := math.Min(math.Ceil(1/spec.qps), maxQPSWait.Seconds()); float64(d.retryAfter) < want {
						t.Fatalf("qps=%v: Retry-After %d s, the next token is %v s away", spec.qps, d.retryAfter, want)
					}
				}
			case fault5xx:
				if d.status != 500 && d.status != 503 {
					t.Fatalf("5xx decision %+v", d)
				}
			default:
				t.Fatalf("unknown decision %+v", d)
			}
		}
	})
}

// FuzzSeed parses arbitrary seed YAML: it never panics, and a seed that
// parses survives a round trip through YAML and expands into records.
func FuzzSeed(f *testing.F) {
	f.Add(defaultSeed)
	for _, s := range []string{
		"", "partners: []", "partners:\n- partnerID: 1\n", "partners: [{partnerID: \"1\", publishers: [{publisherID: a, role: Admin}, {publisherID: a, role: x}]}]",
		"generate: {partnerID: \"5559999\", publisherID: bench, solutions: 3}",
		"generate: {partnerID: \"4871234\", publisherID: contoso, solutions: 2}\npartners: [{partnerID: \"4871234\"}]",
		"generate: {partnerID: x, publisherID: '', solutions: -1}",
		"partners: [{partnerID: \"1\", solutions: [{solutionID: s, name: n, billOfMaterials: [{type: t, url: 'https://x'}, {type: '', url: 'http://x'}]}]}]",
		"partners: [{partnerID: \"1\", unknown: true}]", "a: &a [*a]", "- - - -", "partners: {}", "\t", "partners: [~]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		seed, err := ParseSeed(raw)
		if err != nil {
			return
		}
		if seed.Generate != nil && seed.Generate.Solutions > 1000 {
			return // valid, but too large to expand on every input
		}
		out, err := yaml.Marshal(seed)
		if err != nil {
			t.Fatalf("marshalling a valid seed: %v", err)
		}
		again, err := ParseSeed(out)
		if err != nil {
			t.Fatalf("a valid seed does not parse after a round trip: %v\n%s", err, out)
		}
		a, _ := json.Marshal(seed)
		b, _ := json.Marshal(again)
		if !bytes.Equal(a, b) {
			t.Fatalf("round trip changed the seed:\n%s\n%s", a, b)
		}
		partners, solutions := seed.records()
		ids := map[string]bool{}
		for _, p := range partners {
			if ids[p.PartnerID] {
				t.Fatalf("partner %s twice in the records", p.PartnerID)
			}
			ids[p.PartnerID] = true
		}
		keys := map[string]bool{}
		for _, s := range solutions {
			if !ids[s.PartnerID] {
				t.Fatalf("solution %s of unknown partner %s", s.SolutionID, s.PartnerID)
			}
			if k := solutionKey(s.PartnerID, s.SolutionID); keys[k] {
				t.Fatalf("solution %s twice in the records", k)
			} else {
				keys[k] = true
			}
		}
	})
}

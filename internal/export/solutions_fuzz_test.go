package export

import (
	"testing"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// FuzzSolutionsFileReader reads arbitrary --solutions-file contents, as CSV
// or as YAML/JSON: nothing may panic; what is accepted has a solution ID,
// a name and a known state; and the plan made from it names only files
// inside the output folder.
func FuzzSolutionsFileReader(f *testing.F) {
	for _, seed := range []struct {
		csv  bool
		data string
	}{
		{true, "solutionId,partnerId,name,summary,state,listingUrl,billOfMaterials\ns1,4871234,Contoso Analytics,Retail,pendingMigration,https://contoso.example/a,Brochure=https://contoso.example/b.pdf;Video=https://contoso.example/v\n"},
		{true, "NAME,SOLUTIONID\nx,y\n"},
		{true, "solutionId,name\n../../etc,..\n"},
		{true, "solutionId,name,billOfMaterials\ns,n,=;=;novalue\n"},
		{true, "solutionId,name\n\"unterminated,n\n"},
		{true, "solutionId\ns\n"},
		{true, ""},
		{false, "value:\n- solutionId: s1\n  name: Contoso\n  state: MERGED\n  billOfMaterials: [{type: t, url: 'https://x'}]\n"},
		{false, `{"value":[{"solutionId":"s/../../x","name":"n","state":"discarded"}]}`},
		{false, `{"value":[{"solutionId":"s","name":"n","unknown":1}]}`},
		{false, "value: &a [*a]"},
		{false, `{"value":null}`},
		{false, "- - -"},
	} {
		f.Add(seed.csv, []byte(seed.data))
	}
	f.Fuzz(func(t *testing.T, csv bool, data []byte) {
		name := "solutions.yaml"
		if csv {
			name = "solutions.csv"
		}
		sols, err := ReadSolutionsFile(name, data)
		if err != nil {
			return
		}
		for _, s := range sols {
			if s.SolutionID == "" || s.Name == "" || s.State == "" {
				t.Fatalf("accepted a solution without ID, name or state: %+v", s)
			}
		}
		plan, _ := Plan(sols, nil, PlanOptions{PartnerID: "4871234", PublisherID: "contoso", Threshold: DefaultMatchThreshold,
			MigrateOfferType: v1.OfferTypeCoSellOnly})
		for _, d := range SolutionDocuments(plan) {
			if err := checkFileName(d.File); err != nil {
				t.Fatalf("solution %v: %v", d.Object, err)
			}
		}
	})
}

package offerdraft

import (
	"reflect"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestDiffNamesEachDifferingField(t *testing.T) {
	g := NewWithT(t)
	old := pc.Draft{Listing: pc.Listing{Title: "A", Keywords: []string{"x"}},
		Plans: []pc.Plan{{ID: "basic", Price: "1"}, {ID: "gone", Name: "Gone"}}, Resell: pc.Resell{Policy: "None"}}
	new := pc.Draft{Listing: pc.Listing{Title: "B", Keywords: []string{"x", "y"}, PrivacyPolicyURL: "https://p"},
		Plans: []pc.Plan{{ID: "basic", Price: "2"}, {ID: "team", Pricing: "Free"}}, Resell: pc.Resell{Policy: "None"}}
	g.Expect(Diff(old, new)).To(Equal([]Change{
		{Field: "listing.title", Old: "A", New: "B"},
		{Field: "listing.privacyPolicyURL", New: "https://p"},
		{Field: "listing.keywords", Old: "x", New: "x,y"},
		{Field: "plans[basic].price", Old: "1", New: "2"},
		{Field: "plans[gone]", Old: "{id=gone name=Gone}", OnlyOld: true},
		{Field: "plans[team]", New: "{id=team pricing=Free}", OnlyNew: true},
	}))
	g.Expect(Diff(old, old)).To(BeEmpty())
	g.Expect(Diff(pc.Draft{Plans: []pc.Plan{}}, pc.Draft{})).To(BeEmpty(), "an empty list is no list")
}

// TestDiffCoversEveryFieldOfTheModel changes each leaf field of the Draft
// model in turn, found by reflection (plans' fields inside a plan both
// sides hold): a field added to the model later is walked, and must be
// reported, without a change to this test or to Diff. A kind of field
// the walk does not know fails the test, so that it is taught rather
// than skipped.
func TestDiffCoversEveryFieldOfTheModel(t *testing.T) {
	count := walkModel(t, reflect.TypeFor[pc.Draft](), func(field string, set func(d reflect.Value)) {
		var old, new pc.Draft
		old.Plans, new.Plans = []pc.Plan{{ID: "k"}}, []pc.Plan{{ID: "k"}}
		set(reflect.ValueOf(&new).Elem())
		got := Diff(old, new)
		if len(got) != 1 || got[0].Field != field || got[0].New == "" {
			t.Errorf("changing %s: Diff = %+v, want one change of %s", field, got, field)
		}
	})
	if count < 13 {
		t.Errorf("walked %d fields, the model has at least 13", count)
	}
}

// TestDiffComparesAFieldAddedToTheModel runs the same comparison over a
// copy of the model with one more field, as a later version could add.
func TestDiffComparesAFieldAddedToTheModel(t *testing.T) {
	g := NewWithT(t)
	type draftPlus struct {
		Listing     pc.Listing
		Plans       []pc.Plan
		Resell      pc.Resell
		VideoURLs   []string
		TrialPeriod string
	}
	old := draftPlus{Plans: []pc.Plan{{ID: "basic"}}}
	new := draftPlus{Plans: []pc.Plan{{ID: "basic"}}, VideoURLs: []string{"https://v"}, TrialPeriod: "P1M"}
	g.Expect(diff(old, new)).To(Equal([]Change{
		{Field: "videoURLs", New: "https://v"},
		{Field: "trialPeriod", New: "P1M"},
	}))
}

// walkModel calls f for each leaf field of t with its path, as Diff
// spells it, and a function that sets it to a non-zero value in a Draft
// whose Plans hold one plan with ID "k". It returns how many it walked.
func walkModel(t *testing.T, typ reflect.Type, f func(field string, set func(d reflect.Value))) int {
	t.Helper()
	count := 0
	var walk func(typ reflect.Type, path string, at func(d reflect.Value) reflect.Value)
	walk = func(typ reflect.Type, path string, at func(d reflect.Value) reflect.Value) {
		for i := range typ.NumField() {
			sf := typ.Field(i)
			name := path + fieldName(sf.Name)
			field := func(d reflect.Value) reflect.Value { return at(d).Field(i) }
			switch {
			case sf.Type.Kind() == reflect.Struct:
				walk(sf.Type, name+".", field)
			case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
				if _, keyed := sf.Type.Elem().FieldByName("ID"); !keyed {
					t.Fatalf("%s: a list of %s without an ID: teach Diff how to key it", name, sf.Type.Elem())
				}
				elem := func(d reflect.Value) reflect.Value { return field(d).Index(0) }
				for j := range sf.Type.Elem().NumField() {
					ef := sf.Type.Elem().Field(j)
					if ef.Name == "ID" {
						continue
					}
					count++
					f(name+"[k]."+fieldName(ef.Name), func(d reflect.Value) { setLeaf(t, elem(d).Field(j)) })
				}
			default:
				count++
				f(name, func(d reflect.Value) { setLeaf(t, field(d)) })
			}
		}
	}
	walk(typ, "", func(d reflect.Value) reflect.Value { return d })
	return count
}

func setLeaf(t *testing.T, v reflect.Value) {
	switch {
	case v.Kind() == reflect.String:
		v.SetString("changed")
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf([]string{"changed"}).Convert(v.Type()))
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.CanInt():
		v.SetInt(1)
	default:
		t.Fatalf("a field of kind %s: teach this test to change it", v.Type())
	}
}

func TestDiffNamesAPlanOneSideHoldsWhenTheOtherHasNone(t *testing.T) {
	g := NewWithT(t)
	with := pc.Draft{Plans: []pc.Plan{{ID: "basic", Name: "Basic"}}}
	g.Expect(Diff(with, pc.Draft{})).To(Equal([]Change{{Field: "plans[basic]", Old: "{id=basic name=Basic}", OnlyOld: true}}))
	g.Expect(Diff(pc.Draft{}, with)).To(Equal([]Change{{Field: "plans[basic]", New: "{id=basic name=Basic}", OnlyNew: true}}))
}

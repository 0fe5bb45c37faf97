package plan

import (
	"reflect"
	"testing"

	. "github.com/onsi/gomega"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestDiffDraftNamesEachDifferingField(t *testing.T) {
	g := NewWithT(t)
	old := pc.Draft{Listing: pc.Listing{Title: "A", Keywords: []string{"x"}},
		Plans: []pc.Plan{{ID: "basic", Price: "1"}, {ID: "gone", Name: "Gone"}}, Resell: pc.Resell{Policy: "None"}}
	new := pc.Draft{Listing: pc.Listing{Title: "B", Keywords: []string{"x", "y"}},
		Plans: []pc.Plan{{ID: "basic", Price: "2"}}, Resell: pc.Resell{Policy: "None"}}
	g.Expect(DiffDraft(old, new)).To(ConsistOf(
		FieldChange{Field: "Listing.Title", Old: "A", New: "B"},
		FieldChange{Field: "Listing.Keywords", Old: "x", New: "x, y"},
		FieldChange{Field: "Plans[basic].Price", Old: "1", New: "2"},
		FieldChange{Field: "Plans[gone]", Old: "{ID=gone Name=Gone}", New: ""},
	))
	g.Expect(DiffDraft(old, old)).To(BeEmpty())
}

// TestDiffDraftCoversEveryStringField sets each string field of the Draft
// model in turn, found by reflection: a field added to the model later is
// covered without a change to the test or to DiffDraft.
func TestDiffDraftCoversEveryStringField(t *testing.T) {
	g := NewWithT(t)
	var walk func(v reflect.Value, name string)
	count := 0
	walk = func(v reflect.Value, name string) {
		for i := range v.NumField() {
			f, n := v.Field(i), name+v.Type().Field(i).Name
			switch f.Kind() {
			case reflect.Struct:
				walk(f, n+".")
			case reflect.String:
				var d pc.Draft
				reflect.ValueOf(&d).Elem().FieldByIndex(fieldIndex(reflect.TypeOf(d), n)).SetString("changed")
				g.Expect(DiffDraft(pc.Draft{}, d)).To(ConsistOf(FieldChange{Field: n, New: "changed"}), n)
				count++
			}
		}
	}
	walk(reflect.ValueOf(pc.Draft{}), "")
	g.Expect(count).To(BeNumerically(">=", 7))
}

func fieldIndex(t reflect.Type, path string) []int {
	var idx []int
	for _, part := range splitDots(path) {
		f, _ := t.FieldByName(part)
		idx = append(idx, f.Index...)
		t = f.Type
	}
	return idx
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

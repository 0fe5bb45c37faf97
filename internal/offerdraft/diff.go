package offerdraft

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Change is one field of the draft model whose value differs between two
// drafts. Field is its path with the spec's spelling: "listing.title",
// "plans[basic].markets", "resell.partnerIDs"; a plan held by one side
// only is "plans[basic]" with OnlyOld or OnlyNew set. Old and New are the
// values rendered as text: lists of strings comma-separated, a whole plan
// as {name=… pricing=…}, "" for none.
type Change struct {
	Field   string `json:"field"`
	Old     string `json:"old"`
	New     string `json:"new"`
	OnlyOld bool   `json:"onlyOld,omitempty"`
	OnlyNew bool   `json:"onlyNew,omitempty"`
}

// Diff lists every field of the whole Draft model that differs between
// old and new (both normalised), in the model's field order, plans by ID.
// It is computed by go-cmp over the model's types, not field by field, so
// that a field added to partnercenter.Draft later is compared by the
// controllers (observe, drift, adoption) and by `cosell-operator plan`
// without a change here (diff_test.go walks every field by reflection).
func Diff(old, new partnercenter.Draft) []Change {
	return diff(old, new)
}

// diff compares any two values of one struct type the way Diff does.
func diff(old, new any) []Change {
	r := &reporter{seen: map[string]bool{}}
	cmp.Equal(old, new, cmp.Reporter(r), plansByID, emptyIsNone)
	return r.changes
}

// plansByID compares plans by ID rather than by position.
var plansByID = cmp.Transformer("plansByID", func(plans []partnercenter.Plan) map[string]partnercenter.Plan {
	m := make(map[string]partnercenter.Plan, len(plans))
	for _, p := range plans {
		m[p.ID] = p
	}
	return m
})

// emptyIsNone compares an empty list equal to none (plans by ID are
// always a map, empty for none, so that a plan one side holds is reported
// by itself).
var emptyIsNone = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().Type() != reflect.TypeFor[[]partnercenter.Plan]()
}, cmpopts.EquateEmpty())

// reporter is a cmp.Reporter that records each differing leaf as a
// Change; a difference inside a list of values is reported as the whole
// list.
type reporter struct {
	path    cmp.Path
	seen    map[string]bool
	changes []Change
}

func (r *reporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }
func (r *reporter) PopStep()                 { r.path = r.path[:len(r.path)-1] }

func (r *reporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	var b strings.Builder
	vx, vy := r.path.Last().Values()
	for i, step := range r.path {
		switch s := step.(type) {
		case cmp.StructField:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(fieldName(s.Name()))
		case cmp.MapIndex:
			fmt.Fprintf(&b, "[%v]", s.Key())
		case cmp.SliceIndex:
			vx, vy = r.path.Index(i - 1).Values()
			r.add(b.String(), vx, vy)
			return
		}
	}
	r.add(b.String(), vx, vy)
}

func (r *reporter) add(field string, vx, vy reflect.Value) {
	if r.seen[field] {
		return
	}
	r.seen[field] = true
	r.changes = append(r.changes, Change{Field: field, Old: show(vx), New: show(vy),
		OnlyOld: vx.IsValid() && !vy.IsValid(), OnlyNew: !vx.IsValid() && vy.IsValid()})
}

// fieldName spells a Go field name as the spec does: Title is title,
// PrivacyPolicyURL privacyPolicyURL, ID id.
func fieldName(name string) string {
	if strings.ToUpper(name) == name {
		return strings.ToLower(name)
	}
	r := []rune(name)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// show renders a value of the Draft model: strings as they are, lists
// comma-separated, structs (a plan held by one side only) with their
// non-empty fields.
func show(v reflect.Value) string {
	if !v.IsValid() {
		return ""
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = show(v.Index(i))
		}
		return strings.Join(parts, ",")
	case reflect.Struct:
		var parts []string
		for i := range v.NumField() {
			if s := show(v.Field(i)); s != "" {
				parts = append(parts, fieldName(v.Type().Field(i).Name)+"="+s)
			}
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	return fmt.Sprint(v.Interface())
}

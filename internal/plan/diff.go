package plan

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/google/go-cmp/cmp"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// FieldChange is one draft field whose value would change: its path in
// the port's Draft (Plans are keyed by plan ID, lists of strings are
// compared whole) and both values, "" for none.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// DiffDraft lists every field of the whole Draft model that differs
// between old and new, computed by go-cmp, so that a field added to the
// model later is compared without a change here.
func DiffDraft(old, new pc.Draft) []FieldChange {
	r := &pathReporter{seen: map[string]bool{}}
	cmp.Equal(old, new, cmp.Reporter(r), plansByID)
	return r.changes
}

// plansByID compares plans by ID rather than by position.
var plansByID = cmp.Transformer("plansByID", func(plans []pc.Plan) map[string]pc.Plan {
	m := make(map[string]pc.Plan, len(plans))
	for _, p := range plans {
		m[p.ID] = p
	}
	return m
})

// pathReporter is a cmp.Reporter that records each differing leaf as a
// FieldChange; a difference inside a list is reported as the whole list.
type pathReporter struct {
	path    cmp.Path
	seen    map[string]bool
	changes []FieldChange
}

func (r *pathReporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }
func (r *pathReporter) PopStep()                 { r.path = r.path[:len(r.path)-1] }

func (r *pathReporter) Report(rs cmp.Result) {
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
			b.WriteString(s.Name())
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

func (r *pathReporter) add(field string, vx, vy reflect.Value) {
	if r.seen[field] {
		return
	}
	r.seen[field] = true
	r.changes = append(r.changes, FieldChange{Field: field, Old: show(vx), New: show(vy)})
}

// show renders a value of the Draft model: strings as they are, lists
// comma-separated, structs (a plan added or removed) with field names.
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
		return strings.Join(parts, ", ")
	case reflect.Struct:
		var parts []string
		for i := range v.NumField() {
			if s := show(v.Field(i)); s != "" {
				parts = append(parts, v.Type().Field(i).Name+"="+s)
			}
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	return fmt.Sprint(v.Interface())
}

package v1alpha1

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A status stored before ReconcileStatus was embedded reads back into the
// same fields and is written back as the same JSON: the embedding is
// inline, so it adds no level.
func TestReconcileStatusKeepsTheStoredJSON(t *testing.T) {
	stored := `{"observedGeneration":3,"observedSpecDigest":"d1","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-02T03:04:05Z","reason":"Succeeded","message":"ok"}],"lastHandledReconcileAt":"now"}`
	for _, st := range []interface {
		reconcileStatus() *ReconcileStatus
	}{&MarketplaceOfferStatus{}, &SolutionStatus{}} {
		if err := json.Unmarshal([]byte(stored), st); err != nil {
			t.Fatal(err)
		}
		if got := *st.reconcileStatus(); got != (ReconcileStatus{ObservedSpecDigest: "d1", LastHandledReconcileAt: "now"}) {
			t.Errorf("%T: decoded %+v", st, got)
		}
		out, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var want, got map[string]any
		if err := json.Unmarshal([]byte(stored), &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%T: wrote %s, want %s", st, out, stored)
		}
	}
}

func (in *MarketplaceOfferStatus) reconcileStatus() *ReconcileStatus { return &in.ReconcileStatus }
func (in *SolutionStatus) reconcileStatus() *ReconcileStatus         { return &in.ReconcileStatus }

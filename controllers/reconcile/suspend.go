package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// What a suspended object reports. The operator acts on nothing, so the
// status must neither keep an old Ready=True nor claim a generation whose
// changes it never applied; yet a pause someone chose must read as
// settled to kstatus (kubectl wait, Flux), which it does while no
// Reconciling or Stalled condition is present, Ready is absent or True,
// and observedGeneration is absent or equal to the generation. A spec
// edited while suspended is the one case kstatus reads as InProgress: its
// changes are truly not applied until the object is resumed.

// ObjectSpecDigest is the digest of a spec with suspend left out: two
// generations with one digest differ in spec.suspend at most.
func ObjectSpecDigest(spec any) string {
	// Specs hold strings, numbers, bools and slices of them: Marshal
	// cannot fail.
	data, _ := json.Marshal(spec)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// summarizeSuspended marks a suspended object settled: neither
// reconciling nor stalled, and without a Ready condition, so that an old
// Ready=True does not outlive the pause. kstatus reads Ready=False (or
// Unknown) as InProgress, so the pause leaves Ready out instead; `kubectl
// wait --for=condition=Ready` keeps waiting, and Argo CD's health check
// reports Suspended from spec.suspend. The domain conditions stay as
// Partner Center last showed them (a live offer stays Live).
func summarizeSuspended(conds *[]metav1.Condition) {
	meta.RemoveStatusCondition(conds, v1alpha1.ReadyCondition)
	meta.RemoveStatusCondition(conds, v1alpha1.ReconcilingCondition)
	meta.RemoveStatusCondition(conds, v1alpha1.StalledCondition)
}

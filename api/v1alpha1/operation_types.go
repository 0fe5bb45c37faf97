package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// OperationPurpose is what a Partner Center operation does.
// +kubebuilder:validation:Enum=Create;Draft;Preview;Live;StopSale;Delete
type OperationPurpose string

// The purposes of the operations an offer follows: each is one Partner
// Center job (Product Ingestion API).
const (
	// OperationCreate creates the product.
	OperationCreate OperationPurpose = "Create"
	// OperationDraft writes the draft resources (configure).
	OperationDraft OperationPurpose = "Draft"
	// OperationPreview submits the draft to preview, through certification.
	OperationPreview OperationPurpose = "Preview"
	// OperationLive publishes the certified preview to the marketplace.
	OperationLive OperationPurpose = "Live"
	// OperationStopSale stops the sale of a live product.
	OperationStopSale OperationPurpose = "StopSale"
	// OperationDelete deletes a never-published draft product.
	OperationDelete OperationPurpose = "Delete"
)

// Operation is the one Partner Center operation in flight for an object:
// the job it started, recorded before the reconcile that started it ends,
// so that the next reconcile (or the next process, after a restart)
// follows that job to its end instead of starting another.
type Operation struct {
	// purpose is what the operation does.
	// +required
	Purpose OperationPurpose `json:"purpose"`

	// id is Partner Center's job ID. It is empty while the operation is
	// only marked pending: the call that starts it is about to be made, and
	// what it made is looked up before it is made again.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	ID string `json:"id,omitempty"`

	// startedAt is when the operation was started (or marked pending).
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`

	// generation is the spec generation the operation works for (set for
	// submissions), so that what it makes is recorded for that generation
	// also when the spec changed while it ran.
	// +optional
	Generation int64 `json:"generation,omitempty"`
}

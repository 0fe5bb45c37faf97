package reconcile

import (
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/recorder"
)

var EventsDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "cosell_events_dropped_total",
	Help: "Normal events not recorded because more were emitted than the event budget allows.",
}, []string{"reason"})

// BoundedRecorder records events within a budget and drops Normal events
// beyond it. client-go's event broadcaster starts a goroutine per event
// that waits on the API client's rate limiter, so a burst (thousands of
// objects going live at once) would hold tens of thousands of goroutines
// and events in memory and record them minutes late. Events are
// best-effort in Kubernetes; status is the record. Warning events (a
// stalled object) are always recorded.
type BoundedRecorder struct {
	recorder.EventRecorder
	limiter *rate.Limiter
}

// NewBoundedRecorder allows perSecond Normal events on average, in bursts
// of burst.
func NewBoundedRecorder(inner recorder.EventRecorder, perSecond float64, burst int) *BoundedRecorder {
	return &BoundedRecorder{EventRecorder: inner, limiter: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

// Eventf implements events.EventRecorder.
func (r *BoundedRecorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	if eventtype != "Warning" && !r.limiter.Allow() {
		EventsDropped.WithLabelValues(reason).Inc()
		return
	}
	r.EventRecorder.Eventf(regarding, related, eventtype, reason, action, note, args...)
}

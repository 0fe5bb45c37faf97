package reconcile

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// controller-runtime's priority queue puts every object of the informers'
// initial list at low priority (handler.LowPriority), behind any object
// created or changed since, and a requeue keeps the priority the object
// had. That is right for a restart's sweep of settled objects: each is a
// quick check, and new work should not wait for it. It starves an object
// of the initial list that still holds work (never reconciled, or mid
// lifecycle when the operator started): while other objects' job polls
// keep the workers busy at normal priority, it is not reconciled at all
// (controller-runtime#3496): an offer that no Solution wakes waits until
// every other offer is settled.

// InitialWork re-adds, at normal priority, the objects of the initial list
// that hold work: the priority queue keeps the highest priority an object
// was added with, so they take their turn with objects created since, in
// order. Settled objects (holdsNoWork) stay at low priority. It handles
// nothing else: the For watch enqueues every event.
func InitialWork[O Object]() handler.EventHandler {
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request])
			obj, isO := e.Object.(O)
			if !ok || !isO || !e.IsInInitialList || holdsNoWork(obj) {
				return
			}
			pq.AddWithOpts(priorityqueue.AddOpts{Priority: ptr.To(0)}, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(e.Object)})
		},
	}
}

// holdsNoWork reports whether status says obj is settled for its
// generation: observed, with Ready for the generation and Reconciling not
// True (Ready True, stalled, suspended). Its reconcile is then a check.
func holdsNoWork(obj Object) bool {
	if !obj.GetDeletionTimestamp().IsZero() || obj.GetObservedGeneration() != obj.GetGeneration() {
		return false
	}
	conds := obj.GetConditions()
	ready := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition)
	return ready != nil && ready.ObservedGeneration == obj.GetGeneration() &&
		!meta.IsStatusConditionPresentAndEqual(conds, v1alpha1.ReconcilingCondition, metav1.ConditionTrue)
}

package offer

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/internal/ctrltest"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
)

// An object of the informers' initial list that holds work takes its turn
// at normal priority, with objects created since; a settled one stays at
// low priority, behind them (controller-runtime#3496: before, every object
// of the initial list waited until no other work was ready).
func TestInitialWorkTakesItsTurn(t *testing.T) {
	cond := func(typ string, status metav1.ConditionStatus) metav1.Condition {
		return metav1.Condition{Type: typ, Status: status, Reason: v1alpha1.ReasonSucceeded, ObservedGeneration: 2}
	}
	offer := func(observed int64, conds ...metav1.Condition) *v1alpha1.MarketplaceOffer {
		o := ctrltest.DraftOffer()
		o.Generation, o.Status.ObservedGeneration, o.Status.Conditions = 2, observed, conds
		return o
	}
	deleting := offer(2, cond(v1alpha1.ReadyCondition, metav1.ConditionTrue))
	now := metav1.Now()
	deleting.DeletionTimestamp, deleting.Finalizers = &now, []string{OfferFinalizer}
	for name, tt := range map[string]struct {
		offer       *v1alpha1.MarketplaceOffer
		initialList bool
		priority    int
	}{
		"never reconciled": {offer: offer(0), initialList: true, priority: 0},
		"mid lifecycle": {offer: offer(2, cond(v1alpha1.ReadyCondition, metav1.ConditionFalse),
			cond(v1alpha1.ReconcilingCondition, metav1.ConditionTrue)), initialList: true, priority: 0},
		"edited while the operator was down": {offer: offer(1, cond(v1alpha1.ReadyCondition, metav1.ConditionTrue)), initialList: true, priority: 0},
		"being deleted":                      {offer: deleting, initialList: true, priority: 0},
		"settled":                            {offer: offer(2, cond(v1alpha1.ReadyCondition, metav1.ConditionTrue)), initialList: true, priority: handler.LowPriority},
		"stalled": {offer: offer(2, cond(v1alpha1.ReadyCondition, metav1.ConditionFalse),
			cond(v1alpha1.StalledCondition, metav1.ConditionTrue)), initialList: true, priority: handler.LowPriority},
		"created since the start": {offer: offer(0), initialList: false, priority: 0},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			ctx := context.Background()
			q := priorityqueue.New[ctrl.Request]("test")
			defer q.ShutDown()
			e := event.CreateEvent{Object: tt.offer, IsInInitialList: tt.initialList}
			// As the controller has them: the For watch, then this one.
			(&handler.EnqueueRequestForObject{}).Create(ctx, e, q)
			reconcile.InitialWork[*v1alpha1.MarketplaceOffer]().Create(ctx, e, q)

			g.Expect(q.Len()).To(Equal(1), "one item, however many watches added it")
			item, priority, _ := q.GetWithPriority()
			g.Expect(item.NamespacedName).To(Equal(client.ObjectKeyFromObject(tt.offer)))
			g.Expect(priority).To(Equal(tt.priority))
		})
	}
}

package plan

import (
	"context"
	"fmt"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Kinds of Action of an offer the input no longer holds (--previous).
const (
	ActionStopSale    = "stopSale"
	ActionDeleteDraft = "deleteDraft"
)

// Deleted lists the offers of previous that current does not hold (by
// namespace and name): deleting them is what an apply that prunes does.
func Deleted(previous, current []*v1.MarketplaceOffer) []*v1.MarketplaceOffer {
	held := map[[2]string]bool{}
	for _, o := range current {
		held[[2]string{o.Namespace, o.Name}] = true
	}
	var out []*v1.MarketplaceOffer
	for _, o := range previous {
		if !held[[2]string{o.Namespace, o.Name}] {
			out = append(out, o)
		}
	}
	return out
}

// planDeletion fills obj with what deleting o would do, as the offer's
// clean-up does it (controllers/offer/delete.go): with
// deletionPolicy Delete, stop the sale of a live offer, delete a draft
// never published, leave one published to preview only.
func planDeletion(ctx context.Context, r Reader, o *v1.MarketplaceOffer, obj *Object) error {
	switch {
	case o.Spec.DeletionPolicy != v1.DeletionPolicyDelete:
		obj.Notes = append(obj.Notes, "deleted from the input; deletionPolicy Orphan: the offer is left in Partner Center as it is")
		return nil
	case o.Spec.Suspend || o.Spec.ManagementPolicy == v1.ManagementPolicyObserve:
		obj.Notes = append(obj.Notes, "deleted from the input; suspend or managementPolicy Observe: Partner Center is left as it is")
		return nil
	}
	product, err := r.FindProduct(ctx, o.Spec.OfferID)
	if pc.IsNotFound(err) {
		obj.Notes = append(obj.Notes, "deleted from the input; Partner Center holds no product with its offer ID: nothing to delete")
		return nil
	}
	if err != nil {
		return err
	}
	obj.ProductID = product.ID
	if o.Status.ProductID != product.ID {
		obj.Notes = append(obj.Notes, fmt.Sprintf("the operator cleans up product %s only if the object in the cluster owns it (status.productID)", product.ID))
	}
	if product.State == pc.LifecycleDeprecated {
		obj.Notes = append(obj.Notes, "deleted from the input; its sale is already stopped")
		return nil
	}
	subs, err := r.ListSubmissions(ctx, product.ID)
	if err != nil {
		return err
	}
	planCleanUp(product.ID, classify(subs), obj)
	return nil
}

// submissionsAtDelete are the submissions a clean-up decides on: the first
// live one that succeeded, the first still running, and the last that
// succeeded at any target.
type submissionsAtDelete struct {
	live, running, published *pc.Submission
}

func classify(subs []pc.Submission) submissionsAtDelete {
	var c submissionsAtDelete
	for i := range subs {
		s := &subs[i]
		switch {
		case s.IsDraft():
		case s.Status != pc.SubmissionCompleted:
			if c.running == nil {
				c.running = s
			}
		case s.Result == pc.SubmissionSucceeded:
			c.published = s
			if s.Target == pc.TargetLive && c.live == nil {
				c.live = s
			}
		}
	}
	return c
}

// planCleanUp adds what the clean-up of product would do, given its
// submissions, to obj.
func planCleanUp(product string, c submissionsAtDelete, obj *Object) {
	switch {
	case c.live != nil && c.live.State == pc.LifecycleDeprecated:
		obj.Notes = append(obj.Notes, "deleted from the input; its sale is already stopped")
	case c.live != nil:
		obj.Actions = append(obj.Actions, Action{Action: ActionStopSale,
			Message: fmt.Sprintf("stop the sale of product %s (deletionPolicy Delete; live submission %s)", product, c.live.ID)})
	case c.running != nil:
		obj.Notes = append(obj.Notes, fmt.Sprintf(
			"deleted from the input; submission %s is running: the operator waits for it, then stops the sale if it went live, deletes the draft if it failed, or leaves a preview as it is", c.running.ID))
	case c.published != nil:
		obj.Notes = append(obj.Notes, fmt.Sprintf("deleted from the input; product %s was published to preview only: Partner Center offers no documented way to delete it, so it is left as is", product))
	default:
		obj.Actions = append(obj.Actions, Action{Action: ActionDeleteDraft,
			Message: fmt.Sprintf("delete never-published draft %s (deletionPolicy Delete)", product)})
	}
}

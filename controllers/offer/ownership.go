package offer

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Who may act on a product in Partner Center. Many teams share one
// operator, so an offer ID is owned by one MarketplaceOffer in the
// cluster; a product the owner did not create is taken over only on
// request; and the window between asking Partner Center to create a
// product and recording its ID is closed by a mark written before the
// call (Crossplane's create-pending pattern), not by adopting blindly.

// offerIDOwner returns the MarketplaceOffer that owns offer's
// spec.offerID in the cluster: the object whose status records the
// product (status.productID or a create-pending mark), else the oldest
// object declaring it, by creation time and then UID, so that every
// reconcile of every object decides a race the same way. Recorded
// products come first because creation times have one-second steps: two
// objects created in the same second must not hand the product of the
// one that made it to the other. Objects being deleted still count: their
// clean-up may still stop the product's sale. An object that only reads
// (managementPolicy Observe, no product recorded) never keeps one that
// manages from its offer ID, and owns it only when no object manages it:
// reading is owning too, so that no namespace reads another's offer.
func (r *MarketplaceOfferReconciler) offerIDOwner(ctx context.Context, offer *v1alpha1.MarketplaceOffer) (*v1alpha1.MarketplaceOffer, error) {
	var offers v1alpha1.MarketplaceOfferList
	if err := r.List(ctx, &offers, client.MatchingFields{reconcile.OfferIDIndex: offer.Spec.OfferID}); err != nil {
		return nil, err
	}
	owner := offer
	for i := range offers.Items {
		o := &offers.Items[i]
		if o.UID == offer.UID || readsOnly(o) && !readsOnly(offer) {
			continue
		}
		if outranks(o, owner) {
			owner = o
		}
	}
	return owner, nil
}

// readsOnly reports whether o only reads Partner Center: managementPolicy
// Observe, with no product recorded from an earlier Manage.
func readsOnly(o *v1alpha1.MarketplaceOffer) bool {
	return observing(o) && !holdsProduct(o)
}

// outranks reports whether a comes before b in owning their offer ID: an
// object that manages before one that only reads, then ownsBefore.
func outranks(a, b *v1alpha1.MarketplaceOffer) bool {
	if ra, rb := readsOnly(a), readsOnly(b); ra != rb {
		return rb
	}
	return ownsBefore(a, b)
}

// ownsBefore reports whether a comes before b in owning their offer ID.
func ownsBefore(a, b *v1alpha1.MarketplaceOffer) bool {
	if ha, hb := holdsProduct(a), holdsProduct(b); ha != hb {
		return ha
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.UID < b.UID
}

// holdsProduct reports whether o's status records its product.
func holdsProduct(o *v1alpha1.MarketplaceOffer) bool {
	p := o.Status.CreatePending
	return o.Status.ProductID != "" || p != nil && p.OfferID == o.Spec.OfferID
}

// offerIDTaken is the stall of an object that does not own its offer ID
// (admit, phases.go).
func offerIDTaken(offer, owner *v1alpha1.MarketplaceOffer) error {
	return stopFact{kind: stallOfferIDTaken, owner: owner}.outcome(offer)
}

// watchOfferIDOwners wakes the other MarketplaceOffers declaring an offer
// ID when an object declaring it is deleted: the next in line owns it now.
func watchOfferIDOwners(b *builder.Builder, c client.Client) *builder.Builder {
	return b.Watches(&v1alpha1.MarketplaceOffer{}, handler.EnqueueRequestsFromMapFunc(offersSharingOfferID(c)),
		builder.WithPredicates(predicate.Funcs{
			CreateFunc:  func(event.CreateEvent) bool { return false },
			UpdateFunc:  func(event.UpdateEvent) bool { return false },
			GenericFunc: func(event.GenericEvent) bool { return false },
		}))
}

// offersSharingOfferID maps an offer to the other offers declaring its
// offer ID, through the field index.
func offersSharingOfferID(c client.Client) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []ctrl.Request {
		offer, ok := obj.(*v1alpha1.MarketplaceOffer)
		if !ok {
			return nil
		}
		var offers v1alpha1.MarketplaceOfferList
		if err := c.List(ctx, &offers, client.MatchingFields{reconcile.OfferIDIndex: offer.Spec.OfferID}); err != nil {
			logf.FromContext(ctx).Error(err, "listing offers sharing an offer ID", "offerID", offer.Spec.OfferID)
			return nil
		}
		var reqs []ctrl.Request
		for _, o := range offers.Items {
			if o.UID != offer.UID {
				reqs = append(reqs, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: o.Namespace, Name: o.Name}})
			}
		}
		return reqs
	}
}

// createPendingFor reports whether an earlier reconcile marked a create
// of the offer's product that status.productID does not record yet.
func createPendingFor(offer *v1alpha1.MarketplaceOffer) bool {
	p := offer.Status.CreatePending
	return p != nil && p.OfferID == offer.Spec.OfferID && offer.Status.ProductID == ""
}

// markCreatePending writes status.createPending in a status patch of its
// own, before the call that creates the product. The patch carries the
// object's resourceVersion: when another reconcile wrote status since
// this one read it, the patch fails and nothing is created. A product
// found later with the mark still set was created by this object.
func (r *offerRun) markCreatePending(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	before := offer.DeepCopy()
	offer.Status.CreatePending = &v1alpha1.CreatePending{OfferID: offer.Spec.OfferID, Since: r.now()}
	want := *offer.Status.DeepCopy()
	if err := r.Status().Patch(ctx, offer, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		offer.Status.CreatePending = before.Status.CreatePending
		return err
	}
	// The patch returns the stored status; keep what this reconcile found
	// so far, which the closing status patch writes.
	offer.Status = want
	return nil
}

// mayAdopt decides whether the offer may take over product, which exists
// in Partner Center but which this object did not create: only on the
// opt-in annotation, or when a Solution of the offer's namespace migrated
// into this offer made it (migrated: madeByMigration). lostCreate says
// that a create of this object ended without a job detail naming a
// product, so it cannot tell whether it made this one.
func (r *offerRun) mayAdopt(offer *v1alpha1.MarketplaceOffer, product *partnercenter.Product, migrated, lostCreate bool) error {
	if offer.GetAnnotations()[v1alpha1.AdoptAnnotation] == "true" {
		reconcile.Eventf(r.Recorder, offer, "Normal", "Adopted", "Adopt", "took over product %s (offer ID %s) as the %s annotation asks",
			product.ID, offer.Spec.OfferID, v1alpha1.AdoptAnnotation)
		return nil
	}
	if migrated {
		return nil
	}
	return stopFact{kind: stallAdoptionRequired, product: product.ID, lostCreate: lostCreate}.outcome(offer)
}

// madeByMigration reports whether a Solution migrating into the offer
// reports the legacy solution migrated into product (through the
// migrate-offer field index, no Partner Center call).
func (r *offerRun) madeByMigration(ctx context.Context, offer *v1alpha1.MarketplaceOffer, product *partnercenter.Product) (bool, error) {
	var sols v1alpha1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(offer.Namespace), client.MatchingFields{reconcile.MigrateOfferIndex: offer.Name}); err != nil {
		return false, err
	}
	return slices.ContainsFunc(sols.Items, func(sol v1alpha1.Solution) bool {
		return sol.Status.State == v1alpha1.StateMigrated && sol.Status.ProductID == product.ID
	}), nil
}

// finalizeOffer guards cleanUp (delete.go), which carries
// out deletionPolicy Delete. An offer in managementPolicy Observe, a
// suspended offer and an object that does not own its offer ID are
// released without touching Partner Center. A create marked pending but
// not recorded is resolved first: its job's detail names the product to
// clean up; without one, nothing is deleted (finalize).
func (r *MarketplaceOfferReconciler) finalizeOffer(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	st := &offer.Status
	upgradeOperation(st)
	if observing(offer) {
		reconcile.Eventf(r.Recorder, offer, "Normal", "LeftInPartnerCenter", "Delete",
			"managementPolicy is Observe: deletion leaves offer ID %s in Partner Center as it is", offer.Spec.OfferID)
		return nil
	}
	if offer.Spec.Suspend {
		if st.ProductID != "" || st.CreatePending != nil {
			reconcile.Eventf(r.Recorder, offer, "Normal", "LeftInPartnerCenter", "Delete",
				"the offer is suspended: deletion leaves offer ID %s in Partner Center as it is", offer.Spec.OfferID)
		}
		return nil
	}
	owner, err := r.offerIDOwner(ctx, offer)
	if err != nil {
		return err
	}
	if owner != offer {
		return nil
	}
	pc, err := r.PartnerCenter.Connect(ctx, offer.Namespace)
	if err != nil {
		return r.finalizeWithoutCredentials(ctx, offer, err) // delete.go
	}
	return (&offerRun{MarketplaceOfferReconciler: r, pc: pc}).finalize(ctx, offer)
}

// finalize resolves a create marked pending but not recorded, then
// cleans up.
func (r *offerRun) finalize(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	st := &offer.Status
	if createPendingFor(offer) && !createJobRecorded(offer) {
		// The create's answer was lost with the process: the product
		// found is this object's, as ensureProduct takes it.
		product, err := r.pc.FindProduct(ctx, st.CreatePending.OfferID)
		switch {
		case partnercenter.IsNotFound(err):
			st.CreatePending = nil
		case err != nil:
			return reconcile.PartnerCenterError(err)
		default:
			st.ProductID, st.CreatePending = product.ID, nil
		}
	}
	if createPendingFor(offer) {
		id, err := r.createdProductID(ctx, offer)
		if err != nil {
			return err
		}
		if id == "" {
			return r.leaveUnclaimed(ctx, offer)
		}
		st.ProductID, st.CreatePending = id, nil
	}
	return r.cleanUp(ctx, offer)
}

// createdProductID returns the product the create job recorded in status
// made, as its detail names it, or "". A create job still running would
// make the product after the object is gone: it is waited for first.
func (r *offerRun) createdProductID(ctx context.Context, offer *v1alpha1.MarketplaceOffer) (string, error) {
	st := &offer.Status
	if ref := st.Operation; ref == nil || ref.Purpose != jobCreate {
		return "", nil
	}
	read, err := r.followOperation(ctx, st)
	switch {
	case err != nil:
		return "", err
	case read.outcome == jobRunning:
		return "", stopFact{kind: waitCreateBeforeDeleting, after: read.poll, job: read.op.ID}.outcome(offer)
	case read.outcome != jobSucceeded:
		return "", nil
	}
	detail, err := r.pc.GetJobDetail(ctx, read.op.ID)
	if err != nil {
		return "", reconcile.PartnerCenterError(err)
	}
	return detail.ProductID(), nil
}

// leaveUnclaimed clears a create-pending mark that no create job resolved
// to a product and leaves Partner Center as it is: a product with the
// offer ID may be another's (the create failed because it existed), so
// deletion never stops or deletes it: a Warning event names it.
func (r *offerRun) leaveUnclaimed(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	offerID := offer.Status.CreatePending.OfferID
	product, err := r.pc.FindProduct(ctx, offerID)
	switch {
	case partnercenter.IsNotFound(err):
	case err != nil:
		return reconcile.PartnerCenterError(err)
	default:
		reconcile.Eventf(r.Recorder, offer, "Warning", "LeftInPartnerCenter", "Delete",
			"Partner Center holds product %s with offer ID %s, which no create job of this object reported making: "+
				"deletion leaves it as it is; if this object made it before a crash, delete it in Partner Center",
			product.ID, offerID)
	}
	offer.Status.CreatePending = nil
	return nil
}

// migrateFromDecidedElsewhere stalls an offer whose spec.migrateFrom names
// a legacy solution that a Solution of another namespace decides (and none
// of the offer's namespace): that migration is not the offer's to take.
func migrateFromDecidedElsewhere(ctx context.Context, c client.Reader, offer *v1alpha1.MarketplaceOffer) error {
	if offer.Spec.MigrateFrom == nil {
		return nil
	}
	owners, err := reconcile.SolutionOwners(ctx, c, offer.Spec.MigrateFrom.SolutionID)
	if err != nil {
		return err
	}
	var elsewhere *v1alpha1.Solution
	for _, o := range owners {
		if o.Namespace == offer.Namespace {
			return nil
		}
		elsewhere = o
	}
	if elsewhere == nil {
		return nil
	}
	return stopFact{kind: stallMigrateFromTaken, solution: elsewhere}.outcome(offer)
}

// createJobRecorded reports whether status records the create job the
// create-pending mark was written for.
func createJobRecorded(offer *v1alpha1.MarketplaceOffer) bool {
	ref := offer.Status.Operation
	return ref != nil && ref.Purpose == jobCreate
}

// adopting reports whether the offer is to be adopted now: it asks for it,
// holds a product it neither created nor got from a migration, and its
// status records nothing written or submitted yet.
func adopting(s *offerScope) bool {
	o, st := s.offer, &s.offer.Status
	return o.GetAnnotations()[v1alpha1.AdoptAnnotation] == "true" && st.Adoption == nil &&
		st.ProductID != "" && !s.createdProduct && st.MigratedFrom == "" && st.DraftDigest == "" &&
		st.Operation == nil && st.PreviewSubmission == nil && st.LiveSubmission == nil
}

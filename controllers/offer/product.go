package offer

import (
	"context"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// ensureProduct finds the product by offer ID, adopts it, or creates it.
// Before creating, it marks the create pending in status; the product is
// this object's only when the create job's detail names it. Any other
// product found is adopted only as mayAdopt allows. While a Solution is migrating into this offer,
// it waits for the migrated draft instead of creating one; an offer that
// declares spec.migrateFrom never creates one, and waits for its
// migration even before the Solution exists.
func (r *offerRun) ensureProduct(ctx context.Context, s *offerScope) error {
	offer := s.offer
	if offer.Status.ProductID != "" {
		return nil
	}
	spec := &offer.Spec
	// A Solution still migrating into the offer makes (or adopts) the
	// product, and followSolutions would wait for it anyway: wait without
	// asking Partner Center (the cache answers; the migration wakes the offer).
	sol, err := r.migratingSolution(ctx, offer)
	if err != nil {
		return err
	}
	if spec.MigrateFrom != nil {
		if err := r.awaitDeclaredMigration(ctx, offer, sol); err != nil {
			return err
		}
	} else if sol != nil && !sol.Spec.Suspend {
		return waitForMigration(offer, sol)
	}
	// The detail of the create job recorded in status claims a product as
	// made by this object (followCreateJob). A create-pending mark whose
	// recorded job ended otherwise (it failed, perhaps because someone
	// else made the product) is cleared: a product found is then taken
	// only through adoption (mayAdopt). A mark with no job recorded is a
	// create whose answer was lost with the process (killed between the
	// call and the status write): the product found is taken as this
	// object's, the one guess left (docs/guides/sharing-a-cluster.md).
	crashed := createPendingFor(offer) && !createJobRecorded(offer)
	if done, err := r.followCreateJob(ctx, s); done || err != nil {
		return err
	}
	if createPendingFor(offer) && !crashed {
		s.lostCreate, offer.Status.CreatePending = true, nil
	}
	product, err := r.pc.FindProduct(ctx, spec.OfferID)
	if partnercenter.IsNotFound(err) {
		if spec.MigrateFrom != nil {
			return r.migratedElsewhere(ctx, offer)
		}
		if sol != nil {
			return waitForMigration(offer, sol)
		}
		return r.createProduct(ctx, offer)
	}
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	return r.takeProduct(ctx, s, product, crashed)
}

// takeProduct records the product found with the offer's ID as the
// offer's when its type matches: made by this object's create whose
// answer was lost (crashed), or adopted as mayAdopt allows.
func (r *offerRun) takeProduct(ctx context.Context, s *offerScope, product *partnercenter.Product, crashed bool) error {
	offer, spec := s.offer, &s.offer.Spec
	// Partner Center's product resource names no publisher: only the type
	// can clash.
	if product.OfferType != string(spec.OfferType) {
		return s.stop(stopFact{kind: stallOfferTypeClash, productType: product.OfferType})
	}
	var err error
	if s.migratedProduct, err = r.madeByMigration(ctx, offer, product); err != nil {
		return err
	}
	if crashed {
		offer.Status.ProductID, offer.Status.CreatePending = product.ID, nil
		s.createdProduct = true
		return nil
	}
	if err := r.mayAdopt(offer, product, s.migratedProduct, s.lostCreate); err != nil {
		return err
	}
	offer.Status.ProductID = product.ID
	return nil
}

// createProduct marks the create pending (ownership.go),
// then starts the job that creates the product.
func (r *offerRun) createProduct(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	spec := &offer.Spec
	if err := r.markCreatePending(ctx, offer); err != nil {
		return err
	}
	job, err := r.pc.CreateProduct(ctx, partnercenter.ProductSpec{
		OfferID: spec.OfferID, OfferType: string(spec.OfferType), Name: spec.Listing.Title,
	})
	if err != nil {
		return reconcile.PartnerCenterError(err)
	}
	r.recordOperation(&offer.Status, jobCreate, job.ID, 0)
	return stopFact{kind: waitCreating, after: r.pc.JobPollInterval(), job: job.ID}.outcome(offer)
}

// followCreateJob follows a create job in flight (followOperation): read
// at most once per poll interval, the worker never waits for it. done is
// true once the job's detail named the product, recorded in
// status.productID. Another purpose's job is of a product this status no
// longer names: dropped.
func (r *offerRun) followCreateJob(ctx context.Context, s *offerScope) (done bool, _ error) {
	offer := s.offer
	ref, offerID := offer.Status.Operation, offer.Spec.OfferID
	if ref == nil {
		return false, nil
	}
	if ref.Purpose != jobCreate {
		clearOperation(&offer.Status)
		return false, nil
	}
	read, err := r.followOperation(ctx, &offer.Status)
	if err != nil {
		return false, err
	}
	switch read.outcome {
	case jobRunning:
		return false, s.stop(stopFact{kind: waitCreating, after: read.poll, job: read.op.ID})
	case jobSucceeded:
		detail, err := r.pc.GetJobDetail(ctx, read.op.ID)
		if err != nil {
			return false, reconcile.PartnerCenterError(err)
		}
		if id := detail.ProductID(); id != "" {
			offer.Status.ProductID, offer.Status.CreatePending = id, nil
			s.createdProduct = true
			return true, nil
		}
	case jobFailed:
		// Refused, perhaps because another writer created it meanwhile:
		// look it up before giving up.
		if _, ferr := r.pc.FindProduct(ctx, offerID); ferr != nil {
			return false, s.stop(stopFact{kind: stallJobRefused, purpose: jobCreate, items: read.job.Errors})
		}
	}
	return false, nil
}

// waitForMigration waits for the Solution migrating into the offer, or
// stalls when that Solution is stalled (waits.go).
func waitForMigration(offer *v1alpha1.MarketplaceOffer, sol *v1alpha1.Solution) error {
	if err := migrationStalled(offer, sol); err != nil {
		return err
	}
	return stopFact{kind: waitMigration, solution: sol}.outcome(offer)
}

// awaitDeclaredMigration holds an offer that declares spec.migrateFrom
// until the Solution migrating that legacy solution into it has done so:
// it creates, writes and submits nothing before, whichever of the two
// objects was applied first and however long apart. sol is that Solution
// while it has not migrated, nil once it has or while there is none. The
// wait has no timer: the Solution's creation, stall and migration wake
// the offer (offersOfSolution).
func (r *offerRun) awaitDeclaredMigration(ctx context.Context, offer *v1alpha1.MarketplaceOffer, sol *v1alpha1.Solution) error {
	switch {
	case sol != nil && sol.Spec.Suspend:
		return stopFact{kind: waitMigrationSuspended, solution: sol}.outcome(offer)
	case sol != nil:
		return waitForMigration(offer, sol)
	}
	sols, err := r.migrationsInto(ctx, offer)
	if err != nil {
		return err
	}
	if reconcile.MigratedInto(sols) != nil {
		return nil // migrated: find and adopt the product
	}
	return stopFact{kind: waitDeclaredMigration}.outcome(offer)
}

// migratedElsewhere stalls an offer declaring spec.migrateFrom whose
// Solution reports the legacy solution migrated, while Partner Center
// holds no product with the offer's ID: the solution went into another
// offer (before this Solution, or in the portal). The offer never creates
// a product of its own in its place; the stalled timer looks again, in
// case Partner Center was only slow to show the product.
func (r *offerRun) migratedElsewhere(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	sols, err := r.migrationsInto(ctx, offer)
	if err != nil {
		return err
	}
	return stopFact{kind: stallMigratedElsewhere, solution: reconcile.MigratedInto(sols)}.outcome(offer)
}

// followSolutions follows the Solutions that reference the offer, through
// the field indexes (no Partner Center call). A Solution still migrating
// into a never-submitted offer holds it: the migration fills the draft, and
// submitting first would refuse the migration. A finished migration is
// recorded, and the draft is read again, since the migration rewrote it.
// Merged solutions are listed in status.
func (r *offerRun) followSolutions(ctx context.Context, s *offerScope) error {
	offer := s.offer
	st := &offer.Status
	var migrating v1alpha1.SolutionList
	if err := r.List(ctx, &migrating, client.InNamespace(offer.Namespace), client.MatchingFields{reconcile.MigrateOfferIndex: offer.Name}); err != nil {
		return err
	}
	for i := range migrating.Items {
		sol := &migrating.Items[i]
		switch {
		case sol.Status.State == v1alpha1.StateMigrated && st.MigratedFrom != sol.Spec.SolutionID && sol.Status.ProductID == st.ProductID:
			st.MigratedFrom = sol.Spec.SolutionID
			if st.PreviewSubmission == nil {
				st.DraftDigest = ""
			}
		case sol.Status.State != v1alpha1.StateMigrated && st.PreviewSubmission == nil && !sol.Spec.Suspend &&
			reconcile.MigratedInto(migrating.Items) == nil && takesMigrationOf(offer, sol):
			return waitForMigration(offer, sol)
		}
	}
	return r.listMergedSolutions(ctx, offer)
}

// migratingSolution returns a Solution that is migrating into the offer,
// one it takes (takesMigrationOf), and has not finished, found through the
// migrate-offer field index.
func (r *offerRun) migratingSolution(ctx context.Context, offer *v1alpha1.MarketplaceOffer) (*v1alpha1.Solution, error) {
	sols, err := r.migrationsInto(ctx, offer)
	if err != nil {
		return nil, err
	}
	if reconcile.MigratedInto(sols) != nil { // the offer's one migration is done
		return nil, nil
	}
	for i := range sols {
		if s := &sols[i]; s.Status.State != v1alpha1.StateMigrated {
			return s, nil
		}
	}
	return nil, nil
}

// migrationsInto lists the Solutions migrating into the offer that it
// takes, through the migrate-offer field index.
func (r *offerRun) migrationsInto(ctx context.Context, offer *v1alpha1.MarketplaceOffer) ([]v1alpha1.Solution, error) {
	var sols v1alpha1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(offer.Namespace), client.MatchingFields{reconcile.MigrateOfferIndex: offer.Name}); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(sols.Items, func(s v1alpha1.Solution) bool { return !takesMigrationOf(offer, &s) }), nil
}

// listMergedSolutions reports the legacy solutions merged into the offer.
func (r *offerRun) listMergedSolutions(ctx context.Context, offer *v1alpha1.MarketplaceOffer) error {
	var sols v1alpha1.SolutionList
	if err := r.List(ctx, &sols, client.InNamespace(offer.Namespace), client.MatchingFields{reconcile.MergeOfferIndex: offer.Name}); err != nil {
		return err
	}
	var merged []string
	for _, s := range sols.Items {
		if s.Status.State == v1alpha1.StateMerged {
			merged = append(merged, s.Spec.SolutionID)
		}
	}
	slices.Sort(merged)
	offer.Status.MergedSolutions = firstN(merged, 256)
	return nil
}

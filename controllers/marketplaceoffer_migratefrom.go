package controllers

import (
	"context"
)

// ownMigrateFrom runs after ownOfferID: an offer whose spec.migrateFrom
// names a legacy solution that a Solution of another namespace decides
// stalls before any Partner Center call (solution_ownership.go).
//
// The takeover of a draft migrated in Partner Center's portal needs no
// check here: a Solution that verified the draft (solution_handoff.go)
// records state Migrated and the product's ID, which is what
// madeByMigration (marketplaceoffer_ownership.go) accepts, so the
// Solution of the offer's own namespace vouches for the product.
func (r *offerRun) ownMigrateFrom(ctx context.Context, s *offerScope) error {
	return migrateFromDecidedElsewhere(ctx, r.Client, s.offer)
}

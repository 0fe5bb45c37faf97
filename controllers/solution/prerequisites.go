package solution

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/controllers/reconcile"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// checkPrerequisites checks the partner's prerequisites and stalls with a
// reason naming the missing one. It runs only while there is an action to
// carry out. Prerequisites found met are partner-wide facts, remembered
// for prerequisitesTTL so that a partner's many Solutions do not each ask
// Partner Center.
func (r *solutionRun) checkPrerequisites(ctx context.Context, s *solutionScope) error {
	partnerID := s.sol.Spec.PartnerID
	pre, cached := r.prerequisites.get(partnerID, s.publisherID, r.Clock.Now())
	if !cached {
		var err error
		if pre, err = r.pc.Prerequisites(ctx, partnerID, s.publisherID); err != nil {
			return reconcile.PartnerCenterError(err)
		}
	}
	s.prerequisites = pre
	if reason, _ := unmetPrerequisite(partnerID, s.publisherID, pre); reason != "" {
		return s.stop(stopFact{kind: stallPrerequisites})
	}
	if !cached {
		r.prerequisites.put(partnerID, s.publisherID, pre, r.Clock.Now())
	}
	s.prerequisitesCached = cached
	return nil
}

// unmetPrerequisite names the first prerequisite pre lacks, with what to
// do about it; "" when all are met. It does no I/O.
func unmetPrerequisite(partnerID, publisherID string, pre *partnercenter.Prerequisites) (reason, message string) {
	switch {
	case !pre.MembershipValid:
		return v1alpha1.ReasonMembershipInvalid, fmt.Sprintf(
			"partner %s has no valid Microsoft partner-network membership; renew it at https://partner.microsoft.com, then the operator retries", partnerID)
	case !pre.MarketplaceAccount:
		return v1alpha1.ReasonMarketplaceAccountMissing, fmt.Sprintf(
			"partner %s has no commercial-marketplace account; enroll in Partner Center, then the operator retries", partnerID)
	case publisherID != "" && !pre.CanPublish():
		role := pre.PublisherRole
		if role == "" {
			role = "no role"
		}
		return v1alpha1.ReasonPublisherRoleMissing, fmt.Sprintf(
			"the operator's identity has %s on publisher %s; an account owner must add it as Admin or Developer", role, publisherID)
	}
	return "", ""
}

// prerequisitesTTL is how long prerequisites found met are remembered.
const prerequisitesTTL = 30 * time.Second

// prerequisitesCache remembers met prerequisites by partner and publisher;
// unmet ones are never remembered, so a stalled Solution always asks again.
// The zero value is ready to use.
type prerequisitesCache struct {
	mu      sync.Mutex
	entries map[[2]string]prerequisitesEntry
}

type prerequisitesEntry struct {
	pre     partnercenter.Prerequisites
	expires time.Time
}

func (c *prerequisitesCache) get(partnerID, publisherID string, now time.Time) (*partnercenter.Prerequisites, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[[2]string{partnerID, publisherID}]
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	pre := e.pre
	return &pre, true
}

func (c *prerequisitesCache) put(partnerID, publisherID string, pre *partnercenter.Prerequisites, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[[2]string]prerequisitesEntry{}
	}
	for k, e := range c.entries { // drop expired entries: the map stays as small as the active partners
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	c.entries[[2]string{partnerID, publisherID}] = prerequisitesEntry{pre: *pre, expires: now.Add(prerequisitesTTL)}
}

func (c *prerequisitesCache) forget(partnerID, publisherID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, [2]string{partnerID, publisherID})
}

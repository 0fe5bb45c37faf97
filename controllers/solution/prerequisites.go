package solution

import (
	"context"
	"time"

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
	if missingPrerequisite(s.publisherID, pre) != prerequisitesMet {
		return s.stop(stopFact{kind: stallPrerequisites})
	}
	if !cached {
		r.prerequisites.put(partnerID, s.publisherID, pre, r.Clock.Now())
	}
	s.prerequisitesCached = cached
	return nil
}

// prerequisite names one of the partner's prerequisites.
type prerequisite int

const (
	prerequisitesMet        prerequisite = iota // none lacks
	lacksMembership                             // a valid Microsoft partner-network membership
	lacksMarketplaceAccount                     // a commercial-marketplace account
	lacksPublisherRole                          // a publishing role on the offer's publisher
)

// missingPrerequisite is the first prerequisite pre lacks for the action
// on publisherID's offers ("" without an offer: no role is needed);
// unmetPrerequisite (status.go) says it. It does no I/O.
func missingPrerequisite(publisherID string, pre *partnercenter.Prerequisites) prerequisite {
	switch {
	case !pre.MembershipValid:
		return lacksMembership
	case !pre.MarketplaceAccount:
		return lacksMarketplaceAccount
	case publisherID != "" && !pre.CanPublish():
		return lacksPublisherRole
	}
	return prerequisitesMet
}

// prerequisitesTTL is how long prerequisites found met are remembered.
const prerequisitesTTL = 30 * time.Second

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

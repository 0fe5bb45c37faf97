package simulator

import (
	"fmt"
	"net/http"
	"time"
)

// SetPartner replaces a partner's standing (membership, marketplace account,
// roles on publishers) at run time, as when a partner renews a membership or
// an admin grants a role in Partner Center. The partner's legacy solutions
// are kept; p.Solutions is ignored. An unknown partner is added.
func (s *Simulator) SetPartner(p SeedPartner) error {
	seed := Seed{Partners: []SeedPartner{{PartnerID: p.PartnerID, MembershipValid: p.MembershipValid,
		MarketplaceAccount: p.MarketplaceAccount, Publishers: p.Publishers}}}
	if err := seed.validate(); err != nil {
		return err
	}
	partners, _ := seed.records()
	err := s.update(func(st *stage, _ time.Time) error {
		return st.putJSON(bucketPartners, partners[0].PartnerID, &partners[0])
	})
	if err == nil {
		s.log.Info("partner changed", "partnerID", p.PartnerID, "membershipValid", p.MembershipValid,
			"marketplaceAccount", p.MarketplaceAccount)
	}
	return err
}

// handlePartner answers PUT /simulator/partners/{partnerId} with a seed
// partner (the seed file's fields, solutions ignored) as the body.
func (s *Simulator) handlePartner(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("partnerId")
	var p SeedPartner
	if err := decodeBody(w, r, &p); err != nil {
		writeError(w, err)
		return
	}
	if p.PartnerID == "" {
		p.PartnerID = id
	}
	if p.PartnerID != id {
		writeError(w, errBadRequest("partnerID %q in the body differs from %q in the path", p.PartnerID, id))
		return
	}
	if err := s.SetPartner(p); err != nil {
		writeError(w, errBadRequest("%v", fmt.Sprint(err)))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

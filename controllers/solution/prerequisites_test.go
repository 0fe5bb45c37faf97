package solution

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestPrerequisitesCacheRemembersUntilExpiryOrForget(t *testing.T) {
	g := NewWithT(t)
	var c prerequisitesCache
	now := fixedNow()
	_, ok := c.get("4871234", "contoso", now)
	g.Expect(ok).To(BeFalse())

	c.put("4871234", "contoso", &partnercenterPrereqs, now)
	got, ok := c.get("4871234", "contoso", now.Add(prerequisitesTTL-1))
	g.Expect(ok).To(BeTrue())
	g.Expect(*got).To(Equal(partnercenterPrereqs))
	_, ok = c.get("4871234", "fabrikam", now)
	g.Expect(ok).To(BeFalse(), "by partner and publisher")
	_, ok = c.get("4871234", "contoso", now.Add(prerequisitesTTL))
	g.Expect(ok).To(BeFalse(), "expired")

	c.put("4871234", "contoso", &partnercenterPrereqs, now)
	c.forget("4871234", "contoso")
	_, ok = c.get("4871234", "contoso", now)
	g.Expect(ok).To(BeFalse(), "forgotten")

	// Expired entries go when another is put: the map stays small.
	c.put("1", "a", &partnercenterPrereqs, now)
	c.put("2", "b", &partnercenterPrereqs, now.Add(prerequisitesTTL))
	g.Expect(c.entries).To(HaveLen(1))
}

func fixedNow() time.Time { return time.Unix(1_700_000_000, 0) }

var partnercenterPrereqs = partnercenter.Prerequisites{MembershipValid: true, MarketplaceAccount: true, PublisherRole: partnercenter.RoleAdmin}

package controllers

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/client-go/tools/events"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestBoundedRecorderDropsNormalEventsBeyondItsBudgetButNeverWarnings(t *testing.T) {
	g := NewWithT(t)
	inner := events.NewFakeRecorder(100)
	r := NewBoundedRecorder(inner, 0.001, 3) // a burst of 3, then nothing for a long while
	obj := &v1alpha1.MarketplaceOffer{}
	for range 5 {
		r.Eventf(obj, nil, "Normal", "PhaseLive", "Reconcile", "live")
	}
	for range 2 {
		r.Eventf(obj, nil, "Warning", "CertificationFailed", "Reconcile", "fix it")
	}
	close(inner.Events)
	var got []string
	for e := range inner.Events {
		got = append(got, e)
	}
	g.Expect(got).To(HaveLen(5), "3 Normal events within the burst and both Warnings: %v", got)
	g.Expect(got[3:]).To(HaveEach(HavePrefix("Warning CertificationFailed")))
}

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

var partnercenterPrereqs = partnercenter.Prerequisites{MembershipValid: true, MarketplaceAccount: true, PublisherRole: partnercenter.RoleAdmin}

func fixedNow() time.Time { return time.Unix(1_700_000_000, 0) }

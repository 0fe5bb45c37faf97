package controllers_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Deleting a team namespace deletes its Secret with its offers: a
// deletionPolicy Delete offer then cannot reach Partner Center, and held
// its finalizer for ever, keeping the namespace Terminating. It is now
// released with a Warning event naming the product left on sale; nothing
// is called at Partner Center without the team's credentials (the global
// account is never used instead). envtest runs no namespace controller:
// the test deletes the namespace (it stays Terminating), then its Secret
// and its offer, as the namespace controller would.
func TestDeletingATeamNamespaceReleasesItsOffersLeavingThemOnSale(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	global, accountD := newAccount(t), newAccount(t)
	teamD := newNamespace(t)
	startTeamsOperator(t, global, map[string]*account{"tenant-d": accountD}, []string{teamD}, teamD)
	createTeamSecret(g, teamD, "tenant-d", "token-d")
	o := teamOffer(g, teamD, "analytics", "team-d-analytics")
	o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	g.Expect(k8s.Create(ctx, o)).To(Succeed())
	o = expectLive(g, teamD, "analytics")
	productID := o.Status.ProductID
	seenBefore := len(accountD.seen())

	ns := &corev1.Namespace{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Name: teamD}, ns)).To(Succeed())
	g.Expect(k8s.Delete(ctx, ns)).To(Succeed())
	g.Expect(k8s.Get(ctx, client.ObjectKey{Name: teamD}, ns)).To(Succeed())
	g.Expect(ns.DeletionTimestamp).NotTo(BeNil(), "the namespace is Terminating")
	g.Expect(k8s.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: teamD, Name: teamSecretName}})).To(Succeed())
	g.Expect(k8s.Delete(ctx, getOffer(g, teamD, "analytics"))).To(Succeed())

	g.Eventually(func() bool {
		return k8s.Get(ctx, client.ObjectKeyFromObject(o), &v1alpha1.MarketplaceOffer{}) != nil
	}, timeout, interval).Should(BeTrue(), "the offer is released: the namespace can finish")
	g.Expect(global.seen()).To(BeEmpty(), "the global account was never used for the team")
	g.Expect(accountD.seen()).To(HaveLen(seenBefore), "nothing was called at Partner Center without the team's credentials")
	p, err := accountD.pc.GetProduct(ctx, productID)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(p.State).NotTo(Equal(partnercenter.LifecycleDeprecated), "the sale goes on")

	// The namespace takes no new events: the Warning is about the Namespace.
	g.Eventually(func(g Gomega) {
		var events eventsv1.EventList
		g.Expect(k8s.List(ctx, &events, client.InNamespace(metav1.NamespaceDefault))).To(Succeed())
		var notes []string
		for _, e := range events.Items {
			if e.Regarding.Kind == "Namespace" && e.Regarding.Name == teamD && e.Type == corev1.EventTypeWarning && e.Reason == "LeftInPartnerCenter" {
				notes = append(notes, e.Note)
			}
		}
		g.Expect(notes).To(ContainElement(And(ContainSubstring("product "+productID), ContainSubstring("stays on sale"))))
	}, timeout, interval).Should(Succeed())
}

// Without the namespace being deleted, a Delete-policy offer whose
// credentials are missing still waits for them: nothing is left behind
// by a Secret deleted by mistake.
func TestDeletingAnOfferWithoutCredentialsOutsideANamespaceDeletionWaits(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	global, accountE := newAccount(t), newAccount(t)
	teamE := newNamespace(t)
	startTeamsOperator(t, global, map[string]*account{"tenant-e": accountE}, []string{teamE}, teamE)
	createTeamSecret(g, teamE, "tenant-e", "token-e")
	o := teamOffer(g, teamE, "analytics", "team-e-analytics")
	o.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	g.Expect(k8s.Create(ctx, o)).To(Succeed())
	o = expectLive(g, teamE, "analytics")
	g.Expect(k8s.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: teamE, Name: teamSecretName}})).To(Succeed())
	g.Expect(k8s.Delete(ctx, getOffer(g, teamE, "analytics"))).To(Succeed())
	g.Eventually(func(g Gomega) {
		got := getOffer(g, teamE, "analytics")
		c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.StalledCondition)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(v1alpha1.ReasonCredentialsUnavailable))
	}, timeout, interval).Should(Succeed())
	g.Consistently(func() error {
		return k8s.Get(ctx, client.ObjectKeyFromObject(o), &v1alpha1.MarketplaceOffer{})
	}, "2s", interval).Should(Succeed(), "the finalizer is kept until the credentials are back")
}

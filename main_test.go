package main

import (
	"context"
	"strings"
	"testing"
	"time"
	"unsafe"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/credentials/teams"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

func TestStripForCacheDropsWhatTheControllersNeverRead(t *testing.T) {
	g := NewWithT(t)
	offer := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{
		Name:          "contoso-analytics",
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		Annotations: map[string]string{
			corev1.LastAppliedConfigAnnotation: `{"spec":{"offerID":"contoso-analytics"}}`,
			"argocd.argoproj.io/sync-wave":     "0",
		},
	}}
	out, err := stripForCache(offer)
	g.Expect(err).NotTo(HaveOccurred())
	got := out.(*v1alpha1.MarketplaceOffer)
	g.Expect(got.ManagedFields).To(BeEmpty())
	g.Expect(got.Annotations).To(Equal(map[string]string{"argocd.argoproj.io/sync-wave": "0"}))
	g.Expect(got.Name).To(Equal("contoso-analytics"))

	// Repeated status strings are kept once (controllers.ShareCachedStrings).
	msg := func(m string) *v1alpha1.MarketplaceOffer {
		return &v1alpha1.MarketplaceOffer{Status: v1alpha1.MarketplaceOfferStatus{Conditions: []metav1.Condition{{Type: "Ready", Message: m}}}}
	}
	a, _ := stripForCache(msg(strings.Repeat("generation 1 is live; ", 4)))
	b, _ := stripForCache(msg(strings.Repeat("generation 1 is live; ", 4)))
	g.Expect(unsafe.StringData(a.(*v1alpha1.MarketplaceOffer).Status.Conditions[0].Message)).
		To(Equal(unsafe.StringData(b.(*v1alpha1.MarketplaceOffer).Status.Conditions[0].Message)))
}

func TestWatchedNamespaces(t *testing.T) {
	for flag, want := range map[string][]string{
		"":                 nil,
		" , ":              nil,
		"team-a":           {"team-a"},
		"team-a, team-b,,": {"team-a", "team-b"},
	} {
		got := watchedNamespaces(flag)
		if want == nil {
			if got != nil {
				t.Errorf("--watch-namespaces=%q: got %v, want nil (all namespaces)", flag, got)
			}
			continue
		}
		g := NewWithT(t)
		g.Expect(got).To(HaveLen(len(want)), "--watch-namespaces=%q", flag)
		for _, ns := range want {
			g.Expect(got).To(HaveKey(ns), "--watch-namespaces=%q", flag)
		}
	}
}

func TestSimulatorRealisticLeavesGivenDelaysAlone(t *testing.T) {
	g := NewWithT(t)
	opts, err := parse("cosell-operator", []string{"--simulator-realistic", "--simulator-merge-delay=1h"}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.simulatorRealistic).To(BeTrue())
	g.Expect(opts.simulatorCertDelay).To(BeZero(), "not given: the simulator's realistic certification delay")
	g.Expect(opts.simulatorMergeDelay).To(Equal(time.Hour), "given: kept")

	opts, err = parse("cosell-operator", nil, nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(opts.simulatorCertDelay).To(Equal(5*time.Second), "the demo default")
}

type fakeReaders struct{ c client.Client }

func (f fakeReaders) GetClient() client.Client    { return f.c }
func (f fakeReaders) GetAPIReader() client.Reader { return f.c }

// Against Microsoft, a namespace publishes only with credentials: the
// global Secret, or its own when it is a team's. Without either flag the
// manager refuses to start; with team namespaces only, the others are
// refused at their first call instead of being sent without a token.
func TestPartnerCenterCredentialsFlags(t *testing.T) {
	const microsoft = "--partner-center=https://graph.microsoft.com/rp/product-ingestion"
	team := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "cosell-partner-center"},
		Data: map[string][]byte{"tenantId": []byte("00000000-0000-0000-0000-000000000001"), "clientId": []byte("app"), "clientSecret": []byte("s")}}
	mgr := fakeReaders{fake.NewClientBuilder().WithObjects(team).Build()}
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		args      []string
		wantErr   string
		router    bool
		otherCode string // the error code of a call from a namespace that is not a team's
	}{
		{name: "no credentials at all", args: []string{microsoft}, wantErr: "--team-namespaces"},
		{name: "global only", args: []string{microsoft, "--partner-center-secret=ops/partner-center"}},
		{name: "teams only", args: []string{microsoft, "--team-namespaces=team-a"}, router: true, otherCode: teams.CodeNoCredentials},
		{name: "teams and global", args: []string{microsoft, "--team-namespaces=team-a, team-b", "--partner-center-secret=ops/partner-center"}, router: true},
		{name: "every namespace a team's", args: []string{microsoft, "--team-namespaces=*"}, router: true, otherCode: teams.CodeSecretMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			opts, err := parse("cosell-operator", tc.args, nil)
			g.Expect(err).NotTo(HaveOccurred())
			pc, err := partnerCenter(ctx, mgr, opts)
			if tc.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tc.wantErr)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(pc.client).NotTo(BeNil())
			g.Expect(pc.router != nil).To(Equal(tc.router))
			g.Expect(pc.client.JobPollInterval()).To(Equal(time.Minute), "Microsoft's poll interval")
			if !tc.router {
				return
			}
			g.Expect(pc.router.IsTeam("team-a")).To(BeTrue())
			g.Expect(pc.router.IsTeam("platform")).To(Equal(tc.otherCode == teams.CodeSecretMissing))
			// A team's client is built from its Secret, without a call.
			c, err := pc.router.For(teams.WithNamespace(ctx, "team-a"))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(c).NotTo(BeNil())
			if tc.otherCode != "" {
				_, err := pc.client.FindProduct(teams.WithNamespace(ctx, "platform"), "offer")
				g.Expect(partnercenter.CodeOf(err)).To(Equal(tc.otherCode))
			}
		})
	}
}

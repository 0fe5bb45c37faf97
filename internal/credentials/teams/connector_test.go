package teams_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/cosell-operator/cosell-operator/internal/credentials/teams"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The Router as a Connector: a namespace's client, and its credentials
// errors recognised by partnercenter.IsCredentials, which is all the
// controllers know of them.
func TestConnectorMarksCredentialsErrors(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	global := &account{name: "global"}
	r, err := teams.New(teams.Options{Reader: fake.NewClientBuilder().Build(), SecretName: secretName,
		Namespaces: []string{"team-a"}, Default: global,
		NewClient: func(teams.Team) (pc.Client, error) { return &account{name: "team"}, nil }})
	g.Expect(err).NotTo(HaveOccurred())

	c, err := r.Connector().Connect(ctx, "elsewhere")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c).To(BeIdenticalTo(global), "a namespace that is not a team's gets the global credential")

	_, err = r.Connector().Connect(ctx, "team-a")
	g.Expect(err).To(HaveOccurred(), "team-a has no Secret")
	g.Expect(pc.IsCredentials(err)).To(BeTrue())
	g.Expect(err.Error()).To(ContainSubstring("does not exist"))

	noGlobal, err := teams.New(teams.Options{Reader: fake.NewClientBuilder().Build(), SecretName: secretName, Namespaces: []string{"team-a"},
		NewClient: func(teams.Team) (pc.Client, error) { return &account{name: "team"}, nil }})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = noGlobal.Connector().Connect(ctx, "elsewhere")
	g.Expect(pc.IsCredentials(err)).To(BeTrue())
}

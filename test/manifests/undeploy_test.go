package manifests_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
	kustomize "github.com/cosell-operator/cosell-operator/test/internal/render"
)

// makeDryRun is the recipe make would run for target, with the assets
// folder set so that make does not build them.
func makeDryRun(t *testing.T, target string, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", append([]string{"--no-print-directory", "-n", target, "K8S_ASSETS=/k8s-assets"}, args...)...)
	cmd.Dir = testenv.RepoRoot()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n %s: %v\n%s", target, err, out)
	}
	return string(out)
}

// TestUndeployKeepsCRDs: what `make undeploy` deletes is the operator
// alone: the kustomization its recipe names renders the Deployment and no
// CustomResourceDefinition, since deleting a CRD deletes every object of
// it (stopping the sale of each Delete-policy offer).
func TestUndeployKeepsCRDs(t *testing.T) {
	g := NewWithT(t)
	recipe := makeDryRun(t, "undeploy")
	g.Expect(recipe).To(ContainSubstring("/k8s-assets/kubectl\" delete"))
	m := regexp.MustCompile(`delete .*-k (\S+)`).FindStringSubmatch(recipe)
	g.Expect(m).NotTo(BeNil(), "make undeploy deletes a kustomization: %s", recipe)
	out, err := kustomize.Kustomize(context.Background(), filepath.Join(testenv.RepoRoot(), m[1]))
	g.Expect(err).NotTo(HaveOccurred())
	objs, err := kustomize.Decode(out)
	g.Expect(err).NotTo(HaveOccurred())
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.GetKind()]++
	}
	g.Expect(kinds).NotTo(HaveKey("CustomResourceDefinition"), "make undeploy (%s) would delete the CRDs", m[1])
	g.Expect(kinds).To(HaveKeyWithValue("Deployment", 1), "make undeploy still removes the manager")

	// Everything else make deploy applies goes.
	deployed, err := kustomize.Kustomize(context.Background(), filepath.Join(testenv.RepoRoot(), "config", "default"))
	g.Expect(err).NotTo(HaveOccurred())
	all, err := kustomize.Decode(deployed)
	g.Expect(err).NotTo(HaveOccurred())
	crds := 0
	for _, o := range all {
		if o.GetKind() == "CustomResourceDefinition" {
			crds++
		}
	}
	g.Expect(crds).To(BeNumerically(">", 0))
	g.Expect(objs).To(HaveLen(len(all) - crds))
}

// TestUninstallCRDsAsksForConfirmation: the one target that deletes the
// CRDs warns what it deletes, and without CONFIRM=yes deletes nothing.
func TestUninstallCRDsAsksForConfirmation(t *testing.T) {
	g := NewWithT(t)
	cmd := exec.Command("make", "--no-print-directory", "uninstall-crds", "K8S_ASSETS=/k8s-assets")
	cmd.Dir = testenv.RepoRoot()
	out, err := cmd.CombinedOutput()
	g.Expect(err).To(HaveOccurred(), "without CONFIRM=yes: %s", out)
	g.Expect(string(out)).To(ContainSubstring("WARNING: deleting the CRDs deletes every Solution and MarketplaceOffer"))
	g.Expect(string(out)).NotTo(ContainSubstring("/k8s-assets/kubectl"), "nothing deleted")

	g.Expect(makeDryRun(t, "uninstall-crds", "CONFIRM=yes")).To(ContainSubstring(`/k8s-assets/kubectl" delete --ignore-not-found -k config/crd`))
	for _, target := range []string{"undeploy", "helm-uninstall", "clean-local"} {
		g.Expect(strings.Contains(makeDryRun(t, target), "config/crd")).To(BeFalse(), "make %s touches the CRDs", target)
	}
}

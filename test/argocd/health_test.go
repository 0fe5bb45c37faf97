package argocd_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/argocd"
)

// healthTests is a health_test.yaml, as Argo CD's util/lua test reads it.
type healthTests struct {
	Tests []struct {
		InputPath    string        `json:"inputPath"`
		HealthStatus argocd.Status `json:"healthStatus"`
	} `json:"tests"`
}

// TestHealthChecksInArgoCDLayout runs every case of every health_test.yaml
// beside a health.lua, as Argo CD's own test of resource_customizations
// does, and checks that both kinds of the API have one.
func TestHealthChecksInArgoCDLayout(t *testing.T) {
	dir := argocd.Dir(testenv.RepoRoot())
	var scripts []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "health.lua" {
			scripts = append(scripts, path)
		}
		return err
	})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	var kinds []string
	for _, script := range scripts {
		rel, _ := filepath.Rel(dir, filepath.Dir(script))
		kinds = append(kinds, filepath.ToSlash(rel))
		runCases(t, filepath.Dir(script), filepath.ToSlash(rel))
	}
	NewWithT(t).Expect(kinds).To(ConsistOf("marketplace.cosell.io/MarketplaceOffer", "marketplace.cosell.io/Solution"))
}

func runCases(t *testing.T, dir, kind string) {
	g := NewWithT(t)
	data, err := os.ReadFile(filepath.Join(dir, "health_test.yaml"))
	g.Expect(err).NotTo(HaveOccurred(), "every health.lua needs a health_test.yaml beside it")
	var tests healthTests
	g.Expect(yaml.UnmarshalStrict(data, &tests)).To(Succeed())
	g.Expect(tests.Tests).NotTo(BeEmpty())
	root := argocd.Dir(testenv.RepoRoot())
	for _, tc := range tests.Tests {
		t.Run(kind+"/"+tc.InputPath, func(t *testing.T) {
			g := NewWithT(t)
			in, err := os.ReadFile(filepath.Join(dir, tc.InputPath))
			g.Expect(err).NotTo(HaveOccurred())
			obj := &unstructured.Unstructured{}
			g.Expect(yaml.Unmarshal(in, &obj.Object)).To(Succeed())
			g.Expect(obj.GroupVersionKind().Group+"/"+obj.GetKind()).To(Equal(kind), "testdata of another kind")
			got, err := argocd.Health(root, obj)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tc.HealthStatus))
		})
	}
}

// TestKustomizationShipsEachScript checks that config/argocd's
// kustomization puts each script into argocd-cm under the key Argo CD
// reads for its kind (resource.customizations.health.<group>_<kind>).
func TestKustomizationShipsEachScript(t *testing.T) {
	g := NewWithT(t)
	root := testenv.RepoRoot()
	data, err := os.ReadFile(filepath.Join(root, "config", "argocd", "kustomization.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	var k struct {
		ConfigMapGenerator []struct {
			Name  string   `json:"name"`
			Files []string `json:"files"`
		} `json:"configMapGenerator"`
	}
	g.Expect(yaml.Unmarshal(data, &k)).To(Succeed())
	g.Expect(k.ConfigMapGenerator).To(HaveLen(1))
	g.Expect(k.ConfigMapGenerator[0].Name).To(Equal("argocd-cm"))
	shipped := map[string]string{}
	for _, f := range k.ConfigMapGenerator[0].Files {
		key, path, ok := strings.Cut(f, "=")
		g.Expect(ok).To(BeTrue(), f)
		shipped[key] = path
	}
	g.Expect(shipped).To(Equal(map[string]string{
		"resource.customizations.health.marketplace.cosell.io_Solution":         "resource_customizations/marketplace.cosell.io/Solution/health.lua",
		"resource.customizations.health.marketplace.cosell.io_MarketplaceOffer": "resource_customizations/marketplace.cosell.io/MarketplaceOffer/health.lua",
	}))
	for _, path := range shipped {
		g.Expect(filepath.Join(root, "config", "argocd", path)).To(BeARegularFile())
	}
}

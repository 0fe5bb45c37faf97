package v1alpha1_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// TestEveryFieldIsDocumented walks the generated CRD schemas: every property
// needs a description, which is what `kubectl explain` prints.
func TestEveryFieldIsDocumented(t *testing.T) {
	g := NewWithT(t)
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(), "config", "crd", "bases", "*.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(files).To(HaveLen(2))
	for _, f := range files {
		data, err := os.ReadFile(f)
		g.Expect(err).NotTo(HaveOccurred())
		crd := &apiextensionsv1.CustomResourceDefinition{}
		g.Expect(yaml.Unmarshal(data, crd)).To(Succeed())
		var undocumented []string
		for _, v := range crd.Spec.Versions {
			walkSchema(crd.Spec.Names.Kind, *v.Schema.OpenAPIV3Schema, func(path string, s apiextensionsv1.JSONSchemaProps) {
				if strings.TrimSpace(s.Description) == "" {
					undocumented = append(undocumented, path)
				}
			})
		}
		g.Expect(undocumented).To(BeEmpty(), "fields without a doc comment in %s", filepath.Base(f))
	}
}

func walkSchema(path string, s apiextensionsv1.JSONSchemaProps, visit func(string, apiextensionsv1.JSONSchemaProps)) {
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := s.Properties[name]
		// apiVersion, kind and metadata come documented from Kubernetes.
		if !strings.Contains(path, ".") && name == "metadata" {
			continue
		}
		visit(path+"."+name, p)
		walkSchema(path+"."+name, p, visit)
	}
	if s.Items != nil && s.Items.Schema != nil {
		walkSchema(path+"[]", *s.Items.Schema, visit)
	}
}

// TestKubectlExplain runs the real kubectl against the test API server.
func TestKubectlExplain(t *testing.T) {
	g := NewWithT(t)
	assets, err := testenv.Assets()
	g.Expect(err).NotTo(HaveOccurred())
	user, err := env.AddUser(envtest.User{Name: "explain", Groups: []string{"system:masters"}}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	kubeconfig, err := user.KubeConfig()
	g.Expect(err).NotTo(HaveOccurred())
	path := filepath.Join(t.TempDir(), "kubeconfig")
	g.Expect(os.WriteFile(path, kubeconfig, 0o600)).To(Succeed())

	explain := func(field string) string {
		out, err := exec.Command(filepath.Join(assets, "kubectl"), "--kubeconfig", path, "explain", field).CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), string(out))
		return string(out)
	}

	spec := explain("marketplaceoffer.spec")
	for _, want := range []string{
		"offerID\t<string> -required-", "offerID is the offer's external ID in Partner Center",
		"offerType\t<string> -required-", "offerType is the kind of offer",
		"publisherID\t<string> -required-", "target\t<string> -required-",
		"listing\t<Object>", "listing is the offer's marketplace listing: required for the offer", "managedInPartnerCenter\t<[]string>", "plans\t<[]Object>", "plans are the offer's plans, keyed by id",
		"coSell\t<Object>", "resell\t<Object>", "deletionPolicy\t<string>", "suspend\t<boolean>",
	} {
		g.Expect(spec).To(ContainSubstring(want))
	}
	g.Expect(explain("offer.spec.coSell.solutionAreas")).To(ContainSubstring("1 to 5"))
	g.Expect(explain("sol.spec")).To(ContainSubstring("Changing the action away from Discard"))
	g.Expect(explain("solution.status")).To(ContainSubstring("supportRequestID"))
}

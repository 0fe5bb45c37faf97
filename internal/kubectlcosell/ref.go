package kubectlcosell

import (
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// Kind names of the two kinds.
const (
	kindOffer    = "MarketplaceOffer"
	kindSolution = "Solution"
)

// resourceNames are the names kubectl takes for each kind: singular,
// plural, short name and kind, bare or with the group.
var resourceNames = map[string]string{
	"offer": kindOffer, "offers": kindOffer, "marketplaceoffer": kindOffer, "marketplaceoffers": kindOffer,
	"sol": kindSolution, "solution": kindSolution, "solutions": kindSolution,
}

// ref is an object named on the command line.
type ref struct {
	kind, name string
}

func (r ref) String() string { return r.kind + "/" + r.name }

// newObject is an empty object of r's kind.
func (r ref) newObject() client.Object {
	if r.kind == kindSolution {
		return &v1alpha1.Solution{}
	}
	return &v1alpha1.MarketplaceOffer{}
}

// parseRefs reads TYPE/NAME arguments, or the two arguments TYPE NAME, as
// kubectl does.
func parseRefs(args []string) ([]ref, error) {
	if len(args) == 2 && !strings.Contains(args[0], "/") && !strings.Contains(args[1], "/") {
		args = []string{args[0] + "/" + args[1]}
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("name an object: offer/NAME or solution/NAME")
	}
	refs := make([]ref, 0, len(args))
	for _, a := range args {
		typ, name, ok := strings.Cut(a, "/")
		kind := resourceNames[strings.ToLower(strings.TrimSuffix(typ, "."+v1alpha1.GroupVersion.Group))]
		if !ok || name == "" || kind == "" {
			return nil, fmt.Errorf("%q: name an object as offer/NAME or solution/NAME (marketplaceoffer, sol and the plurals work too)", a)
		}
		refs = append(refs, ref{kind: kind, name: name})
	}
	return refs, nil
}

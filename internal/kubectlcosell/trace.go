package kubectlcosell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// partnerCenter is what trace reads of Partner Center: read calls only.
// The HTTP adapter (package ingestion) implements it.
type partnerCenter interface {
	GetSolution(ctx context.Context, partnerID, solutionID string) (*pc.LegacySolution, error)
	GetProduct(ctx context.Context, productID string) (*pc.Product, error)
	FindProduct(ctx context.Context, offerID string) (*pc.Product, error)
	ListSubmissions(ctx context.Context, productID string) ([]pc.Submission, error)
	GetJob(ctx context.Context, jobID string) (*pc.Job, error)
}

// callTimeout bounds each read of Partner Center.
const callTimeout = 30 * time.Second

// tracer builds a trace. pc is nil when Partner Center is not read.
type tracer struct {
	kube client.Client
	ns   string
	pc   partnerCenter
}

func runTrace(ctx context.Context, args []string, stdout, _ io.Writer) error {
	var kube kubeFlags
	var baseURL, secret string
	fs := newFlagSet("trace", "trace offer/NAME|solution/NAME [flags]", stdout)
	kube.bind(fs)
	fs.StringVar(&baseURL, "partner-center", "", "Base URL of the Product Ingestion API to read the product, submissions and jobs from "+
		"(https://graph.microsoft.com/rp/product-ingestion, or a simulator's, such as http://127.0.0.1:8090/rp/product-ingestion); "+
		"without it only the cluster is read.")
	fs.StringVar(&secret, "partner-center-secret", "", "namespace/name of the Secret holding tenantId, clientId and clientSecret; without it the credentials come from "+
		export.EnvTenantID+", "+export.EnvClientID+" and "+export.EnvClientSecret+".")
	if err := fs.Parse(args); err != nil {
		return err
	}
	refs, err := parseRefs(fs.Args())
	if err != nil {
		return err
	}
	if len(refs) != 1 {
		return fmt.Errorf("trace takes one object; got %d", len(refs))
	}
	c, ns, err := kube.connect()
	if err != nil {
		return err
	}
	t := tracer{kube: c, ns: ns}
	if baseURL != "" {
		if t.pc, err = export.NewClient(baseURL, secret, func() (client.Reader, error) { return c, nil }); err != nil {
			return err
		}
	}
	root, err := t.trace(ctx, refs[0])
	if err != nil {
		return err
	}
	return root.print(stdout)
}

// trace builds the tree of the object r names.
func (t tracer) trace(ctx context.Context, r ref) (*node, error) {
	obj := r.newObject()
	if err := t.kube.Get(ctx, client.ObjectKey{Namespace: t.ns, Name: r.name}, obj); err != nil {
		return nil, fmt.Errorf("%s in namespace %s: %w", r, t.ns, err)
	}
	if s, ok := obj.(*v1alpha1.Solution); ok {
		return t.solution(ctx, s), nil
	}
	return t.offer(ctx, obj.(*v1alpha1.MarketplaceOffer)), nil
}

func (t tracer) solution(ctx context.Context, s *v1alpha1.Solution) *node {
	n := objectNode(kindSolution+"/"+s.Name, string(s.Status.State), s, s.Spec.Suspend, s.Status.ObservedGeneration, s.Status.Conditions)
	n.add(t.legacySolution(ctx, s))
	var offer string
	switch {
	case s.Spec.Merge != nil && s.Spec.Merge.OfferRef != nil:
		offer = s.Spec.Merge.OfferRef.Name
	case s.Spec.Merge != nil:
		n.add(&node{name: "Listing " + s.Spec.Merge.OfferURL, status: "a live offer not managed in this cluster"})
	case s.Spec.Migrate != nil:
		offer = s.Spec.Migrate.OfferRef.Name
	}
	if offer == "" {
		return n
	}
	o := &v1alpha1.MarketplaceOffer{}
	err := t.kube.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: offer}, o)
	switch {
	case apierrors.IsNotFound(err):
		n.add(&node{name: kindOffer + "/" + offer, status: "not found in namespace " + s.Namespace + ": create it"})
	case err != nil:
		n.add(&node{name: kindOffer + "/" + offer, status: "cannot read it: " + err.Error()})
	default:
		n.add(t.offer(ctx, o))
	}
	return n
}

// legacySolution is the solution in Partner Center's OCP GTM catalog.
func (t tracer) legacySolution(ctx context.Context, s *v1alpha1.Solution) *node {
	if t.pc == nil {
		return nil
	}
	n := &node{name: "LegacySolution/" + s.Spec.SolutionID}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	ls, err := t.pc.GetSolution(ctx, s.Spec.PartnerID, s.Spec.SolutionID)
	if err != nil {
		n.status = readError(err)
		return n
	}
	n.state = string(ls.State)
	n.status = "partner " + ls.PartnerID
	if ls.SupportRequestID != "" {
		n.status += ", support request " + ls.SupportRequestID
	}
	if ls.ProductID != "" {
		n.status += ", product " + ls.ProductID
	}
	return n
}

// readError says why Partner Center could not be read.
func readError(err error) string {
	var e *pc.Error
	if errors.As(err, &e) && e.Class == pc.ClassUnsupported {
		return "not readable: " + e.Message
	}
	return "cannot read it: " + err.Error()
}

// objectNode is the line of a Solution or MarketplaceOffer: what it waits
// for comes from its conditions, read as kstatus and the Argo CD health
// check read them.
func objectNode(name, state string, obj metav1.Object, suspend bool, observed int64, conds []metav1.Condition) *node {
	n := &node{name: name, state: state}
	ready := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition)
	if ready != nil {
		n.ready = string(ready.Status)
	}
	stalled := meta.FindStatusCondition(conds, v1alpha1.StalledCondition)
	reconciling := meta.FindStatusCondition(conds, v1alpha1.ReconcilingCondition)
	switch {
	case suspend:
		n.status = "Suspended: spec.suspend is true; the operator does nothing until it is cleared"
	case len(conds) == 0:
		n.status = "waiting for the operator to report status"
	case observed < obj.GetGeneration():
		n.status = fmt.Sprintf("waiting for the operator to observe generation %d", obj.GetGeneration())
	case stalled != nil && stalled.Status == metav1.ConditionTrue:
		n.status = "Stalled, a person must act: " + stalled.Reason + ": " + stalled.Message
	case reconciling != nil && reconciling.Status == metav1.ConditionTrue:
		n.status = reconciling.Reason + ": " + reconciling.Message
	case ready != nil:
		n.status = ready.Reason + ": " + ready.Message
	}
	return n
}

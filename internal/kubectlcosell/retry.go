package kubectlcosell

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

const annotationName = v1alpha1.ReconcileRequestedAtAnnotation

// runRetry sets the reconcile-requested-at annotation of each object named
// to now, as `flux reconcile` sets Flux's: the operator reconciles it at
// once, also when it is Stalled, and echoes the value in
// status.lastHandledReconcileAt.
func runRetry(ctx context.Context, args []string, stdout, _ io.Writer) error {
	var kube kubeFlags
	fs := newFlagSet("retry", "retry offer/NAME|solution/NAME... [flags]", stdout)
	kube.bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	refs, err := parseRefs(fs.Args())
	if err != nil {
		return err
	}
	c, ns, err := kube.connect()
	if err != nil {
		return err
	}
	for _, r := range refs {
		at, err := requestReconcile(ctx, c, ns, r, time.Now())
		if err != nil {
			return err
		}
		_, _ = fmt.Fprintf(stdout, "%s reconcile requested at %s\n", r, at)
	}
	return nil
}

// requestReconcile sets the annotation on the object with a merge patch
// of the annotation alone, so that nothing else of the object (and no
// field a GitOps tool owns) changes. It returns the value set.
func requestReconcile(ctx context.Context, c client.Client, ns string, r ref, now time.Time) (string, error) {
	at := now.UTC().Format(time.RFC3339Nano)
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{annotationName: at}}})
	if err != nil {
		return "", err
	}
	obj := r.newObject()
	obj.SetNamespace(ns)
	obj.SetName(r.name)
	if err := c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return "", fmt.Errorf("%s in namespace %s: %w", r, ns, err)
	}
	return at, nil
}

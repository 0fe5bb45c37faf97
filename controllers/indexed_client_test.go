package controllers_test

import (
	"context"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// solutionIndexClient is the API server's client with the one field index
// a Solution's reconcile lists by (spec.solutionID, cluster-wide
// ownership), for tests that reconcile without a manager's cache: the API
// server has no field selector for it, the cache answers it from an index.
type solutionIndexClient struct{ client.Client }

func (c solutionIndexClient) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	sols, ok := list.(*v1alpha1.SolutionList)
	lo := (&client.ListOptions{}).ApplyOptions(opts)
	if !ok || lo.FieldSelector == nil {
		return c.Client.List(ctx, list, opts...)
	}
	id, exact := lo.FieldSelector.RequiresExactMatch(".spec.solutionID")
	if !exact {
		return c.Client.List(ctx, list, opts...)
	}
	if err := c.Client.List(ctx, sols, client.InNamespace(lo.Namespace)); err != nil {
		return err
	}
	sols.Items = slices.DeleteFunc(sols.Items, func(s v1alpha1.Solution) bool { return s.Spec.SolutionID != id })
	return nil
}

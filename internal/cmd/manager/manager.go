// Package manager builds the controller-runtime manager of the operator:
// its cache (the two kinds and at most one Secret, stripped of what the
// controllers never read), metrics and probe servers, leader election.
package manager

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/cosell-operator/cosell-operator/controllers"
)

// Options are the manager's part of the command line.
type Options struct {
	Scheme *runtime.Scheme
	// MetricsAddr "0" turns metrics off; MetricsSecure serves them over
	// HTTPS behind Kubernetes authentication and authorization.
	MetricsAddr   string
	MetricsSecure bool
	ProbeAddr     string
	PprofAddr     string
	// Leader election.
	LeaderElect                               bool
	LeaderElectionID, LeaderElectionNamespace string
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// WatchNamespaces is --watch-namespaces (empty: all).
	WatchNamespaces string
	// CredentialsSecret, when set, is the one Secret the cache holds.
	CredentialsSecret *types.NamespacedName
}

// New returns the manager, with its health and readiness checks.
func New(cfg *rest.Config, o Options) (ctrl.Manager, error) {
	metricsOpts := metricsserver.Options{BindAddress: o.MetricsAddr, SecureServing: o.MetricsSecure}
	if o.MetricsSecure {
		// As kubebuilder scaffolds it: a scraper needs a token that may
		// get /metrics (config/rbac/metrics_reader_role.yaml).
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        o.Scheme,
		Cache:                         cacheOptions(o),
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        o.ProbeAddr,
		PprofBindAddress:              o.PprofAddr,
		LeaderElection:                o.LeaderElect,
		LeaderElectionID:              o.LeaderElectionID,
		LeaderElectionNamespace:       o.LeaderElectionNamespace,
		LeaseDuration:                 &o.LeaseDuration,
		RenewDeadline:                 &o.RenewDeadline,
		RetryPeriod:                   &o.RetryPeriod,
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return nil, err
	}
	return mgr, nil
}

// cacheOptions: the cache holds only what the controllers read: the two
// kinds and, when credentials come from a Secret, that one Secret (so RBAC
// need not grant Secrets beyond it). managedFields are dropped and
// repeated status strings shared to save memory (StripForCache).
func cacheOptions(o Options) cache.Options {
	opts := cache.Options{DefaultTransform: StripForCache, DefaultNamespaces: WatchedNamespaces(o.WatchNamespaces)}
	if s := o.CredentialsSecret; s != nil {
		opts.ByObject = map[client.Object]cache.ByObject{
			&corev1.Secret{}: {
				Namespaces: map[string]cache.Config{s.Namespace: {}},
				Field:      fields.OneTermEqualSelector("metadata.name", s.Name),
			},
		}
	}
	return opts
}

// StripForCache drops what the controllers never read from cached objects:
// managedFields and kubectl's last-applied-configuration annotation, which
// repeats the whole spec of every object applied with kubectl apply. The
// status strings that repeat across objects are kept once
// (controllers.ShareCachedStrings).
func StripForCache(in any) (any, error) {
	in, err := cache.TransformStripManagedFields()(in)
	if obj, ok := in.(client.Object); ok && err == nil {
		if a := obj.GetAnnotations(); a[corev1.LastAppliedConfigAnnotation] != "" {
			delete(a, corev1.LastAppliedConfigAnnotation)
			obj.SetAnnotations(a)
		}
		controllers.ShareCachedStrings(obj)
	}
	return in, err
}

// WatchedNamespaces is the cache's DefaultNamespaces for --watch-namespaces:
// nil (every namespace) when the flag is empty.
func WatchedNamespaces(list string) map[string]cache.Config {
	var namespaces map[string]cache.Config
	for _, ns := range SplitList(list) {
		if namespaces == nil {
			namespaces = map[string]cache.Config{}
		}
		namespaces[ns] = cache.Config{}
	}
	return namespaces
}

// SplitList splits a comma-separated flag, dropping empty items.
func SplitList(list string) []string {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Package local is the local subcommand of `make run`: a local control
// plane (etcd and kube-apiserver), the CRDs installed on it, and the
// manager run on it with the embedded simulator, all state under one
// folder. Ctrl-C stops the manager, then the control plane, and the
// command ends with status 0.
package local

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/go-logr/logr"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"

	"github.com/cosell-operator/cosell-operator/internal/local"
)

// Flags are the local subcommand's own flags.
type Flags struct {
	Dir, Assets string
}

// Bind adds the flags to fs and sets the manager's flags a developer's
// machine wants by default: metrics and probes on loopback, metrics over
// plain HTTP, development logging.
func (f *Flags) Bind(fs *flag.FlagSet) {
	fs.StringVar(&f.Dir, "local-dir", ".local", "Folder holding the local control plane's state (etcd data, simulator store, kubeconfig).")
	fs.StringVar(&f.Assets, "assets", os.Getenv("KUBEBUILDER_ASSETS"), "Folder with etcd, kube-apiserver and kubectl (default: $KUBEBUILDER_ASSETS, else bin/k8s).")
	for name, value := range map[string]string{
		"metrics-bind-address": "127.0.0.1:8080", "metrics-secure": "false",
		"health-probe-bind-address": "127.0.0.1:8081", "zap-devel": "true",
	} {
		if fs.Lookup(name) != nil {
			_ = fs.Set(name, value)
			fs.Lookup(name).DefValue = value
		}
	}
}

// Run starts the local control plane with crds installed, prints how to
// reach it, and runs manager on it until the first SIGINT or SIGTERM (a
// second one stops the control plane at once). A clean stop returns nil.
func Run(f Flags, crds []*apiextensionsv1.CustomResourceDefinition, simulatorURL string, out io.Writer, log logr.Logger,
	manager func(context.Context, *rest.Config) error) error {
	if f.Assets == "" {
		f.Assets = filepath.Join("bin", "k8s")
	}
	cp, err := local.Start(local.Options{Dir: f.Dir, Assets: f.Assets, CRDs: crds})
	if err != nil {
		return err
	}
	defer func() {
		log.Info("stopping the local control plane; its state stays in " + f.Dir)
		if err := cp.Stop(); err != nil {
			log.Error(err, "stopping the local control plane")
		}
	}()
	ctx, stop := stopOnSignal(log, func() { _ = cp.Stop() })
	defer stop()
	kubectl, _ := filepath.Abs(filepath.Join(f.Assets, "kubectl"))
	fmt.Fprintf(out, `
The local control plane is up; the operator starts now with the embedded Partner Center simulator
(Product Ingestion API at %s). State: %s (make clean-local wipes it).
In another shell:

  export KUBECONFIG=%s
  alias kubectl=%s
  kubectl apply -f config/samples/
  kubectl get cosell -w

Ctrl-C stops everything.

`, simulatorURL, f.Dir, cp.Kubeconfig, kubectl)
	err = manager(ctx, cp.Config)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Stopped by Ctrl-C: a clean stop.
		return nil
	}
	return err
}

// stopOnSignal returns a context that ends at the first SIGINT or SIGTERM.
// A second one, once the first has been handled, calls now and exits. The
// control plane's etcd and kube-apiserver run in process groups of their
// own, so no Ctrl-C reaches them directly.
func stopOnSignal(log logr.Logger, now func()) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-signals; !ok {
			return
		}
		log.Info("stopping; press Ctrl-C again to stop at once")
		cancel()
		if _, ok := <-signals; ok {
			now()
			os.Exit(130)
		}
	}()
	return ctx, func() {
		signal.Stop(signals)
		close(signals)
		cancel()
	}
}

// SimulatorStore is where the embedded simulator keeps its state unless
// --simulator-store says otherwise.
func (f Flags) SimulatorStore() string { return filepath.Join(f.Dir, local.SimulatorDir) }

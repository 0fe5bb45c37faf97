package plan

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/client/config"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/export"
)

// Exit statuses of Command.
const (
	ExitNoChanges = 0
	ExitError     = 1
	ExitChanges   = 2
)

// ErrChanges is what Main returns when the plan has changes: the command
// exits ExitChanges.
var ErrChanges = errors.New("the plan has changes")

// Command runs `cosell-operator plan` and returns its exit status.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := Main(ctx, args, stdout, stderr)
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return ExitNoChanges
	case errors.Is(err, ErrChanges):
		return ExitChanges
	}
	_, _ = fmt.Fprintln(stderr, "cosell-operator plan:", err)
	return ExitError
}

type flagValues struct {
	partnerCenter, secret, output string
	files, previous               fileList
}

type fileList []string

func (l *fileList) String() string     { return strings.Join(*l, ",") }
func (l *fileList) Set(v string) error { *l = append(*l, v); return nil }

// Main plans the manifests of -f against Partner Center and prints the
// plan to stdout; it returns ErrChanges when an apply would change
// something.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f flagValues
	fs := flag.NewFlagSet("cosell-operator plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&f.files, "f", "Manifest file or folder (its .yaml, .yml and .json files), repeatable; - reads stdin (kustomize build | cosell-operator plan -f -). Required.")
	fs.Var(&f.previous, "previous", "Manifests as they were before the change (file, folder or -, repeatable; for a pull request, the base branch's): a MarketplaceOffer they hold and -f does not is planned as deleted (stop-sale or draft delete, with deletionPolicy Delete).")
	fs.StringVar(&f.partnerCenter, "partner-center", "", "Base URL of the Product Ingestion API, as for export: https://graph.microsoft.com/rp/product-ingestion or a simulator's. Required.")
	fs.StringVar(&f.secret, "partner-center-secret", "", "namespace/name of the Secret holding tenantId, clientId and clientSecret (read through --kubeconfig); without it the credentials come from "+export.EnvTenantID+", "+export.EnvClientID+" and "+export.EnvClientSecret+".")
	fs.StringVar(&f.output, "output", "text", "text, or json (the schema is documented in docs/guides/plan.md).")
	ctrlconfig.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q: name manifests with -f", fs.Args())
	case len(f.files) == 0:
		return errors.New("-f is required: a manifest file, a folder, or - for stdin")
	case slices.Contains(f.files, "-") && slices.Contains(f.previous, "-"):
		return errors.New("-f - and --previous - cannot both read stdin")
	case f.output != "text" && f.output != "json":
		return fmt.Errorf("--output %q: use text or json", f.output)
	case f.partnerCenter == "":
		return errors.New("--partner-center is required: https://graph.microsoft.com/rp/product-ingestion, or a simulator's URL")
	}
	in, err := ReadInput(f.files, os.Stdin)
	if err != nil {
		return err
	}
	if len(f.previous) > 0 {
		prev, err := ReadInput(f.previous, os.Stdin)
		if err != nil {
			return fmt.Errorf("--previous: %w", err)
		}
		in.Deleted = Deleted(prev.Offers, in.Offers)
	}
	c, err := export.NewClient(f.partnerCenter, f.secret, func() (client.Reader, error) {
		cfg, err := ctrlconfig.GetConfig()
		if err != nil {
			return nil, fmt.Errorf("reading kubeconfig: %w", err)
		}
		return client.New(cfg, client.Options{})
	})
	if err != nil {
		return err
	}
	return Print(ctx, c, in, f.output, stdout)
}

// Print plans the input with r, writes the plan as output (text or json)
// and returns ErrChanges when it has changes.
func Print(ctx context.Context, r Reader, in *Input, output string, w io.Writer) error {
	res, err := Run(ctx, r, in)
	if err != nil {
		return err
	}
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(res)
	} else {
		err = WriteText(w, res)
	}
	if err != nil {
		return err
	}
	if res.Changes {
		return ErrChanges
	}
	return nil
}

// WriteText writes the plan as text, the default output.
func WriteText(w io.Writer, res *Result) error {
	b := bufio.NewWriter(w)
	for _, n := range res.Notes {
		_, _ = fmt.Fprintf(b, "note: %s\n", n)
	}
	for _, o := range res.Objects {
		if o.Kind == "Solution" {
			_, _ = fmt.Fprintf(b, "%s %s (solution ID %s, partner %s", o.Kind, ref(o.Namespace, o.Name), o.SolutionID, o.PartnerID)
		} else {
			_, _ = fmt.Fprintf(b, "%s %s (offer ID %s", o.Kind, ref(o.Namespace, o.Name), o.OfferID)
		}
		if o.ProductID != "" {
			_, _ = fmt.Fprintf(b, ", product %s", o.ProductID)
		}
		if o.Deleted {
			_, _ = fmt.Fprint(b, ", deleted")
		}
		_, _ = fmt.Fprintln(b, "):")
		if len(o.Actions) == 0 {
			_, _ = fmt.Fprintln(b, "  no changes")
		}
		for _, a := range o.Actions {
			_, _ = fmt.Fprintf(b, "  ~ %s: %s\n", a.Action, a.Message)
		}
		for _, n := range o.Notes {
			_, _ = fmt.Fprintf(b, "  note: %s\n", n)
		}
	}
	n := 0
	for _, o := range res.Objects {
		n += len(o.Actions)
	}
	_, _ = fmt.Fprintf(b, "Plan: %d action(s) on %d object(s).\n", n, len(res.Objects))
	return b.Flush()
}

// ReadManifests reads the MarketplaceOffers of files (files, folders, or
// "-" for stdin); other objects, Solutions included, are listed in notes.
func ReadManifests(files []string, stdin io.Reader) ([]*v1.MarketplaceOffer, []string, error) {
	in, err := ReadInput(files, stdin)
	if err != nil {
		return nil, nil, err
	}
	notes := in.Notes
	for _, s := range in.Solutions {
		notes = append(notes, fmt.Sprintf("Solution %s not read", ref(s.Namespace, s.Name)))
	}
	return in.Offers, notes, nil
}

// ReadInput reads the MarketplaceOffers and Solutions of files (files,
// folders, or "-" for stdin); other objects are listed in notes.
func ReadInput(files []string, stdin io.Reader) (*Input, error) {
	in := &Input{}
	add := func(name string, r io.Reader) error { return decode(name, r, in) }
	for _, f := range files {
		if f == "-" {
			if err := add("stdin", stdin); err != nil {
				return nil, err
			}
			continue
		}
		err := filepath.WalkDir(f, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if ext := filepath.Ext(path); path != f && ext != ".yaml" && ext != ".yml" && ext != ".json" {
				return nil
			}
			file, err := os.Open(path) //nolint:gosec // a manifest the user named on the command line
			if err != nil {
				return err
			}
			defer func() { _ = file.Close() }()
			return add(path, file)
		})
		if err != nil {
			return nil, err
		}
	}
	return in, nil
}

// decode reads the YAML or JSON documents of r into in.
func decode(name string, r io.Reader, in *Input) error {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	for i := 1; ; i++ {
		var u unstructured.Unstructured
		err := dec.Decode(&u.Object)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if len(u.Object) == 0 {
			continue
		}
		gvk := u.GroupVersionKind()
		switch {
		case gvk.Group == v1.GroupVersion.Group && gvk.Kind == "MarketplaceOffer":
			var o v1.MarketplaceOffer
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &o); err != nil {
				return fmt.Errorf("%s: MarketplaceOffer %s: %w", name, u.GetName(), err)
			}
			in.Offers = append(in.Offers, &o)
		case gvk.Group == v1.GroupVersion.Group && gvk.Kind == "Solution":
			var s v1.Solution
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &s); err != nil {
				return fmt.Errorf("%s: Solution %s: %w", name, u.GetName(), err)
			}
			in.Solutions = append(in.Solutions, &s)
		default:
			in.Notes = append(in.Notes, fmt.Sprintf("%s: %s %s ignored", name, gvk.Kind, ref(u.GetNamespace(), u.GetName())))
		}
	}
}

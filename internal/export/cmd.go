package export

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/client/config"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/connect"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
)

// Environment variables of the credentials when no Secret is named: the
// names azidentity's EnvironmentCredential reads.
const (
	EnvTenantID     = "AZURE_TENANT_ID"
	EnvClientID     = "AZURE_CLIENT_ID"
	EnvClientSecret = "AZURE_CLIENT_SECRET" //nolint:gosec // the variable's name, not a secret
)

// stringList is a repeatable flag that also takes comma-separated values.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// flags are export's command-line flags.
type flags struct {
	partnerCenter, secret    string
	publisher, from, out, ns string
	offers                   stringList
	pageSize                 int
	solutions, observe       bool
	partnerID, solutionsFile string
	threshold                float64
	migrateType              string
}

// Main runs `cosell-operator export` with args (after the subcommand),
// writing YAML to stdout (or --out) and progress to stderr. It reads
// Partner Center through the HTTP adapter (package ingestion), with its
// retries, Retry-After and pacing, and writes nothing to it.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f flags
	fs := flag.NewFlagSet("cosell-operator export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.partnerCenter, "partner-center", "", "Base URL of the Product Ingestion API: https://graph.microsoft.com/rp/product-ingestion, or a standalone simulator's (go run . simulator: http://127.0.0.1:8090/rp/product-ingestion). Required.")
	fs.StringVar(&f.secret, "partner-center-secret", "", "namespace/name of the Secret holding tenantId, clientId and clientSecret (read through --kubeconfig); without it the credentials come from "+EnvTenantID+", "+EnvClientID+" and "+EnvClientSecret+".")
	fs.StringVar(&f.publisher, "publisher", "", "Publisher ID written to spec.publisherID (Partner Center's product resource does not carry it). Required.")
	fs.Var(&f.offers, "offer", "Offer ID to export (repeatable, or comma-separated); default: every offer of the account.")
	fs.StringVar(&f.from, "from", string(FromLive), "Version that fills spec: live (else preview, else draft), preview (else draft) or draft.")
	fs.StringVar(&f.out, "out", "", "Folder to write one <offerID>.yaml per offer to; default: stdout, documents separated by ---.")
	fs.BoolVar(&f.observe, "observe", false, "Write spec.managementPolicy: Observe, so that the applied objects only read Partner Center and report how it differs from spec (condition InSync) until you set Manage.")
	fs.StringVar(&f.ns, "namespace", "", "metadata.namespace of the objects written (default: none, kubectl's current namespace applies).")
	fs.IntVar(&f.pageSize, "page-size", 0, "Products per page of GET product ($maxpagesize; every page is read); 0 leaves it to Partner Center.")
	fs.BoolVar(&f.solutions, "solutions", false, "Also write a migration plan: one Solution per pending legacy OCP GTM solution, with a suggested action (never applied).")
	fs.StringVar(&f.partnerID, "partner", "", "Partner (MPN) ID whose legacy solutions to plan for; with --solutions and no --solutions-file, read from the simulator's extension.")
	fs.StringVar(&f.solutionsFile, "solutions-file", "", "File of legacy solutions exported from Partner Center (.csv, or YAML/JSON {value: [...]}); required with --solutions against Microsoft's Partner Center, which publishes no API that lists them; see docs/guides/existing-accounts.md.")
	fs.Float64Var(&f.threshold, "match-threshold", DefaultMatchThreshold, "Similarity (0 to 1) from which a legacy solution is suggested for a merge into a live offer.")
	fs.StringVar(&f.migrateType, "migrate-offer-type", string(v1.OfferTypeCoSellOnly), "Offer type of the new offers suggested for Migrate.")
	ctrlconfig.RegisterFlags(fs) // --kubeconfig, for --partner-center-secret
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := f.validate(); err != nil {
		return err
	}
	c, err := newClient(f)
	if err != nil {
		return err
	}
	from, _ := ParseFrom(f.from)
	return run(ctx, c, c, f, from, stdout, stderr)
}

func (f *flags) validate() error {
	switch {
	case f.partnerCenter == "" || f.partnerCenter == "embedded":
		return errors.New("--partner-center must be the base URL of a Product Ingestion API (an embedded simulator holds nothing to export): " +
			"https://graph.microsoft.com/rp/product-ingestion, or a standalone simulator's, such as http://127.0.0.1:8090/rp/product-ingestion")
	case f.publisher == "":
		return errors.New("--publisher is required: Partner Center's product resource does not say which publisher owns it")
	case f.solutions && f.solutionsFile == "" && microsoftHost(f.partnerCenter):
		return errors.New("--solutions against Microsoft's Partner Center needs --solutions-file: Microsoft publishes no API that lists " +
			"legacy OCP GTM solutions, so export reads them from a file you give (the solutions listed on " +
			"https://partner.microsoft.com/solutions/migration, as .csv or YAML/JSON {value: [...]}; see docs/guides/existing-accounts.md)")
	case f.solutions && f.partnerID == "" && f.solutionsFile == "":
		return errors.New("--solutions needs --partner (the MPN ID whose legacy solutions to read) or --solutions-file")
	case !f.solutions && (f.solutionsFile != ""):
		return errors.New("--solutions-file applies only with --solutions")
	case f.threshold <= 0 || f.threshold > 1:
		return fmt.Errorf("--match-threshold %v must be in (0, 1]", f.threshold)
	}
	if _, err := ParseFrom(f.from); err != nil {
		return err
	}
	if !validOfferType(v1.OfferType(f.migrateType)) {
		return fmt.Errorf("--migrate-offer-type %q is not an offer type of MarketplaceOffer", f.migrateType)
	}
	return nil
}

func validOfferType(t v1.OfferType) bool {
	switch t {
	case v1.OfferTypeSoftwareAsAService, v1.OfferTypeAzureApplication, v1.OfferTypeAzureContainer, v1.OfferTypeAzureVirtualMachine,
		v1.OfferTypeConsultingService, v1.OfferTypeDynamics365BusinessCentral, v1.OfferTypeDynamics365CustomerEngagement,
		v1.OfferTypeDynamics365Operations, v1.OfferTypeIoTEdgeModule, v1.OfferTypeManagedService, v1.OfferTypePowerBIApp,
		v1.OfferTypePowerBIVisual, v1.OfferTypeCoSellOnly, v1.OfferTypeContainerApp:
		return true
	}
	return false
}

// newClient builds the HTTP adapter for --partner-center, reading a
// --partner-center-secret through the kubeconfig of --kubeconfig.
func newClient(f flags) (*ingestion.Client, error) {
	return NewClient(f.partnerCenter, f.secret, func() (client.Reader, error) {
		cfg, err := ctrlconfig.GetConfig()
		if err != nil {
			return nil, fmt.Errorf("reading kubeconfig: %w", err)
		}
		return client.New(cfg, client.Options{})
	})
}

// NewClient builds the HTTP adapter of the Product Ingestion API at
// baseURL as the manager does: credentials from the Secret secret
// ("namespace/name", read through cluster), else from the environment
// (EnvTenantID, EnvClientID, EnvClientSecret); a Microsoft host needs
// them. Read-only commands (export, kubectl cosell) share it.
func NewClient(baseURL, secret string, cluster func() (client.Reader, error)) (*ingestion.Client, error) {
	host, ok := ingestion.HostOfURL(baseURL)
	if !ok {
		return nil, fmt.Errorf("--partner-center %q is not an http(s) URL", baseURL)
	}
	opts := ingestion.Options{BaseURL: baseURL}
	var cred azcore.TokenCredential
	switch {
	case secret != "":
		ns, name, _ := strings.Cut(secret, "/")
		if ns == "" || name == "" {
			return nil, fmt.Errorf("--partner-center-secret must be namespace/name; got %q", secret)
		}
		kc, err := cluster()
		if err != nil {
			return nil, fmt.Errorf("connecting to the cluster for --partner-center-secret: %w", err)
		}
		cred = &connect.SecretCredential{Reader: kc, Key: types.NamespacedName{Namespace: ns, Name: name}, Build: connect.Identity{}.Credential}
	case os.Getenv(EnvTenantID) != "" || os.Getenv(EnvClientID) != "" || os.Getenv(EnvClientSecret) != "":
		c, err := ingestion.CredentialFromSecretData(map[string][]byte{
			ingestion.KeyTenantID: []byte(os.Getenv(EnvTenantID)), ingestion.KeyClientID: []byte(os.Getenv(EnvClientID)),
			ingestion.KeyClientSecret: []byte(os.Getenv(EnvClientSecret)),
		})
		if err != nil {
			return nil, fmt.Errorf("credentials from %s, %s, %s: %w", EnvTenantID, EnvClientID, EnvClientSecret, err)
		}
		cred = c
	case host.NeedsCredentials:
		return nil, fmt.Errorf("the real Partner Center needs credentials: set --partner-center-secret namespace/name, or %s, %s and %s",
			EnvTenantID, EnvClientID, EnvClientSecret)
	}
	opts.Credential = cred
	// Tokens only to Microsoft's API hosts over https.
	opts.HTTPClient = &http.Client{Transport: connect.TokenGuard(&ingestion.Pacer{})}
	return ingestion.New(opts)
}

// run exports with r (and sl for --solutions) and writes the documents.
func run(ctx context.Context, r Reader, sl SolutionLister, f flags, from From, stdout, stderr io.Writer) error {
	res, err := Run(ctx, r, Options{PublisherID: f.publisher, Offers: f.offers, From: from, Namespace: f.ns,
		PageSize: f.pageSize, Observe: f.observe, Progress: stderr})
	if err != nil {
		if res != nil && len(res.Offers) > 0 {
			// What was read is written, so that a long account resumes
			// from a partial export rather than nothing.
			_ = write(f.out, offerDocuments(res.Offers), stdout)
			return fmt.Errorf("%w (the %d offer(s) read before are written)", err, len(res.Offers))
		}
		return err
	}
	docs := offerDocuments(res.Offers)
	if f.solutions {
		sols, err := legacySolutions(ctx, sl, f)
		if err != nil {
			return err
		}
		plan, skipped := Plan(sols, res.Offers, PlanOptions{PartnerID: f.partnerID, PublisherID: f.publisher, Namespace: f.ns,
			Threshold: f.threshold, MigrateOfferType: v1.OfferType(f.migrateType)})
		for _, s := range skipped {
			_, _ = fmt.Fprintln(stderr, "skipped "+s)
		}
		for _, sg := range plan {
			_, _ = fmt.Fprintf(stderr, "suggested %s for solution %s\n", sg.Solution.Spec.Action, sg.Solution.Spec.SolutionID)
		}
		docs = append(docs, SolutionDocuments(plan)...)
	}
	if err := write(f.out, docs, stdout); err != nil {
		return err
	}
	if f.out != "" {
		_, _ = fmt.Fprintf(stderr, "wrote %d file(s) to %s\n", len(docs), f.out)
	}
	return res.Err()
}

func offerDocuments(offers []*Offer) []Document {
	docs := make([]Document, 0, len(offers))
	for _, o := range offers {
		docs = append(docs, OfferDocument(o))
	}
	return docs
}

func write(dir string, docs []Document, stdout io.Writer) error {
	if dir != "" {
		return WriteDir(dir, docs)
	}
	return WriteStream(stdout, docs)
}

// microsoftHost reports whether the base URL is one of Microsoft's hosts,
// which serve no OCP GTM migration API.
func microsoftHost(base string) bool {
	h, ok := ingestion.HostOfURL(base)
	return ok && h.Microsoft
}

// legacySolutions reads the legacy solutions from --solutions-file or the
// simulator's extension.
func legacySolutions(ctx context.Context, sl SolutionLister, f flags) ([]LegacySolution, error) {
	if f.solutionsFile != "" {
		data, err := os.ReadFile(f.solutionsFile)
		if err != nil {
			return nil, err
		}
		return ReadSolutionsFile(f.solutionsFile, data)
	}
	got, err := sl.ListSolutions(ctx, f.partnerID)
	if err != nil {
		return nil, Fatal(err)
	}
	out := make([]LegacySolution, 0, len(got))
	for _, s := range got {
		out = append(out, LegacySolution{LegacySolution: s})
	}
	return out, nil
}

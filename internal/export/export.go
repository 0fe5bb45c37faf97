package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// AdoptAnnotation is the annotation marketplace.cosell.io/adopt: set to
// "true" on a MarketplaceOffer, it is the explicit opt-in to adopt an offer
// that already exists in Partner Center under the same offer ID (the
// ownership work of the operator honours it; its constant there lives in
// api/v1alpha1). Export writes it on every offer it reads, since those
// offers exist by construction.
const AdoptAnnotation = "marketplace.cosell.io/adopt"

// From says which version of an offer fills the spec.
type From string

const (
	// FromLive exports the live version, else the preview, else the draft.
	FromLive From = "live"
	// FromPreview exports the preview version, else the draft.
	FromPreview From = "preview"
	// FromDraft exports the draft.
	FromDraft From = "draft"
)

// ParseFrom parses --from.
func ParseFrom(s string) (From, error) {
	switch f := From(strings.ToLower(strings.TrimSpace(s))); f {
	case FromLive, FromPreview, FromDraft:
		return f, nil
	}
	return "", fmt.Errorf("--from %q must be live, preview or draft", s)
}

// Options configure an export.
type Options struct {
	// PublisherID fills spec.publisherID: the product resource does not
	// carry its publisher, and one account's token reads one account.
	PublisherID string
	// Offers, when not empty, are the offer IDs to export; otherwise
	// every product of the account is.
	Offers []string
	// From is the version that fills the spec (default FromLive).
	From From
	// Namespace fills metadata.namespace ("" leaves it out).
	Namespace string
	// PageSize is the page size of GET product, sent as $maxpagesize (0:
	// Partner Center's default); every page is read.
	PageSize int
	// MaxPages bounds the pages of GET product followed through
	// @nextLink (0: DefaultMaxPages), so that a server that always
	// answers with another link cannot keep the export reading forever.
	MaxPages int
	// Observe sets spec.managementPolicy Observe: applied, the objects
	// only read Partner Center and report how it differs from the spec.
	Observe bool
	// Progress receives one line per offer ("exported 12/40: contoso");
	// nil discards them.
	Progress io.Writer
}

// Offer is one exported offer.
type Offer struct {
	// Object is the MarketplaceOffer to apply.
	Object *v1.MarketplaceOffer
	// ProductID is Partner Center's product ID.
	ProductID string
	// Name is the product's alias in Partner Center.
	Name string
	// Version is the version the spec was read from.
	Version pc.SubmissionTarget
	// Deprecated is true when the offer's sale was stopped.
	Deprecated bool
	// Missing lists what the API does not return or the CRD cannot
	// express, one line each ("field: why").
	Missing []string
	// Notes are other facts a reviewer needs before applying.
	Notes []string
	// Suggested is true for an offer export does not read from Partner
	// Center but suggests (the new offer of a Migrate suggestion).
	Suggested bool
	// Header, when set, replaces the first line of the file's comment.
	Header string
}

// Result is what an export read.
type Result struct {
	Offers []*Offer
	// Failed lists the offers that could not be exported, with why.
	Failed []string
}

// Err is the error of a result with failed offers, or nil.
func (r *Result) Err() error {
	if len(r.Failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d offer(s) could not be exported:\n  %s", len(r.Failed), strings.Join(r.Failed, "\n  "))
}

// Run reads the offers and maps them. It stops at the first error that
// would fail every further call as well (refused credentials, throttling
// that outlasted the retries, Partner Center unreachable), explained by
// Fatal; an error about one offer only is recorded in Result.Failed and the
// export goes on.
func Run(ctx context.Context, r Reader, opts Options) (*Result, error) {
	if opts.From == "" {
		opts.From = FromLive
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	products, err := products(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for i, p := range products {
		if err := CheckOfferID(p.OfferID); err != nil {
			res.Failed = append(res.Failed, fmt.Sprintf("product %s: %v; not exported", p.ID, err))
			_, _ = fmt.Fprintf(opts.Progress, "failed %d/%d: product %s: %v\n", i+1, len(products), p.ID, err)
			continue
		}
		o, err := exportOne(ctx, r, p, opts)
		if err != nil {
			if fatal(err) {
				return res, Fatal(err)
			}
			res.Failed = append(res.Failed, p.OfferID+": "+err.Error())
			_, _ = fmt.Fprintf(opts.Progress, "failed %d/%d: %s: %v\n", i+1, len(products), p.OfferID, err)
			continue
		}
		res.Offers = append(res.Offers, o)
		_, _ = fmt.Fprintf(opts.Progress, "exported %d/%d: %s\n", i+1, len(products), p.OfferID)
	}
	return res, nil
}

// DefaultMaxPages is the number of GET product pages an export follows
// unless Options.MaxPages says otherwise.
const DefaultMaxPages = 1000

// offerIDPattern is the CRD's rule for spec.offerID (api/v1alpha1,
// MarketplaceOfferSpec.OfferID).
var offerIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-_]{2,49}$`)

// CheckOfferID refuses an offer ID the CRD would refuse. Offer IDs come
// from the server and name the files of --out, so one such as "../x" must
// not reach a file name.
func CheckOfferID(id string) error {
	if !offerIDPattern.MatchString(id) {
		return fmt.Errorf("offer ID %q from Partner Center does not match the CRD's pattern %s", id, offerIDPattern)
	}
	return nil
}

// products lists the products to export: the ones named, or every page of
// GET product.
func products(ctx context.Context, r Reader, opts Options) ([]pc.Product, error) {
	var out []pc.Product
	if len(opts.Offers) > 0 {
		for _, id := range opts.Offers {
			p, err := r.FindProduct(ctx, id)
			if err != nil {
				if pc.IsNotFound(err) {
					return nil, fmt.Errorf("offer %q: no product with that offer ID in Partner Center", id)
				}
				return nil, Fatal(err)
			}
			out = append(out, *p)
		}
		return out, nil
	}
	maxPages := opts.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	next := ""
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("GET product still had an @nextLink after %d pages; stopping (name the offers to export with --offer)", maxPages)
		}
		pg, err := r.ListProducts(ctx, ingestion.ListProductsOptions{PageSize: opts.PageSize}, next)
		if err != nil {
			return nil, Fatal(err)
		}
		out = append(out, pg.Products...)
		if pg.Next == "" {
			break
		}
		if pg.Next == next {
			return nil, fmt.Errorf("page %d of GET product repeats the @nextLink of the page before; stopping", page)
		}
		next = pg.Next
	}
	slices.SortStableFunc(out, func(a, b pc.Product) int { return strings.Compare(a.OfferID, b.OfferID) })
	return out, nil
}

// place is where an offer is, read from its submissions.
type place struct {
	target     v1.OfferTarget
	deprecated bool
	notes      []string
}

// placeOf reads where an offer is: Live when a live submission completed
// successfully, else Preview when a preview one did, else Draft.
// Submissions in progress or failed are noted.
func placeOf(subs []pc.Submission) place {
	pl := place{target: v1.TargetDraft}
	succeeded := func(s pc.Submission) bool {
		return s.Status == pc.SubmissionCompleted && s.Result == pc.SubmissionSucceeded
	}
	for _, s := range subs {
		switch {
		case s.IsDraft():
		case s.Target == pc.TargetLive && succeeded(s):
			pl.target = v1.TargetLive
			pl.deprecated = pl.deprecated || s.State == pc.LifecycleDeprecated
		case s.Target == pc.TargetPreview && succeeded(s):
			if pl.target == v1.TargetDraft {
				pl.target = v1.TargetPreview
			}
		case s.Status != pc.SubmissionCompleted:
			pl.notes = append(pl.notes, fmt.Sprintf("submission %s to %s is in progress (%s); target says where the offer is now", s.ID, s.Target, s.Status))
		case s.Result == pc.SubmissionFailed:
			pl.notes = append(pl.notes, fmt.Sprintf("submission %s to %s failed in Partner Center", s.ID, s.Target))
		}
	}
	return pl
}

// versions are the versions tried for --from, in order, as far as the
// offer has been published.
func versions(from From, at v1.OfferTarget) []pc.SubmissionTarget {
	all := []pc.SubmissionTarget{pc.TargetLive, pc.TargetPreview, pc.TargetDraft}
	switch from {
	case FromPreview:
		all = all[1:]
	case FromDraft:
		all = all[2:]
	}
	return slices.DeleteFunc(all, func(t pc.SubmissionTarget) bool {
		return (t == pc.TargetLive && at != v1.TargetLive) || (t == pc.TargetPreview && at == v1.TargetDraft)
	})
}

func exportOne(ctx context.Context, r Reader, p pc.Product, opts Options) (*Offer, error) {
	subs, err := r.ListSubmissions(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	pl := placeOf(subs)
	draft, err := r.GetTarget(ctx, p.ID, pc.TargetDraft)
	if err != nil {
		return nil, err
	}
	version, d := pc.TargetDraft, draft
	for _, t := range versions(opts.From, pl.target) {
		if t == pc.TargetDraft {
			break
		}
		got, err := r.GetTarget(ctx, p.ID, t)
		if pc.IsNotFound(err) {
			continue // e.g. a preview pushed live: its version is the live one
		}
		if err != nil {
			return nil, err
		}
		version, d = t, got
		break
	}
	o := Map(p, d, opts.PublisherID, opts.Namespace)
	if opts.Observe {
		o.Object.Spec.ManagementPolicy = v1.ManagementPolicyObserve
	}
	o.Version = version
	o.Object.Spec.Target = pl.target
	o.Deprecated = pl.deprecated || p.State == pc.LifecycleDeprecated
	o.Notes = append(o.Notes, pl.notes...)
	if version != pc.TargetDraft && !reflect.DeepEqual(*d, *draft) {
		o.Notes = append(o.Notes, fmt.Sprintf("the draft differs from the %s version exported here (a newer draft is pending): "+
			"the operator adopts the offer as it is, leaves that draft unpublished and reports it (condition Adopted, reason "+
			"UnpublishedDraft, naming the fields); the next change of spec is written over it and published. "+
			"Export with --from draft to keep the pending changes in Git", version))
	}
	if version == pc.TargetDraft && pl.target != v1.TargetDraft {
		o.Notes = append(o.Notes, fmt.Sprintf("spec is the draft but the offer is %s: if the draft differs from the %s version, "+
			"the operator adopts the offer as published and does not submit the draft (condition Adopted, reason UnpublishedDraft) "+
			"until spec changes or the adopt annotation is removed", pl.target, strings.ToLower(string(pl.target))))
	}
	if o.Deprecated {
		o.Missing = append(o.Missing, "sale stopped: the offer's sale was stopped in Partner Center (lifecycleState deprecated); "+
			"the CRD has no field for a stopped sale, and target Live does not restore it: the operator reports it "+
			"(condition Live, reason SaleStopped) and publishes nothing while the sale stays stopped")
	}
	return o, nil
}

// Map maps a product and one of its versions to a MarketplaceOffer, with
// the adoption opt-in, and lists what it could not fill.
func Map(p pc.Product, d *pc.Draft, publisherID, namespace string) *Offer {
	o := &Offer{ProductID: p.ID, Name: p.Name, Version: pc.TargetDraft}
	obj := &v1.MarketplaceOffer{
		TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "MarketplaceOffer"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        ObjectName(p.OfferID),
			Namespace:   namespace,
			Annotations: map[string]string{AdoptAnnotation: "true"},
		},
		Spec: v1.MarketplaceOfferSpec{
			OfferID:     p.OfferID,
			OfferType:   v1.OfferType(p.OfferType),
			PublisherID: publisherID,
			Target:      v1.TargetDraft,
			// Deleting the object never touches an offer that existed
			// before Git did.
			DeletionPolicy: v1.DeletionPolicyOrphan,
		},
	}
	o.Object = obj
	if obj.Name != p.OfferID {
		o.Notes = append(o.Notes, fmt.Sprintf("metadata.name %s is the offer ID %s made a valid Kubernetes name", obj.Name, p.OfferID))
	}
	t, known := wire.LookupOfferType(p.OfferType)
	if !known {
		o.Missing = append(o.Missing, fmt.Sprintf("spec.offerType: Partner Center's product type %q has no MarketplaceOffer offer type", p.OfferType))
	}

	l := d.Listing
	obj.Spec.Listing = v1.OfferListing{Title: l.Title, Summary: l.Summary, ShortDescription: l.ShortDescription,
		Description: l.Description, PrivacyPolicyURL: l.PrivacyPolicyURL, SupportURL: l.SupportURL}
	if known && !t.Writes(wire.PartListing) {
		o.Missing = append(o.Missing, fmt.Sprintf("spec.listing: Microsoft publishes no listing shape for %s offers, so the API returns none "+
			"(the product's name in Partner Center is %q); fill title, summary and description, which the CRD requires, from the offer's "+
			"listing in Partner Center: the operator cannot write them for this type, so they cause no write", p.OfferType, p.Name))
	} else {
		for _, f := range []struct{ name, v string }{{"title", l.Title}, {"summary", l.Summary}, {"description", l.Description}} {
			if f.v == "" {
				o.Missing = append(o.Missing, "spec.listing."+f.name+": empty in Partner Center; the CRD requires it")
			}
		}
	}
	o.Missing = append(o.Missing, "spec.listing.keywords: the published listing schema has no search keywords, so they are not read; "+
		"adding them here makes the operator configure the draft once more, without them (it cannot write them either)")
	if p.Name != "" && p.Name != l.Title && l.Title != "" {
		o.Notes = append(o.Notes, fmt.Sprintf("the product's name (alias) in Partner Center is %q; the CRD has no field for it "+
			"(the operator names products it creates after the listing title)", p.Name))
	}

	mapPlansAndResell(o, d, p.OfferType, t, known)
	o.Missing = append(o.Missing, "spec.coSell: the co-sell tab lives in the Partner Ingestion API, which export does not read; "+
		"without spec.coSell the operator leaves the co-sell tab alone")
	o.Missing = append(o.Missing, FitOfferType(&obj.Spec)...)
	return o
}

// mapPlansAndResell fills the plans and the resell policy of o's object
// from the draft d of an offer of Partner Center's product type
// offerType, t in the table (known false: not in the table).
func mapPlansAndResell(o *Offer, d *pc.Draft, offerType string, t wire.OfferType, known bool) {
	obj := o.Object
	for _, pl := range d.Plans {
		plan := v1.Plan{ID: pl.ID, Name: pl.Name, Description: pl.Description,
			Pricing: v1.PricingModel(pl.Pricing), Price: pl.Price, Markets: slices.Clone(pl.Markets)}
		if pl.Pricing == "" {
			o.Missing = append(o.Missing, fmt.Sprintf("spec.plans[%s].pricing: the plan's pricing in Partner Center has no published shape "+
				"that maps to Free, FlatRate, PerUser, BYOL or Contact; left out", pl.ID))
		}
		obj.Spec.Plans = append(obj.Spec.Plans, plan)
	}
	if known && !t.Writes(wire.PartPlans) {
		o.Missing = append(o.Missing, fmt.Sprintf("spec.plans: Microsoft publishes no plan resources for %s offers; plans are not read", offerType))
	}

	switch d.Resell.Policy {
	case string(v1.ResellNone), "":
	case string(v1.ResellAll):
		obj.Spec.Resell = &v1.Resell{Policy: v1.ResellAll}
	case string(v1.ResellSpecific):
		o.Missing = append(o.Missing, "spec.resell: Partner Center resells through specific CSP partners, but the published reseller "+
			"schema does not return their IDs, and the operator cannot write them either (admission refuses policy Specific); left out: "+
			"the partners stay chosen in Partner Center")
	default:
		o.Missing = append(o.Missing, fmt.Sprintf("spec.resell: reseller state %q has no resell policy; left out", d.Resell.Policy))
	}
	if known && !t.Reseller {
		o.Missing = append(o.Missing, fmt.Sprintf("spec.resell: Microsoft publishes no reseller configuration for %s offers; not read", offerType))
	}
}

// FitOfferType makes an exported spec one that admission accepts for its
// offer type (v1.MarketplaceOfferSpec.OfferTypeRefusals): it leaves out
// what the type keeps in Partner Center and declares in
// spec.managedInPartnerCenter what Partner Center needs that the operator
// never writes. It returns what it left out that was read.
func FitOfferType(s *v1.MarketplaceOfferSpec) []string {
	t, ok := wire.LookupOfferType(string(s.OfferType))
	if !ok {
		return nil
	}
	var missing []string
	s.ManagedInPartnerCenter = v1.ManagedInPartnerCenter(s.OfferType)
	if !t.Writes(wire.PartListing) {
		s.Listing = v1.OfferListing{}
	}
	s.Listing.Keywords = nil
	if !t.Writes(wire.PartPlans) {
		s.Plans = nil
	}
	for i := range s.Plans {
		p := &s.Plans[i]
		if p.Pricing != "" && !slices.Contains(t.PricingModels(), string(p.Pricing)) {
			missing = append(missing, fmt.Sprintf("spec.plans[%s].pricing: %s pricing of %s plans is edited in Partner Center; left out",
				p.ID, p.Pricing, t.Spec))
			p.Pricing, p.Price = "", ""
		}
	}
	if !t.Writes(wire.PartResell) {
		s.Resell = nil
	}
	if !t.Writes(wire.PartCoSell) {
		s.CoSell = nil
	}
	return missing
}

// ObjectName makes an offer or solution ID a valid Kubernetes object name
// (lowercase RFC 1123 subdomain): '_' and '.' become '-'.
func ObjectName(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// fatal reports whether an error fails every further call too.
func fatal(err error) bool {
	var e *pc.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == 401 || e.StatusCode == 403 || e.Class == pc.ClassTransient ||
		e.Code == "authenticationFailed" || strings.HasPrefix(e.Code, "credentials")
}

// Fatal explains an error that stops the export: refused credentials,
// throttling the adapter's retries (which honour Retry-After) did not
// outlast, or another failure.
func Fatal(err error) error {
	var e *pc.Error
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.StatusCode == 401 || e.StatusCode == 403 || e.Code == "authenticationFailed" || strings.HasPrefix(e.Code, "credentials"):
		return fmt.Errorf("credentials refused by Partner Center (%s): %w; nothing more was read", statusText(e.StatusCode), err)
	case e.StatusCode == 429:
		return fmt.Errorf("throttled by Partner Center (HTTP 429) until the retries, which waited as long as each Retry-After asked, "+
			"ran out: %w; run the export again later (files already written stay)", err)
	case e.Class == pc.ClassTransient:
		return fmt.Errorf("no answer from Partner Center after the retries: %w", err)
	}
	return err
}

func statusText(code int) string {
	if code == 0 {
		return "no token"
	}
	return fmt.Sprintf("HTTP %d", code)
}

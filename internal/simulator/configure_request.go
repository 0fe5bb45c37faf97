package simulator

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// Validation of a configure request, before it meets any state: everything
// wrong with it is reported at once in one 400, with the resource index and
// field of each problem.

var (
	offerIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-_]{2,49}$`)
	planIDPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-_]{0,49}$`)
	marketPattern  = regexp.MustCompile(`^[A-Z]{2}$`)
	pricePattern   = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]{1,2})?$`)
)

// configureOps is a validated configure request, grouped by what it does.
type configureOps struct {
	creates     []wire.Resource
	drafts      []*draftOps
	submissions []submissionOp
	lifecycles  []lifecycleOp
}

// draftOps are the draft resources of one product in a request.
type draftOps struct {
	productID                 string
	listing, reseller, coSell *wire.Resource
	plans                     []planRec
}

type submissionOp struct {
	productID, target, previewID string
}

type lifecycleOp struct {
	productID, state string
}

// parseConfigure validates a configure request without looking at state.
func parseConfigure(req *wire.Configure) (*configureOps, error) {
	var problems []wire.FeedbackItem
	if k := wire.KindOf(req.Schema); k != wire.KindConfigure {
		return nil, errBadRequest("$schema of the request must be %s (got %q)", wire.Schema(wire.KindConfigure), req.Schema)
	}
	if len(req.Resources) == 0 {
		return nil, errBadRequest("resources is empty; send at least one resource")
	}
	ops := &configureOps{}
	byProduct := map[string]*draftOps{}
	draftsOf := func(productID string) *draftOps {
		d := byProduct[productID]
		if d == nil {
			d = &draftOps{productID: productID}
			byProduct[productID] = d
			ops.drafts = append(ops.drafts, d)
		}
		return d
	}
	type priceOp struct {
		at              string
		productID, plan string
		res             wire.Resource
	}
	var prices []priceOp
	created := map[string]bool{}
	submitted := map[string]bool{}
	for i := range req.Resources {
		res := req.Resources[i]
		kind := wire.KindOf(res.Schema)
		at := fmt.Sprintf("resources[%d]", i)
		if kind != "" {
			at += " (" + kind + ")"
		}
		bad := func(format string, args ...any) {
			problems = append(problems, wire.FeedbackItem{Code: wire.CodeBadRequest, Resource: at, Message: fmt.Sprintf(format, args...)})
		}
		productOf := func() string {
			if res.Product == "" {
				bad("product is required: the durable ID (product/{productId}) of the product it belongs to")
				return ""
			}
			id, ok := wire.ParseProductRef(res.Product)
			if !ok {
				bad("product %q is not a durable product ID (product/{productId})", res.Product)
			}
			return id
		}
		switch kind {
		case "":
			bad("$schema %q is not a resource schema of version %s (want %s{kind}/%s)", res.Schema, wire.Version, wire.SchemaBase, wire.Version)
		case wire.KindProduct:
			if res.ID != "" {
				id, ok := wire.ParseProductRef(res.ID)
				if !ok {
					bad("id %q is not a durable product ID (product/{productId})", res.ID)
				}
				switch res.LifecycleState {
				case wire.LifecycleDeprecated, wire.LifecycleDeleted:
					ops.lifecycles = append(ops.lifecycles, lifecycleOp{productID: id, state: res.LifecycleState})
				default:
					bad("an existing product can only be changed to lifecycleState %q (stop sale) or %q (delete a never-published draft), got %q",
						wire.LifecycleDeprecated, wire.LifecycleDeleted, res.LifecycleState)
				}
				continue
			}
			switch {
			case res.Identity == nil || res.Identity.ExternalID == "":
				bad("identity.externalId (the offer ID) is required to create a product")
			case !offerIDPattern.MatchString(res.Identity.ExternalID):
				bad("identity.externalId %q must match %s", res.Identity.ExternalID, offerIDPattern)
			case created[res.Identity.ExternalID]:
				bad("identity.externalId %q is created twice in this request", res.Identity.ExternalID)
			}
			if res.Identity != nil {
				created[res.Identity.ExternalID] = true
			}
			if wire.OfferTypeFromWire(res.Type) == "" {
				bad("type %q is not an offer type (%s)", res.Type, strings.Join(sortedValues(wire.OfferTypes), ", "))
			}
			if res.LifecycleState != "" && res.LifecycleState != wire.LifecycleDraft {
				bad("a new product starts with lifecycleState %q; omit lifecycleState (got %q)", wire.LifecycleDraft, res.LifecycleState)
			}
			ops.creates = append(ops.creates, res)
		case wire.KindListing, wire.KindReseller, wire.KindCoSellListing:
			id := productOf()
			if id == "" {
				continue
			}
			d := draftsOf(id)
			slot := map[string]**wire.Resource{wire.KindListing: &d.listing, wire.KindReseller: &d.reseller, wire.KindCoSellListing: &d.coSell}[kind]
			if *slot != nil {
				bad("a second %s for %s; send one per product", kind, res.Product)
				continue
			}
			for _, p := range validateDraftResource(kind, &res) {
				bad("%s", p)
			}
			norm := normalize(res)
			*slot = &norm
		case wire.KindPlan:
			id := productOf()
			if id == "" {
				continue
			}
			d := draftsOf(id)
			planID := ""
			if res.Identity != nil {
				planID = res.Identity.ExternalID
			}
			switch {
			case planID == "":
				bad("identity.externalId (the plan ID) is required")
			case !planIDPattern.MatchString(planID):
				bad("identity.externalId %q must match %s", planID, planIDPattern)
			case slices.ContainsFunc(d.plans, func(p planRec) bool { return p.id() == planID }):
				bad("plan %q appears twice for %s", planID, res.Product)
			}
			d.plans = append(d.plans, planRec{Plan: normalize(res)})
		case wire.KindPriceAndAvail:
			productID, planID, ok := wire.ParsePlanRef(res.Plan)
			if !ok {
				bad("plan %q is not a durable plan ID (plan/{productId}/{planId})", res.Plan)
				continue
			}
			if res.Product == "" {
				res.Product = wire.ProductRef(productID)
			}
			if id := productOf(); id != "" && id != productID {
				bad("plan %q belongs to another product than %q", res.Plan, res.Product)
				continue
			}
			draftsOf(productID)
			for _, p := range validateDraftResource(kind, &res) {
				bad("%s", p)
			}
			prices = append(prices, priceOp{at: at, productID: productID, plan: planID, res: res})
		case wire.KindSubmission:
			id := productOf()
			if id == "" {
				continue
			}
			if submitted[id] {
				bad("a second submission for %s; send one per product", res.Product)
				continue
			}
			submitted[id] = true
			op := submissionOp{productID: id}
			if res.Target != nil {
				op.target = res.Target.TargetType
			}
			switch op.target {
			case wire.TargetPreview:
				if res.ID != "" {
					bad("a preview submission creates a new submission; omit id (got %q)", res.ID)
				}
			case wire.TargetLive:
				pid, sid, ok := wire.ParseSubmissionRef(res.ID)
				switch {
				case res.ID == "":
					bad("a live submission needs id: the durable ID (submission/{productId}/{submissionId}) of a succeeded preview submission")
				case !ok:
					bad("id %q is not a durable submission ID (submission/{productId}/{submissionId})", res.ID)
				case pid != id:
					bad("submission %q belongs to another product than %q", res.ID, res.Product)
				}
				op.previewID = sid
			default:
				bad("target.targetType must be %q or %q (got %q)", wire.TargetPreview, wire.TargetLive, op.target)
			}
			ops.submissions = append(ops.submissions, op)
		default:
			bad("kind %q cannot be configured; send product, listing, plan, price-and-availability-plan, reseller, cosell-listing or submission", kind)
		}
	}
	for _, pr := range prices {
		d := byProduct[pr.productID]
		i := slices.IndexFunc(d.plans, func(p planRec) bool { return p.id() == pr.plan })
		switch {
		case i < 0:
			problems = append(problems, wire.FeedbackItem{Code: wire.CodeBadRequest, Resource: pr.at,
				Message: fmt.Sprintf("plan %q is not among the plans of this request; send the plan resource with its pricing", pr.res.Plan)})
		case d.plans[i].Price != nil:
			problems = append(problems, wire.FeedbackItem{Code: wire.CodeBadRequest, Resource: pr.at,
				Message: fmt.Sprintf("a second price-and-availability-plan for %q", pr.res.Plan)})
		default:
			norm := normalize(pr.res)
			norm.Plan = ""
			d.plans[i].Price = &norm
		}
	}
	if len(problems) > 0 {
		msgs := make([]string, 0, len(problems))
		for _, p := range problems {
			msgs = append(msgs, p.Resource+": "+p.Message)
		}
		return nil, &apiError{status: http.StatusBadRequest, code: wire.CodeBadRequest, details: problems,
			message: fmt.Sprintf("invalid configure request: %s", strings.Join(msgs, "; "))}
	}
	return ops, nil
}

// validateDraftResource checks the fields of a draft resource that Partner
// Center refuses outright (certification judges the rest).
func validateDraftResource(kind string, r *wire.Resource) []string {
	var out []string
	switch kind {
	case wire.KindListing:
		if r.LanguageID == "" {
			r.LanguageID = "en-us"
		}
	case wire.KindPriceAndAvail:
		// No pricing (or an empty model) is accepted here and reported by
		// certification as planPricingMissing; an unknown model is refused.
		if r.Pricing != nil && r.Pricing.Model == "" && r.Pricing.Price == "" {
			r.Pricing = nil
		}
		if r.Pricing != nil && wire.PricingModelFromWire(r.Pricing.Model) == "" {
			out = append(out, fmt.Sprintf("pricing.model %q is not a pricing model (%s)", r.Pricing.Model, strings.Join(sortedValues(wire.PricingModels), ", ")))
		} else if r.Pricing != nil && r.Pricing.Price != "" && !pricePattern.MatchString(r.Pricing.Price) {
			out = append(out, fmt.Sprintf("pricing.price %q must be an amount in US dollars such as 499.00", r.Pricing.Price))
		}
		for _, m := range r.Markets {
			if !marketPattern.MatchString(m) {
				out = append(out, fmt.Sprintf("markets: %q is not an ISO 3166 alpha-2 code such as US", m))
			}
		}
	case wire.KindReseller:
		switch r.ResellerChannelState {
		case wire.ResellerDisabled, wire.ResellerEnabled:
			r.PartnerIDs = nil // only someResellers names partners
		case wire.ResellerSomeResellers:
			if len(r.PartnerIDs) == 0 {
				out = append(out, fmt.Sprintf("resellerChannelState %q needs partnerIds", wire.ResellerSomeResellers))
			}
		default:
			out = append(out, fmt.Sprintf("resellerChannelState %q must be %s, %s or %s", r.ResellerChannelState,
				wire.ResellerDisabled, wire.ResellerEnabled, wire.ResellerSomeResellers))
		}
	case wire.KindCoSellListing:
		for i, d := range r.Documents {
			if d.Type == "" || d.URL == "" {
				out = append(out, fmt.Sprintf("documents[%d] needs a type and a url", i))
			}
		}
		for i, c := range r.Contacts {
			if c.Role == "" || c.Email == "" {
				out = append(out, fmt.Sprintf("contacts[%d] needs a role and an email", i))
			}
		}
	}
	return out
}

// normalize strips what the store derives (IDs and product refs) from a
// draft resource.
func normalize(r wire.Resource) wire.Resource {
	r.ID, r.Product = "", ""
	r.Schema = wire.Schema(wire.KindOf(r.Schema))
	return r
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

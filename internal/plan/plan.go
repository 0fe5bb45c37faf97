// Package plan is `cosell-operator plan`: what applying MarketplaceOffer
// and Solution manifests would write to Partner Center, read from Partner
// Center without writing to it (see docs/guides/plan.md).
package plan

import (
	"context"
	"fmt"
	"slices"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/offerdraft"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Reader is the part of the port plan calls: reads only.
type Reader interface {
	FindProduct(ctx context.Context, offerID string) (*pc.Product, error)
	GetDraft(ctx context.Context, productID string) (*pc.Draft, error)
	GetTarget(ctx context.Context, productID string, target pc.SubmissionTarget) (*pc.Draft, error)
	ListSubmissions(ctx context.Context, productID string) ([]pc.Submission, error)
	SolutionReader
}

// Kinds of Action.
const (
	ActionCreateProduct     = "createProduct"
	ActionWriteDraft        = "writeDraft"
	ActionWriteCoSell       = "writeCoSell"
	ActionSubmitPreview     = "submitPreview"
	ActionGoLive            = "goLive"
	ActionAdoptionRefused   = "adoptionRefused"
	ActionOwnershipConflict = "ownershipConflict"
	ActionRejected          = "rejected"
)

// Action is one write an apply would make, or a stall it would meet.
// Field, Old and New (and OnlyNew, for a plan the spec adds) are set for
// writeDraft: offerdraft.Diff's change of the draft model.
type Action struct {
	Action  string `json:"action"`
	Message string `json:"message"`
	offerdraft.Change
}

// Object is the plan of one object of the input.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	OfferID   string `json:"offerID,omitempty"`
	// SolutionID and PartnerID are a Solution's.
	SolutionID string `json:"solutionID,omitempty"`
	PartnerID  string `json:"partnerID,omitempty"`
	ProductID  string `json:"productID,omitempty"`
	// Deleted is set for an object of --previous the input no longer
	// holds: its actions are what deleting it does.
	Deleted bool     `json:"deleted,omitempty"`
	Actions []Action `json:"actions"`
	Notes   []string `json:"notes,omitempty"`
}

// Result is a whole plan, the JSON document of --output json.
type Result struct {
	// APIVersion names this schema: fields are only ever added to it.
	APIVersion string   `json:"apiVersion"`
	Changes    bool     `json:"changes"`
	Objects    []Object `json:"objects"`
	Notes      []string `json:"notes,omitempty"`
}

// SchemaVersion is Result.APIVersion.
const SchemaVersion = "plan.cosell.io/v1"

// Input is what plan reads from manifests: the objects it plans, and
// notes on the ones it does not.
type Input struct {
	Offers    []*v1.MarketplaceOffer
	Solutions []*v1.Solution
	// Deleted are offers an apply deletes (Deleted).
	Deleted []*v1.MarketplaceOffer
	Notes   []string
}

// Offers plans offers against r, in input order.
func Offers(ctx context.Context, r Reader, offers []*v1.MarketplaceOffer) (*Result, error) {
	return Run(ctx, r, &Input{Offers: offers})
}

// Run plans the input's offers, then the deleted ones, then its
// Solutions, against r, each in input order.
func Run(ctx context.Context, r Reader, in *Input) (*Result, error) {
	res := &Result{APIVersion: SchemaVersion, Objects: []Object{}, Notes: in.Notes}
	conflicts := ownershipConflicts(in.Offers)
	for _, o := range in.Offers {
		obj := Object{Kind: "MarketplaceOffer", Namespace: o.Namespace, Name: o.Name, OfferID: o.Spec.OfferID, Actions: []Action{}}
		if c, ok := conflicts[o]; ok {
			obj.Actions = append(obj.Actions, c)
		} else if err := planOffer(ctx, r, o, migratingInto(o, in.Solutions), &obj); err != nil {
			return nil, fmt.Errorf("planning MarketplaceOffer %s: %w", ref(o.Namespace, o.Name), err)
		}
		res.Changes = res.Changes || len(obj.Actions) > 0
		res.Objects = append(res.Objects, obj)
	}
	for _, o := range in.Deleted {
		obj := Object{Kind: "MarketplaceOffer", Namespace: o.Namespace, Name: o.Name, OfferID: o.Spec.OfferID, Deleted: true, Actions: []Action{}}
		if err := planDeletion(ctx, r, o, &obj); err != nil {
			return nil, fmt.Errorf("planning the deletion of MarketplaceOffer %s: %w", ref(o.Namespace, o.Name), err)
		}
		res.Changes = res.Changes || len(obj.Actions) > 0
		res.Objects = append(res.Objects, obj)
	}
	for _, s := range in.Solutions {
		obj := Object{Kind: "Solution", Namespace: s.Namespace, Name: s.Name, SolutionID: s.Spec.SolutionID, PartnerID: s.Spec.PartnerID, Actions: []Action{}}
		if err := planSolution(ctx, r, s, in.Offers, &obj); err != nil {
			return nil, fmt.Errorf("planning Solution %s: %w", ref(s.Namespace, s.Name), err)
		}
		res.Changes = res.Changes || len(obj.Actions) > 0
		res.Objects = append(res.Objects, obj)
	}
	return res, nil
}

// ownershipConflicts finds the offers of the input that declare an offer
// ID another one declares too: the operator lets only one of them manage
// it and stalls the others (reason OfferIDTaken).
func ownershipConflicts(offers []*v1.MarketplaceOffer) map[*v1.MarketplaceOffer]Action {
	byID := map[string][]*v1.MarketplaceOffer{}
	for _, o := range offers {
		byID[o.Spec.OfferID] = append(byID[o.Spec.OfferID], o)
	}
	out := map[*v1.MarketplaceOffer]Action{}
	for id, same := range byID {
		if len(same) < 2 {
			continue
		}
		var names []string
		for _, o := range same {
			names = append(names, ref(o.Namespace, o.Name))
		}
		for _, o := range same {
			out[o] = Action{Action: ActionOwnershipConflict, Message: fmt.Sprintf(
				"offer ID %s is declared by %d objects of the input (%v): only the oldest manages it, the others would stall; give each a distinct offer ID",
				id, len(same), names)}
		}
	}
	return out
}

func ref(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// planOffer fills obj with what an apply of o would do.
func planOffer(ctx context.Context, r Reader, o *v1.MarketplaceOffer, migration *v1.Solution, obj *Object) error {
	if refusals := o.Spec.OfferTypeRefusals(); len(refusals) > 0 {
		// The CRD's offer-type rules are generated from the same table:
		// the API server refuses the object, and nothing is written.
		for _, rf := range refusals {
			obj.Actions = append(obj.Actions, Action{Action: ActionRejected,
				Message: "the API server refuses the object (" + rf.Field + "): " + rf.Message})
		}
		return nil
	}
	if o.Spec.ManagementPolicy == v1.ManagementPolicyObserve || o.Spec.Suspend {
		obj.Notes = append(obj.Notes, "managementPolicy Observe or suspend: the operator writes nothing to Partner Center")
		return nil
	}
	want, dropped := pc.WritableDraft(string(o.Spec.OfferType), offerdraft.FromSpec(&o.Spec))
	for _, d := range dropped {
		obj.Notes = append(obj.Notes, "not written (no published place for "+string(o.Spec.OfferType)+"): "+d)
	}
	if offerdraft.CoSellFromSpec(&o.Spec) != nil {
		obj.Notes = append(obj.Notes, "co-sell tab not compared (the port has no read of it): a change to spec.coSell alone is not shown")
	}
	product, err := r.FindProduct(ctx, o.Spec.OfferID)
	if pc.IsNotFound(err) && (o.Spec.MigrateFrom != nil || migration != nil) {
		// The migration makes the product (controllers'
		// marketplaceoffer_product.go waits for it rather than create
		// one); what the draft then needs is known once it exists.
		by := "spec.migrateFrom"
		if migration != nil {
			by = "Solution " + ref(migration.Namespace, migration.Name)
		}
		obj.Notes = append(obj.Notes, fmt.Sprintf(
			"no product yet: the migration of a legacy solution (%s) makes it, not a create; the draft fields written over the migrated draft are known once it exists (plan again then)", by))
		return nil
	}
	if pc.IsNotFound(err) {
		empty, _ := pc.WritableDraft(string(o.Spec.OfferType), offerdraft.Normalize(pc.Draft{}))
		obj.Actions = append(obj.Actions, Action{Action: ActionCreateProduct,
			Message: fmt.Sprintf("create product %s (%s)", o.Spec.OfferID, o.Spec.OfferType)})
		obj.Actions = append(obj.Actions, draftActions(empty, want, obj)...)
		obj.Actions = append(obj.Actions, coSellActions(o, obj.Actions)...)
		obj.Actions = append(obj.Actions, submitActions(o.Spec.Target, true, true)...)
		return nil
	}
	if err != nil {
		return err
	}
	obj.ProductID = product.ID
	if refusal, ok := adoption(o, product, obj); !ok {
		obj.Actions = append(obj.Actions, refusal)
		return nil
	}
	return planExisting(ctx, r, o, product.ID, want, obj)
}

// adoption says whether o may manage product: it created it (its
// status.productID, when the input carries status), or it holds the adopt
// annotation. Without either, plan cannot tell from manifests whether the
// object in the cluster created it, and says so in a note.
func adoption(o *v1.MarketplaceOffer, product *pc.Product, obj *Object) (Action, bool) {
	switch {
	case o.Status.ProductID == product.ID:
		return Action{}, true
	case o.GetAnnotations()[v1.AdoptAnnotation] == "true":
		obj.Notes = append(obj.Notes, fmt.Sprintf("adopts product %s (annotation %s)", product.ID, v1.AdoptAnnotation))
		return Action{}, true
	case o.Status.ProductID != "":
		return Action{Action: ActionAdoptionRefused, Message: fmt.Sprintf(
			"would stall: adoption refused: Partner Center holds product %s with offer ID %s, but this object manages product %s; annotate it %s: \"true\" to take %s over",
			product.ID, o.Spec.OfferID, o.Status.ProductID, v1.AdoptAnnotation, product.ID)}, false
	}
	obj.Notes = append(obj.Notes, fmt.Sprintf(
		"product %s exists: the operator manages it if the object in the cluster created it (status.productID) or has the %s annotation, and stalls otherwise (plan kubectl get -o yaml output to check)",
		product.ID, v1.AdoptAnnotation))
	return Action{}, true
}

// planExisting compares an existing product's draft and published
// versions with want.
func planExisting(ctx context.Context, r Reader, o *v1.MarketplaceOffer, productID string, want pc.Draft, obj *Object) error {
	got, err := r.GetDraft(ctx, productID)
	if err != nil {
		return err
	}
	have, _ := pc.WritableDraft(string(o.Spec.OfferType), offerdraft.Normalize(*got))
	obj.Actions = append(obj.Actions, draftActions(have, want, obj)...)
	obj.Actions = append(obj.Actions, coSellActions(o, obj.Actions)...)
	if o.Spec.Target == v1.TargetDraft {
		return nil
	}
	preview, err := publishedDiffers(ctx, r, o, productID, pc.TargetPreview, want)
	if err != nil {
		return err
	}
	live := false
	if o.Spec.Target == v1.TargetLive {
		if live, err = publishedDiffers(ctx, r, o, productID, pc.TargetLive, want); err != nil {
			return err
		}
	}
	obj.Actions = append(obj.Actions, submitActions(o.Spec.Target, preview, live || preview)...)
	return nil
}

// publishedDiffers reports whether the product has no completed, succeeded
// submission to target (ListSubmissions; for preview, a live one counts),
// or one whose version differs from want.
func publishedDiffers(ctx context.Context, r Reader, o *v1.MarketplaceOffer, productID string, target pc.SubmissionTarget, want pc.Draft) (bool, error) {
	subs, err := r.ListSubmissions(ctx, productID)
	if err != nil {
		return false, err
	}
	// After a preview went live, one live submission stands for both.
	var found pc.SubmissionTarget
	for _, s := range subs {
		if (s.Target == target || s.Target == pc.TargetLive) && s.Status == pc.SubmissionCompleted && s.Result == pc.SubmissionSucceeded && found != target {
			found = s.Target
		}
	}
	if found == "" {
		return true, nil
	}
	got, err := r.GetTarget(ctx, productID, found)
	if pc.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	have, _ := pc.WritableDraft(string(o.Spec.OfferType), offerdraft.Normalize(*got))
	return len(offerdraft.Diff(have, want)) > 0, nil
}

// draftActions lists the draft fields a configure request would change
// from have to want (offerdraft.Diff, the comparison the controllers
// make). A plan Partner Center holds and the spec does not declare is a
// note: the configure request leaves plans it does not send as they are
// (ingestion's holds compares the plans written only).
func draftActions(have, want pc.Draft, obj *Object) []Action {
	var out []Action
	for _, c := range offerdraft.Diff(have, want) {
		if c.OnlyOld {
			obj.Notes = append(obj.Notes, fmt.Sprintf("Partner Center holds %s, which the spec does not declare: an apply leaves it as it is", c.Field))
			continue
		}
		msg := fmt.Sprintf("%s: %q -> %q", c.Field, c.Old, c.New)
		if c.OnlyNew {
			msg = fmt.Sprintf("%s: add %s", c.Field, c.New)
		}
		out = append(out, Action{Action: ActionWriteDraft, Change: c, Message: msg})
	}
	return out
}

// coSellActions is the co-sell tab write that goes with a draft write
// (the controllers' syncDraft writes both) when the spec has a co-sell tab.
func coSellActions(o *v1.MarketplaceOffer, draft []Action) []Action {
	if offerdraft.CoSellFromSpec(&o.Spec) == nil || !slices.ContainsFunc(draft, func(a Action) bool { return a.Action == ActionWriteDraft }) {
		return nil
	}
	return []Action{{Action: ActionWriteCoSell, Message: "write the co-sell tab (spec.coSell) through the Partner Ingestion API, with the draft"}}
}

func submitActions(target v1.OfferTarget, preview, live bool) []Action {
	var out []Action
	if preview && (target == v1.TargetPreview || target == v1.TargetLive) {
		out = append(out, Action{Action: ActionSubmitPreview, Message: "submit the draft to preview (certification)"})
	}
	if live && target == v1.TargetLive {
		out = append(out, Action{Action: ActionGoLive, Message: "publish the certified preview live"})
	}
	return out
}

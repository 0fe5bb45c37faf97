package simulator

import (
	"strconv"
	"strings"
)

// The other draft resources of a configure request (listing, listing-asset,
// listing-trailer, property, plan-listing, price-and-availability-*,
// reseller, technical configurations, ...): stored by durable ID.

// applyDraft creates, updates or deletes a draft resource other than a
// product or plan, by durable ID.
func (a *applier) applyDraft(rr reqResource) error {
	r := rr.body
	p, d, err := a.productDraft(r)
	if err != nil || p == nil {
		return err
	}
	var planID string
	if resourceKinds[rr.kind] {
		if planID, err = a.resolvePlan(r, p); err != nil || planID == "" {
			return err
		}
	}
	var listingID string
	if rr.kind == kindListingAsset {
		if listingID = a.resolveListing(r, p, d); listingID == "" {
			return nil
		}
	}
	id := str(r, "id")
	if id != "" {
		old := d.get(id)
		if k, _, ok := parseRef(id); !ok || k != rr.kind {
			a.fail(codeInvalidID, r, "id %q is not a %s durable ID", id, rr.kind)
			return nil
		}
		if old == nil {
			a.fail(codeResourceNotFound, r, "%s not found in the draft of product %s", id, productRef(p.ID))
			return nil
		}
	} else {
		id = draftID(rr.kind, p.ID, planID, r, d)
	}
	out := a.stored(rr, id, p)
	if planID != "" {
		out["plan"] = planID
	}
	if listingID != "" {
		out["listing"] = listingID
	}
	if str(r, "lifecycleState") == lifecycleDeleted {
		d.remove(id)
	} else {
		d.put(out)
	}
	a.name(r, id)
	a.job.Resources = append(a.job.Resources, cloneResource(out))
	return nil
}

// resolveListing resolves the listing a listing-asset references: a
// durable ID or the resourceName of a listing earlier in the request; ""
// when the request fails.
func (a *applier) resolveListing(r resource, p *productRec, d *draftRec) string {
	var listingID string
	switch ref := r["listing"].(type) {
	case string:
		listingID = ref
	case map[string]any:
		if n, ok := ref["resourceName"].(string); ok {
			listingID = a.names[n]
		}
	}
	if lk, _, _ := parseRef(listingID); lk != kindListing || d.get(listingID) == nil {
		a.fail(codeResourceNotFound, r, "listing %v of product %s not found", r["listing"], productRef(p.ID))
		return ""
	}
	return listingID
}

// draftID is the durable ID of a new draft resource, in the forms the docs
// show (listing/<product>/public/main/default/<language>, ...). Where
// Microsoft documents no form (technical configurations, custom meters,
// commercial-marketplace-setup for a plan-less product), the simulator uses
// <kind>/<product>[/<plan>]. A resource that matches an existing one of the
// draft (same kind, plan, language; for assets also type and file) gets its
// ID, so configuring it again updates it.
func draftID(kind, productID, planID string, r resource, d *draftRec) string {
	planGUID := ""
	if planID != "" {
		planGUID = planID[strings.LastIndex(planID, "/")+1:]
	}
	lang := strings.ToLower(str(r, "languageId"))
	switch kind {
	case kindListing:
		return "listing/" + productID + "/public/main/default/" + lang
	case kindProperty:
		return "property/" + productID + "/public/main"
	case kindPlanListing:
		return "plan-listing/" + productID + "/public/main/" + planGUID + "/" + lang
	case kindListingAsset:
		typ := strings.ToLower(str(r, "type"))
		prefix := "listing-asset/" + productID + "/public/main/default/" + lang + "/" + typ + "/"
		n := 1
		for _, a := range d.ofKind(kindListingAsset) {
			if !strings.HasPrefix(idOf(a), prefix) {
				continue
			}
			if str(a, "fileName") == str(r, "fileName") && str(a, "url") == str(r, "url") {
				return idOf(a)
			}
			if m, err := strconv.Atoi(strings.TrimPrefix(idOf(a), prefix)); err == nil && m >= n {
				n = m + 1
			}
		}
		return prefix + strconv.Itoa(n)
	case kindListingTrailer:
		return "listing-trailer/" + productID + "/public/main/default/" + lang
	}
	if planGUID != "" {
		return kind + "/" + productID + "/" + planGUID
	}
	return kind + "/" + productID
}

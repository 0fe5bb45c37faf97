package simulator

// Product resources of a configure request: create, update, delete.

// applyProduct creates a product (no id) or updates the one its id names.
func (a *applier) applyProduct(rr reqResource) error {
	r := rr.body
	ident, _ := r["identity"].(map[string]any)
	externalID, _ := ident["externalId"].(string)
	if id := str(r, "id"); id != "" {
		return a.updateProduct(rr, id, externalID)
	}
	return a.createProduct(rr, externalID)
}

// updateProduct updates (or deletes) an existing product: its offer ID and
// type cannot change.
func (a *applier) updateProduct(rr reqResource, id, externalID string) error {
	r := rr.body
	pid, ok := parseProductRef(id)
	if !ok {
		a.fail(codeInvalidID, r, "id %q is not a product durable ID (product/<guid>)", id)
		return nil
	}
	p, err := a.product(pid)
	if err != nil || p == nil {
		if p == nil && err == nil {
			a.fail(codeResourceNotFound, r, "product %s not found", id)
		}
		return err
	}
	switch {
	case externalID != p.ExternalID:
		a.fail(codeBusinessValidation, r, "identity.externalId %q differs from %q, the offer ID of %s; the offer ID cannot change", externalID, p.ExternalID, id)
		return nil
	case str(r, "type") != p.Type:
		a.fail(codeBusinessValidation, r, "type %q differs from %q, the type of %s; the type of a product cannot change", str(r, "type"), p.Type, id)
		return nil
	}
	switch str(r, "lifecycleState") {
	case lifecycleDeleted:
		return a.deleteProduct(r, p)
	case lifecycleDeprecated:
		a.fail(codeNotSupported, r, "a product's sale is stopped through its live submission: configure the submission %s with target live and lifecycleState deprecated", liveOrNone(p))
		return nil
	case lifecycleAvailable:
		p.Lifecycle = lifecycleAvailable
	}
	p.Alias, p.Version = str(r, "alias"), rr.version
	a.name(r, id)
	a.job.Resources = append(a.job.Resources, p.resource())
	return nil
}

// createProduct creates a product: one per offer ID.
func (a *applier) createProduct(rr reqResource, externalID string) error {
	r := rr.body
	existing := a.created[externalID]
	if existing == "" {
		existing = string(a.st.get(bucketOffers, externalID))
	}
	if existing != "" {
		// businessValidationError: the resource matches its schema but
		// breaks a rule of the service (one product per offer ID); the
		// inner-error enum has no narrower code for a duplicate.
		a.fail(codeBusinessValidation, r, "a product with externalId %q exists already (%s); update it with \"id\": %q instead of creating another",
			externalID, productRef(existing), productRef(existing))
		return nil
	}
	if lc := str(r, "lifecycleState"); lc == lifecycleDeleted || lc == lifecycleDeprecated {
		a.fail(codeInvalidState, r, "a new product cannot be created with lifecycleState %s", lc)
		return nil
	}
	p := &productRec{ID: newGUID(), ExternalID: externalID, Type: str(r, "type"), Alias: str(r, "alias"),
		Version: rr.version, Lifecycle: lifecycleAvailable, Created: a.now}
	a.products[p.ID] = p
	a.order = append(a.order, p.ID)
	a.drafts[p.ID] = &draftRec{}
	a.created[externalID] = p.ID
	a.st.set(bucketOffers, externalID, []byte(p.ID))
	a.name(r, productRef(p.ID))
	a.job.Resources = append(a.job.Resources, p.resource())
	return nil
}

func liveOrNone(p *productRec) string {
	if p.Live == "" {
		return "(the product has no live submission)"
	}
	return submissionRef(p.ID, p.Live)
}

// deleteProduct deletes a never-published draft product.
func (a *applier) deleteProduct(r resource, p *productRec) error {
	switch {
	case p.Published || p.Live != "":
		a.fail(codeInvalidState, r, "product %s was published; only a never-published draft can be deleted (stop its sale with its live submission and lifecycleState deprecated instead)", productRef(p.ID))
		return nil
	case p.InProgress != "":
		a.fail(codeInvalidState, r, "submission %s of product %s is running; a product can be deleted only when no submission runs", submissionRef(p.ID, p.InProgress), productRef(p.ID))
		return nil
	}
	a.deleted[p.ID] = true
	deleteProductRecords(a.st, p)
	out := p.resource()
	out["lifecycleState"] = lifecycleDeleted
	a.job.Resources = append(a.job.Resources, out)
	return nil
}

// deleteProductRecords removes a product and everything it owns.
func deleteProductRecords(st *stage, p *productRec) {
	if string(st.get(bucketOffers, p.ExternalID)) == p.ID {
		st.del(bucketOffers, p.ExternalID)
	}
	st.del(bucketProducts, p.ID)
	st.del(bucketDrafts, p.ID)
	for _, k := range st.prefixKeys(bucketSubmissions, p.ID+"/") {
		st.del(bucketSubmissions, k)
	}
}

package v1alpha1

// Condition types shared by Solution and MarketplaceOffer. Ready, Reconciling
// and Stalled follow kstatus: Reconciling and Stalled are "abnormal-true" and
// are present only while True.
const (
	// ReadyCondition (normal-true) summarises the object: True when the
	// desired outcome of the current generation holds in Partner Center.
	ReadyCondition = "Ready"

	// ReconcilingCondition (abnormal-true) is True while the operator is
	// working towards the desired outcome, including waits on Partner Center.
	ReconcilingCondition = "Reconciling"

	// StalledCondition (abnormal-true) is True when progress needs a person:
	// a missing prerequisite, certification feedback, a bad reference. The
	// operator re-checks on a slow timer and on related changes.
	StalledCondition = "Stalled"
)

// Condition types of Solution.
const (
	// PrerequisitesMetCondition (normal-true) is True when the partner holds
	// a valid partner-network membership, a commercial-marketplace account
	// and the Admin or Developer role on the publisher.
	PrerequisitesMetCondition = "PrerequisitesMet"

	// ActionCompletedCondition (normal-true) is True when Partner Center has
	// carried out the Solution's action: migrated, merged or discarded.
	ActionCompletedCondition = "ActionCompleted"
)

// Condition types of MarketplaceOffer.
const (
	// DraftSyncedCondition (normal-true) is True when Partner Center's draft
	// holds the listing, plans, co-sell and resell of the current spec.
	DraftSyncedCondition = "DraftSynced"

	// CertifiedCondition (normal-true) is True when the draft of the current
	// generation passed certification and is in preview.
	CertifiedCondition = "Certified"

	// LiveCondition (normal-true) is True while a version of the offer is
	// live in the marketplace, even when a newer draft is being certified.
	LiveCondition = "Live"

	// CoSellReadyCondition (normal-true) is True when the live offer is
	// co-sell ready or incentive eligible; the reason names the level.
	CoSellReadyCondition = "CoSellReady"

	// AdoptedCondition (normal-true) is True once the operator took over a
	// product it did not create, as Partner Center held it; the reason
	// says what it left as it found it (UnpublishedDraft, SaleStopped).
	AdoptedCondition = "Adopted"

	// InSyncCondition (normal-true) is set in managementPolicy Observe:
	// True when Partner Center holds what the spec says, False (reason
	// Differs) with the fields that differ; and in driftPolicy Report,
	// once the draft was read back: False (reason DriftReported) with
	// the fields changed outside the operator.
	InSyncCondition = "InSync"
)

// Condition reasons. Each says why a condition has its status; messages
// carry the detail a person needs.
const (
	// ReasonSucceeded: the desired outcome holds.
	ReasonSucceeded = "Succeeded"
	// ReasonProgressing: the operator is working on the current generation.
	ReasonProgressing = "Progressing"
	// ReasonPartnerCenterError: Partner Center failed transiently; retrying.
	ReasonPartnerCenterError = "PartnerCenterError"
	// ReasonPartnerCenterRejected: Partner Center refused a request and will
	// refuse it again until the spec or Partner Center's state changes.
	ReasonPartnerCenterRejected = "PartnerCenterRejected"
	// ReasonCredentialsUnavailable (Stalled): the namespace's Partner
	// Center credentials are missing, unreadable or incomplete; the message
	// says which Secret to create, fix or grant.
	ReasonCredentialsUnavailable = "CredentialsUnavailable"
	// ReasonUnsupported: the configured Partner Center cannot do the
	// operation through an API (the OCP GTM migration tool has none).
	ReasonUnsupported = "Unsupported"
	// ReasonDeleting: the object is being deleted per its deletion policy.
	ReasonDeleting = "Deleting"

	// ReasonMembershipInvalid: the partner-network membership is not valid.
	ReasonMembershipInvalid = "MembershipInvalid"
	// ReasonMarketplaceAccountMissing: the partner has no commercial
	// marketplace account.
	ReasonMarketplaceAccountMissing = "MarketplaceAccountMissing"
	// ReasonPublisherRoleMissing: the operator's identity lacks the Admin or
	// Developer role on the publisher.
	ReasonPublisherRoleMissing = "PublisherRoleMissing"
	// ReasonSolutionNotFound: the partner has no such legacy solution.
	ReasonSolutionNotFound = "SolutionNotFound"
	// ReasonPortalActionRequired: Microsoft publishes no API for the
	// action; a person carries it out in Partner Center's migration page
	// and records it in spec.completedInPortal.
	ReasonPortalActionRequired = "PortalActionRequired"
	// ReasonSolutionTaken: another Solution decides the same legacy
	// solution (partnerID and solutionID), cluster-wide.
	ReasonSolutionTaken = "SolutionTaken"

	// ReasonWaitingForOffer: a Merge waits until the referenced offer is
	// live; a Migrate waits for the referenced offer's spec.
	ReasonWaitingForOffer = "WaitingForOffer"
	// ReasonMergeRequested: the merge request is open with partner support.
	ReasonMergeRequested = "MergeRequested"
	// ReasonMigrated, ReasonMerged, ReasonDiscarded: the action completed
	// (ActionCompleted=True); each names the action's end state.
	ReasonMigrated  = "Migrated"
	ReasonMerged    = "Merged"
	ReasonDiscarded = "Discarded"
	// ReasonActionConflict: Partner Center already applied a different
	// decision to the solution; it cannot be changed from here.
	ReasonActionConflict = "ActionConflict"

	// ReasonOfferIDTaken: another MarketplaceOffer in the cluster, older
	// than this one, declares the same offer ID and owns it.
	ReasonOfferIDTaken = "OfferIDTaken"
	// ReasonAdoptionRequired: Partner Center holds a product with the offer
	// ID that this object did not create; the marketplace.cosell.io/adopt
	// annotation opts in to taking it over.
	ReasonAdoptionRequired = "AdoptionRequired"
	// ReasonMigrationStalled: the Solution migrating into the offer is
	// Stalled, so the offer cannot go on until it is fixed or removed.
	ReasonMigrationStalled = "MigrationStalled"
	// ReasonOfferTypeRefused (Stalled): the spec holds a part its offer
	// type keeps in Partner Center, lacks one the operator writes, or lacks
	// a spec.managedInPartnerCenter declaration (OfferTypeRefusals): an
	// object stored before the CRD refused it. Nothing is written until the
	// spec is fixed; the message is admission's.
	ReasonOfferTypeRefused = "OfferTypeRefused"
	// ReasonOfferTargetNotLive: a Merge names an offer whose target is not
	// Live, so it would never go live.
	ReasonOfferTargetNotLive = "OfferTargetNotLive"

	// ReasonWaitingForMigration: the offer waits for the Solution migrating
	// into it to create its draft, which it then adopts.
	ReasonWaitingForMigration = "WaitingForMigration"
	// ReasonSyncingDraft: draft resources are being written.
	ReasonSyncingDraft = "SyncingDraft"
	// ReasonDraftRejected: Partner Center refused the draft resources.
	ReasonDraftRejected = "DraftRejected"
	// ReasonCertifying: a submission is in certification.
	ReasonCertifying = "Certifying"
	// ReasonCertificationFailed: certification returned actionable
	// feedback; fix the spec to publish again.
	ReasonCertificationFailed = "CertificationFailed"
	// ReasonGoingLive: a certified preview is being published live.
	ReasonGoingLive = "GoingLive"
	// ReasonNotRequested: spec.target does not ask for this stage.
	ReasonNotRequested = "NotRequested"
	// ReasonSaleStopped: the product's sale was stopped (lifecycleState
	// deprecated), so Partner Center publishes nothing of it until it is
	// restored. Stopped outside the operator, it turns Live False and
	// stalls the offer: the operator neither restores nor publishes it
	// again on its own; an adopted stopped sale is reported, never restored.
	ReasonSaleStopped = "SaleStopped"

	// Drift, found by the resync (spec.resyncInterval) or by an edit.
	// ReasonDriftDetected (DraftSynced=False): the draft in Partner Center
	// was changed outside the operator, which writes its own back.
	ReasonDriftDetected = "DriftDetected"
	// ReasonDriftCorrected (DraftSynced=True): the draft changed outside
	// the operator was written back.
	ReasonDriftCorrected = "DriftCorrected"
	// ReasonDriftReported (InSync=False): in driftPolicy Report, the
	// draft in Partner Center was changed outside the operator and is
	// left as it is; the message lists the fields that differ.
	ReasonDriftReported = "DriftReported"
	// ReasonDraftHeld (InSync=True): in driftPolicy Report, the draft in
	// Partner Center holds what the operator wrote.
	ReasonDraftHeld = "DraftHeld"
	// ReasonProductDeleted (Live=False, Stalled): the product was deleted
	// outside the operator, which does not create it again on its own.
	ReasonProductDeleted = "ProductDeleted"

	// ReasonUnpublishedDraft: at adoption, Partner Center's draft differed
	// from the version published; the operator does not publish it until
	// the spec changes or the adopt annotation is removed.
	ReasonUnpublishedDraft = "UnpublishedDraft"
	// ReasonDiffers: in managementPolicy Observe, Partner Center differs
	// from the spec (InSync=False); the message names the fields.
	ReasonDiffers = "Differs"

	// CoSellReady reasons: the operator's judgement of spec.coSell against
	// Microsoft's documented co-sell ready requirements (no Partner Center
	// API reports an offer's co-sell status). The CO-SELL column shows them.
	ReasonCoSellNotReady = "NotReady"
	ReasonCoSellReady    = "CoSellReady"
)

package offer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/offerdraft"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// The offer's spec and what Partner Center holds, converted and compared:
// no I/O.

// draftFromSpec converts an offer's spec into Partner Center's draft
// resources (package offerdraft, shared with `cosell-operator plan`).
func draftFromSpec(spec *v1alpha1.MarketplaceOfferSpec) partnercenter.Draft {
	return offerdraft.FromSpec(spec)
}

// normalizeDraft sorts a draft's keyed and set-like lists (offerdraft.Normalize).
func normalizeDraft(d partnercenter.Draft) partnercenter.Draft { return offerdraft.Normalize(d) }

// coSellFromSpec converts an offer's co-sell tab (offerdraft.CoSellFromSpec).
func coSellFromSpec(spec *v1alpha1.MarketplaceOfferSpec) *partnercenter.CoSellListing {
	return offerdraft.CoSellFromSpec(spec)
}

// draftDigest identifies a draft's content: the operator writes the draft
// and submits it again only when the digest changes.
func draftDigest(d partnercenter.Draft) string {
	return specDigest(d, nil)
}

// specDigest identifies what the operator writes to Partner Center: the
// draft resources and, when the spec has one, the co-sell tab. Without a
// co-sell tab it equals draftDigest, so digests recorded before the co-sell
// tab moved to its own API stay valid.
func specDigest(d partnercenter.Draft, cs *partnercenter.CoSellListing) string {
	// Only strings and slices of strings: Marshal cannot fail.
	data, _ := json.Marshal(d)
	if cs != nil {
		more, _ := json.Marshal(cs)
		data = append(data, more...)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

func feedbackToAPI(items []partnercenter.FeedbackItem) []v1alpha1.FeedbackItem {
	out := make([]v1alpha1.FeedbackItem, 0, len(items))
	for _, it := range items {
		if len(out) == 64 {
			break
		}
		out = append(out, v1alpha1.FeedbackItem{Code: truncate(it.Code, 128), Resource: truncate(it.Resource, 256), Message: truncate(it.Message, 2048)})
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// draftDiff lists, one readable line per field, how draft b differs from
// draft a (both normalised), naming them an and bn. The fields compared
// are the whole draft model (offerdraft.Diff, shared with
// `cosell-operator plan`), so a field added to it is never left out.
func draftDiff(a, b partnercenter.Draft, an, bn string) []string {
	var out []string
	for _, c := range offerdraft.Diff(a, b) {
		switch {
		case c.OnlyOld:
			out = append(out, fmt.Sprintf("%s: in %s only", c.Field, an))
		case c.OnlyNew:
			out = append(out, fmt.Sprintf("%s: in %s only", c.Field, bn))
		default:
			out = append(out, fmt.Sprintf("%s: %s %s, %s %s", c.Field, an, quoted(c.Old), bn, quoted(c.New)))
		}
	}
	return out
}

// quoted quotes a field's value for a message, shortened to 60 characters.
func quoted(v string) string {
	if r := []rune(v); len(r) > 60 {
		v = string(r[:57]) + "..."
	}
	return fmt.Sprintf("%q", v)
}

// publishedSubmissions returns the newest completed, succeeded preview and
// live submissions, if any (ListSubmissions lists the newest first). A
// preview pushed live is listed as the live submission: it stands for
// both, so it is also the preview when no newer preview exists.
func publishedSubmissions(subs []partnercenter.Submission) (preview, live *partnercenter.Submission) {
	for i := range subs {
		sub := &subs[i]
		if sub.Status != partnercenter.SubmissionCompleted || sub.Result != partnercenter.SubmissionSucceeded {
			continue
		}
		switch {
		case sub.Target == partnercenter.TargetLive && live == nil:
			live = sub
			if preview == nil {
				preview = sub
			}
		case sub.Target == partnercenter.TargetPreview && preview == nil && live == nil:
			preview = sub
		}
	}
	return preview, live
}

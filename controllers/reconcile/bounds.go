package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// What the operator writes from input it does not control (annotation
// values, Partner Center's messages) is cut to the bounds the API server
// enforces, so that a status write or an event is never refused (422) and
// the status never freezes on one oversized value.
const (
	// MaxConditionMessage is metav1.Condition's bound on message.
	MaxConditionMessage = 32 * 1024
	// MaxEventNote is the events.k8s.io/v1 bound on an event's note.
	MaxEventNote = 1024
	// MaxReconcileEcho is status.lastHandledReconcileAt's bound (its
	// MaxLength marker in api/v1alpha1).
	MaxReconcileEcho = 256
	// ellipsis marks a cut.
	ellipsis = "…"
)

// CutAtWord returns s when it is at most n bytes long, or else a prefix
// of s ending at a word boundary (or, without a space in the second half
// of the room, at a character boundary) followed by ellipsis, n bytes at
// most in all.
func CutAtWord(s string, n int) string {
	if len(s) <= n {
		return s
	}
	limit := max(n-len(ellipsis), 0)
	cut := runeStart(s, limit)
	if i := strings.LastIndexAny(s[:cut], " \t\n"); i > limit/2 {
		cut = i
	}
	return strings.TrimRight(s[:cut], " \t\n") + ellipsis
}

// runeStart is the largest i <= n at which a character of s starts.
func runeStart(s string, n int) int {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return min(n, len(s))
}

// BoundedEcho is the value status.lastHandledReconcileAt takes for a
// reconcile-requested-at value v: v itself when it fits, or else a prefix
// of v followed by the SHA-256 of the whole value, so that the echo still
// changes whenever the value does.
func BoundedEcho(v string) string {
	if len(v) <= MaxReconcileEcho {
		return v
	}
	sum := sha256.Sum256([]byte(v))
	suffix := ellipsis + "sha256:" + hex.EncodeToString(sum[:])
	return v[:runeStart(v, MaxReconcileEcho-len(suffix))] + suffix
}

// BoundConditions cuts every condition message to maxConditionMessage.
func BoundConditions(obj Object) {
	conds := obj.GetConditions()
	for i := range conds {
		conds[i].Message = CutAtWord(conds[i].Message, MaxConditionMessage)
	}
	obj.SetConditions(conds)
}

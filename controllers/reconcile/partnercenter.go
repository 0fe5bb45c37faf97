package reconcile

import (
	"errors"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// PartnerCenterError turns a Partner Center error into the reconcile error
// that fits it: terminal refusals stall the object with Partner Center's
// message, an unsupported operation stalls it saying so, and everything
// else is returned for the workqueue to retry with backoff.
func PartnerCenterError(err error) error {
	if err == nil {
		return nil
	}
	if st := credentialsStalled(err); st != nil {
		return st
	}
	switch partnercenter.ClassOf(err) {
	case partnercenter.ClassUnsupported:
		return Stalled(v1alpha1.ReasonUnsupported, "%s", err.Error())
	case partnercenter.ClassTerminal:
		return Stalled(v1alpha1.ReasonPartnerCenterRejected, "%s", err.Error())
	}
	return err
}

// IsStalled reports whether err asks for a person.
func IsStalled(err error) bool {
	var st *StalledError
	return errors.As(err, &st)
}

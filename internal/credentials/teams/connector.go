package teams

import (
	"context"
	"errors"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
)

// Connector is the Router as the controllers' partnercenter.Connector:
// Connect returns the client of the namespace (For), and an error that
// says the namespace's credentials are missing or unusable is marked so
// that partnercenter.IsCredentials recognises it.
func (r *Router) Connector() pc.Connector {
	return pc.ConnectorFunc(func(ctx context.Context, namespace string) (pc.Client, error) {
		c, err := r.For(WithNamespace(ctx, namespace))
		return c, markCredentials(err)
	})
}

// markCredentials returns err with Credentials set when IsCredentialsError
// says it is one.
func markCredentials(err error) error {
	var pcErr *pc.Error
	if !IsCredentialsError(err) || !errors.As(err, &pcErr) {
		return err
	}
	cp := *pcErr
	cp.Credentials = true
	return &cp
}

package connector

import (
	"context"
	"errors"

	"github.com/dsrhost/dsrhost/sdk"
)

// checkCredentials asks the API whether the credentials work, as the
// product's "checks required permissions and scopes": it sends test_request
// when there is one, otherwise it fetches an OAuth2 token when auth is
// oauth2. A refusal is an error at the auth setting; an API that cannot be
// reached is only a warning, so an outage does not stop the daemon.
func (in *integration) checkCredentials(ctx context.Context) []sdk.Diagnostic {
	var err error
	switch {
	case in.test != nil:
		var c *call
		if c, err = in.build(in.test, map[string]any{}); err == nil {
			_, err = in.expect(ctx, c, false)
		}
	case in.oauth2 != nil:
		_, err = in.oauth2.source().Token()
		if err != nil {
			err = in.oauth2.tokenError(err)
		}
	}
	if err == nil {
		return nil
	}
	var e *sdk.Error
	if !errors.As(err, &e) {
		e = sdk.AsError(err)
	}
	switch e.Type {
	case sdk.ErrorAuth, sdk.ErrorPermission:
		path := in.authPath
		if in.oauth2 != nil && e.Type == sdk.ErrorPermission && path[0] == "auth" {
			path = []string{"auth", "oauth2", "scopes"}
		}
		return []sdk.Diagnostic{sdk.CredentialError(path, e)}
	case sdk.ErrorNotFound:
		return []sdk.Diagnostic{sdk.CredentialError([]string{"test_request", "path"}, e)}
	case sdk.ErrorInvalidConfig:
		return []sdk.Diagnostic{sdk.CredentialError([]string{"test_request"}, e)}
	}
	path := []string{"base_url"}
	if in.test == nil {
		path = []string{"auth", "oauth2", "token_url"}
	}
	d := sdk.CredentialError(path, e)
	d.Severity = sdk.SeverityWarning
	d.Summary = "Could not check the credentials: " + e.Message
	return []sdk.Diagnostic{d}
}

package connector

import (
	"context"

	"github.com/dsrhost/dsrhost/sdk"
)

// Configure validates the settings and, unless asked only to validate,
// checks the credentials for real by obtaining an access token from Heap.
// The token is kept for the first jobs. Settings that fail leave the
// previous configuration in place.
func (h *Heap) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	s, diags := parseSettings(req.Settings)
	resp := &sdk.ConfigureResponse{Diagnostics: diags}
	if s == nil || req.ValidateOnly {
		return resp, nil
	}
	c := newClient(s, h.now, h.transport, h.log)
	if _, err := c.tokens.get(ctx); err != nil {
		resp.Diagnostics = append(resp.Diagnostics, sdk.CredentialError(errSetting(err), sdk.AsError(err)))
		return resp, nil
	}
	h.use(c)
	return resp, nil
}

package sdkhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 16 << 20

// defaultClient is used when Client.HTTP is nil: no call waits longer than
// the daemon would for the job.
var defaultClient = &http.Client{Timeout: 60 * time.Second}

// Client calls one third party's JSON API for one integration.
type Client struct {
	// BaseURL is put before every path, e.g. "https://api.example.com/v1".
	BaseURL string
	// Service names the third party in error messages, e.g. "Newsletter".
	Service string
	// Header is sent with every request, e.g. [Bearer](token).
	Header http.Header
	// HTTP sends the requests; a client with a 60s timeout when nil.
	HTTP *http.Client
	// Remediations replace the default remediation of an error type.
	Remediations Remediations
}

// Bearer is the header of a bearer-token API.
func Bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// Do sends method to BaseURL+path, with in encoded as the JSON body
// unless nil, and decodes a JSON answer into out unless nil. Any failure
// is an *sdk.Error: see [StatusError] and [TransportError]; an answer that
// is not the JSON expected is an internal error.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	what := c.Service
	if what == "" {
		what = "the third party"
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return sdk.Errorf(sdk.ErrorInternal, "encode the request to %s: %v", what, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, body)
	if err != nil {
		return sdk.Errorf(sdk.ErrorInvalidConfig, "build a request to %s: check base_url", what).
			WithRemediation("Set base_url to the API's address, such as https://api.example.com/v1.")
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return TransportError(what, err, c.Remediations)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return TransportError(what, fmt.Errorf("read the answer: %w", err), c.Remediations)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return StatusError(what, resp.StatusCode, resp.Header, c.Remediations)
	}
	if out == nil || len(bytes.TrimSpace(answer)) == 0 {
		return nil
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return sdk.Errorf(sdk.ErrorInternal, "%s answered something other than the JSON expected", what).
			WithStatus(resp.StatusCode).
			WithRemediation("Check that base_url points at the API itself, not at a proxy or a login page.")
	}
	return nil
}

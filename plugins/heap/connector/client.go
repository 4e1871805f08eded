package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/sdk"
)

// Heap's API paths, relative to base_url.
const (
	pathAuthToken      = "/api/public/v0/auth_token"
	pathUserDeletion   = "/api/public/v0/user_deletion"
	pathDeletionStatus = "/api/public/v0/deletion_status/"
)

// maxAnswer bounds how much of an answer is read; Heap's are tiny.
const maxAnswer = 1 << 20

// client talks to one Heap account.
type client struct {
	s      *settings
	http   *http.Client
	tokens *tokenCache
	log    hclog.Logger
}

func newClient(s *settings, now func() time.Time, rt http.RoundTripper, log hclog.Logger) *client {
	c := &client{s: s, http: &http.Client{Timeout: s.Timeout, Transport: rt}, log: log}
	c.tokens = &tokenCache{fetch: c.fetchToken, now: now}
	return c
}

// account identifies the Heap account the client talks to.
func (c *client) account() string { return c.s.BaseURL + " " + c.s.AppID }

// credentialError is a refusal of the auth_token call, remembering which
// setting is at fault so Configure can point at it.
type credentialError struct {
	setting string
	err     *sdk.Error
}

func (e *credentialError) Error() string { return e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// fetchToken obtains an access token with HTTP Basic auth.
func (c *client) fetchToken(ctx context.Context) (string, error) {
	const endpoint = "auth_token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.s.BaseURL+pathAuthToken, nil)
	if err != nil {
		return "", &credentialError{settingBaseURL, sdk.Errorf(sdk.ErrorInvalidConfig, "build Heap %s request: %v", endpoint, err)}
	}
	req.SetBasicAuth(c.s.AppID, c.s.APIKey)
	req.Header.Set("Accept", "application/json")
	status, header, body, err := c.send(req)
	if err != nil {
		return "", &credentialError{settingBaseURL, transportError(endpoint, err)}
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		Err         string `json:"err"`
	}
	decodeErr := json.Unmarshal(body, &answer)
	switch {
	case status == http.StatusOK:
		if decodeErr != nil || answer.AccessToken == "" {
			return "", &credentialError{settingBaseURL, malformedError(endpoint, status)}
		}
		c.log.Debug("obtained a Heap access token")
		return answer.AccessToken, nil
	case status == http.StatusUnauthorized && nonProduction(answer.Err):
		return "", &credentialError{settingAppID,
			sdk.Errorf(sdk.ErrorPermission, "Heap accepts only the Main Production environment's App ID").
				WithStatus(status).WithRemediation(remediateNonProduction)}
	case status == http.StatusUnauthorized:
		return "", &credentialError{settingAPIKey,
			sdk.Errorf(sdk.ErrorAuth, "Heap refused the App ID and API key").
				WithStatus(status).WithRemediation(remediateAuth)}
	case status == http.StatusForbidden:
		return "", &credentialError{settingAPIKey, statusError(endpoint, status, header)}
	case status == http.StatusNotFound:
		return "", &credentialError{settingBaseURL,
			sdk.Errorf(sdk.ErrorInvalidConfig, "no Heap API answered at base_url").
				WithStatus(status).WithRemediation(remediateMalformed)}
	default:
		return "", &credentialError{"", statusError(endpoint, status, header)}
	}
}

// nonProduction reports whether Heap's refusal says the app id is not the
// Main Production environment's. Heap documents only that other
// environments' ids get "an Unauthorized response", the same status as a
// wrong key, so the status alone cannot tell them apart; the refusal's "err"
// text mentioning the environment is the signal used (it is what the fake
// in package fakeheap answers). A 401 without it is reported as a wrong key,
// whose remediation also reminds that app_id must be Main Production's.
func nonProduction(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "environment") || strings.Contains(msg, "production")
}

// call sends an authenticated request and decodes the answer into out. A
// 401 means the token expired early or was revoked: the token is dropped
// and the call made once more with a fresh one.
func (c *client) call(ctx context.Context, endpoint, method, path string, body []byte, out any) error {
	for attempt := 0; ; attempt++ {
		token, err := c.tokens.get(ctx)
		if err != nil {
			return err
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.s.BaseURL+path, rd)
		if err != nil {
			return sdk.Errorf(sdk.ErrorInternal, "build Heap %s request: %v", endpoint, err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		status, header, answer, err := c.send(req)
		if err != nil {
			return transportError(endpoint, err)
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			c.log.Debug("Heap refused the access token; fetching a new one", "endpoint", endpoint)
			c.tokens.invalidate(token)
			continue
		}
		if status != http.StatusOK {
			return statusError(endpoint, status, header)
		}
		if err := json.Unmarshal(answer, out); err != nil {
			return malformedError(endpoint, status)
		}
		return nil
	}
}

// send does one round trip, reading at most maxAnswer bytes of the answer.
func (c *client) send(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// errSetting returns the setting a Configure-time failure points at.
func errSetting(err error) []string {
	var ce *credentialError
	if errors.As(err, &ce) && ce.setting != "" {
		return []string{ce.setting}
	}
	return nil
}

package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/dsrhost/dsrhost/sdk"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// authenticator adds credentials to an outgoing request.
type authenticator interface {
	apply(ctx context.Context, req *http.Request) error
}

type noAuth struct{}

func (noAuth) apply(context.Context, *http.Request) error { return nil }

type bearerAuth struct{ token string }

func (a bearerAuth) apply(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+a.token)
	return nil
}

type basicAuth struct{ username, password string }

func (a basicAuth) apply(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(a.username, a.password)
	return nil
}

type headerAuth struct{ name, value string }

func (a headerAuth) apply(_ context.Context, req *http.Request) error {
	req.Header.Set(a.name, a.value)
	return nil
}

// queryAuth sets its parameter on every request, including next-page URLs
// the API hands back, replacing any value they carry.
type queryAuth struct{ name, value string }

func (a queryAuth) apply(_ context.Context, req *http.Request) error {
	q := req.URL.Query()
	q.Set(a.name, a.value)
	req.URL.RawQuery = q.Encode()
	return nil
}

// oauth2Auth runs the client credentials grant through
// golang.org/x/oauth2/clientcredentials, or, with a refresh token, the
// refresh token grant through oauth2.Config; both cache the token until it
// expires. reset drops the cache after the API refused a token early.
type oauth2Auth struct {
	cfg    clientcredentials.Config
	client *http.Client // for the token endpoint

	mu sync.Mutex
	ts oauth2.TokenSource
	// refresh is the refresh token to use next: the configured one, then
	// any the token endpoint rotated it to, so a reset does not reuse a
	// refresh token the provider has already retired.
	refresh string
}

func newOAuth2Auth(s *oauth2Settings, client *http.Client) *oauth2Auth {
	params := url.Values{}
	for k, v := range s.TokenParams {
		params.Set(k, v)
	}
	return &oauth2Auth{
		cfg: clientcredentials.Config{
			ClientID: s.ClientID, ClientSecret: s.ClientSecret, TokenURL: s.TokenURL,
			Scopes: s.Scopes, EndpointParams: params,
		},
		client:  client,
		refresh: s.RefreshToken,
	}
}

func (a *oauth2Auth) source() oauth2.TokenSource {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ts == nil {
		// The token source outlives any one job, so it fetches with a
		// background context; the client's timeout bounds each fetch.
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, a.client)
		if a.refresh == "" {
			a.ts = a.cfg.TokenSource(ctx)
		} else {
			cfg := oauth2.Config{ClientID: a.cfg.ClientID, ClientSecret: a.cfg.ClientSecret, Scopes: a.cfg.Scopes,
				Endpoint: oauth2.Endpoint{TokenURL: a.cfg.TokenURL}}
			a.ts = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: a.refresh})
		}
	}
	return a.ts
}

func (a *oauth2Auth) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ts != nil && a.refresh != "" {
		// The cached token carries the latest refresh token.
		if tok, err := a.ts.Token(); err == nil && tok.RefreshToken != "" {
			a.refresh = tok.RefreshToken
		}
	}
	a.ts = nil
}

func (a *oauth2Auth) apply(_ context.Context, req *http.Request) error {
	tok, err := a.source().Token()
	if err != nil {
		return a.tokenError(err)
	}
	tok.SetAuthHeader(req)
	return nil
}

// tokenError turns a failed token fetch into an *sdk.Error naming the token
// endpoint and the OAuth2 error code (a fixed vocabulary such as
// invalid_client), never the response body.
func (a *oauth2Auth) tokenError(err error) *sdk.Error {
	endpoint := "POST " + redactedURL(a.cfg.TokenURL)
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		code := re.Response.StatusCode
		reason := ""
		if re.ErrorCode != "" {
			reason = fmt.Sprintf(" (%s)", re.ErrorCode)
		}
		switch {
		case re.ErrorCode == "invalid_scope":
			return sdk.Errorf(sdk.ErrorPermission, "the OAuth2 token endpoint %s refused the scopes%s", endpoint, reason).WithStatus(code).
				WithRemediation("Grant the client the scopes in settings.auth.oauth2.scopes, or request only scopes it has.")
		case code == http.StatusTooManyRequests:
			return sdk.Errorf(sdk.ErrorRateLimited, "the OAuth2 token endpoint %s is rate limiting", endpoint).WithStatus(code).
				WithRemediation("Wait; the job is retried.")
		case code >= 500:
			return sdk.Errorf(sdk.ErrorUnavailable, "the OAuth2 token endpoint %s failed%s", endpoint, reason).WithStatus(code).
				WithRemediation("The API's token service is failing; the job is retried.")
		case code == http.StatusForbidden:
			return sdk.Errorf(sdk.ErrorPermission, "the OAuth2 token endpoint %s refused the client%s", endpoint, reason).WithStatus(code).
				WithRemediation("Allow the client in settings.auth.oauth2 to use the client credentials grant.")
		default:
			return sdk.Errorf(sdk.ErrorAuth, "the OAuth2 token endpoint %s refused the client credentials%s", endpoint, reason).WithStatus(code).
				WithRemediation("Check settings.auth.oauth2.client_id and client_secret.")
		}
	}
	var se *sdk.Error
	if errors.As(err, &se) {
		return se
	}
	return transportError(endpoint, err).
		WithRemediation("Check settings.auth.oauth2.token_url and that the token endpoint is reachable from the daemon.")
}

// redactedURL is u without user info or query, which may carry secrets.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(token_url)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

package connector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/ohler55/ojg/jp"
	"golang.org/x/time/rate"
)

// integration is one configured integration, compiled: every template and
// JSONPath parsed, so a job can only fail on what the API answers.
type integration struct {
	name         string
	baseURL      string // without a trailing slash
	headers      map[string]string
	client       *http.Client
	auth         authenticator
	oauth2       *oauth2Auth // set when auth is oauth2, for token refresh
	authPath     []string    // the auth kind's setting, such as ["auth", "bearer"]
	limiter      *rate.Limiter
	maxRetryWait time.Duration
	sleep        func(context.Context, time.Duration) error

	test     *endpoint
	access   *accessPlan
	deletion *deletionPlan
}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// compiler collects diagnostics; it never stops at the first.
type compiler struct {
	diags []sdk.Diagnostic
	// secrets are settings.secrets, the keys hmac_sha256 may use.
	secrets map[string]string
}

func (c *compiler) errorf(path []string, summary, format string, args ...any) {
	c.diags = append(c.diags, sdk.AttributeError(path, summary, fmt.Sprintf(format, args...)))
}

// compile checks s and builds an integration from it; it returns nil when
// any diagnostic is an error.
func compile(name string, s *settings) (*integration, []sdk.Diagnostic) {
	c := &compiler{secrets: s.Secrets}
	in := &integration{name: name, headers: s.Headers, sleep: sleepCtx}

	in.baseURL = c.baseURL(s.BaseURL)
	timeout := c.duration([]string{"timeout"}, s.Timeout, 30*time.Second)
	in.maxRetryWait = c.duration([]string{"max_retry_wait"}, s.MaxRetryWait, 60*time.Second)
	for _, k := range sortedKeys(s.Headers) {
		if !headerName.MatchString(k) {
			c.errorf([]string{"headers"}, "Invalid header name", "%q is not a valid HTTP header name.", k)
		}
	}
	in.client = &http.Client{Timeout: timeout, Transport: http.DefaultTransport.(*http.Transport).Clone(), CheckRedirect: sameOrigin}
	in.auth = c.auth(s.Auth, in)
	in.limiter = c.rateLimit(s.RateLimit)

	if s.TestRequest != nil {
		in.test = c.endpoint([]string{"test_request"}, s.TestRequest, http.MethodGet, scope{})
	}
	if s.Access == nil && s.Deletion == nil {
		c.errorf(nil, "Nothing to do", "Add an access block, a deletion block, or both.")
	}
	if s.Access != nil {
		in.access = c.access(s.Access)
	}
	if s.Deletion != nil {
		in.deletion = c.deletion(s.Deletion, s.Access != nil)
	}
	for _, d := range c.diags {
		if d.Severity == sdk.SeverityError {
			return nil, c.diags
		}
	}
	return in, c.diags
}

func (c *compiler) baseURL(raw string) string {
	path := []string{"base_url"}
	if raw == "" {
		c.errorf(path, "Missing required setting", "\"base_url\" is required: the base URL of the API, such as https://api.example.com/v1 (or set template to use a catalogue entry).")
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.errorf(path, "Invalid base URL", "base_url must be an absolute http or https URL, such as https://api.example.com/v1.")
		return ""
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		c.errorf(path, "Invalid base URL", "base_url may not carry a query, a fragment or credentials; use query, headers and auth.")
		return ""
	}
	return strings.TrimSuffix(u.String(), "/")
}

func (c *compiler) duration(path []string, raw string, def time.Duration) time.Duration {
	if raw == "" {
		return def
	}
	d, err := sdk.ParseDuration(raw)
	if err != nil {
		c.errorf(path, "Invalid duration", "%s.", err)
		return def
	}
	if d <= 0 {
		c.errorf(path, "Invalid duration", "%q must be longer than zero.", raw)
		return def
	}
	return d
}

func (c *compiler) auth(a *authSettings, in *integration) authenticator {
	if a == nil {
		return noAuth{}
	}
	path := []string{"auth"}
	var kinds []string
	if a.Bearer != nil {
		kinds = append(kinds, "bearer")
	}
	if a.Basic != nil {
		kinds = append(kinds, "basic")
	}
	if a.Header != nil {
		kinds = append(kinds, "header")
	}
	if a.Query != nil {
		kinds = append(kinds, "query")
	}
	if a.OAuth2 != nil {
		kinds = append(kinds, "oauth2")
	}
	switch len(kinds) {
	case 0:
		c.errorf(path, "No authentication chosen", "The auth block needs exactly one of bearer, basic, header, query or oauth2; remove it if the API needs none.")
		return noAuth{}
	case 1:
	default:
		c.errorf(at(path, kinds[1]), "More than one authentication", "The auth block takes exactly one of bearer, basic, header, query or oauth2; it has %s.", strings.Join(kinds, " and "))
		return noAuth{}
	}
	in.authPath = at(path, kinds[0])
	nonEmpty := func(v string, names ...string) {
		if v == "" {
			c.errorf(at(path, names...), "Empty setting", "%q may not be empty.", names[len(names)-1])
		}
	}
	switch kinds[0] {
	case "bearer":
		nonEmpty(a.Bearer.Token, "bearer", "token")
		return bearerAuth{token: a.Bearer.Token}
	case "basic":
		nonEmpty(a.Basic.Username, "basic", "username")
		return basicAuth{username: a.Basic.Username, password: a.Basic.Password}
	case "header":
		nonEmpty(a.Header.Value, "header", "value")
		if !headerName.MatchString(a.Header.Name) {
			c.errorf(at(path, "header", "name"), "Invalid header name", "%q is not a valid HTTP header name.", a.Header.Name)
		}
		return headerAuth{name: a.Header.Name, value: a.Header.Value}
	case "query":
		nonEmpty(a.Query.Name, "query", "name")
		nonEmpty(a.Query.Value, "query", "value")
		return queryAuth{name: a.Query.Name, value: a.Query.Value}
	}
	o := a.OAuth2
	nonEmpty(o.ClientID, "oauth2", "client_id")
	nonEmpty(o.ClientSecret, "oauth2", "client_secret")
	if u, err := url.Parse(o.TokenURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.errorf(at(path, "oauth2", "token_url"), "Invalid token URL", "token_url must be an absolute http or https URL.")
	}
	in.oauth2 = newOAuth2Auth(o, &http.Client{Timeout: in.client.Timeout, Transport: in.client.Transport, CheckRedirect: sameOrigin})
	return in.oauth2
}

func (c *compiler) rateLimit(r *rateLimitSetting) *rate.Limiter {
	if r == nil {
		return nil
	}
	path := []string{"rate_limit"}
	per := c.duration(at(path, "per"), r.Per, time.Second)
	if r.Requests == nil {
		return nil // reported as missing by checkShape
	}
	n := *r.Requests
	if n < 1 || n != math.Trunc(n) || n > 1e6 {
		c.errorf(at(path, "requests"), "Invalid rate limit", "requests must be a whole number from 1 to 1000000.")
		return nil
	}
	return rate.NewLimiter(rate.Every(per/time.Duration(n)), int(n))
}

// endpoint compiles one request block found at path.
func (c *compiler) endpoint(path []string, r *requestSettings, defaultMethod string, sc scope) *endpoint {
	ep := &endpoint{setting: strings.Join(path, "."), method: strings.ToUpper(r.Method), pathText: r.Path}
	if ep.method == "" {
		ep.method = defaultMethod
	}
	if !slices.Contains(methods, ep.method) {
		c.errorf(at(path, "method"), "Unsupported method", "method must be one of %s.", strings.Join(methods, ", "))
	}
	switch {
	case r.Path == "":
		// reported as missing by checkShape
	case !strings.HasPrefix(r.Path, "/"):
		c.errorf(at(path, "path"), "Invalid path", "path must start with / and is relative to base_url, such as /contacts.")
	case strings.ContainsAny(r.Path, "?#"):
		c.errorf(at(path, "path"), "Invalid path", "Put query parameters in the query map, where their values are escaped, not in path.")
	default:
		ep.path = c.template(at(path, "path"), r.Path, sc, inPath)
	}
	if ep.path == nil {
		ep.path, _ = compileTemplate("path", "", sc, inPath, nil)
	}
	for _, name := range sortedKeys(r.Query) {
		if name == "" {
			c.errorf(at(path, "query"), "Invalid query parameter", "A query parameter needs a name.")
			continue
		}
		if t := c.template(at(path, "query"), r.Query[name], sc, inQuery); t != nil {
			ep.query = append(ep.query, queryParam{name: name, tmpl: t})
		}
	}
	if r.Body != "" {
		ep.body = c.template(at(path, "body"), r.Body, sc, inBody)
	}
	ep.success = c.success(path, r)
	return ep
}

// success compiles success_path with its values.
func (c *compiler) success(path []string, r *requestSettings) *successCheck {
	if r.SuccessPath == "" {
		if len(r.SuccessValues) > 0 || len(r.FailureValues) > 0 {
			c.errorf(at(path, "success_path"), "Missing success path", "success_values and failure_values need success_path, the JSONPath to the field they are compared with.")
		}
		return nil
	}
	if len(r.SuccessValues) == 0 && len(r.FailureValues) == 0 {
		c.errorf(at(path, "success_values"), "No success or failure values", "success_path needs success_values, failure_values or both.")
	}
	for _, v := range r.FailureValues {
		if slices.Contains(r.SuccessValues, v) {
			c.errorf(at(path, "failure_values"), "Value both success and failure", "%q is in both success_values and failure_values.", v)
		}
	}
	return &successCheck{path: c.jsonPath(at(path, "success_path"), r.SuccessPath), ok: r.SuccessValues, failed: r.FailureValues}
}

func (c *compiler) template(path []string, text string, sc scope, in place) *compiled {
	t, problem := compileTemplate(path[len(path)-1], text, sc, in, c.secrets)
	if problem != "" {
		c.errorf(path, "Invalid template", "%s", problem)
	}
	return t
}

func (c *compiler) jsonPath(path []string, text string) jp.Expr {
	x, problem := compilePath(text)
	if problem != "" {
		c.errorf(path, "Invalid JSONPath", "%s", problem)
	}
	return x
}

var errCrossOrigin = errors.New("redirect to another origin")

func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
		return errCrossOrigin
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

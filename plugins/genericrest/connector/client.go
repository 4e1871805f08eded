package connector

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdkhttp"
)

// maxBody bounds how much of one answer is read.
const maxBody = 32 << 20

// maxRateLimitRetries bounds how often one request is sent again after 429s.
const maxRateLimitRetries = 8

// endpoint is one configured request: its method and templates, and the
// setting it was configured in, which errors name.
type endpoint struct {
	setting  string // "access", "access.async.status", ...
	method   string
	pathText string
	path     *compiled
	query    []queryParam
	body     *compiled
	success  *successCheck
}

type queryParam struct {
	name string
	tmpl *compiled
}

// refs are the data names the endpoint's templates read.
func (e *endpoint) refs() []string {
	var out []string
	add := func(t *compiled) {
		if t == nil {
			return
		}
		for _, r := range t.refs {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	add(e.path)
	add(e.body)
	for _, q := range e.query {
		add(q.tmpl)
	}
	return out
}

// label names the endpoint as configured, such as GET /contacts: safe to
// show, unlike the expanded URL.
func (e *endpoint) label() string { return e.method + " " + e.pathText }

// call is an endpoint rendered for one job.
type call struct {
	ep   *endpoint
	url  *url.URL
	body []byte
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// build renders ep over data: path values URL-escaped, query values encoded
// by url.Values, body strings JSON-escaped. It is for requests that read
// single values; see builds.
func (in *integration) build(ep *endpoint, data map[string]any) (*call, error) {
	calls, err := in.builds(ep, data)
	if err != nil {
		return nil, err
	}
	if len(calls) != 1 {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "settings.%s reads a value that has %d values here, and this request is sent once", ep.setting, len(calls)).
			WithRemediation(fmt.Sprintf("Use only single values (such as the job id) in settings.%s.", ep.setting))
	}
	return calls[0], nil
}

// builds renders ep once for every combination of the values it reads: an
// identifier or step output with several values sends the request once
// per value, one with none not at all.
func (in *integration) builds(ep *endpoint, data map[string]any) ([]*call, error) {
	variants, err := expand(data, ep.refs())
	if err != nil {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "settings.%s: %s", ep.setting, err).
			WithRemediation(fmt.Sprintf("Read fewer values with several entries in settings.%s.", ep.setting))
	}
	calls := make([]*call, 0, len(variants))
	for _, v := range variants {
		c, err := in.render(ep, v)
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	return calls, nil
}

func (in *integration) render(ep *endpoint, data map[string]any) (*call, error) {
	path, err := render(ep.path, ep.setting+".path", data)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(in.baseURL + path)
	if err != nil {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "settings.%s.path does not make a valid URL", ep.setting).
			WithRemediation(fmt.Sprintf("Check settings.%s.path.", ep.setting))
	}
	if len(ep.query) > 0 {
		q := u.Query()
		for _, p := range ep.query {
			v, err := render(p.tmpl, ep.setting+".query", data)
			if err != nil {
				return nil, err
			}
			q.Set(p.name, v)
		}
		u.RawQuery = q.Encode()
	}
	c := &call{ep: ep, url: u}
	if ep.body != nil {
		b, err := render(ep.body, ep.setting+".body", data)
		if err != nil {
			return nil, err
		}
		c.body = []byte(b)
	}
	return c, nil
}

// send sends c and reads the answer. It waits for the rate limit, waits out
// 429 answers whose Retry-After fits in max_retry_wait (in total), and tries
// once more with a fresh OAuth2 token after a 401. Any other status is left
// to the caller; see expect.
func (in *integration) send(ctx context.Context, c *call) (*response, error) {
	var waited time.Duration
	refreshed := false
	for attempt := 0; ; attempt++ {
		resp, err := in.sendOnce(ctx, c)
		if err != nil {
			return nil, err
		}
		switch {
		case resp.status == http.StatusTooManyRequests:
			wait, known := retryAfter(resp.header, time.Now())
			if !known {
				wait = time.Second << min(attempt, 6)
			}
			if attempt >= maxRateLimitRetries || waited+wait > in.maxRetryWait {
				return nil, statusError(c.ep, resp.status, wait)
			}
			waited += wait
			if err := in.sleep(ctx, wait); err != nil {
				return nil, transportError(c.ep.label(), err)
			}
		case resp.status == http.StatusUnauthorized && in.oauth2 != nil && !refreshed:
			refreshed = true
			in.oauth2.reset()
		default:
			return resp, nil
		}
	}
}

func (in *integration) sendOnce(ctx context.Context, c *call) (*response, error) {
	if in.limiter != nil {
		if err := in.limiter.Wait(ctx); err != nil {
			// Wait fails at once when the next slot is past the deadline.
			return nil, sdk.Errorf(sdk.ErrorTimeout, "%s: the job's time ran out waiting for settings.rate_limit", c.ep.label()).
				WithRemediation("The rate limit allows fewer requests than this job needs in its time; raise settings.rate_limit if the API allows more.")
		}
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.ep.method, c.url.String(), body)
	if err != nil {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "%s: cannot build the request", c.ep.label()).
			WithRemediation(fmt.Sprintf("Check settings.base_url and settings.%s.", c.ep.setting))
	}
	req.Header.Set("Accept", "application/json")
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range in.headers {
		req.Header.Set(k, v)
	}
	if err := in.auth.apply(ctx, req); err != nil {
		return nil, err
	}
	resp, err := in.client.Do(req)
	if err != nil {
		return nil, transportError(c.ep.label(), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, transportError(c.ep.label(), err)
	}
	if len(b) > maxBody {
		return nil, sdk.Errorf(sdk.ErrorInternal, "%s answered with more than %d MiB", c.ep.label(), maxBody>>20).
			WithRemediation("Page the answer with settings.access.pagination.")
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// expect sends c and turns error statuses into *sdk.Error. A 404 is
// returned as a response when allow404 is set.
func (in *integration) expect(ctx context.Context, c *call, allow404 bool) (*response, error) {
	resp, err := in.send(ctx, c)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNotFound && allow404 {
		return resp, nil
	}
	if resp.status >= 400 {
		wait, _ := retryAfter(resp.header, time.Now())
		return nil, statusError(c.ep, resp.status, wait)
	}
	if c.ep.success != nil && resp.status != http.StatusNotFound {
		if err := c.ep.success.check(c.ep, resp); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// json decodes the answer's body.
func (r *response) json(ep *endpoint) (any, error) {
	v, err := parseJSON(r.body)
	if err != nil {
		return nil, notJSON(ep)
	}
	return v, nil
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP-date
// (RFC 9110 section 10.2.3).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	return sdkhttp.RetryAfter(h.Get("Retry-After"), now)
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

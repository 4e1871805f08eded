package sdkhttp

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// Remediations replace the default remediation of an error type; the
// defaults are generic, a connector knowing its third party says where to
// click.
type Remediations map[sdk.ErrorType]string

// defaultRemediations are what an admin can do whatever the third party.
var defaultRemediations = Remediations{
	sdk.ErrorAuth: "The third party refused the credentials: check the integration's credential settings " +
		"and that the key or token has not been revoked.",
	sdk.ErrorPermission: "The credentials lack a permission this integration needs: grant the key or token " +
		"the read and delete scopes the plugin's documentation lists.",
	sdk.ErrorNotFound: "The third party found nothing at that address: check base_url; a record deleted " +
		"since it was found needs nothing more.",
	sdk.ErrorRateLimited: "The third party's rate limit was reached; the integration is retried " +
		"automatically once its wait is over. Lower the integration's concurrency if it persists.",
	sdk.ErrorUnavailable: "The third party is failing or cannot be reached; the integration is retried " +
		"automatically. Check its status page and that this host can reach base_url.",
	sdk.ErrorTimeout: "The third party did not answer in time; the integration is retried automatically. " +
		"Check the network path to base_url if it persists.",
	sdk.ErrorInternal: "The third party rejected the request as malformed; report this to the plugin's " +
		"author with the status code.",
}

func (r Remediations) of(t sdk.ErrorType) string {
	if s, ok := r[t]; ok {
		return s
	}
	return defaultRemediations[t]
}

// StatusError maps a non-2xx answer from what (the third party and,
// optionally, its endpoint, as in "Heap user_deletion") to an *sdk.Error
// with the status code and rem's remediation for its type. A 429, or a
// 503 that says when to come back, carries the Retry-After wait.
func StatusError(what string, status int, header http.Header, rem Remediations) *sdk.Error {
	var e *sdk.Error
	switch {
	case status == http.StatusUnauthorized:
		e = sdk.Errorf(sdk.ErrorAuth, "%s refused the credentials", what)
	case status == http.StatusForbidden:
		e = sdk.Errorf(sdk.ErrorPermission, "%s refused the credentials' permissions", what)
	case status == http.StatusNotFound || status == http.StatusGone:
		e = sdk.Errorf(sdk.ErrorNotFound, "%s found nothing at that address", what)
	case status == http.StatusRequestTimeout || status == http.StatusGatewayTimeout:
		e = sdk.Errorf(sdk.ErrorTimeout, "%s timed out", what)
	case status == http.StatusTooManyRequests:
		e = sdk.Errorf(sdk.ErrorRateLimited, "%s is rate limited", what)
	case status >= 500:
		e = sdk.Errorf(sdk.ErrorUnavailable, "%s is unavailable", what)
	default:
		e = sdk.Errorf(sdk.ErrorInternal, "%s rejected the request", what)
	}
	e = e.WithStatus(status).WithRemediation(rem.of(e.Type))
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if wait, ok := RetryAfter(header.Get("Retry-After"), time.Now()); ok {
			e = e.WithRetryAfter(wait)
		}
	}
	return e
}

// maxRetryAfter bounds a wait read from Retry-After, so an absurd value
// cannot overflow a time.Duration.
const maxRetryAfter = 365 * 24 * time.Hour

// RetryAfter reads a Retry-After header, as delay-seconds or an HTTP date
// (a date already past is no wait), at most a year; false when it says
// neither.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// TransportError maps a request to what that got no answer: timeout when
// it ran out of time, unavailable otherwise. Its message keeps the cause
// (a refused connection, a DNS failure) but not the URL, which may carry
// the subject in its query.
func TransportError(what string, err error, rem Remediations) *sdk.Error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return sdk.Errorf(sdk.ErrorTimeout, "%s did not answer in time", what).WithRemediation(rem.of(sdk.ErrorTimeout))
	case errors.Is(err, context.Canceled):
		return sdk.Errorf(sdk.ErrorUnavailable, "%s call was canceled", what)
	}
	return sdk.Errorf(sdk.ErrorUnavailable, "reach %s: %s", what, cause(err)).WithRemediation(rem.of(sdk.ErrorUnavailable))
}

// cause strips net/url's `Get "https://…":` prefix down to what went wrong.
func cause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	return err.Error()
}

// IsNotFound reports whether err is the third party saying there is no
// such thing: for a deletion, a record already gone, which a connector
// counts as deleted (a job may be delivered twice).
func IsNotFound(err error) bool {
	var e *sdk.Error
	return errors.As(err, &e) && e.Type == sdk.ErrorNotFound
}

package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// statusError maps an HTTP error status to the error types of the product:
// 401 auth, 403 permission, 404 not_found, 429 rate_limited, 5xx
// unavailable. The message and remediation name the endpoint as configured
// (method and path template, such as DELETE /contacts/{{ .record.id }}) and
// the setting it comes from, never the expanded URL, which holds personal
// data.
func statusError(ep *endpoint, code int, retryAfter time.Duration) *sdk.Error {
	name := ep.label()
	status := fmt.Sprintf("%d %s", code, http.StatusText(code))
	var e *sdk.Error
	switch {
	case code == http.StatusUnauthorized:
		e = sdk.Errorf(sdk.ErrorAuth, "%s answered %s", name, status).
			WithRemediation(fmt.Sprintf("Check the credentials in settings.auth: the API refused them for %s.", name))
	case code == http.StatusForbidden:
		e = sdk.Errorf(sdk.ErrorPermission, "%s answered %s", name, status).
			WithRemediation(fmt.Sprintf("Grant the credentials in settings.auth permission to call %s (settings.%s).", name, ep.setting))
	case code == http.StatusNotFound:
		e = sdk.Errorf(sdk.ErrorNotFound, "%s answered %s", name, status).
			WithRemediation(fmt.Sprintf("Check settings.base_url and settings.%s.path: the API has nothing at %s.", ep.setting, name))
	case code == http.StatusTooManyRequests:
		e = sdk.Errorf(sdk.ErrorRateLimited, "%s answered %s", name, status).
			WithRemediation(fmt.Sprintf("The API is rate limiting %s; the job is retried when it allows. Lower settings.rate_limit to send fewer requests.", name))
	case code >= 500:
		e = sdk.Errorf(sdk.ErrorUnavailable, "%s answered %s", name, status).
			WithRemediation(fmt.Sprintf("The API failed on %s; the job is retried. If it persists, check the API's status.", name))
	default:
		e = sdk.Errorf(sdk.ErrorInvalidConfig, "%s answered %s", name, status).
			WithRemediation(fmt.Sprintf("The API rejected the request; check settings.%s (method, query, body) against the API's documentation for %s.", ep.setting, name))
	}
	e = e.WithStatus(code)
	if retryAfter > 0 {
		e = e.WithRetryAfter(retryAfter)
	}
	return e
}

// transportError classifies a request that got no HTTP answer. The
// underlying error's text is not used: it carries the expanded URL.
func transportError(name string, err error) *sdk.Error {
	var netErr net.Error
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	switch {
	case errors.Is(err, errCrossOrigin):
		return sdk.Errorf(sdk.ErrorPermission, "%s: the API redirected to another host", name).
			WithRemediation("The connector does not send credentials to another host; point settings.base_url at the host the API redirects to.")
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return sdk.Errorf(sdk.ErrorTimeout, "%s timed out", name).
			WithRemediation("Raise settings.timeout if the API is slow; the job is retried.")
	case errors.Is(err, context.Canceled):
		return sdk.Errorf(sdk.ErrorTimeout, "%s was cancelled", name).
			WithRemediation("The job was cancelled before the API answered; it is retried.")
	case errors.As(err, &dnsErr):
		return sdk.Errorf(sdk.ErrorUnavailable, "%s: the API's host name does not resolve", name).
			WithRemediation("Check the host in settings.base_url.")
	case errors.As(err, &certErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr):
		e := sdk.Errorf(sdk.ErrorUnavailable, "%s: the API's TLS certificate is not trusted", name).
			WithRemediation("Check the host in settings.base_url; the daemon trusts the system's certificate authorities.")
		e.Retryable = false
		return e
	default:
		return sdk.Errorf(sdk.ErrorUnavailable, "%s: could not reach the API", name).
			WithRemediation("Check settings.base_url and that the API is reachable from the daemon; the job is retried.")
	}
}

// notJSON reports an answer that should have been JSON and was not.
func notJSON(ep *endpoint) *sdk.Error {
	return sdk.Errorf(sdk.ErrorInvalidConfig, "%s answered with a body that is not JSON", ep.label()).
		WithRemediation(fmt.Sprintf("Check settings.base_url and settings.%s.path: the API should answer JSON there.", ep.setting))
}

package sdk

import (
	"errors"
	"fmt"
	"time"
)

// ErrorType classifies a failure; it crosses the plugin wire as an enum so
// the daemon can show remediation and schedule retries without parsing text.
type ErrorType string

// The error types.
const (
	ErrorAuth          ErrorType = "auth"
	ErrorPermission    ErrorType = "permission"
	ErrorRateLimited   ErrorType = "rate_limited"
	ErrorNotFound      ErrorType = "not_found"
	ErrorUnavailable   ErrorType = "unavailable"
	ErrorTimeout       ErrorType = "timeout"
	ErrorInvalidConfig ErrorType = "invalid_config"
	ErrorPluginCrashed ErrorType = "plugin_crashed"
	ErrorInternal      ErrorType = "internal"
)

// Error is a structured failure. Connectors return it from any method; any
// other error reaches the daemon as [ErrorInternal]. Its message must hold no
// personal data and no secret.
type Error struct {
	Type ErrorType
	// StatusCode is the third party's HTTP status, 0 when there is none.
	StatusCode  int
	Message     string
	Remediation string
	// Retryable says retrying soon may succeed (rate limits, outages).
	Retryable bool
	// RetryAfter is when a rate limit said to come back; zero when unknown.
	RetryAfter time.Duration
}

// Errorf returns an *Error of type t. Retryable is preset for the types where
// waiting helps: rate_limited, unavailable, timeout and plugin_crashed.
func Errorf(t ErrorType, format string, args ...any) *Error {
	return &Error{Type: t, Message: fmt.Sprintf(format, args...), Retryable: defaultRetryable(t)}
}

func defaultRetryable(t ErrorType) bool {
	switch t {
	case ErrorRateLimited, ErrorUnavailable, ErrorTimeout, ErrorPluginCrashed:
		return true
	}
	return false
}

// WithStatus sets the third party's status code.
func (e *Error) WithStatus(code int) *Error { e.StatusCode = code; return e }

// WithRemediation sets what the admin should do.
func (e *Error) WithRemediation(s string) *Error { e.Remediation = s; return e }

// WithRetryAfter sets when to come back, and marks the error retryable.
func (e *Error) WithRetryAfter(d time.Duration) *Error {
	e.RetryAfter = d
	e.Retryable = true
	return e
}

// Error formats the type, status and message.
func (e *Error) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("%s (status %d): %s", e.Type, e.StatusCode, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Type, e.Message)
}

// AsError returns err as an *Error: itself when it is one (or wraps one),
// otherwise an [ErrorInternal] carrying err's text.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Errorf(ErrorInternal, "%s", err.Error())
}

package engine

import "errors"

// Errors the admin API maps to status codes. They are wrapped with context
// that never includes personal data; test with errors.Is.
var (
	// ErrNotFound: no such request, integration or manual task.
	ErrNotFound = errors.New("not found")
	// ErrFailedPrecondition: the request or integration is not in a state
	// that allows the action (retrying a Complete integration, approving a
	// closed request).
	ErrFailedPrecondition = errors.New("failed precondition")
	// ErrInvalidArgument: the call itself is wrong (no email, unknown
	// request type or source name).
	ErrInvalidArgument = errors.New("invalid argument")
)

package linktoken

import (
	"strconv"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Claims are what a token binds: the wait it answers and until when.
type Claims struct {
	RequestID   string
	Integration string
	Workflow    state.Workflow
	// Attempt is the integration's attempt the link was made for; a newer
	// attempt (after a retry) sends a new email with a new link.
	Attempt int
	// ExpiresAt is the due date plus the grace period.
	ExpiresAt time.Time
}

// ID names the wait the token answers: request, workflow state,
// integration and attempt. Every link of one wait shares it, which is what
// makes them single use together. It holds ids only, so it may be logged.
func (c Claims) ID() string {
	return c.RequestID + "/" + c.Workflow.Code() + "/" + c.Integration + "/" + strconv.Itoa(c.Attempt)
}

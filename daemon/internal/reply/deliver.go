package reply

import (
	"context"
	"fmt"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Sender composes and sends replies; the admin API's and the console's
// repliers are one.
type Sender interface {
	// Compose fills the fields edited leaves empty from the reply template
	// named template: the request's type, or "rejected".
	Compose(ctx context.Context, req *engine.Request, template string, edited engine.Reply) (engine.Reply, error)
	// Send mails the reply to the request's subject.
	Send(ctx context.Context, req *engine.Request, reply engine.Reply) error
}

// Getter reads a request; *engine.Engine is one.
type Getter interface {
	Get(ctx context.Context, id string) (*engine.Request, error)
}

// SendError is a reply that could not be sent. Its message is safe to show
// to an operator or an API caller; the cause (the mail server's answer,
// the subject's address scrubbed) belongs in the daemon's log.
type SendError struct{ cause error }

func (e *SendError) Error() string {
	return "the reply could not be sent, so the request was left unchanged; check the smtp block and the daemon's log, then try again"
}

// Unwrap returns the cause, for the log.
func (e *SendError) Unwrap() error { return e.cause }

// ComposeAndSend is the answer to the subject before request id closes or
// is rejected: edited completed from the template (the request's type when
// template is empty) and sent, so the history never records a reply that
// was not sent. When sending fails the caller leaves the request where it
// was (a *SendError) and the operator may try again. The request must be
// in stage want. Without a sender, edited is recorded as given.
func ComposeAndSend(ctx context.Context, eng Getter, s Sender, id, template string, edited engine.Reply, want state.Stage) (engine.Reply, error) {
	if s == nil {
		return edited, nil
	}
	req, err := eng.Get(ctx, id)
	if err != nil {
		return engine.Reply{}, err
	}
	if req.Stage != want {
		return engine.Reply{}, fmt.Errorf("request %s is in %s, not %s: %w", id, req.Stage, want, engine.ErrFailedPrecondition)
	}
	if template == "" {
		template = string(req.Type)
	}
	out, err := s.Compose(ctx, req, template, edited)
	if err != nil {
		return engine.Reply{}, fmt.Errorf("compose the reply from template %q: %w", template, err)
	}
	if err := s.Send(ctx, req, out); err != nil {
		return engine.Reply{}, &SendError{cause: err}
	}
	return out, nil
}

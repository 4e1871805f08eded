package reply

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
)

// ExtensionNotice is the email telling a subject that their request needs
// more time: the new date and the operator's reason, as GDPR Art. 12(3)
// and CCPA require.
func ExtensionNotice(r *engine.Request, due time.Time, reason string) engine.Reply {
	kind := strings.ReplaceAll(string(r.Type), "_", " ")
	body := fmt.Sprintf("Hello,\n\nwe need more time to complete your %s request (reference %s), received on %s.\n\n"+
		"Why: %s\n\nWe will answer by %s.\n\nKind regards,\nThe privacy team\n",
		kind, r.ID, r.CreatedAt.UTC().Format(time.DateOnly), strings.TrimSpace(reason), due.UTC().Format(time.DateOnly))
	return engine.Reply{Subject: "Your privacy request needs more time", Body: body}
}

// Extender extends deadlines; *engine.Engine is one.
type Extender interface {
	Getter
	ExtendedDue(ctx context.Context, id string) (time.Time, error)
	Extend(ctx context.Context, id, actor, reason string, notice engine.Reply) (*engine.Request, error)
}

// ExtensionError is a notice that could not be sent; the deadline was left
// unchanged. Its message is safe to show; the cause belongs in the log.
type ExtensionError struct{ cause error }

func (e *ExtensionError) Error() string {
	return "the notice to the subject could not be sent, so the deadline was left unchanged; check the smtp block and the daemon's log, then try again"
}

// Unwrap returns the cause, for the log.
func (e *ExtensionError) Unwrap() error { return e.cause }

// Extend tells the subject first, then moves request id's due date, so the
// history never records a notice that was not sent (the admin API's
// ExtendRequest and the console's extension both). Without a sender the
// notice is recorded only.
func Extend(ctx context.Context, ext Extender, s Sender, id, actor, reason string) (*engine.Request, engine.Reply, error) {
	due, err := ext.ExtendedDue(ctx, id)
	if err != nil {
		return nil, engine.Reply{}, err
	}
	r, err := ext.Get(ctx, id)
	if err != nil {
		return nil, engine.Reply{}, err
	}
	notice := ExtensionNotice(r, due, reason)
	if s != nil {
		if err := s.Send(ctx, r, notice); err != nil {
			return nil, engine.Reply{}, &ExtensionError{cause: err}
		}
	}
	r, err = ext.Extend(ctx, id, actor, reason, notice)
	if err != nil {
		return nil, engine.Reply{}, err
	}
	return r, notice, nil
}

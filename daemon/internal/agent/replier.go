package agent

import (
	"context"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
)

// newMailer builds the replier of a configuration: its reply templates,
// sent through its smtp block (none without one).
func newMailer(cfg *config.Config) (*reply.Mailer, error) {
	smtp := config.SMTP{}
	if cfg.SMTP != nil {
		smtp = *cfg.SMTP
	}
	return reply.New(smtp, cfg.ReplyTemplates)
}

// replier answers subjects with the configuration in force.
type replier struct{ a *Agent }

var _ api.Replier = replier{}

// Replier composes and sends replies to subjects.
func (a *Agent) Replier() api.Replier { return replier{a} }

// Compose fills the reply from its template; a request filed through the
// privacy center gets its status link and, for access, a download link.
func (r replier) Compose(ctx context.Context, req *engine.Request, template string, edited engine.Reply) (engine.Reply, error) {
	var links reply.Links
	if pc := r.a.privacy; pc != nil {
		var err error
		if links, err = pc.ReplyLinks(req); err != nil {
			return engine.Reply{}, err
		}
	}
	return r.a.mailer.Load().ComposeWithLinks(ctx, req, template, edited, links)
}

// Send mails the reply. Without an smtp block there is no way to send: the
// reply is recorded in history (by the caller) and the operator is told in
// the log to deliver it another way.
func (r replier) Send(ctx context.Context, req *engine.Request, rep engine.Reply) error {
	if r.a.Config().SMTP == nil {
		r.a.logger.Warn("no smtp block: the reply is recorded but not sent", "request", req.ID)
		return nil
	}
	return r.a.mailer.Load().Send(ctx, req, rep)
}

package privacycenter

import (
	"errors"
	"net/http"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// statusView is a request as its subject sees it: no integrations, no
// operators, no internals.
type statusView struct {
	ID       string
	Type     string
	Received string
	Due      string
	Stage    string
	Explain  string
	Closed   bool
	ClosedOn string
	Reply    *engine.Reply
}

func (c *Center) statusView(req *engine.Request, history []engine.Event) *statusView {
	short, explain := stageWords(req.Stage, req.Outcome)
	v := &statusView{
		ID: req.ID, Type: describeType(req.Type).Title, Received: day(req.CreatedAt), Due: day(req.DueAt),
		Stage: short, Explain: explain, Closed: req.Stage == state.StageClosed,
	}
	if v.Closed {
		v.ClosedOn = day(req.ClosedAt)
	}
	for _, ev := range history {
		if ev.Kind == engine.EventReplySent {
			v.Reply = &engine.Reply{Subject: ev.Attributes["subject"], Body: ev.Attributes["body"]}
		}
	}
	return v
}

// readToken reads a link token of kind from the path, answering the
// refusal itself when it is not good.
func (c *Center) readToken(w http.ResponseWriter, r *http.Request, kind string) (Claims, bool) {
	cl, err := c.tokens.Read(kind, r.PathValue("token"), c.now())
	switch {
	case errors.Is(err, ErrExpired):
		c.message(w, r, http.StatusGone, msgLinkOver)
	case err != nil:
		c.message(w, r, http.StatusForbidden, msgForged)
	default:
		return cl, true
	}
	return Claims{}, false
}

func (c *Center) status(w http.ResponseWriter, r *http.Request) {
	cl, ok := c.readToken(w, r, kindStatus)
	if !ok {
		return
	}
	ctx := r.Context()
	req, err := c.engine.Get(ctx, cl.RequestID)
	if errors.Is(err, engine.ErrNotFound) {
		c.message(w, r, http.StatusGone, msgPurged)
		return
	}
	if err != nil {
		c.fail(w, r, "read a request's status", err)
		return
	}
	history, err := c.engine.History(ctx, cl.RequestID)
	if err != nil {
		c.fail(w, r, "read a request's history", err)
		return
	}
	c.render(w, http.StatusOK, "status", page{Title: "Your request", Status: c.statusView(req, history)})
}

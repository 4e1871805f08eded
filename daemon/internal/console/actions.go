package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Each action calls the engine as the admin API does, with the session's
// token name as the actor, then shows the request again (POST, redirect,
// GET), so a reload does not repeat it.

func (c *Console) done(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/ui/requests/"+r.PathValue("id"), http.StatusSeeOther)
}

func (c *Console) approve(w http.ResponseWriter, r *http.Request, s *session) {
	_ = r.ParseForm()
	_, err := c.eng.Approve(r.Context(), r.PathValue("id"), s.name, r.PostForm["source"])
	c.done(w, r, s, err)
}

func (c *Console) reject(w http.ResponseWriter, r *http.Request, s *session) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		c.message(w, r, s, http.StatusBadRequest, "Not done", "Reason: say why the request is rejected; the subject is told.")
		return
	}
	id := r.PathValue("id")
	rep, err := c.reply(r, id, "rejected", state.StageReview)
	if err == nil {
		_, err = c.eng.Reject(r.Context(), id, s.name, reason, rep)
	}
	c.done(w, r, s, err)
}

func (c *Console) approveDeletion(w http.ResponseWriter, r *http.Request, s *session) {
	_, err := c.eng.ApproveDeletion(r.Context(), r.PathValue("id"), s.name)
	c.done(w, r, s, err)
}

func (c *Console) closeRequest(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	rep, err := c.reply(r, id, "", state.StageReply)
	if err == nil {
		_, err = c.eng.Close(r.Context(), id, s.name, rep)
	}
	c.done(w, r, s, err)
}

// reply is the operator's edited reply, completed from the template and
// sent before the request changes, as the admin API's CloseRequest and
// RejectRequest do (the same reply.ComposeAndSend).
func (c *Console) reply(r *http.Request, id, template string, want state.Stage) (engine.Reply, error) {
	edited := engine.Reply{Subject: strings.TrimSpace(r.PostFormValue("subject")), Body: r.PostFormValue("body")}
	out, err := reply.ComposeAndSend(r.Context(), c.eng, c.replier, id, template, edited, want)
	var notSent *reply.SendError
	if errors.As(err, &notSent) {
		c.log.Warn("console: reply not sent", "request", id, "error", errors.Unwrap(err))
	}
	return out, err
}

func (c *Console) integrationAction(w http.ResponseWriter, r *http.Request, s *session) {
	id, name := r.PathValue("id"), r.PathValue("name")
	var err error
	switch r.PathValue("action") {
	case "retry":
		_, err = c.eng.Retry(r.Context(), id, name, s.name)
	case "stop":
		_, err = c.eng.Stop(r.Context(), id, name, s.name)
	case "skip":
		_, err = c.eng.Skip(r.Context(), id, name, s.name)
	default:
		err = errors.New("unknown integration action")
		c.message(w, r, s, http.StatusNotFound, "Not found", "An integration can be retried, stopped or skipped.")
		return
	}
	c.done(w, r, s, err)
}

func (c *Console) completeTask(w http.ResponseWriter, r *http.Request, s *session) {
	_, err := c.eng.CompleteManualTask(r.Context(), r.PathValue("id"), r.PathValue("name"), s.name, r.PostFormValue("note"))
	c.done(w, r, s, err)
}

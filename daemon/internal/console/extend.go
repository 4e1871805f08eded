package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
)

// extend applies the request type's deadline extension as the admin API's
// ExtendRequest does: the subject is told first, then the due date moves,
// so the history never records a notice that was not sent.
func (c *Console) extend(w http.ResponseWriter, r *http.Request, s *session) {
	ext, ok := c.eng.(api.Extender)
	if !ok {
		c.fail(w, r, s, errors.New("this daemon cannot extend deadlines"))
		return
	}
	id, reason := r.PathValue("id"), strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		c.message(w, r, s, http.StatusBadRequest, "Not done", "Reason: say why the request needs more time; the subject is told.")
		return
	}
	due, err := ext.ExtendedDue(r.Context(), id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	req, err := c.eng.Get(r.Context(), id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	notice := reply.ExtensionNotice(req, due, reason)
	if c.replier != nil {
		if err := c.replier.Send(r.Context(), req, notice); err != nil {
			c.log.Warn("console: extension notice not sent", "request", id, "error", err)
			c.message(w, r, s, http.StatusServiceUnavailable, "Not sent",
				"The notice to the subject could not be sent, so the deadline was left unchanged; check the smtp block and the daemon's log, then try again.")
			return
		}
	}
	_, err = ext.Extend(r.Context(), id, s.name, reason, notice)
	c.done(w, r, s, err)
}

package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
)

// extend applies the request type's deadline extension as the admin API's
// ExtendRequest does (the same reply.Extend): the subject is told first,
// then the due date moves, so the history never records a notice that was
// not sent.
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
	_, _, err := reply.Extend(r.Context(), ext, c.replier, id, s.name, reason)
	var notSent *reply.ExtensionError
	if errors.As(err, &notSent) {
		c.log.Warn("console: extension notice not sent", "request", id, "error", errors.Unwrap(err))
		c.message(w, r, s, http.StatusServiceUnavailable, "Not sent", err.Error())
		return
	}
	c.done(w, r, s, err)
}

package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/archive"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// pageSize is the number of requests on one page of the list.
const pageSize = 25

var requestTypes = []sdk.RequestType{sdk.RequestAccess, sdk.RequestDeletion, sdk.RequestDoNotSell, sdk.RequestDoNotMail, sdk.RequestRightToEdit}

var stages = []state.Stage{state.StageReview, state.StageProcess, state.StageReply, state.StageClosed}

var statuses = []state.Status{state.NotStarted, state.Pending, state.Processing, state.Error, state.Complete}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	text := ""
	if r.URL.Query().Get("expired") != "" {
		text = "Your session has ended. Sign in again."
	}
	c.render(w, r, nil, http.StatusOK, "signin", view{Title: "Sign in", Text: text})
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	p, ok := c.tokens.Authenticate(strings.TrimSpace(r.PostFormValue("token")))
	if !ok {
		c.render(w, r, nil, http.StatusUnauthorized, "signin", view{Title: "Sign in", Text: "That token is not one of this daemon's admin tokens. Check it and try again."})
		return
	}
	if err := c.startSession(w, r, p); err != nil {
		c.unavailable(w, r, err)
		return
	}
	c.log.Info("console: signed in", "token", p.Name)
	http.Redirect(w, r, Path, http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	if err := c.endSession(w, r); err != nil {
		c.unavailable(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/signin", http.StatusSeeOther)
}

// listView is the requests list with its filters as given.
type listView struct {
	Counts   []stageCount
	Requests []*engine.Request
	Next     string
	Query    url.Values
	Stages   []state.Stage
	Types    []sdk.RequestType
	Statuses []state.Status
	Problem  string
}

type stageCount struct {
	Stage state.Stage
	N     int64
}

// filter reads the list's filters; a value it cannot read is named.
func (c *Console) filter(q url.Values) (engine.Filter, string) {
	var f engine.Filter
	if v := q.Get("stage"); v != "" {
		st, err := state.ParseStage(v)
		if err != nil {
			return f, "Stage: choose one of the listed stages."
		}
		f.Stage = st
	}
	if v := q.Get("type"); v != "" {
		f.Type = sdk.RequestType(v)
	}
	if v := q.Get("status"); v != "" {
		st, err := state.ParseStatus(v)
		if err != nil {
			return f, "Integration status: choose one of the listed statuses."
		}
		f.IntegrationStatus = st
	}
	if v := q.Get("due_before"); v != "" {
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return f, "Due before: give a date as YYYY-MM-DD."
		}
		f.DueBefore = d
	}
	if q.Get("overdue") != "" {
		f.DueBefore = c.now()
	}
	f.Email = strings.TrimSpace(q.Get("email"))
	return f, ""
}

func (c *Console) listPage(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	v := listView{Query: q, Stages: stages, Types: requestTypes, Statuses: statuses}
	if c.counter != nil {
		for _, st := range stages {
			n, err := c.counter.CountStage(r.Context(), st)
			if err != nil {
				c.unavailable(w, r, err)
				return
			}
			v.Counts = append(v.Counts, stageCount{st, n})
		}
	}
	f, problem := c.filter(q)
	status := http.StatusOK
	if problem != "" {
		v.Problem, status = problem, http.StatusBadRequest
	} else {
		list, next, err := c.eng.List(r.Context(), f, q.Get("page"), pageSize)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		v.Requests = list
		if next != "" {
			nq := url.Values{}
			for k, vs := range q {
				nq[k] = vs
			}
			nq.Set("page", next)
			v.Next = "/ui/?" + nq.Encode()
		}
	}
	c.render(w, r, s, status, "list", view{Title: "Requests", Data: v})
}

// requestView is one request's page.
type requestView struct {
	R        *engine.Request
	Email    string
	Revealed bool
	DueText  string
	History  []engine.Event
	Sources  []engine.Source
	Reply    engine.Reply
	// Selected reports whether a source is among the request's chosen ones.
	Selected map[string]bool
}

// MaskedEmail shows the first letter and the domain only.
func (v requestView) MaskedEmail() string {
	e := v.R.Subject.Email
	at := strings.LastIndex(e, "@")
	if at <= 0 {
		return "•••"
	}
	return e[:1] + "•••" + e[at:]
}

func (c *Console) requestPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.showRequest(w, r, s, false)
}

func (c *Console) showRequest(w http.ResponseWriter, r *http.Request, s *session, revealed bool) {
	id := r.PathValue("id")
	req, hist, err := c.load(r, id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v := requestView{R: req, Revealed: revealed, History: hist, DueText: c.dueText(req), Selected: map[string]bool{}}
	if revealed {
		v.Email = req.Subject.Email
	}
	if req.Stage == state.StageReview {
		if src, ok := c.eng.(interface {
			Sources(sdk.RequestType) []engine.Source
		}); ok {
			v.Sources = src.Sources(req.Type)
		}
	}
	if req.Stage == state.StageReply && c.replier != nil {
		if rep, err := c.replier.Compose(r.Context(), req, string(req.Type), engine.Reply{}); err == nil {
			v.Reply = rep
		} else {
			c.log.Warn("console: reply template", "request", id, "error", err)
		}
	}
	page := view{Title: "Request " + req.ID, Data: v, Version: version(req, hist)}
	if !revealed {
		page.Live = req.ID
	}
	c.render(w, r, s, http.StatusOK, "request", page)
}

// load reads a request and its history.
func (c *Console) load(r *http.Request, id string) (*engine.Request, []engine.Event, error) {
	req, err := c.eng.Get(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	hist, err := c.eng.History(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	return req, hist, nil
}

// dueText says how long is left, or how late the request is.
func (c *Console) dueText(r *engine.Request) string {
	if r.Stage == state.StageClosed {
		return "closed " + r.ClosedAt.UTC().Format("2006-01-02")
	}
	days := int(r.DueAt.Sub(c.now()).Hours() / 24)
	switch {
	case r.Overdue:
		return fmt.Sprintf("overdue by %d days", max(1, -days))
	case days == 1:
		return "1 day left"
	}
	return fmt.Sprintf("%d days left", days)
}

// version changes whenever the request's page would: a new history entry,
// or a label moving with time.
func version(r *engine.Request, hist []engine.Event) string {
	var b strings.Builder
	if n := len(hist); n > 0 {
		b.WriteString(hist[n-1].ID)
	}
	b.WriteString("|" + r.Stage.Code())
	for _, it := range r.Integrations {
		b.WriteString("|" + it.Label)
	}
	return b.String()
}

func (c *Console) version(w http.ResponseWriter, r *http.Request, s *session) {
	req, hist, err := c.load(r, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(version(req, hist)))
}

// EventReveal is the history entry of an operator reading the subject's
// email on the console.
const EventReveal = "console.reveal"

// reveal records the reveal first, then shows the page with the email:
// no one reads it unrecorded.
func (c *Console) reveal(w http.ResponseWriter, r *http.Request, s *session) {
	err := c.eng.Note(r.Context(), r.PathValue("id"), engine.Event{Kind: EventReveal, Actor: s.name, Message: "subject's email revealed on the console"})
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.showRequest(w, r, s, true)
}

func (c *Console) export(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	req, err := c.eng.Get(r.Context(), id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	results, err := c.eng.Results(r.Context(), id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	// Streamed as it is built: an archive of any size, uploads included,
	// is never held whole.
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+archive.Name(id)+`"`)
	if err := archive.Write(r.Context(), w, req, results, archive.Options{Now: c.now()}); err != nil {
		// Headers are gone: the download is cut off so it cannot pass for
		// a whole archive, and the log says why.
		c.log.Error("console: write an export", "error", err)
		panic(http.ErrAbortHandler)
	}
}

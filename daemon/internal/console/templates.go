package console

import (
	"embed"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/webpage"
)

//go:embed templates/*.html templates/style.css templates/live.js
var files embed.FS

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}

// pages are the console's pages, parsed when the first is rendered; their
// stylesheet is the only one, inline and allowed by its hash. The only
// script is live.js, served from the binary and allowed as 'self'.
var (
	pages      = webpage.MustLoad(files, "templates", funcs, "signin", "list", "request", "message", "inventory", "report")
	liveScript = mustRead("templates/live.js")
)

var contentSecurityPolicy = strings.Replace(pages.CSP(), "; form-action",
	"; script-src 'self'; connect-src 'self'; form-action", 1)

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}

// view is what every template sees.
type view struct {
	Title string
	Style template.CSS
	CSRF  string
	// Who is the signed-in token's name; CanAct its right to act.
	Who    string
	Role   string
	CanAct bool
	Text   string
	// Live names the request whose page reloads when its history moves.
	Live    string
	Version string
	Data    any
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, s *session, status int, name string, v view) {
	v.Style = pages.Style()
	if sid := cookieSession(r); sid != "" {
		v.CSRF = c.csrf.Token(sid)
	}
	if s != nil {
		v.Who, v.Role, v.CanAct = s.name, s.role.String(), s.role.Allows(auth.Operator)
	}
	body, err := pages.Render(name, v)
	if err != nil {
		c.log.Error("console: render", "page", name, "error", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (c *Console) message(w http.ResponseWriter, r *http.Request, s *session, status int, title, text string) {
	c.render(w, r, s, status, "message", view{Title: title, Text: text})
}

func serveScript(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	_, _ = w.Write([]byte(liveScript))
}

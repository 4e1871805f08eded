package privacycenter

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/dsrhost/dsrhost/daemon/internal/websecure"
)

//go:embed templates/*.html templates/style.css
var templateFS embed.FS

// pageStyle is the only stylesheet, inline and allowed by its hash.
var pageStyle = func() string {
	b, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}()

var contentSecurityPolicy = websecure.CSP(pageStyle)

var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"home", "form", "sent", "confirm", "done", "status", "download", "message", "agent"} {
		out[name] = template.Must(template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// page is what every template sees.
type page struct {
	Title   string
	Org     string
	Contact string
	Style   template.CSS
	CSRF    string
	// Text is a message page's explanation.
	Text     string
	Types    []typeView
	Form     *formView
	Error    *inputError
	Verify   *verifyView
	Status   *statusView
	Download *downloadView
	Agent    *agentView
	TTL      string
	// MaxDetails bounds the details field, in characters.
	MaxDetails int
}

// ErrorOn reports whether the error concerns field.
func (p page) ErrorOn(field string) bool { return p.Error != nil && p.Error.Field == field }

// inputError is what to fix in a refused form.
type inputError struct {
	Field   string
	Message string
}

func (c *Center) render(w http.ResponseWriter, status int, name string, p page) {
	p.Org, p.Contact, p.Style = c.cfg.Organisation, c.cfg.Contact, template.CSS(pageStyle)
	p.MaxDetails = maxDetailsChars
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("render a privacy center page", "page", name, "error", err)
		http.Error(w, "Something went wrong on our side. Please try again later.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

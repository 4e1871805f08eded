package privacycenter

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/dsrhost/dsrhost/daemon/internal/webpage"
)

//go:embed templates/*.html templates/style.css
var templateFS embed.FS

// pages are the privacy center's pages, each over the layout, with the
// inline stylesheet the Content-Security-Policy allows by its hash.
var pages = webpage.MustLoad(templateFS, "templates", nil,
	"home", "form", "sent", "confirm", "done", "status", "download", "message", "agent")

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
	p.Org, p.Contact, p.Style = c.cfg.Organisation, c.cfg.Contact, pages.Style()
	p.MaxDetails = maxDetailsChars
	if err := pages.Write(w, status, name, p); err != nil {
		c.log.Error("render a privacy center page", "page", name, "error", err)
	}
}

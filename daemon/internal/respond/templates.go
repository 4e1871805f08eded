package respond

import (
	"bytes"
	"embed"
	"html/template"

	"github.com/dsrhost/dsrhost/daemon/internal/websecure"
)

//go:embed templates/*.html templates/style.css
var templateFS embed.FS

// pageStyle is the pages' only stylesheet, inline, allowed by its hash in
// the Content-Security-Policy: no external request, no 'unsafe-inline'.
var pageStyle = func() string {
	b, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}()

// contentSecurityPolicy allows the inline style and a form posting back to
// this server, and nothing else: no scripts, images, frames or plugins.
var contentSecurityPolicy = websecure.CSP(pageStyle)

var pageFuncs = template.FuncMap{
	"fmtTime": formatTime,
	"bytes":   bytesText,
}

// pages are the templates, one per kind of page, each over the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"task", "done", "refused", "failed"} {
		out[name] = template.Must(template.New(name).Funcs(pageFuncs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// pageData is what every page template sees.
type pageData struct {
	Title   string
	Style   template.CSS
	Task    *Task
	Receipt *Receipt
	Refusal *Refusal
	// Error is a submission's problem, shown above the form it came from.
	Error *InputError
	// Chosen and Note keep what the processor entered when the form comes
	// back with an error (files cannot be kept: browsers forbid it).
	Chosen  string
	Note    string
	Limits  Limits
	MaxNote int
}

// ErrorOn reports whether the error concerns field, to mark it invalid.
func (d pageData) ErrorOn(field string) bool { return d.Error != nil && d.Error.Field == field }

// HasFiles reports whether one of the task's answers is given with files.
func (t *Task) HasFiles() bool {
	for _, c := range t.Choices {
		if c.Files {
			return true
		}
	}
	return false
}

// render executes a page into a buffer, so a template failure never sends
// half a page.
func render(name string, d pageData) ([]byte, error) {
	d.Style = template.CSS(pageStyle)
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

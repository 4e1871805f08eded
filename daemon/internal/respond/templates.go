package respond

import (
	"embed"
	"html/template"

	"github.com/dsrhost/dsrhost/daemon/internal/webpage"
)

//go:embed templates/*.html templates/style.css
var templateFS embed.FS

// pages are the answer page's pages, one per kind, each over the layout,
// with the inline stylesheet the Content-Security-Policy allows by its
// hash: no scripts, images, frames or plugins, and a form posting back to
// this server.
var pages = webpage.MustLoad(templateFS, "templates", template.FuncMap{
	"fmtTime": formatTime,
	"bytes":   bytesText,
}, "task", "done", "refused", "failed")

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

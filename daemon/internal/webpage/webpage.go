package webpage

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sync"

	"github.com/dsrhost/dsrhost/daemon/internal/websecure"
)

// Set is one surface's pages. It is safe for concurrent use.
type Set struct {
	style string
	csp   string
	pages func() map[string]*template.Template
}

// Load reads dir/style.css and parses, for each name, dir/layout.html with
// dir/<name>.html, with funcs available to the templates.
func Load(fsys fs.FS, dir string, funcs template.FuncMap, names ...string) (*Set, error) {
	s, err := load(fsys, dir)
	if err != nil {
		return nil, err
	}
	pages, err := parse(fsys, dir, funcs, names)
	if err != nil {
		return nil, err
	}
	s.pages = func() map[string]*template.Template { return pages }
	return s, nil
}

// MustLoad is Load for templates embedded at build time, where a failure
// is a programming error (every page is rendered by its package's tests).
// The pages are parsed when the first is rendered, not when the package
// is initialised: a daemon's start does not wait for pages nobody has
// asked for yet.
func MustLoad(fsys fs.FS, dir string, funcs template.FuncMap, names ...string) *Set {
	s, err := load(fsys, dir)
	if err != nil {
		panic(err)
	}
	s.pages = sync.OnceValue(func() map[string]*template.Template {
		pages, err := parse(fsys, dir, funcs, names)
		if err != nil {
			panic(err)
		}
		return pages
	})
	return s
}

// load reads the stylesheet, which the CSP needs at once.
func load(fsys fs.FS, dir string) (*Set, error) {
	style, err := fs.ReadFile(fsys, dir+"/style.css")
	if err != nil {
		return nil, fmt.Errorf("read the pages' stylesheet: %w", err)
	}
	return &Set{style: string(style), csp: websecure.CSP(string(style))}, nil
}

// parse parses, for each name, dir/layout.html with dir/<name>.html.
func parse(fsys fs.FS, dir string, funcs template.FuncMap, names []string) (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(names))
	for _, name := range names {
		t, err := template.New(name).Funcs(funcs).ParseFS(fsys, dir+"/layout.html", dir+"/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse page %q: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// Style is the stylesheet, for the layout to inline.
func (s *Set) Style() template.CSS { return template.CSS(s.style) }

// CSP is the Content-Security-Policy that allows the inline stylesheet
// and nothing else (for websecure.Headers).
func (s *Set) CSP() string { return s.csp }

// Render executes page name's layout with data into a buffer.
func (s *Set) Render(name string, data any) ([]byte, error) {
	t, ok := s.pages()[name]
	if !ok {
		return nil, fmt.Errorf("no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write renders page name and sends it with status. If the page cannot be
// rendered, the visitor gets a plain 500 and the error is returned for the
// caller to log.
func (s *Set) Write(w http.ResponseWriter, status int, name string, data any) error {
	body, err := s.Render(name, data)
	if err != nil {
		http.Error(w, "Something went wrong on our side. Please try again later.", http.StatusInternalServerError)
		return fmt.Errorf("render page %q: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return nil
}

package respond_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// page is a response of the answer page.
type page struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

func fetch(t *testing.T, req *http.Request) page {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse the page: %v", err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(b), doc: doc}
}

func getPage(t *testing.T, link string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fetch(t, req)
}

// upload is a file the form sends.
type upload struct {
	name, contentType string
	content           []byte
}

// postAnswer sends the answer page's form as a browser does: multipart,
// with an empty file part when no file is chosen.
func postAnswer(t *testing.T, link, answer, note string, files ...upload) page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("answer", answer)
	if len(files) == 0 {
		files = []upload{{contentType: "application/octet-stream"}}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="files"; filename="`+f.name+`"`)
		h.Set("Content-Type", f.contentType)
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(f.content)
	}
	_ = mw.WriteField("note", note)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, link, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return fetch(t, req)
}

// text is the page's visible text, whitespace collapsed.
func (p page) text() string {
	var sb strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "head") {
			if n.Data == "head" {
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "title" {
						walk(c)
					}
				}
			}
			return
		}
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
			sb.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.doc)
	return strings.Join(strings.Fields(sb.String()), " ")
}

// has fails the test unless the page shows each phrase.
func (p page) has(t *testing.T, phrases ...string) {
	t.Helper()
	text := p.text()
	for _, s := range phrases {
		if !strings.Contains(text, s) {
			t.Errorf("the page does not show %q; it shows:\n%s", s, text)
		}
	}
}

// hasNot fails the test if the page shows any of the phrases.
func (p page) hasNot(t *testing.T, phrases ...string) {
	t.Helper()
	text := p.text()
	for _, s := range phrases {
		if strings.Contains(text, s) {
			t.Errorf("the page shows %q; it should not", s)
		}
	}
}

func (p page) want(t *testing.T, status int) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d; page:\n%s", p.status, status, p.text())
	}
}

// nodes returns the elements called tag.
func (p page) nodes(tag string) []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.doc)
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAncestor(n *html.Node, tag string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == tag {
			return true
		}
	}
	return false
}

// checkSecurityHeaders: pages hold personal data.
func checkSecurityHeaders(t *testing.T, p page) {
	t.Helper()
	for name, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"Content-Type":           "text/html; charset=utf-8",
	} {
		if got := p.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	csp := p.header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "style-src 'sha256-"} {
		if !strings.Contains(csp, d) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy %q allows more than it should", csp)
	}
	if len(p.nodes("script")) > 0 {
		t.Error("the page has a script")
	}
}

// checkAccessible checks the form's structure: a language, a title, the
// answers as a radio group in a fieldset with a legend, and every control
// with a label pointing at it.
func checkAccessible(t *testing.T, p page) {
	t.Helper()
	if h := p.nodes("html"); len(h) != 1 || attr(h[0], "lang") == "" {
		t.Error("no lang attribute on <html>")
	}
	if ts := p.nodes("title"); len(ts) != 1 || ts[0].FirstChild == nil || strings.TrimSpace(ts[0].FirstChild.Data) == "" {
		t.Error("no title")
	}
	labels := map[string]bool{}
	for _, l := range p.nodes("label") {
		labels[attr(l, "for")] = true
	}
	radios := 0
	for _, in := range p.nodes("input") {
		id := attr(in, "id")
		if id == "" || !labels[id] {
			t.Errorf("input name=%q type=%q has no <label for>", attr(in, "name"), attr(in, "type"))
		}
		if attr(in, "type") == "radio" {
			radios++
			if !hasAncestor(in, "fieldset") {
				t.Errorf("radio %q is not in a fieldset", id)
			}
		}
	}
	for _, ta := range p.nodes("textarea") {
		if !labels[attr(ta, "id")] {
			t.Errorf("textarea %q has no <label for>", attr(ta, "id"))
		}
	}
	if radios == 0 {
		t.Error("no answer radio buttons")
	}
	if fs := p.nodes("fieldset"); len(fs) != 1 || len(p.nodes("legend")) != 1 {
		t.Errorf("%d fieldsets and %d legends, want one of each", len(fs), len(p.nodes("legend")))
	}
	forms := p.nodes("form")
	if len(forms) != 1 || attr(forms[0], "method") != "post" || attr(forms[0], "enctype") != "multipart/form-data" {
		t.Error("want one multipart POST form")
	}
}

package webpage

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dsrhost/dsrhost/daemon/internal/websecure"
)

var testFS = fstest.MapFS{
	"t/style.css":   {Data: []byte("body{color:#111}")},
	"t/layout.html": {Data: []byte(`{{define "layout"}}<style>{{.Style}}</style><h1>{{.Title}}</h1>{{template "content" .}}{{end}}`)},
	"t/hello.html":  {Data: []byte(`{{define "content"}}<p>{{shout .Title}}</p>{{end}}`)},
	"t/broken.html": {Data: []byte(`{{define "content"}}{{.Missing.Field}}{{end}}`)},
}

type data struct {
	Title string
	Style template.CSS
}

func TestWrite(t *testing.T) {
	s, err := Load(testFS, "t", template.FuncMap{"shout": strings.ToUpper}, "hello", "broken")
	if err != nil {
		t.Fatal(err)
	}
	if s.CSP() != websecure.CSP("body{color:#111}") {
		t.Errorf("CSP %q does not allow the stylesheet by its hash", s.CSP())
	}
	for _, tc := range []struct {
		page   string
		status int
		want   string
	}{
		{"hello", http.StatusTeapot, "<style>body{color:#111}</style><h1>a &lt;b&gt;</h1><p>A &lt;B&gt;</p>"},
		{"broken", http.StatusInternalServerError, "Something went wrong on our side. Please try again later.\n"},
		{"absent", http.StatusInternalServerError, "Something went wrong on our side. Please try again later.\n"},
	} {
		rec := httptest.NewRecorder()
		err := s.Write(rec, http.StatusTeapot, tc.page, data{Title: "a <b>", Style: s.Style()})
		if (err != nil) != (tc.status == http.StatusInternalServerError) {
			t.Errorf("%s: error %v", tc.page, err)
		}
		if rec.Code != tc.status || rec.Body.String() != tc.want {
			t.Errorf("%s: %d %q, want %d %q", tc.page, rec.Code, rec.Body.String(), tc.status, tc.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		dir, page, says string
	}{
		{"none", "hello", "stylesheet"},
		{"t", "missing", `parse page "missing"`},
	} {
		if _, err := Load(testFS, tc.dir, nil, tc.page); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Load(%s, %s) = %v, want an error naming %q", tc.dir, tc.page, err, tc.says)
		}
	}
}

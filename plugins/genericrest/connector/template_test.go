package connector

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/google/go-cmp/cmp"
)

// TestTemplateEscaping sends identifiers full of URL and JSON syntax
// through a path, the query and a body, and checks the API receives them
// exactly, with nothing injected.
func TestTemplateEscaping(t *testing.T) {
	type got struct {
		path, query, custom, contentType string
		body                             map[string]any
	}
	var mu sync.Mutex
	var seen got
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			http.Error(w, "body is not JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		seen = got{path: r.URL.EscapedPath(), query: r.URL.Query().Get("q"), custom: r.URL.Query().Get("extra"),
			contentType: r.Header.Get("Content-Type"), body: body}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	base := startServer(t, mux).URL
	c := New()
	configure(t, c, "esc", map[string]any{"base_url": base + "/v1/",
		"deletion": map[string]any{"mode": "whole_record", "method": "POST",
			"path":  "/users/{{ .email }}/erase",
			"query": map[string]any{"q": "{{ .email }}", "extra": "{{ .nickname }}"},
			"body":  `{"email": "{{ .email }}", "nickname": "{{ .nickname }}", "request": "{{ .request_id }}"}`,
		}})
	email := `a/b?c=d&e+f"g@example.com`
	nickname := "Ada \"The Countess\"\n\\ <x> & café"
	j := job("esc", "k", email)
	j.Subject.Identifiers = map[string]string{"nickname": nickname}
	resp, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.WholeRecord {
		t.Errorf("Delete = %+v", resp)
	}
	want := got{
		path:  "/v1/users/a%2Fb%3Fc=d&e+f%22g@example.com/erase",
		query: email, custom: nickname, contentType: "application/json",
		body: map[string]any{"email": email, "nickname": nickname, "request": "01JREQUEST"},
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, seen, cmp.AllowUnexported(got{})); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestTemplateMissingIdentifier(t *testing.T) {
	c := New()
	configure(t, c, "m", map[string]any{"base_url": "http://127.0.0.1:1",
		"access": map[string]any{"path": "/users/{{ .user_id }}", "records_path": "$"}})
	_, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("m", "k", "ada@example.com")})
	e := asError(t, err)
	if e.Type != sdk.ErrorInvalidConfig || !strings.Contains(e.Message, `"user_id"`) || !strings.Contains(e.Remediation, "depends_on") {
		t.Errorf("error = %+v", e)
	}
	assertNoPersonalData(t, e, "ada@example.com")
}

func TestCompileTemplateScopes(t *testing.T) {
	all := scope{subject: true, record: true, jobID: true}
	tests := []struct {
		text string
		sc   scope
		ok   bool
	}{
		{"/u/{{ .email }}", scope{subject: true}, true},
		{"/u/{{ .custom_id }}", scope{subject: true}, true},
		{"/u/{{ .record.id }}", scope{subject: true}, false},
		{"/u/{{ $.record.id }}", scope{subject: true}, false},
		{"/u/{{ .record.id }}", all, true},
		{"/u/{{ .record_id }}", scope{subject: true, jobID: true}, false},
		{"/j/{{ .job_id }}", scope{subject: true}, false},
		{"/j/{{ .job_id }}", all, true},
		{"/static", scope{}, true},
		{"/u/{{ .email }}", scope{}, false},
		{"{{ if .phone }}/p/{{ .phone }}{{ else }}/e/{{ .email }}{{ end }}", scope{subject: true}, true},
		{"{{ with .record }}/r/{{ .id }}{{ end }}", scope{subject: true}, false},
		{"{{ with .record }}/r/{{ .job_id }}{{ end }}", all, true}, // .job_id here is the record's own field
		{"{{ range .list }}{{ .record }}{{ end }}", scope{subject: true}, true},
		{"{{ .email | printf \"%s\" }}", scope{subject: true}, true},
		{"{{ .email | nosuchfunc }}", all, false},
		{"{{ .email ", all, false},
	}
	for _, tt := range tests {
		_, problem := compileTemplate("t", tt.text, tt.sc, inPath, nil)
		if (problem == "") != tt.ok {
			t.Errorf("compileTemplate(%q, %+v): problem %q, want ok=%v", tt.text, tt.sc, problem, tt.ok)
		}
	}
}

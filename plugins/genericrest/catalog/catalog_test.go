package catalog

import (
	"strings"
	"testing"
	"testing/fstest"
)

const goodEntry = `entry "acme" {
  title     = "Acme"
  category  = "CRM"
  summary   = "Contacts."
  behaviour = "synchronous"
  docs      = "https://acme.example/docs"
  values    = { region = "The region." }
}
settings {
  base_url = "https://${var.region}.acme.example"
}
`

// TestLoad: an entry file is refused, with a sentence naming it, when its
// name does not match its file, when it has no page or when its entry
// block is malformed.
func TestLoad(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"good", fstest.MapFS{"entries/acme.hcl": {Data: []byte(goodEntry)}, "entries/acme.md": {Data: []byte("# Acme")}}, ""},
		{"name differs from file", fstest.MapFS{"entries/acme2.hcl": {Data: []byte(goodEntry)}, "entries/acme2.md": {Data: []byte("#")}}, `declares entry "acme"; name it "acme2"`},
		{"no page", fstest.MapFS{"entries/acme.hcl": {Data: []byte(goodEntry)}}, `entry "acme" has no page`},
		{"no title", fstest.MapFS{"entries/acme.hcl": {Data: []byte(strings.Replace(goodEntry, `title     = "Acme"`, "", 1))}, "entries/acme.md": {Data: []byte("#")}}, `decode entries/acme.hcl`},
		{"not HCL", fstest.MapFS{"entries/acme.hcl": {Data: []byte("entry {")}, "entries/acme.md": {Data: []byte("#")}}, `parse entries/acme.hcl`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(tt.files)
			if tt.want == "" {
				if err != nil || got["acme"] == nil || got["acme"].Values["region"] == "" {
					t.Fatalf("load: %v, %+v", err, got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("load error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestShippedEntries: every shipped entry loads, with a page, and the
// catalogue has at least ten.
func TestShippedEntries(t *testing.T) {
	if n := len(Names()); n < 10 {
		t.Errorf("%d entries, want at least 10", n)
	}
	for _, name := range Names() {
		e, _ := Get(name)
		if e.Title == "" || e.Docs == "" || e.Page() == "" || !strings.Contains(e.Source(), "settings {") {
			t.Errorf("%s: incomplete entry %+v", name, e)
		}
	}
	if _, ok := Get("nope"); ok {
		t.Error("Get found an entry that does not exist")
	}
}

package reply

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestComposeWithLinks(t *testing.T) {
	m, err := New(config.SMTP{}, map[string]*config.ReplyTemplate{
		"deletion": {Subject: "Done", Body: "Follow it: {{ .StatusURL }}"},
	})
	if err != nil {
		t.Fatal(err)
	}
	access := &engine.Request{ID: "01JABCDEFGHJKMNPQRSTVWXYZ0", Type: sdk.RequestAccess, Subject: sdk.Subject{Email: "ada@example.com"},
		CreatedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	links := Links{StatusURL: "https://p.example/privacy/status/S", DownloadURL: "https://p.example/privacy/download/D",
		DownloadUntil: time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)}
	tests := []struct {
		name, template string
		req            *engine.Request
		edited         engine.Reply
		links          Links
		want, notWant  []string
	}{
		{"default access template shows the link", "access", access, engine.Reply{}, links,
			[]string{"Download your data here: https://p.example/privacy/download/D", "until 9 November 2026 10:00 UTC"}, nil},
		{"edited body gets the link appended", "access", access, engine.Reply{Body: "Here is your data."}, links,
			[]string{"Here is your data.\n\nDownload your data here: https://p.example/privacy/download/D"}, nil},
		{"no links, no download paragraph", "access", access, engine.Reply{}, Links{}, nil, []string{"Download"}},
		{"configured template sees the status link", "deletion", request(), engine.Reply{}, Links{StatusURL: links.StatusURL},
			[]string{"Follow it: https://p.example/privacy/status/S"}, nil},
		{"a rejection never carries a download", "rejected", access, engine.Reply{}, links, nil, []string{"/download/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.ComposeWithLinks(context.Background(), tt.req, tt.template, tt.edited, tt.links)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Body, w) {
					t.Errorf("body lacks %q:\n%s", w, got.Body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got.Body, w) {
					t.Errorf("body holds %q:\n%s", w, got.Body)
				}
			}
		})
	}
}

func TestExtensionNotice(t *testing.T) {
	n := ExtensionNotice(request(), time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), "  Fourteen systems to search. ")
	for _, w := range []string{"deletion request (reference 01JABCDEFGHJKMNPQRSTVWXYZ0)", "Why: Fourteen systems to search.\n", "answer by 2027-01-02"} {
		if !strings.Contains(n.Body, w) {
			t.Errorf("notice lacks %q:\n%s", w, n.Body)
		}
	}
}

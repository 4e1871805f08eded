package reply

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/examples/mailsink"
	"github.com/dsrhost/dsrhost/sdk"
)

func request() *engine.Request {
	return &engine.Request{ID: "01JABCDEFGHJKMNPQRSTVWXYZ0", Type: sdk.RequestDeletion,
		Subject:   sdk.Subject{Email: "ada@example.com"},
		CreatedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
}

func TestComposeFillsWhatTheOperatorLeftEmpty(t *testing.T) {
	m, err := New(config.SMTP{}, map[string]*config.ReplyTemplate{
		"deletion": {Subject: "Deleted: {{ .ID }}", Body: "Your {{ .Type }} request of {{ .Created }} is done."},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, template string
		edited         engine.Reply
		want           engine.Reply
	}{
		{"configured template", "deletion", engine.Reply{},
			engine.Reply{Subject: "Deleted: 01JABCDEFGHJKMNPQRSTVWXYZ0", Body: "Your deletion request of 2026-11-02 is done."}},
		{"edited body kept", "deletion", engine.Reply{Body: "Custom."},
			engine.Reply{Subject: "Deleted: 01JABCDEFGHJKMNPQRSTVWXYZ0", Body: "Custom."}},
		{"built-in rejected", "rejected", engine.Reply{Subject: "S"}, engine.Reply{Subject: "S",
			Body: "Hello,\n\nwe could not carry out your request (reference 01JABCDEFGHJKMNPQRSTVWXYZ0), received on 2026-11-02.\n\nKind regards,\nThe privacy team\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Compose(context.Background(), request(), tt.template, tt.edited)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, err := m.Compose(context.Background(), request(), "nonsense", engine.Reply{}); err == nil {
		t.Error("an unknown template composed")
	}
}

func TestBadTemplateRefusedAtStart(t *testing.T) {
	_, err := New(config.SMTP{}, map[string]*config.ReplyTemplate{"access": {Subject: "x", Body: "{{ .Nope }}"}})
	if err == nil || !strings.Contains(err.Error(), "access body") {
		t.Errorf("err = %v, want a template error naming access body", err)
	}
}

func TestSendDeliversOverSMTP(t *testing.T) {
	got := make(chan mailsink.Email, 1)
	sink, err := mailsink.Start("127.0.0.1:0", func(e mailsink.Email) { got <- e })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	host, port, _ := net.SplitHostPort(sink.Addr)
	p, _ := strconv.Atoi(port)
	m, err := New(config.SMTP{Host: host, Port: p, From: "privacy@example.com", TLS: config.SMTPNoTLS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), request(), engine.Reply{Subject: "Your data deletion request", Body: "Done."}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		if len(e.To) != 1 || e.To[0] != "ada@example.com" || e.Subject != "Your data deletion request" || !strings.Contains(e.Body, "Done.") {
			t.Errorf("received %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no email arrived")
	}
}

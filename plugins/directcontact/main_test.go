package main

import (
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/directcontact/internal/smtptest"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// TestConformance builds dsrhost-plugin-directcontact and runs the sdk's
// conformance harness against it, launched through go-plugin as the daemon
// launches it, sending real email to an in-process SMTP server.
func TestConformance(t *testing.T) {
	serverTLS, caFile := smtptest.SelfSignedTLS(t)
	srv := smtptest.Start(t, smtptest.Options{TLS: serverTLS, User: "dsrhost", Pass: "s3cret-pass"})
	smtpBlock := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"host": srv.Host, "port": srv.Port, "ca_file": caFile, "username": "dsrhost", "password": "s3cret-pass"}
		if edit != nil {
			edit(b)
		}
		return b
	}
	sdktest.Run(t, sdktest.Config{
		Binary:   sdktest.Build(t, "."),
		MaxPolls: 3,
		ValidSettings: map[string]any{
			"to":   []string{"dpo@vendor.example"},
			"from": "privacy@example.com",
			"smtp": smtpBlock(nil),
		},
		SecondSettings: map[string]any{
			"to":   []string{"dpo@other.example"},
			"from": "privacy@example.com",
			"smtp": smtpBlock(nil),
		},
		InvalidSettings: []sdktest.SettingsCase{
			{Name: "refused password", Settings: map[string]any{"smtp": smtpBlock(func(b map[string]any) { b["password"] = "wrong" })},
				WantPath: []string{"smtp", "password"}},
			{Name: "nothing listening", Settings: map[string]any{"smtp": smtpBlock(func(b map[string]any) { b["port"] = smtptest.ClosedPort(t) })},
				WantPath: []string{"smtp", "host"}},
			{Name: "untrusted certificate", Settings: map[string]any{"smtp": smtpBlock(func(b map[string]any) { delete(b, "ca_file") })},
				WantPath: []string{"smtp", "ca_file"}},
			{Name: "bad recipient", Settings: map[string]any{"to": []string{"not an address"}}, WantPath: []string{"to"}},
			{Name: "bad on_no_response", Settings: map[string]any{"on_no_response": "wait"}, WantPath: []string{"on_no_response"}},
			{Name: "bad due_in", Settings: map[string]any{"due_in": "soon"}, WantPath: []string{"due_in"}},
		},
	})

	// One email per job, to the integration's own processor: the harness
	// sends each job twice with the same idempotency key, to two
	// integrations, and access to the first again after configuring the
	// second.
	msgs := srv.Messages()
	want := []struct{ subject, to string }{
		{"Data access request", "dpo@vendor.example"},
		{"Data access request", "dpo@other.example"},
		{"Data access request", "dpo@vendor.example"},
		{"Data deletion request", "dpo@vendor.example"},
		{"Data deletion request", "dpo@other.example"},
	}
	if len(msgs) != len(want) {
		t.Fatalf("the server received %d emails, want %d", len(msgs), len(want))
	}
	for i, w := range want {
		m := smtptest.Parse(t, msgs[i])
		if !strings.HasPrefix(m.Subject, w.subject) || !msgs[i].TLS || !msgs[i].Authed || len(msgs[i].To) != 1 || msgs[i].To[0] != w.to {
			t.Errorf("email %d: subject %q to %v, TLS %v, logged in %v; want %q to %s over TLS, logged in",
				i, m.Subject, msgs[i].To, msgs[i].TLS, msgs[i].Authed, w.subject, w.to)
		}
	}
}

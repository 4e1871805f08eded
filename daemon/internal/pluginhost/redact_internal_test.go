package pluginhost

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/sdk"
)

func TestScrub(t *testing.T) {
	schema := sdk.Schema{
		Attributes: []sdk.Attribute{{Name: "api_key", Sensitive: true}, {Name: "base_url"}},
		Blocks: []sdk.Block{{Name: "auth", Nesting: sdk.NestingList, Schema: sdk.Schema{
			Attributes: []sdk.Attribute{{Name: "password", Sensitive: true}, {Name: "user"}}}}},
	}
	secrets := sensitiveValues(schema, sdk.Settings(`{"api_key":"k-123456","base_url":"https://api.example",
		"auth":[{"password":"p@ss word","user":"admin"}]}`))
	subject := subjectValues(sdk.Subject{Email: "ada+x@example.com", Phone: "12", UserID: "u-42424",
		Identifiers: map[string]string{"crm_id": sdk.JoinIdentifierValues([]string{"crm-777", "crm-888"})}})
	values := append(secrets, subject...)
	tests := []struct{ in, want string }{
		{"key k-123456 refused", "key [redacted] refused"},
		{"GET /v1/users?email=ada%2Bx%40example.com: 404", "GET /v1/users?email=[redacted]: 404"},
		{"no ADA+X@Example.com here", "no [redacted] here"},
		{"user u-42424 and password p@ss word", "user [redacted] and password [redacted]"},
		{"base https://api.example by admin, phone 12", "base https://api.example by admin, phone 12"},
		{"contacts crm-777 and crm-888", "contacts [redacted] and [redacted]"},
	}
	for _, tt := range tests {
		if got := scrub(tt.in, values); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	resp := &sdk.ConfigureResponse{Diagnostics: []sdk.Diagnostic{{Summary: "bad k-123456", Detail: "key k-123456",
		Err: sdk.Errorf(sdk.ErrorAuth, "refused k-123456").WithRemediation("replace k-123456")}}}
	scrubDiagnostics(resp, secrets)
	d := resp.Diagnostics[0]
	if d.Summary != "bad [redacted]" || d.Detail != "key [redacted]" || d.Err.Message != "refused [redacted]" || d.Err.Remediation != "replace [redacted]" {
		t.Errorf("scrubDiagnostics left %+v %+v", d, d.Err)
	}
}

func TestRedactorLogValues(t *testing.T) {
	r := newRedactor()
	r.setSecrets("crm", []string{"k-123456"})
	release := r.holdValues([]string{"u-42424"})
	if got := r.scrubLog("u-42424 k-123456 bob@example.org"); got != "[redacted] [redacted] [redacted]" {
		t.Errorf("scrubLog while held = %q", got)
	}
	release()
	if got := r.scrubLog("u-42424"); got != "[redacted]" {
		t.Errorf("scrubLog within the grace = %q", got)
	}
	r.held["u-42424"].until = r.held["u-42424"].until.Add(-2 * logGrace)
	if got := r.scrubLog("u-42424"); got != "u-42424" {
		t.Errorf("scrubLog after the grace = %q", got)
	}
}

func TestRedactingLogger(t *testing.T) {
	var out strings.Builder
	base := hclog.New(&hclog.LoggerOptions{Output: &out, Level: hclog.Trace})
	r := newRedactor()
	r.setSecrets("crm", []string{"k-123456"})
	l := newRedactingLogger(base, r).Named("plugin").With("token", "k-123456")
	l.Info("calling with k-123456", "user", "ada@example.com", "n", 3, "err", errors.New("refused k-123456"))
	w := l.StandardWriter(nil)
	_, _ = w.Write([]byte("[WARN] stdout line for ada@example.com\nplain k-123456\n"))
	got := out.String()
	for _, leak := range []string{"k-123456", "ada@example.com"} {
		if strings.Contains(got, leak) {
			t.Errorf("log holds %q:\n%s", leak, got)
		}
	}
	for _, want := range []string{"[INFO]  plugin: calling with [redacted]: token=[redacted] user=[redacted] n=3 err=\"refused [redacted]\"",
		"[WARN]  plugin: stdout line for [redacted]", "[INFO]  plugin: plain [redacted]"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
}

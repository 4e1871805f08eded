package connector

import (
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/directcontact/internal/smtptest"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestConfigureChecksTheServer(t *testing.T) {
	serverTLS, caFile := smtptest.SelfSignedTLS(t)
	plain := smtptest.Start(t, smtptest.Options{})
	starttls := smtptest.Start(t, smtptest.Options{TLS: serverTLS, User: "dsrhost", Pass: "s3cret-pass"})
	implicit := smtptest.Start(t, smtptest.Options{TLS: serverTLS, ImplicitTLS: true, User: "dsrhost", Pass: "s3cret-pass"})
	picky := smtptest.Start(t, smtptest.Options{RefuseRcpt: []string{"privacy@vendor.example"}})

	login := func(mode, password string) func(s, smtp map[string]any) {
		return func(_, smtp map[string]any) {
			smtp["tls"] = mode
			smtp["ca_file"] = caFile
			smtp["username"] = "dsrhost"
			smtp["password"] = password
		}
	}

	tests := []struct {
		name     string
		settings sdk.Settings
		// want is the path, error type and status of the only diagnostic;
		// a nil path means no diagnostic at all.
		wantPath   []string
		wantType   sdk.ErrorType
		wantStatus int
		wantWarn   bool
	}{
		{name: "plain relay", settings: baseSettings(plain, nil)},
		{name: "starttls with login", settings: baseSettings(starttls, login("starttls", "s3cret-pass"))},
		{name: "implicit tls with login", settings: baseSettings(implicit, login("tls", "s3cret-pass"))},
		{
			name:     "wrong password",
			settings: baseSettings(starttls, login("starttls", "wrong")),
			wantPath: []string{"smtp", "password"}, wantType: sdk.ErrorAuth, wantStatus: 535,
		},
		{
			name: "nothing listening",
			settings: baseSettings(plain, func(_, smtp map[string]any) {
				smtp["port"] = smtptest.ClosedPort(t)
			}),
			wantPath: []string{"smtp", "host"}, wantType: sdk.ErrorUnavailable,
		},
		{
			name: "server without starttls",
			settings: baseSettings(plain, func(_, smtp map[string]any) {
				smtp["tls"] = "starttls"
			}),
			wantPath: []string{"smtp", "tls"}, wantType: sdk.ErrorInvalidConfig,
		},
		{
			name: "certificate not trusted",
			settings: baseSettings(starttls, func(s, smtp map[string]any) {
				login("starttls", "s3cret-pass")(s, smtp)
				delete(smtp, "ca_file")
			}),
			wantPath: []string{"smtp", "ca_file"}, wantType: sdk.ErrorInvalidConfig,
		},
		{
			name: "implicit tls against a starttls port",
			settings: baseSettings(starttls, func(s, smtp map[string]any) {
				login("tls", "s3cret-pass")(s, smtp)
			}),
			wantPath: []string{"smtp", "tls"}, wantType: sdk.ErrorInvalidConfig,
		},
		{
			name: "login on a server without auth",
			settings: baseSettings(plain, func(_, smtp map[string]any) {
				smtp["username"] = "dsrhost"
				smtp["password"] = "s3cret-pass"
			}),
			wantPath: []string{"smtp", "username"}, wantType: sdk.ErrorInvalidConfig,
		},
		{
			name:     "recipient refused",
			settings: baseSettings(picky, nil),
			wantPath: []string{"to"}, wantType: sdk.ErrorPermission, wantStatus: 550,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			diags := h.configure(t, tt.settings)
			if tt.wantPath == nil {
				if len(diags) > 0 {
					t.Fatalf("diagnostics: %+v", diags)
				}
				if _, err := h.c.configFor("acme-support"); err != nil {
					t.Fatalf("not configured after a clean Configure: %v", err)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("got %d diagnostics, want 1: %+v", len(diags), diags)
			}
			d := diags[0]
			if !slices.Equal(d.Path, tt.wantPath) {
				t.Errorf("path = %q, want %q (%s: %s)", d.Path, tt.wantPath, d.Summary, d.Detail)
			}
			if d.Err == nil || d.Err.Type != tt.wantType || d.Err.StatusCode != tt.wantStatus {
				t.Errorf("error = %+v, want type %s status %d", d.Err, tt.wantType, tt.wantStatus)
			}
			if d.Severity != sdk.SeverityError {
				t.Errorf("severity = %v, want error", d.Severity)
			}
			if d.Detail == "" {
				t.Errorf("no remediation in %+v", d)
			}
			if strings.Contains(d.Summary+d.Detail, "s3cret-pass") {
				t.Errorf("diagnostic reveals the password: %+v", d)
			}
			if _, err := h.c.configFor("acme-support"); err == nil {
				t.Errorf("configured despite an error diagnostic")
			}
		})
	}
}

func TestSendsOverStartTLSWithLogin(t *testing.T) {
	serverTLS, caFile := smtptest.SelfSignedTLS(t)
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			sink := smtptest.Start(t, smtptest.Options{TLS: serverTLS, ImplicitTLS: mode == "tls", User: "dsrhost", Pass: "s3cret-pass"})
			h := newHarness()
			h.mustConfigure(t, baseSettings(sink, func(_, smtp map[string]any) {
				smtp["tls"] = mode
				smtp["ca_file"] = caFile
				smtp["username"] = "dsrhost"
				smtp["password"] = "s3cret-pass"
			}))
			h.access(t, testJob("job-tls", sdk.RequestAccess))
			msgs := sink.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d emails, want 1", len(msgs))
			}
			if !msgs[0].TLS || !msgs[0].Authed {
				t.Errorf("delivered with TLS=%v, logged in=%v; want both", msgs[0].TLS, msgs[0].Authed)
			}
			if !strings.Contains(smtptest.Parse(t, msgs[0]).Body, responseURL) {
				t.Errorf("body lacks the link")
			}
		})
	}
}

func TestConfigureKeepsPreviousSettingsOnError(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))
	if diags := h.configure(t, baseSettings(sink, func(_, smtp map[string]any) { smtp["port"] = smtptest.ClosedPort(t) })); len(diags) == 0 {
		t.Fatalf("Configure accepted a server nobody listens on")
	}
	h.access(t, testJob("job-keep", sdk.RequestAccess))
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("%d emails through the previous settings, want 1", n)
	}
}

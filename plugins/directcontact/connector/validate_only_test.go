package connector

import (
	"context"
	"encoding/json"
	"net"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
)

// TestValidateOnlyStaysOffline: `dsrhost validate` must not contact the SMTP
// server, yet still report bad settings.
func TestValidateOnlyStaysOffline(t *testing.T) {
	// A port nothing listens on: any connection attempt would fail.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	settings := func(to string) sdk.Settings {
		b, _ := json.Marshal(map[string]any{
			"to":   []string{to},
			"from": "privacy@example.com",
			"smtp": map[string]any{"host": "127.0.0.1", "port": port, "tls": "none"},
		})
		return sdk.Settings(b)
	}
	h := newHarness()
	configure := func(s sdk.Settings, validateOnly bool) []sdk.Diagnostic {
		resp, err := h.c.Configure(context.Background(), &sdk.ConfigureRequest{
			Integration: "acme-support", Settings: s, ValidateOnly: validateOnly,
		})
		if err != nil {
			t.Fatalf("Configure: %v", err)
		}
		return resp.Diagnostics
	}

	if diags := configure(settings("dpo@vendor.example"), true); len(diags) != 0 {
		t.Errorf("validate-only Configure contacted the server or failed: %+v", diags)
	}
	if diags := configure(settings("not an address"), true); len(diags) == 0 || diags[0].Path[0] != "to" {
		t.Errorf("validate-only Configure missed a bad recipient: %+v", diags)
	}
	// The same settings for real do contact the server, and fail.
	if diags := configure(settings("dpo@vendor.example"), false); len(diags) == 0 {
		t.Error("Configure did not check the unreachable server")
	}
}

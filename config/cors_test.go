package config

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestServerCORSAndTLSPaths checks cors_origins decodes and that tls paths
// resolve from the configuration file's directory, as file() reads.
func TestServerCORSAndTLSPaths(t *testing.T) {
	src := `
redis { url = "redis://127.0.0.1:6379" }
encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
server {
  cors_origins = ["https://console.example.com", "https://*.example.org", "http://localhost:3000", "*"]
  tls {
    cert_file = "certs/server.pem"
    key_file  = "/etc/dsrhost/key.pem"
  }
}
`
	path := filepath.Join("/srv", "dsrhost", "dsrhost.hcl")
	cfg, _, diags := Parse(path, []byte(src))
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	want := []string{"https://console.example.com", "https://*.example.org", "http://localhost:3000", "*"}
	if !slices.Equal(cfg.Server.CORSOrigins, want) {
		t.Errorf("cors_origins %q, want %q", cfg.Server.CORSOrigins, want)
	}
	if got := cfg.Server.TLS.CertFile; got != "/srv/dsrhost/certs/server.pem" {
		t.Errorf("relative cert_file resolved to %q, want it beside the configuration file", got)
	}
	if got := cfg.Server.TLS.KeyFile; got != "/etc/dsrhost/key.pem" {
		t.Errorf("absolute key_file became %q", got)
	}
}

func TestValidOrigin(t *testing.T) {
	for o, want := range map[string]bool{
		"https://console.example.com":     true,
		"http://localhost:3000":           true,
		"https://*.example.org":           true,
		"*":                               true,
		"https://console.example.com/":    false,
		"https://console.example.com/ui":  false,
		"console.example.com":             false,
		"ftp://example.com":               false,
		"https://user@example.com":        false,
		"https://Console.example.com":     false,
		"https://*.*.example.com":         false,
		"https://console.example.com?a=b": false,
	} {
		if got := validOrigin(o); got != want {
			t.Errorf("validOrigin(%q) = %v, want %v", o, got, want)
		}
	}
}

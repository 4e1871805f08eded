package config

import (
	"strings"
	"testing"
)

// TestTLSCheck: relative tls paths resolve beside the configuration file
// (here testdata/tls) and Check refuses what the server could not load.
func TestTLSCheck(t *testing.T) {
	tests := []struct {
		name, cert, key string
		want            string // in the detail; "" for no diagnostic
	}{
		{"a real certificate and its key", "cert.pem", "key.pem", ""},
		{"a key of another certificate", "cert.pem", "other_key.pem", "private key does not match public key"},
		{"no PEM data", "broken.pem", "key.pem", "failed to find any PEM data"},
		{"a missing file", "absent.pem", "key.pem", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "redis {\n  url = \"redis://127.0.0.1:6379\"\n}\n" +
				"encryption_key = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n" +
				"server {\n  tls {\n    cert_file = \"" + tt.cert + "\"\n    key_file  = \"" + tt.key + "\"\n  }\n}\n"
			cfg, _, diags := Parse("testdata/tls/dsrhost.hcl", []byte(src))
			if diags.HasErrors() {
				t.Fatalf("decode: %q", diagStrings(diags))
			}
			diags = cfg.Server.TLS.Check()
			if tt.want == "" {
				if len(diags) > 0 {
					t.Fatalf("a loadable pair refused: %q", diags[0].Detail)
				}
				return
			}
			if len(diags) != 1 || !strings.Contains(diags[0].Detail, tt.want) {
				t.Fatalf("diagnostics %v, want one saying %q", diags, tt.want)
			}
			if s := diags[0].Subject; s == nil || s.Filename != "testdata/tls/dsrhost.hcl" || s.Start.Line != 6 {
				t.Errorf("subject %v, want the tls block at testdata/tls/dsrhost.hcl:6", s)
			}
		})
	}
	if diags := (*TLS)(nil).Check(); len(diags) > 0 {
		t.Errorf("no tls block: %v", diags)
	}
}

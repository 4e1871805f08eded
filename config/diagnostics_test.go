package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestWriteDiagnosticsGolden pins the output people read: file:line:column,
// the block it is in, the source line with the subject underlined, and
// the detail.
func TestWriteDiagnosticsGolden(t *testing.T) {
	setTestEnv(t)
	tests := []struct {
		fixture string
		golden  string
		color   bool
	}{
		{"testdata/invalid/multiple_mistakes.hcl", "testdata/golden/multiple_mistakes.txt", false},
		{"testdata/invalid/multiple_mistakes.hcl", "testdata/golden/multiple_mistakes_color.txt", true},
		{"testdata/invalid/syntax_error.hcl", "testdata/golden/syntax_error.txt", false},
		{"testdata/invalid/missing_encryption_key.hcl", "testdata/golden/missing_encryption_key.txt", false},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			_, files, diags := validate(tt.fixture)
			var out bytes.Buffer
			if err := WriteDiagnostics(&out, files, diags, tt.color); err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(tt.golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(tt.golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSecretsNeverPrinted misuses a secret from env() in every place the
// decoder checks and a literal sensitive setting, then looks for them in
// everything that could reach a terminal or a log.
func TestSecretsNeverPrinted(t *testing.T) {
	setTestEnv(t)
	cfg, files, diags := validate("testdata/invalid/secret_misuse.hcl")
	if len(diags) < 20 {
		t.Fatalf("got %d diagnostics, want one per misuse: %q", len(diags), diagStrings(diags))
	}
	var outputs []string
	for _, color := range []bool{false, true} {
		var out bytes.Buffer
		if err := WriteDiagnostics(&out, files, diags, color); err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, out.String())
	}
	outputs = append(outputs, diags.Error())
	for _, d := range diags {
		outputs = append(outputs, d.Error(), fmt.Sprintf("%+v", *d))
	}
	outputs = append(outputs, fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg.Redis), fmt.Sprintf("%+v", cfg.SMTP))
	for _, secret := range []string{testSecret, "LITERAL-PIN"} {
		for _, out := range outputs {
			if strings.Contains(out, secret) {
				t.Fatalf("output contains secret %q:\n%s", secret, out)
			}
		}
	}
}

// TestSecretFieldsRedacted checks that decoded secrets print and marshal
// as "(sensitive)" while Value still returns them.
func TestSecretFieldsRedacted(t *testing.T) {
	setTestEnv(t)
	cfg, _, diags := Load("testdata/valid/full.hcl")
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	key := cfg.EncryptionKey
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s %q %x", cfg.SMTP, cfg.SMTP, cfg.SMTP, cfg.SMTP.Password, cfg.SMTP.Password, cfg.SMTP.Password),
		fmt.Sprintf("%v %#v %s %x", key, key, key, key),
		string(js),
	} {
		for _, secret := range []string{"smtp-password", "0202020202", "\x02\x02"} {
			if strings.Contains(out, secret) {
				t.Errorf("output shows a secret: %s", out)
			}
		}
	}
	if cfg.SMTP.Password.Value() != "smtp-password" {
		t.Errorf("Password.Value() = %q, want the value of DSRHOST_TEST_SMTP_PASSWORD", cfg.SMTP.Password.Value())
	}
}

package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// invalidFiles lists, for each file under testdata/invalid, the
// diagnostics it must produce ("line:column: summary"), in order. Every
// file holds one mistake, except multiple_mistakes.hcl (one diagnostic per
// mistake) and secret_misuse.hcl (a secret misused in many places).
var invalidFiles = map[string][]string{
	"bad_cors_origin.hcl":               {"8:50: Invalid CORS origin"},
	"bad_deletion_behavior.hcl":         {"9:23: Invalid deletion behavior"},
	"bad_duration.hcl":                  {"9:20: Invalid duration"},
	"bad_encryption_key.hcl":            {"5:18: Invalid encryption key"},
	"bad_listen.hcl":                    {"8:12: Invalid listen address"},
	"bad_plugin_sha256.hcl":             {"9:13: Invalid plugin checksum"},
	"bad_previous_key.hcl":              {"9:3: Invalid encryption key"},
	"bad_public_url.hcl":                {"8:16: Invalid public URL"},
	"bad_redis_url.hcl":                 {"2:9: Invalid Redis URL"},
	"bad_role.hcl":                      {"9:12: Invalid role"},
	"bad_token_sha256.hcl":              {"8:12: Invalid token hash"},
	"deletion_approval_on_access.hcl":   {"8:31: Deletion approval on a non-deletion type"},
	"depends_on_cycle.hcl":              {"9:17: Dependency cycle"},
	"depends_on_self.hcl":               {"9:17: Integration depends on itself"},
	"depends_on_unknown.hcl":            {"9:17: Reference to undeclared integration"},
	"duplicate_integration.hcl":         {"11:1: Duplicate integration block"},
	"duplicate_server.hcl":              {"11:1: Duplicate server block"},
	"duplicate_settings.hcl":            {"12:3: Duplicate settings block"},
	"duplicate_token_hash.hcl":          {"12:1: Duplicate token hash"},
	"encryption_key_not_base64.hcl":     {"5:18: Invalid encryption key"},
	"env_unset.hcl":                     {"2:9: Environment variable not set"},
	"file_missing.hcl":                  {"9:13: Cannot read file"},
	"fractional_number.hcl":             {"9:18: Invalid number"},
	"invalid_name.hcl":                  {"7:13: Invalid name"},
	"manual_bad_request_type.hcl":       {"8:32: Unknown request type"},
	"manual_named_like_integration.hcl": {"11:1: Duplicate data source name"},
	"missing_encryption_key.hcl":        {"1:1: Missing required argument"},
	"missing_redis.hcl":                 {"1:1: Missing redis block"},
	"missing_required.hcl":              {"7:14: Missing required argument"},
	"multiple_mistakes.hcl": {
		"13:1: Unsupported block type",
		"19:20: Invalid duration",
		"20:12: Missing required argument",
		"22:17: Incorrect attribute value type",
		"30:12: Reference to undeclared plugin",
		"35:12: Invalid role",
	},
	"negative_duration.hcl":         {"8:14: Negative duration"},
	"null_value.hcl":                {"9:14: Invalid null value"},
	"poll_longer_than_max_wait.hcl": {"9:19: Poll interval longer than max_wait"},
	"redis_bad_addr.hcl":            {"4:38: Invalid address"},
	"redis_no_form.hcl":             {"1:1: Missing Redis address"},
	"redis_two_forms.hcl":           {"3:3: Conflicting Redis settings"},
	"reply_template_bad_label.hcl":  {"7:16: Unknown reply template"},
	"secret_misuse.hcl": {
		"4:9: Invalid Redis URL",
		"7:18: Invalid encryption key",
		"10:12: Invalid listen address",
		"13:21: Invalid duration",
		"16:12: Invalid token hash",
		"17:12: Invalid role",
		"26:23: Incorrect attribute value type",
		"27:24: Reference to undeclared integration",
		"28:23: Invalid deletion behavior",
		"29:23: Incorrect condition type",
		"32:18: Incorrect attribute value type",
		"33:18: Incorrect attribute value type",
		"34:18: Invalid duration",
		"35:18: Incorrect attribute value type",
		"36:18: Incorrect attribute value type",
		"44:12: Reference to undeclared plugin",
		"49:10: Incorrect attribute value type",
		"50:10: Invalid sender address",
		"51:10: Invalid SMTP TLS mode",
		"55:17: Invalid function argument",
		"56:18: Invalid function argument",
		"60:20: Unknown request type",
	},
	"smtp_bad_from.hcl":        {"9:10: Invalid sender address"},
	"smtp_bad_port.hcl":        {"9:10: Number out of range"},
	"smtp_bad_tls.hcl":         {"10:10: Invalid SMTP TLS mode"},
	"telemetry_bad_otlp.hcl":   {"8:19: Invalid OTLP endpoint"},
	"syntax_error.hcl":         {"8:26: Invalid block definition"},
	"unknown_attribute.hcl":    {"9:3: Unsupported argument"},
	"unknown_block.hcl":        {"7:1: Unsupported block type"},
	"unknown_function.hcl":     {"7:21: Call to unknown function"},
	"unknown_plugin.hcl":       {"8:12: Reference to undeclared plugin"},
	"unknown_request_type.hcl": {"7:14: Unknown request type"},
	"wrong_type.hcl":           {"9:18: Incorrect attribute value type"},
	"zero_duration.hcl":        {"7:21: Invalid duration"},
}

func TestLoadInvalid(t *testing.T) {
	setTestEnv(t)
	paths, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range paths {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(strings.TrimSuffix(name, ".hcl"), func(t *testing.T) {
			want, ok := invalidFiles[name]
			_, _, diags := validate(path)
			got := diagStrings(diags)
			if !ok {
				t.Fatalf("no expectation for %s; it produces:\n%q", name, got)
			}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic %q has no subject", d.Summary)
				} else if d.Subject.Filename != path {
					t.Errorf("diagnostic %q names file %q, want %q", d.Summary, d.Subject.Filename, path)
				}
			}
			if !diags.HasErrors() {
				t.Errorf("no error diagnostics")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s\ngot:\n%q", diff, got)
			}
		})
	}
	for name := range invalidFiles {
		if !seen[name] {
			t.Errorf("expectation for %s, which is not in testdata/invalid", name)
		}
	}
}

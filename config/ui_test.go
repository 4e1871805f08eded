package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadUI: the console is on without a ui block, off when the block
// says so, and a mistake in the block is a diagnostic at its line and column.
func TestLoadUI(t *testing.T) {
	const base = "redis {\n  url = \"redis://127.0.0.1:6379\"\n}\nencryption_key = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n"
	tests := []struct {
		name, block string
		enabled     bool
		diag        string
	}{
		{"no block", "", true, ""},
		{"on", "ui {\n  enabled = true\n}\n", true, ""},
		{"off", "ui {\n  enabled = false\n}\n", false, ""},
		{"not a bool", "ui {\n  enabled = \"maybe\"\n}\n", true, "6:13: Incorrect attribute value type"},
		{"unknown attribute", "ui {\n  theme = \"dark\"\n}\n", true, "6:3: Unsupported argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ui.hcl")
			if err := os.WriteFile(path, []byte(base+tt.block), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, _, diags := Load(path)
			if tt.diag != "" {
				if !diags.HasErrors() || !strings.Contains(strings.Join(diagStrings(diags), "\n"), tt.diag) {
					t.Fatalf("diagnostics %q, want one at %s", diagStrings(diags), tt.diag)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %q", diagStrings(diags))
			}
			if cfg.UIEnabled() != tt.enabled {
				t.Errorf("UIEnabled() = %v, want %v", cfg.UIEnabled(), tt.enabled)
			}
		})
	}
}

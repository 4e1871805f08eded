package config

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the decoder, the settings decoder
// or the diagnostic writer panic, and that every diagnostic has a subject.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*.hcl")
	for _, p := range paths {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("integration {\n  plugin = \"heap\"\n}\n"))
	f.Add([]byte("integration \"a\" \"b\" {\n}\nplugin \"\" {\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, files, diags := Parse("testdata/valid/fuzz.hcl", src)
		if cfg != nil {
			_, settingsDiags := cfg.DecodeIntegrationSettings(testSchemas)
			diags = append(diags, settingsDiags...)
			for _, in := range cfg.Integrations {
				SettingRange(in.Settings, []string{"endpoint", "0", "path"})
			}
		}
		for _, d := range diags {
			if d.Subject == nil {
				t.Errorf("diagnostic %q has no subject", d.Summary)
			}
		}
		if err := WriteDiagnostics(io.Discard, files, diags, true); err != nil {
			t.Fatal(err)
		}
	})
}

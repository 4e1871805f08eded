package config

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFlowSettings(t *testing.T) {
	tests := []struct {
		file string
		want Flow
	}{
		{"defaults.hcl", Flow{Concurrency: DefaultConcurrency, CallTimeout: Duration{Duration: DefaultCallTimeout}}},
		{"valid.hcl", Flow{Concurrency: 2, CallTimeout: Duration{Duration: 15 * time.Second},
			RateLimit: &RateLimit{Requests: 10, Per: Duration{Duration: time.Second}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, _, diags := Load(filepath.Join("testdata/flow", tt.file))
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %q", diagStrings(diags))
			}
			got := cfg.Integrations["heap"].Flow
			opts := cmp.Options{cmp.Comparer(func(a, b Duration) bool { return a.Duration == b.Duration })}
			if got.RateLimit != nil {
				got.RateLimit.DeclRange = tt.want.RateLimit.DeclRange
			}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("flow (-want +got):\n%s", diff)
			}
		})
	}
}

// Every bad value is refused with a diagnostic at its line and column.
func TestFlowInvalid(t *testing.T) {
	tests := map[string][]string{
		"zero_concurrency.hcl":       {"9:17: Number out of range"},
		"fractional_concurrency.hcl": {"9:17: Invalid number"},
		"bad_call_timeout.hcl":       {"9:18: Invalid duration"},
		"long_call_timeout.hcl":      {"9:18: Call timeout too long"},
		"zero_requests.hcl":          {"10:16: Number out of range"},
		"zero_per.hcl":               {"11:16: Invalid duration"},
		"missing_per.hcl":            {"9:14: Missing required argument"},
		"duplicate_rate_limit.hcl":   {"13:3: Duplicate rate_limit block"},
		"unknown_rate_argument.hcl":  {"12:5: Unsupported argument"},
	}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata/flow", file)
			_, _, diags := Load(path)
			got := diagStrings(diags)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			for _, d := range diags {
				if d.Subject == nil || d.Subject.Filename != path {
					t.Errorf("diagnostic %q does not name %s", d.Summary, path)
				}
			}
		})
	}
}

package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadTelemetry reads the telemetry block, and its defaults: no block
// means no telemetry; a block profiles unless told not to.
func TestLoadTelemetry(t *testing.T) {
	cfg, _, diags := Load("testdata/valid/telemetry.hcl")
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	want := &Telemetry{PrometheusMetrics: true, Listen: "127.0.0.1:9102", Profiling: true, OTLPEndpoint: "127.0.0.1:4317", OTLPInsecure: true}
	if diff := cmp.Diff(want, cfg.Telemetry, ignoreSources); diff != "" {
		t.Errorf("Telemetry mismatch (-want +got):\n%s", diff)
	}
	cfg, _, diags = Load("testdata/invalid/bad_listen.hcl")
	if cfg.Telemetry != nil {
		t.Errorf("no telemetry block, got %+v (%v)", cfg.Telemetry, diags)
	}
}

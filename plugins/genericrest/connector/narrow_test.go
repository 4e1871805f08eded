package connector

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

// TestConfigureNarrowsTypeAndCapabilities: the settings decide what the
// integration is, so the daemon runs a delete-by-identity-only API in
// Pending Delete alone and never asks it for data it cannot give.
func TestConfigureNarrowsTypeAndCapabilities(t *testing.T) {
	access := map[string]any{"path": "/contacts", "records_path": "$.results[*]"}
	asyncAccess := map[string]any{"path": "/exports", "method": "POST", "records_path": "$.records[*]", "async": map[string]any{
		"job_id_path": "$.id", "status": map[string]any{"path": "/exports/{{ .job_id }}"},
		"status_path": "$.status", "done_values": []string{"done"},
		"result": map[string]any{"path": "/exports/{{ .job_id }}/records"},
	}}
	tests := []struct {
		name     string
		settings map[string]any
		wantType sdk.IntegrationType
		wantCaps []sdk.Capability
	}{
		{"access only", map[string]any{"access": access}, sdk.SynchronousAPI, []sdk.Capability{sdk.CapabilityAccess}},
		{"per-record deletion", map[string]any{"access": access, "deletion": map[string]any{"mode": "per_record", "path": "/contacts/{{ .record.id }}", "method": "DELETE"}},
			sdk.SynchronousAPI, []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}},
		{"whole record only", map[string]any{"deletion": map[string]any{"mode": "whole_record", "path": "/erase", "method": "POST", "body": `{"email": "{{ .email }}"}`}},
			sdk.WholeRecordDeletionAPI, []sdk.Capability{sdk.CapabilityDelete}},
		{"async access", map[string]any{"access": asyncAccess}, sdk.AsynchronousAPI, []sdk.Capability{sdk.CapabilityAccess}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := map[string]any{"base_url": "http://127.0.0.1:9"}
			for k, v := range tt.settings {
				s[k] = v
			}
			b, _ := json.Marshal(s)
			resp, err := New().Configure(context.Background(), &sdk.ConfigureRequest{Integration: "x", Settings: b, ValidateOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			if resp.HasErrors() {
				t.Fatalf("diagnostics: %+v", resp.Diagnostics)
			}
			if resp.Type != tt.wantType {
				t.Errorf("Type = %v, want %v", resp.Type, tt.wantType)
			}
			if diff := cmp.Diff(tt.wantCaps, resp.Capabilities); diff != "" {
				t.Errorf("Capabilities (-want +got):\n%s", diff)
			}
		})
	}
}

package connector_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/dsrhost/dsrhost/sdk"
)

// diag is the part of a diagnostic a table compares.
type diag struct {
	Severity sdk.Severity
	Path     string
	Summary  string
}

func diags(ds []sdk.Diagnostic) []diag {
	out := make([]diag, 0, len(ds))
	for _, d := range ds {
		out = append(out, diag{d.Severity, strings.Join(d.Path, "."), d.Summary})
	}
	return out
}

func TestConfigureValidatesSettings(t *testing.T) {
	const E, W = sdk.SeverityError, sdk.SeverityWarning
	tests := []struct {
		name      string
		overrides map[string]any
		raw       string // replaces the settings when set
		want      []diag
	}{
		{name: "valid, defaults filled in by the connector", overrides: map[string]any{}},
		{name: "valid, every setting", overrides: map[string]any{
			"identity_field": "loyalty_id", "send_user_id": true, "timeout": "2m"}},
		{name: "https base URL with a path prefix", overrides: map[string]any{"base_url": "https://proxy.example.com/heap/"}},
		{name: "missing app_id", overrides: map[string]any{"app_id": nil},
			want: []diag{{E, "app_id", "Missing required setting"}}},
		{name: "blank api_key", overrides: map[string]any{"api_key": "  "},
			want: []diag{{E, "api_key", "Missing required setting"}}},
		{name: "app_id with a colon", overrides: map[string]any{"app_id": "12:34"},
			want: []diag{{E, "app_id", "Invalid Heap App ID"}}},
		{name: "app_id not a string", overrides: map[string]any{"app_id": 1234},
			want: []diag{{E, "app_id", "Incorrect setting type"}}},
		{name: "base_url not a URL", overrides: map[string]any{"base_url": "heapanalytics.com"},
			want: []diag{{E, "base_url", "Invalid Heap base URL"}}},
		{name: "base_url ftp", overrides: map[string]any{"base_url": "ftp://heapanalytics.com"},
			want: []diag{{E, "base_url", "Invalid Heap base URL"}}},
		{name: "base_url with credentials", overrides: map[string]any{"base_url": "https://u:p@heapanalytics.com"},
			want: []diag{{E, "base_url", "Invalid Heap base URL"}}},
		{name: "base_url with a query", overrides: map[string]any{"base_url": "https://heapanalytics.com/?x=1"},
			want: []diag{{E, "base_url", "Invalid Heap base URL"}}},
		{name: "plain http to another host warns", overrides: map[string]any{"base_url": "http://heap.internal.example"},
			want: []diag{{W, "base_url", "Heap base URL is not encrypted"}}},
		{name: "empty identity_field", overrides: map[string]any{"identity_field": ""},
			want: []diag{{E, "identity_field", "Invalid identity field"}}},
		{name: "send_user_id not a bool", overrides: map[string]any{"send_user_id": "yes"},
			want: []diag{{E, "send_user_id", "Incorrect setting type"}}},
		{name: "timeout unparsable", overrides: map[string]any{"timeout": "soon"},
			want: []diag{{E, "timeout", "Invalid timeout"}}},
		{name: "timeout zero", overrides: map[string]any{"timeout": "0s"},
			want: []diag{{E, "timeout", "Invalid timeout"}}},
		{name: "timeout too long", overrides: map[string]any{"timeout": "1d"},
			want: []diag{{E, "timeout", "Invalid timeout"}}},
		{name: "unknown setting", overrides: map[string]any{"app_key": "x"},
			want: []diag{{E, "app_key", "Unsupported setting"}}},
		{name: "settings not an object", raw: `["app_id"]`,
			want: []diag{{E, "", "Settings are not an object"}}},
		{name: "every mistake at once", overrides: map[string]any{
			"app_id": nil, "api_key": 7, "base_url": "nope", "send_user_id": 1, "timeout": "-1s"},
			want: []diag{
				{E, "app_id", "Missing required setting"},
				{E, "api_key", "Incorrect setting type"},
				{E, "base_url", "Invalid Heap base URL"},
				{E, "send_user_id", "Incorrect setting type"},
				{E, "timeout", "Invalid timeout"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakeheap.Config{})
			settings := e.settings(tt.overrides)
			if tt.raw != "" {
				settings = sdk.Settings(tt.raw)
			}
			resp, err := e.heap.Configure(context.Background(), &sdk.ConfigureRequest{Settings: settings, ValidateOnly: true})
			if err != nil {
				t.Fatalf("Configure: %v", err)
			}
			if diff := cmp.Diff(tt.want, diags(resp.Diagnostics), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			for _, d := range resp.Diagnostics {
				if d.Detail == "" {
					t.Errorf("diagnostic %q has no detail", d.Summary)
				}
				assertNoLeak(t, "diagnostics", d.Summary+" "+d.Detail)
			}
			if got := e.fake.Calls(fakeheap.EndpointAuthToken); got != 0 {
				t.Errorf("ValidateOnly called Heap %d times", got)
			}
		})
	}
}

package connector

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/google/go-cmp/cmp"
)

func TestDescribe(t *testing.T) {
	d, err := New().Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "genericrest" || d.Version == "" || d.Type != sdk.SynchronousAPI {
		t.Errorf("Describe = %q %q %v", d.Name, d.Version, d.Type)
	}
	if !d.Can(sdk.CapabilityAccess) || !d.Can(sdk.CapabilityDelete) {
		t.Errorf("capabilities = %v, want access and delete", d.Capabilities)
	}
	var sensitive []string
	var walk func(prefix string, s sdk.Schema)
	walk = func(prefix string, s sdk.Schema) {
		for _, a := range s.Attributes {
			if a.Description == "" {
				t.Errorf("%s%s has no description", prefix, a.Name)
			}
			if a.Sensitive {
				sensitive = append(sensitive, prefix+a.Name)
			}
		}
		for _, b := range s.Blocks {
			if b.Description == "" {
				t.Errorf("%s%s has no description", prefix, b.Name)
			}
			walk(prefix+b.Name+".", b.Schema)
		}
	}
	walk("", d.Settings)
	want := []string{"auth.basic.password", "auth.basic.username", "auth.bearer.token", "auth.header.value",
		"auth.oauth2.client_secret", "auth.oauth2.refresh_token", "auth.query.value", "secrets"}
	slices.Sort(sensitive)
	if diff := cmp.Diff(want, sensitive); diff != "" {
		t.Errorf("sensitive settings (-want +got):\n%s", diff)
	}
}

// TestConfigureInvalid checks every fixture in testdata/invalid: HCL that
// the schema accepts but Configure must refuse, each mistake at the path of
// its own setting, all of them at once. Each file lists its expected paths
// as "# want: a.b.c" lines ("-" for the settings block itself).
func TestConfigureInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".hcl"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(string(src), "\n") {
				if p, ok := strings.CutPrefix(line, "# want: "); ok {
					want = append(want, strings.TrimSpace(p))
				}
			}
			settings := decodeSettingsBody(t, parseHCL(t, file))
			c := New()
			resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "x", Settings: mustJSON(t, settings)})
			if err != nil {
				t.Fatalf("Configure: %v", err)
			}
			var got []string
			for _, d := range resp.Diagnostics {
				if d.Severity != sdk.SeverityError {
					continue
				}
				if d.Summary == "" || d.Detail == "" {
					t.Errorf("diagnostic at %v lacks summary or detail: %+v", d.Path, d)
				}
				p := strings.Join(d.Path, ".")
				if p == "" {
					p = "-"
				}
				got = append(got, p)
			}
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error paths (-want +got):\n%s\ndiagnostics: %+v", diff, resp.Diagnostics)
			}
			if _, err := c.integration("x"); err == nil {
				t.Error("a refused configuration was installed")
			}
		})
	}
}

// TestConfigureShape covers settings that did not come through the
// daemon's HCL decoding: unknown names and wrong types at their paths.
func TestConfigureShape(t *testing.T) {
	tests := []struct {
		name     string
		settings string
		want     [][]string
	}{
		{"not an object", `[1]`, [][]string{nil}},
		{"unknown top-level", `{"base_url": "https://a.example", "deletion": {"mode": "whole_record", "path": "/x"}, "token": "x"}`, [][]string{{"token"}}},
		{"unknown nested", `{"base_url": "https://a.example", "deletion": {"mode": "whole_record", "path": "/x", "paht": "/y"}}`, [][]string{{"deletion", "paht"}}},
		{"wrong type", `{"base_url": 5, "deletion": {"mode": "whole_record", "path": "/x"}}`, [][]string{{"base_url"}}},
		{"wrong nested type", `{"base_url": "https://a.example", "access": {"path": "/x", "records_path": "$", "query": {"a": 1}}}`, [][]string{{"access", "query"}}},
		{"missing required", `{"deletion": {"mode": "whole_record"}}`, [][]string{{"deletion", "path"}, {"base_url"}}},
		{"block not an object", `{"base_url": "https://a.example", "auth": "token"}`, [][]string{{"auth"}}},
		{"missing status block", `{"base_url": "https://a.example", "deletion": {"mode": "whole_record", "path": "/x", "async": {"job_id_path": "$.id", "status_path": "$.s", "done_values": ["d"]}}}`, [][]string{{"deletion", "async"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New().Configure(context.Background(), &sdk.ConfigureRequest{Integration: "x", Settings: sdk.Settings(tt.settings)})
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, d := range resp.Diagnostics {
				got = append(got, d.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("paths (-want +got):\n%s\n%+v", diff, resp.Diagnostics)
			}
		})
	}
}

// TestExamplesValidate decodes every shipped example as the daemon would
// and validates it offline, as dsrhost validate does: no diagnostic, and
// nothing is contacted (nothing listens at the examples' addresses).
func TestExamplesValidate(t *testing.T) {
	for _, file := range examples(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			settings := exampleSettings(t, file)
			c := New()
			resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "example", Settings: mustJSON(t, settings), ValidateOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Diagnostics) != 0 {
				t.Errorf("diagnostics = %+v", resp.Diagnostics)
			}
			if _, err := c.integration("example"); err == nil {
				t.Error("validation installed the configuration")
			}
		})
	}
}

// TestExamplesConfigureOffline configures every example against an address
// where nothing listens: the credential check cannot run, which is a
// warning, not an error, so an outage does not stop the daemon.
func TestExamplesConfigureOffline(t *testing.T) {
	for _, file := range examples(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			settings := exampleSettings(t, file)
			settings["base_url"] = "http://127.0.0.1:1/v1" // nothing listens on port 1
			if auth, ok := settings["auth"].(map[string]any); ok {
				if o, ok := auth["oauth2"].(map[string]any); ok {
					o["token_url"] = "http://127.0.0.1:1/oauth/token"
				}
			}
			c, _ := newTestConnector()
			diags := configure(t, c, "example", settings)
			if _, err := c.integration("example"); err != nil {
				t.Fatal(err)
			}
			checks := settings["test_request"] != nil || strings.Contains(string(mustJSON(t, settings["auth"])), "token_url")
			if checks && len(diags) != 1 || !checks && len(diags) != 0 {
				t.Errorf("diagnostics = %+v", diags)
			}
			for _, d := range diags {
				if d.Severity != sdk.SeverityWarning || d.Err == nil || d.Err.Type != sdk.ErrorUnavailable {
					t.Errorf("unexpected diagnostic %+v", d)
				}
			}
		})
	}
}

func examples(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../../examples/genericrest/*.hcl")
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least three examples, got %v (%v)", files, err)
	}
	return files
}

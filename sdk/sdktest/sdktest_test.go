package sdktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testConnector   = "github.com/dsrhost/dsrhost/plugins/internal/testconnector"
	brokenConnector = "github.com/dsrhost/dsrhost/plugins/internal/brokenconnector"
)

// testConnectorConfig is a full conformance run of the test connector.
func testConnectorConfig(t T, typ string) Config {
	return Config{
		Binary:         Build(t, testConnector),
		Args:           []string{"-type", typ},
		ValidSettings:  map[string]any{"token": "test-token", "polls": 2},
		SecondSettings: map[string]any{"token": "other-token", "polls": 2, "records": 3},
		InvalidSettings: []SettingsCase{
			{Name: "refused token", Settings: map[string]any{"token": "wrong"}, WantPath: []string{"token"}},
			{Name: "negative records", Settings: map[string]any{"records": -1}, WantPath: []string{"records"}},
			{Name: "unknown crash point", Settings: map[string]any{"crash_on": "sometimes"}, WantPath: []string{"crash_on"}},
			{Name: "token removed", Settings: map[string]any{"token": nil}, WantPath: []string{"token"}},
		},
	}
}

func TestTestConnectorConforms(t *testing.T) {
	for _, typ := range []string{"sync", "async", "whole_record", "direct_contact"} {
		t.Run(typ, func(t *testing.T) {
			Run(t, testConnectorConfig(t, typ))
		})
	}
}

// TestRecorderSeesAPass guards the tests below: a conforming connector
// run through the recorder records nothing, so their failures come from
// the broken rule alone.
func TestRecorderSeesAPass(t *testing.T) {
	r := record(t, func(rt T) { Run(rt, testConnectorConfig(rt, "async")) })
	if r.Failed() {
		t.Fatalf("conforming connector failed:\n%s", r.report())
	}
}

func TestHarnessCatchesBrokenConnector(t *testing.T) {
	tests := []struct {
		mode string
		want []string
	}{
		{"describe", []string{
			`Describe: a Whole-Record Deletion API cannot extract first, so must not declare capability "access"`,
			`Describe: settings: attribute name "api key" is not a valid HCL identifier`,
			`Describe: settings: attribute "token" is required and has a default`,
		}},
		{"shared", []string{
			`Two integrations in one process: after configuring "sdktest-b"`,
		}},
		{"leak", []string{
			`Access (integration "sdktest-a"): error quotes the subject's email`,
			`Access (integration "sdktest-a"): error quotes the value of a Sensitive setting`,
		}},
		{"idempotency", []string{
			`Access (integration "sdktest-a"): the same job with the same idempotency key gave different answers`,
		}},
		{"errorshape", []string{
			`Access (integration "sdktest-a"): error has no known type (got "")`,
			`Access (integration "sdktest-a"): error of type "" has an empty message`,
			`Delete (integration "sdktest-a"): error has no known type (got "")`,
		}},
		{"polling", []string{
			`Access (integration "sdktest-a"): still pending after 3 polls`,
			`Delete (integration "sdktest-a"): still pending after 3 polls`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			r := record(t, func(rt T) {
				Run(rt, Config{
					Binary:         Build(rt, brokenConnector),
					Args:           []string{"-break", tt.mode},
					ValidSettings:  map[string]any{"token": "test-token"},
					SecondSettings: map[string]any{"token": "other-token"},
					MaxPolls:       3,
				})
			})
			if !r.Failed() {
				t.Fatalf("harness passed a connector that breaks %q", tt.mode)
			}
			got := r.report()
			t.Logf("harness report:\n%s", got)
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("report lacks %q; got:\n%s", want, got)
				}
			}
			if strings.Contains(got, "FATAL") {
				t.Errorf("harness stopped instead of reporting:\n%s", got)
			}
			// The connector never checks its required token: the sdk
			// reports it from the schema, so that check passes (but for
			// the mode whose token has a default the harness fills in).
			if tt.mode != "describe" && strings.Contains(got, "for the missing required attribute") {
				t.Errorf("the sdk did not report the missing required token for the connector:\n%s", got)
			}
		})
	}
}

func TestHarnessCatchesWrongSettingsCases(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(Config) Config
		want string
	}{
		{
			name: "an invalid case the connector accepts",
			cfg: func(c Config) Config {
				c.InvalidSettings = []SettingsCase{{Name: "fine really", Settings: map[string]any{"records": 5}, WantPath: []string{"records"}}}
				return c
			},
			want: `Configure with invalid settings "fine really": no error diagnostic at path [records]`,
		},
		{
			name: "valid settings the connector refuses",
			cfg: func(c Config) Config {
				c.ValidSettings = map[string]any{"token": "wrong"}
				return c
			},
			want: "Configure with ValidSettings: want no error diagnostic, got error at [token]",
		},
		{
			name: "jobs failing with valid settings",
			cfg: func(c Config) Config {
				c.ValidSettings = map[string]any{"token": "t", "fail_with": "rate_limited", "fail_status": 429}
				return c
			},
			want: `Access (integration "sdktest-a"): delivery 1 of the job failed with valid settings: rate_limited (status 429)`,
		},
		{
			name: "a plugin that crashes mid-job",
			cfg: func(c Config) Config {
				c.ValidSettings = map[string]any{"token": "t", "crash_on": "access"}
				return c
			},
			want: `Access (integration "sdktest-a"): delivery 1 of the job failed with valid settings: plugin_crashed`,
		},
		{
			name: "too few polls allowed",
			cfg: func(c Config) Config {
				c.ValidSettings = map[string]any{"token": "t", "polls": 5}
				c.MaxPolls = 2
				return c
			},
			want: `Access (integration "sdktest-a"): still pending after 2 polls`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record(t, func(rt T) {
				Run(rt, tt.cfg(testConnectorConfig(rt, "async")))
			})
			if got := r.report(); !strings.Contains(got, tt.want) {
				t.Errorf("report lacks %q; got:\n%s", tt.want, got)
			}
		})
	}
}

func TestLaunchFailuresAreFatal(t *testing.T) {
	r := record(t, func(rt T) { Launch(rt, filepath.Join(t.TempDir(), "missing")) })
	if got := r.report(); !strings.Contains(got, "FATAL: sdktest.Launch") {
		t.Errorf("report = %q, want a fatal Launch failure", got)
	}

	r = record(t, func(rt T) { Run(rt, Config{}) })
	if got := r.report(); !strings.Contains(got, "Config.Binary is empty") {
		t.Errorf("report = %q, want a fatal empty-binary failure", got)
	}
}

func TestBuildIsCachedPerProcess(t *testing.T) {
	first := Build(t, testConnector)
	info, err := os.Stat(first)
	if err != nil {
		t.Fatalf("built binary: %v", err)
	}
	if info.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable", first)
	}
	if second := Build(t, testConnector); second != first {
		t.Errorf("second Build = %s, want the cached %s", second, first)
	}
	after, err := os.Stat(first)
	if err != nil || !after.ModTime().Equal(info.ModTime()) {
		t.Errorf("second Build rebuilt the binary")
	}
}

func TestBuildReportsCompileErrors(t *testing.T) {
	r := record(t, func(rt T) { Build(rt, "github.com/dsrhost/dsrhost/sdk/sdktest/testdata/nosuchpackage") })
	if got := r.report(); !strings.Contains(got, "FATAL: sdktest.Build") || !strings.Contains(got, "go build") {
		t.Errorf("report = %q, want a fatal go build failure", got)
	}
}

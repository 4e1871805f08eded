package command

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
)

// TestVersion covers `dsrhost version` in text and JSON (by flag and by
// DSRHOST_FORMAT) and `--version`, which keeps printing one line.
func TestVersion(t *testing.T) {
	res := runCLI(t, "version")
	for _, want := range []string{"dsrhost " + Version, "Go:              " + runtime.Version(), "Plugin protocol: 1", "Commit:"} {
		if res.code != 0 || !strings.Contains(res.stdout, want) {
			t.Errorf("version: code %d, output lacks %q:\n%s%s", res.code, want, res.stdout, res.stderr)
		}
	}
	for _, tt := range []struct {
		name string
		env  string
		args []string
	}{{"flag", "", []string{"version", "-format", "json"}}, {"env", "json", []string{"version"}}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DSRHOST_FORMAT", tt.env)
			res := runCLI(t, tt.args...)
			var b BuildInfo
			if err := json.Unmarshal([]byte(res.stdout), &b); err != nil || res.code != 0 {
				t.Fatalf("code %d, not JSON (%v):\n%s%s", res.code, err, res.stdout, res.stderr)
			}
			if b.Version != Version || b.GoVersion != runtime.Version() || b.PluginProtocol != sdk.ProtocolVersion || b.Commit == "" {
				t.Errorf("build info %+v", b)
			}
		})
	}
	if res := runCLI(t, "--version"); res.code != 0 || !strings.HasPrefix(res.stdout, "dsrhost "+Version) || strings.Count(res.stdout, "\n") != 1 {
		t.Errorf("--version: code %d %q", res.code, res.stdout)
	}
	if res := runCLI(t, "version", "-format", "yaml"); res.code != exitUsage {
		t.Errorf("-format yaml: code %d", res.code)
	}
}

// TestNoCommandIsUsage: a bare dsrhost or an unknown command prints the
// help to stderr and exits 2, the documented code for usage mistakes.
func TestNoCommandIsUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"request", "frobnicate"}} {
		res := runCLI(t, args...)
		if res.code != exitUsage || !strings.Contains(res.stderr, "Usage: dsrhost") {
			t.Errorf("dsrhost %v: code %d, stderr:\n%s", args, res.code, res.stderr)
		}
	}
	if res := runCLI(t, "-h"); res.code != exitOK || !strings.Contains(res.stdout, "version") {
		t.Errorf("dsrhost -h: code %d\n%s", res.code, res.stdout)
	}
}

// TestFormatFromEnvironment: DSRHOST_FORMAT sets client commands' default
// output; -format still wins, and a bad value is a usage error.
func TestFormatFromEnvironment(t *testing.T) {
	cliServer(t)
	t.Setenv("DSRHOST_FORMAT", "json")
	res := runCLI(t, "integration", "list")
	if res.code != 0 || !json.Valid([]byte(res.stdout)) {
		t.Errorf("DSRHOST_FORMAT=json: code %d, not JSON:\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := runCLI(t, "integration", "list", "-format", "table"); res.code != 0 || json.Valid([]byte(res.stdout)) {
		t.Errorf("-format table under DSRHOST_FORMAT=json: code %d\n%s", res.code, res.stdout)
	}
	t.Setenv("DSRHOST_FORMAT", "yaml")
	if res := runCLI(t, "integration", "list"); res.code != exitUsage {
		t.Errorf("DSRHOST_FORMAT=yaml: code %d", res.code)
	}
}

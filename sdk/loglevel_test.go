package sdk

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

func TestPluginLogLevel(t *testing.T) {
	tests := []struct {
		env  string
		want hclog.Level
	}{
		{"", hclog.Trace}, // a host that does not say gets everything
		{"debug", hclog.Debug},
		{"info", hclog.Info},
		{"WARN", hclog.Warn},
		{"off", hclog.Off},
		{"loud", hclog.Trace},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(logLevelEnv, tt.env)
			if got := pluginLogLevel(); got != tt.want {
				t.Errorf("pluginLogLevel() with %s=%q = %s, want %s", logLevelEnv, tt.env, got, tt.want)
			}
		})
	}
}

func TestClientConfigTellsTheLogLevel(t *testing.T) {
	tests := []struct {
		name   string
		logger hclog.Logger
		want   []string
	}{
		{"info host", hclog.New(&hclog.LoggerOptions{Level: hclog.Info}), []string{logLevelEnv + "=info"}},
		{"off host", hclog.New(&hclog.LoggerOptions{Level: hclog.Off}), []string{logLevelEnv + "=off"}},
		// A logger with no level of its own (hclog's null logger, a
		// custom one) may keep anything: the plugin sends everything.
		{"null logger", hclog.NewNullLogger(), nil},
		{"no logger", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("/bin/true")
			cmd.Env = []string{"KEEP=1"}
			ClientConfig(cmd, nil, tt.logger)
			if want := append([]string{"KEEP=1"}, tt.want...); !slices.Equal(cmd.Env, want) {
				t.Errorf("cmd.Env = %q, want %q", cmd.Env, want)
			}
		})
	}
}

// TestPluginSendsOnlyLinesTheHostKeeps reads what the plugin process
// writes on its stderr before the host parses it: a line below the host's
// level is never sent, one at or above it is.
func TestPluginSendsOnlyLinesTheHostKeeps(t *testing.T) {
	tests := []struct {
		level hclog.Level
		sent  bool
	}{
		{hclog.Debug, true},
		{hclog.Info, true},
		{hclog.Warn, false},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			logger := hclog.New(&hclog.LoggerOptions{Name: "host", Level: tt.level, Output: &testlog.Buffer{}})
			cfg := ClientConfig(helperCmd("serve"), selfChecksum(t), logger)
			raw := &testlog.Buffer{}
			cfg.Stderr = raw
			client := plugin.NewClient(cfg)
			t.Cleanup(client.Kill)
			remote, err := Dispense(client)
			if err != nil {
				t.Fatalf("Dispense: %v", err)
			}
			// The helper logs "configured" at info level.
			if _, err := remote.Configure(context.Background(), &ConfigureRequest{Integration: "crm"}); err != nil {
				t.Fatalf("Configure: %v", err)
			}
			client.Kill() // drains the plugin's stderr
			if got := strings.Contains(raw.String(), `"configured"`); got != tt.sent {
				t.Errorf("host at %s: info line sent = %v, want %v; plugin stderr:\n%s", tt.level, got, tt.sent, raw.String())
			}
		})
	}
}

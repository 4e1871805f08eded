package pluginhost_test

import (
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// TestPluginLogFollowsTheHostsLevel runs the test connector under hosts
// logging at info (the daemon's default) and at debug: its configure line
// (info) reaches both logs, its per-call line (debug) only the debug one.
func TestPluginLogFollowsTheHostsLevel(t *testing.T) {
	tests := []struct {
		level       hclog.Level
		wantPerCall bool
	}{
		{hclog.Info, false},
		{hclog.Debug, true},
	}
	bin := sdktest.Build(t, testConnectorPkg)
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			logs := &testlog.Buffer{}
			h := pluginhost.New(hclog.New(&hclog.LoggerOptions{Name: "dsrhost", Level: tt.level, Output: logs}), fastOptions)
			p := startTestConnector(t, h, "crm-plugin", bin)
			configure(t, p, settings(""))
			accessRecords(t, p)
			h.Close() // drains the plugin's stderr into the log
			if !strings.Contains(logs.String(), "configured") {
				t.Errorf("host at %s: no configure line in the log:\n%s", tt.level, logs.String())
			}
			if got := strings.Contains(logs.String(), "access answered"); got != tt.wantPerCall {
				t.Errorf("host at %s: per-call line logged = %v, want %v; log:\n%s", tt.level, got, tt.wantPerCall, logs.String())
			}
		})
	}
}

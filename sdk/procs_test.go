package sdk

import (
	"context"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// TestPluginRunsOnOneProcessor launches a plugin that describes itself
// with the GOMAXPROCS it runs with: one, unless the environment chooses.
func TestPluginRunsOnOneProcessor(t *testing.T) {
	tests := []struct {
		env  string
		want string
	}{
		{"", "1"},
		{"2", "2"},
	}
	for _, tt := range tests {
		t.Run("GOMAXPROCS="+tt.env, func(t *testing.T) {
			// go-plugin hands the plugin this process's environment.
			t.Setenv("GOMAXPROCS", tt.env)
			client := plugin.NewClient(ClientConfig(helperCmd("procs"), selfChecksum(t), hclog.NewNullLogger()))
			t.Cleanup(client.Kill)
			remote, err := Dispense(client)
			if err != nil {
				t.Fatalf("Dispense: %v", err)
			}
			d, err := remote.Describe(context.Background())
			if err != nil {
				t.Fatalf("Describe: %v", err)
			}
			if d.Version != tt.want {
				t.Errorf("plugin GOMAXPROCS = %s, want %s", d.Version, tt.want)
			}
		})
	}
}

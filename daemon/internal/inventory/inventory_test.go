package inventory

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// TestBuild launches the real genericrest plugin: an integration its
// settings narrow is described as what it is, and a plugin-side settings
// error points at its own line.
func TestBuild(t *testing.T) {
	bin := sdktest.Build(t, "github.com/dsrhost/dsrhost/plugins/genericrest")
	src, err := os.ReadFile("testdata/narrowed.hcl")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "narrowed.hcl")
	if err := os.WriteFile(path, []byte(strings.Replace(string(src), "PLUGIN", bin, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, diags := config.Load(path)
	if diags.HasErrors() {
		t.Fatalf("config: %v", diags)
	}
	host := pluginhost.New(nil, pluginhost.Options{})
	t.Cleanup(host.Close)

	inv, diags := Build(context.Background(), cfg, host, Options{ValidateOnly: true})
	if len(diags) != 1 || diags[0].Subject == nil || diags[0].Subject.Start.Line != 32 {
		t.Fatalf("want one diagnostic at line 32 (records_path), got %v", diags)
	}
	if _, ok := inv.Integrations["bad-setting"]; ok {
		t.Error("an integration with errors is in the inventory")
	}
	eraser, ok := inv.Integrations["eraser"]
	if !ok {
		t.Fatal("eraser missing from the inventory")
	}
	d := eraser.Description()
	if d.Type != sdk.WholeRecordDeletionAPI || d.Can(sdk.CapabilityAccess) || !d.Can(sdk.CapabilityDelete) {
		t.Errorf("eraser described as %v %v, want a Whole-Record Deletion API that only deletes", d.Type, d.Capabilities)
	}
	// The plugin's own description is untouched.
	if eraser.Plugin.Describe().Type != sdk.SynchronousAPI {
		t.Errorf("plugin description changed to %v", eraser.Plugin.Describe().Type)
	}
}

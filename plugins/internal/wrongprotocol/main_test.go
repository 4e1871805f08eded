package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// TestHostRefusesIt launches the built binary as a host does and checks
// that the refusal names both protocol versions.
func TestHostRefusesIt(t *testing.T) {
	bin := sdktest.Build(t, ".")
	client := plugin.NewClient(sdk.ClientConfig(exec.Command(bin), nil, hclog.NewNullLogger()))
	t.Cleanup(client.Kill)
	_, err := sdk.Dispense(client)
	if err == nil {
		t.Fatal("Dispense succeeded against a protocol version 99 plugin")
	}
	for _, want := range []string{"Plugin version: 99", "Client versions: [1]", "host speaks connector protocol version 1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

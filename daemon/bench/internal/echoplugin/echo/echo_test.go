package echo

import (
	"bytes"
	"context"
	"os/exec"
	"testing"

	"github.com/hashicorp/go-plugin"

	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// TestEchoThroughGoPlugin launches the real echo binary as the benchmark
// does and checks that a call returns its argument.
func TestEchoThroughGoPlugin(t *testing.T) {
	bin := sdktest.Build(t, "github.com/dsrhost/dsrhost/daemon/bench/internal/echoplugin")
	client := plugin.NewClient(ClientConfig(exec.Command(bin)))
	t.Cleanup(client.Kill)
	e, err := Dispense(client)
	if err != nil {
		t.Fatalf("launch echo plugin: %v", err)
	}
	for _, payload := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte{0, 1, 2, 255}, 1024)} {
		got, err := e.Echo(context.Background(), payload)
		if err != nil {
			t.Fatalf("echo %d bytes: %v", len(payload), err)
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("echo of %d bytes returned %d different bytes", len(payload), len(got))
		}
	}
}

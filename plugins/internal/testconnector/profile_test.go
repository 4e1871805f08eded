package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// TestCPUProfileOnRequest runs the real binary with cpuProfileEnv set, as
// a profiling session does, and checks that stopping the plugin leaves a
// CPU profile (gzip-compressed protobuf, as runtime/pprof writes it).
func TestCPUProfileOnRequest(t *testing.T) {
	bin := sdktest.Build(t, "github.com/dsrhost/dsrhost/plugins/internal/testconnector")
	path := filepath.Join(t.TempDir(), "plugin.pprof")
	cmd := exec.Command(bin, "-type", "sync")
	cmd.Env = append(os.Environ(), cpuProfileEnv+"="+path)
	client := plugin.NewClient(sdk.ClientConfig(cmd, nil, hclog.NewNullLogger()))
	t.Cleanup(client.Kill)
	remote, err := sdk.Dispense(client)
	if err != nil {
		t.Fatalf("launch: %v", err)
	}
	ctx := context.Background()
	if _, err := remote.Configure(ctx, &sdk.ConfigureRequest{Settings: sdk.Settings(`{"token":"t","records":0}`)}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := remote.Access(ctx, &sdk.AccessRequest{Job: job("k")}); err != nil {
		t.Fatalf("Access: %v", err)
	}
	client.Kill() // a graceful stop: Serve returns and the profile is written

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no profile written: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("profile is not gzip-compressed: %v", err)
	}
	if body, err := io.ReadAll(zr); err != nil || len(body) == 0 {
		t.Errorf("profile body: %d bytes, %v", len(body), err)
	}
}

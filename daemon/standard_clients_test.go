package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStandardClientsAgainstDevMode runs grpcurl and `buf curl`, unmodified
// and pinned in tools/go.mod, against `dsrhost server -dev` as a newcomer
// would: health and the service list answer without a token (the schema
// is public), a data method answers with only an Authorization header,
// and the same method without it is refused.
func TestStandardClientsAgainstDevMode(t *testing.T) {
	t.Parallel()
	grpcurl, buf := goTool(t, "grpcurl"), goTool(t, "buf")
	_, addr, _ := startDevMode(t)
	auth := "Authorization: Bearer " + opsToken
	const list = "dsrhost.admin.v1.IntegrationService/ListIntegrations"

	tests := []struct {
		name    string
		cmd     []string
		want    string
		refused bool
	}{
		{"grpcurl health without a token", []string{grpcurl, "-plaintext", addr, "grpc.health.v1.Health/Check"}, `"status": "SERVING"`, false},
		{"grpcurl list without a token", []string{grpcurl, "-plaintext", addr, "list"}, "dsrhost.admin.v1.RequestService", false},
		{"grpcurl describe without a token", []string{grpcurl, "-plaintext", addr, "describe", "dsrhost.admin.v1.RequestService"}, "rpc CreateRequest", false},
		{"grpcurl call with only a header", []string{grpcurl, "-plaintext", "-H", auth, addr, list}, `"name": "demo-crm"`, false},
		{"grpcurl call without a token", []string{grpcurl, "-plaintext", addr, list}, "Unauthenticated", true},
		{"buf curl, Connect", []string{buf, "curl", "-H", auth, "http://" + addr + "/" + list}, `"name": "demo-crm"`, false},
		{"buf curl, gRPC", []string{buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "-H", auth, "http://" + addr + "/" + list}, `"name": "demo-crm"`, false},
		{"buf curl without a token", []string{buf, "curl", "http://" + addr + "/" + list}, "unauthenticated", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			cmd := exec.Command(tt.cmd[0], tt.cmd[1:]...)
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if tt.refused != (err != nil) {
				t.Fatalf("%s: err = %v (want refused: %v)\n%s", strings.Join(tt.cmd[1:], " "), err, tt.refused, out.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Fatalf("%s: output lacks %q:\n%s", strings.Join(tt.cmd[1:], " "), tt.want, out.String())
			}
		})
	}
}

// goTool builds (once, through the build cache) a tool pinned in
// tools/go.mod and returns its path.
func goTool(t *testing.T, name string) string {
	t.Helper()
	cmd := exec.Command("go", "tool", "-n", name)
	cmd.Dir = filepath.Join("..", "tools")
	// Only stdout names the binary: on a fresh module cache, stderr
	// carries "go: downloading ..." lines.
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool -n %s: %v\n%s", name, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

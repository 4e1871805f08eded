package main

import (
	"bytes"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// TestReload: SIGHUP applies an edited configuration without dropping
// work in flight; a bad file is reported and the running one kept; an
// admin can reload through the API too.
func TestReload(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	path := c.config("reload.hcl", addr, "200ms")
	good, _ := os.ReadFile(path)
	// Start with crm alone: cut the other two integrations out.
	start := good[:bytes.Index(good, []byte("\nplugin \"test-analytics\""))]
	if err := os.WriteFile(path, start, 0o600); err != nil {
		t.Fatal(err)
	}
	d := c.startDaemon(path)
	testbin.WaitServing(t, addr, d.log)
	list := func() string { return cli(t, c.bin, addr, "integration", "list") }
	if l := list(); strings.Contains(l, "eraser") || !strings.Contains(l, "crm") {
		t.Fatalf("before reload:\n%s", l)
	}
	out := cli(t, c.bin, addr, "request", "create", "-type", "deletion", "-email", "ada@example.com")
	id := out[strings.Index(out, "request ")+8:][:26]

	// Add the other integrations while the request's jobs run.
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "eraser listed after SIGHUP", func() bool { return strings.Contains(list(), "eraser") })
	waitFor(t, "the request planned before the reload to reach Reply", func() bool {
		return strings.Contains(cli(t, c.bin, addr, "request", "get", id), "Reply")
	})
	if got := cli(t, c.bin, addr, "request", "get", id); !strings.Contains(got, "Complete 2 records deleted") {
		t.Errorf("request across the reload:\n%s", got)
	}

	// A bad file is refused and the running configuration kept.
	if err := os.WriteFile(path, append(append([]byte{}, good...), []byte("\nintegration \"broken\" {\n  plugin = \"nowhere\"\n}\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the refusal logged", func() bool { return strings.Contains(d.log(), "reload refused") })
	if l := list(); strings.Contains(l, "broken") || !strings.Contains(l, "eraser") {
		t.Errorf("after a bad reload:\n%s", l)
	}
	if !strings.Contains(d.log(), "reload.hcl:") {
		t.Errorf("the refusal does not point at the file:\n%s", d.log())
	}

	// The same through ConfigService, as an admin.
	var res struct {
		Applied     bool     `json:"applied"`
		Diagnostics []string `json:"diagnostics"`
	}
	if code := call(t, addr, opsToken, "dsrhost.admin.v1.ConfigService/ReloadConfig", map[string]any{}, &res); code != 200 {
		t.Fatalf("ReloadConfig: %d", code)
	}
	if res.Applied || len(res.Diagnostics) == 0 || !strings.Contains(res.Diagnostics[0], "nowhere") {
		t.Errorf("ReloadConfig of a bad file = %+v", res)
	}
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	res.Applied = false
	call(t, addr, opsToken, "dsrhost.admin.v1.ConfigService/ReloadConfig", map[string]any{}, &res)
	if !res.Applied {
		t.Errorf("ReloadConfig of the good file not applied: %+v", res)
	}
}

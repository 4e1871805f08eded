package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// TestReloadRelaunchesOnlyChangedPlugins sends SIGHUP five times without a
// change (no plugin may be relaunched, no process left behind), then edits
// one integration's settings (still no relaunch: Configure applies them)
// and one plugin's arguments (that plugin alone is relaunched); a SIGTERM
// right after a reload must not wait out the 30 s drain.
func TestReloadRelaunchesOnlyChangedPlugins(t *testing.T) {
	c := newCluster(t)
	addr := freeAddr(t)
	path := c.config("plugins.hcl", addr, "0s")
	d := c.startDaemon(path)
	testbin.WaitServing(t, addr, d.log)
	first := d.pluginPIDs()
	if len(first) != 3 {
		t.Fatalf("%d plugins started, want 3:\n%s", len(first), d.log())
	}
	reload := func(n int) {
		t.Helper()
		_ = d.cmd.Process.Signal(syscall.SIGHUP)
		waitFor(t, fmt.Sprintf("reload %d applied", n), func() bool {
			return strings.Count(d.log(), "configuration reloaded") >= n
		})
	}
	for i := 1; i <= 5; i++ {
		reload(i)
	}
	if pids := d.pluginPIDs(); len(pids) != 3 {
		t.Errorf("five unchanged reloads launched %d plugin processes, want the 3 first ones", len(pids)-3)
	}
	for _, pid := range first {
		if err := syscall.Kill(pid, 0); err != nil {
			t.Errorf("plugin process %d gone after unchanged reloads: %v", pid, err)
		}
	}

	src, _ := os.ReadFile(path)
	edited := bytes.Replace(src, []byte(`delay  = "0s"`), []byte(`delay  = "1ms"`), 1)
	if bytes.Equal(edited, src) {
		t.Fatal("test configuration has no delay setting to edit")
	}
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	reload(6)
	if pids := d.pluginPIDs(); len(pids) != 3 {
		t.Errorf("a settings change relaunched %d plugins, want none", len(pids)-3)
	}

	edited2 := bytes.Replace(edited, []byte(`args    = ["-type", "async"]`), []byte(`args    = ["-type", "async", "-type", "async"]`), 1)
	if bytes.Equal(edited2, edited) {
		t.Fatal("test configuration has no analytics args to edit")
	}
	if err := os.WriteFile(path, edited2, 0o600); err != nil {
		t.Fatal(err)
	}
	reload(7)
	waitFor(t, "the changed plugin relaunched", func() bool { return len(d.pluginPIDs()) == 4 })
	if n := strings.Count(d.log(), "dsrhost.plugin.test-analytics: plugin started: version="); n != 2 {
		t.Errorf("test-analytics started %d times, want 2 (the relaunch was not of the changed plugin)", n)
	}

	// A reload refused after the plugins were carried over (a setting the
	// connector does not know) hands them back still running.
	bad := bytes.Replace(edited2, []byte(`delay  = "1ms"`), []byte("delay  = \"1ms\"\n    bogus  = 1"), 1)
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the bad reload refused", func() bool { return strings.Contains(d.log(), "reload refused") })
	if err := os.WriteFile(path, edited2, 0o600); err != nil {
		t.Fatal(err)
	}
	reload(8)
	if pids := d.pluginPIDs(); len(pids) != 4 {
		t.Errorf("after a refused reload %d plugin launches, want still 4", len(pids))
	}
	if out := cli(t, c.bin, addr, "integration", "list"); strings.Count(out, "healthy") < 3 {
		t.Errorf("plugins not healthy after a refused reload:\n%s", out)
	}

	start := time.Now()
	d.stop(syscall.SIGTERM)
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("SIGTERM right after a reload took %v: the drain was waited out", took)
	}
	t.Logf("SIGTERM after a reload: stopped in %v", time.Since(start).Round(time.Millisecond))
	waitGone(t, d.pluginPIDs(), 30*time.Second)
}

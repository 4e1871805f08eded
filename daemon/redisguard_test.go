package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

// TestRefusesEvictingRedis runs `dsrhost server` against a redis-server
// that may evict keys: the daemon must refuse to start, naming the setting
// and the fix. Then, against a server that keeps nothing on disk, it starts
// but warns; and a reload after the policy was changed to an evicting one
// is refused while the daemon keeps running.
func TestRefusesEvictingRedis(t *testing.T) {
	evicting := testredis.StartWith(t, "--maxmemory-policy", "allkeys-lru")
	c := newClusterOn(t, fmt.Sprintf("redis {\n  url = \"redis://%s/0\"\n}\n", evicting.Addr))
	d := c.startDaemon(c.config("evicting.hcl", freeAddr(t), "0s"))
	select {
	case <-d.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("the daemon started on an evicting Redis:\n%s", d.log())
	}
	if code := d.cmd.ProcessState.ExitCode(); code == 0 {
		t.Errorf("exit code 0 on an evicting Redis")
	}
	if log := d.log(); !strings.Contains(log, `maxmemory-policy is \"allkeys-lru\"`) && !strings.Contains(log, `maxmemory-policy is "allkeys-lru"`) ||
		!strings.Contains(log, "maxmemory-policy noeviction") {
		t.Errorf("the refusal does not name the setting and the fix:\n%s", log)
	}

	volatile := testredis.Start(t) // no AOF, no RDB: a warning only
	c = newClusterOn(t, fmt.Sprintf("redis {\n  url = \"redis://%s/0\"\n}\n", volatile.Addr))
	d = c.startDaemon(c.config("volatile.hcl", freeAddr(t), "0s"))
	waitLog(t, d, "dsrhost started")
	if !strings.Contains(d.log(), "neither AOF (appendonly) nor RDB snapshots (save) are on") {
		t.Errorf("no warning about a Redis without persistence:\n%s", d.log())
	}
	if err := volatile.Client.ConfigSet(t.Context(), "maxmemory-policy", "volatile-lru").Err(); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, d, `maxmemory-policy is \"volatile-lru\"`)
	select {
	case <-d.done:
		t.Fatalf("the daemon exited on a refused reload:\n%s", d.log())
	case <-time.After(500 * time.Millisecond):
	}
}

// waitLog waits until the daemon's log holds s.
func waitLog(t *testing.T, d *daemon, s string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(d.log(), s) {
		select {
		case <-d.done:
			t.Fatalf("the daemon exited before logging %q:\n%s", s, d.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not log %q:\n%s", s, d.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillNineLosesNothing kills the daemon with SIGKILL while jobs are in
// flight; a second daemon picks them up once their leases expire, and every
// request finishes with each integration completed exactly once.
func TestKillNineLosesNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for asynq's 30s lease to expire")
	}
	c := newCluster(t)
	cfgA := c.config("a.hcl", freeAddr(t), "300ms")
	ctl := c.control(cfgA)
	ids := createRequests(t, ctl, 30)

	a := c.startDaemon(cfgA)
	// Kill it once work is under way but far from done.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(a.log(), "access answered") && !strings.Contains(a.log(), "delete answered") {
		if time.Now().After(deadline) {
			t.Fatalf("no job ran within a minute; log:\n%s", a.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	pluginPIDs := a.pluginPIDs()
	a.stop(syscall.SIGKILL)
	before := len(readLedger(t, c.ledger))
	// Its plugins notice their daemon is gone and exit, idle or not.
	waitGone(t, pluginPIDs, 10*time.Second)

	b := c.startDaemon(c.config("b.hcl", freeAddr(t), "300ms"))
	waitAllReply(t, ctl, ids, 3*time.Minute)
	terminal := checkRequests(t, ctl, ids)
	runs := readLedger(t, c.ledger)
	t.Logf("%d requests, %d terminal transitions, %d connector calls (%d before the kill)", len(ids), terminal, len(runs), before)
	if before == 0 || before >= len(runs) {
		t.Errorf("the kill did not land mid-run: %d calls before, %d in all", before, len(runs))
	}
	if n := overlapping(runs); n != 0 {
		t.Errorf("%d job calls overlapped another run of the same job", n)
	}
	_ = b
}

// TestTwoDaemonsShareWork runs two daemons on one Redis: together they
// finish everything, never run one job twice at once, and each does some.
func TestTwoDaemonsShareWork(t *testing.T) {
	t.Parallel()
	twoDaemons(t, newCluster(t))
}

// TestTwoDaemonsOnRedisCluster is the same on a three-master Redis Cluster:
// how dsrhost grows past one machine.
func TestTwoDaemonsOnRedisCluster(t *testing.T) {
	t.Parallel()
	twoDaemons(t, newRedisCluster(t))
}

func twoDaemons(t *testing.T, c *cluster) {
	cfgA := c.config("a.hcl", freeAddr(t), "50ms")
	ctl := c.control(cfgA)
	c.startDaemon(cfgA)
	c.startDaemon(c.config("b.hcl", freeAddr(t), "50ms"))
	ids := createRequests(t, ctl, 60)

	waitAllReply(t, ctl, ids, 3*time.Minute)
	terminal := checkRequests(t, ctl, ids)
	runs := readLedger(t, c.ledger)
	if n := overlapping(runs); n != 0 {
		t.Errorf("%d job calls overlapped another run of the same job", n)
	}
	// Each daemon runs its own plugin processes: count calls per daemon by
	// the plugin processes' pids.
	pids := map[int]int{}
	for _, r := range runs {
		pids[r.pid]++
	}
	t.Logf("%d requests, %d terminal transitions, %d connector calls over %d plugin processes", len(ids), terminal, len(runs), len(pids))
	if len(pids) < 4 {
		t.Errorf("calls came from %d plugin processes; both daemons should have run jobs (3 plugins each)", len(pids))
	}
}

package flow_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

func key(name string) flow.Key {
	return flow.Key{Name: name, Tag: "q:" + name, Gate: "asynq:{q:" + name + "}:paused"}
}

func mustAcquire(t *testing.T, l *flow.Limiter, k flow.Key, lim flow.Limits, holder string) flow.Decision {
	t.Helper()
	d, err := l.Acquire(context.Background(), k, lim, holder)
	if err != nil {
		t.Fatalf("acquire %s: %v", holder, err)
	}
	return d
}

func TestConcurrencyGateAndRelease(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	var waits []string
	l := flow.New(srv.Client, "t")
	l.OnWait = func(name, reason string) { waits = append(waits, name+"/"+reason) }
	k := key("crm")
	lim := flow.Limits{Concurrency: 2, Lease: time.Minute}
	gateShut := func() bool {
		n, err := srv.Client.Exists(ctx, k.Gate).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}

	a := mustAcquire(t, l, k, lim, "a")
	b := mustAcquire(t, l, k, lim, "b")
	if a.Permit == nil || b.Permit == nil {
		t.Fatal("a call within the limit refused")
	}
	// Calls just started: the next may come back shortly, the gate open.
	c := mustAcquire(t, l, k, lim, "c")
	if c.Permit != nil || c.Reason != flow.ReasonConcurrency || c.Gated || c.Wait <= 0 || c.Wait > 250*time.Millisecond {
		t.Fatalf("third call: %+v, want a short wait for concurrency, gate open", c)
	}
	if gateShut() {
		t.Fatal("gate shut while the calls in flight are young")
	}
	// Calls running past a second: the gate shuts so queued jobs wait in
	// the queue.
	time.Sleep(1100 * time.Millisecond)
	c = mustAcquire(t, l, k, lim, "c")
	if c.Permit != nil || !c.Gated || c.Wait > time.Second {
		t.Fatalf("call behind stuck slots: %+v, want the gate shut for at most 1s", c)
	}
	if !gateShut() {
		t.Fatal("gate open with every slot stuck")
	}
	if got, _ := l.InFlight(ctx, k); got != 2 {
		t.Fatalf("in flight = %d, want 2", got)
	}
	if err := a.Permit.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Permit.Release(ctx); err != nil { // twice is harmless
		t.Fatal(err)
	}
	if gateShut() {
		t.Fatal("gate still shut after a release")
	}
	if d := mustAcquire(t, l, k, lim, "c"); d.Permit == nil {
		t.Fatalf("call after a release refused: %+v", d)
	}
	if len(waits) != 2 || waits[0] != "crm/concurrency" {
		t.Fatalf("OnWait saw %v", waits)
	}
	// Another integration is not held back.
	if d := mustAcquire(t, l, key("mail"), lim, "a"); d.Permit == nil {
		t.Fatal("another integration refused")
	}
}

// A slow rate shuts the gate between calls; a fast one does not.
func TestRateGate(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	l := flow.New(srv.Client, "t")
	for _, tt := range []struct {
		name string
		lim  flow.Limits
		gate bool
	}{
		{"fast", flow.Limits{Requests: 10, Per: time.Second}, false},
		{"slow", flow.Limits{Requests: 1, Per: 2 * time.Second}, true},
	} {
		k := key(tt.name)
		if d := mustAcquire(t, l, k, tt.lim, "a"); d.Permit == nil {
			t.Fatalf("%s: first call refused", tt.name)
		}
		d := mustAcquire(t, l, k, tt.lim, "b")
		if d.Permit != nil || d.Reason != flow.ReasonRate || d.Gated != tt.gate {
			t.Fatalf("%s: second call %+v, want a rate wait, gated %v", tt.name, d, tt.gate)
		}
		if n, _ := srv.Client.Exists(ctx, k.Gate).Result(); (n == 1) != tt.gate {
			t.Fatalf("%s: gate key exists = %v", tt.name, n == 1)
		}
	}
}

// A held slot's lease is renewed while its call runs, however long; a
// daemon killed mid-call stops renewing, and its slot is free within a
// lease, not after the call's timeout.
func TestLeaseRenewedWhileHeldRecoveredAfterDeath(t *testing.T) {
	srv := testredis.Start(t)
	dying := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	t.Cleanup(func() { dying.Close() })
	l := flow.New(srv.Client, "t")
	k := key("crm")
	lim := flow.Limits{Concurrency: 1, Lease: 450 * time.Millisecond}
	if d := mustAcquire(t, flow.New(dying, "t"), k, lim, "dead"); d.Permit == nil {
		t.Fatal("first call refused")
	}
	// Three leases long, the call keeps its slot.
	for end := time.Now().Add(3 * lim.Lease); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if d := mustAcquire(t, l, k, lim, "b"); d.Permit != nil {
			t.Fatal("a second call admitted over concurrency 1 while the first runs: its lease was not renewed")
		}
	}
	// Its daemon dies: no more renewals, no release.
	dying.Close()
	died := time.Now()
	for {
		d := mustAcquire(t, l, k, lim, "b")
		if d.Permit != nil {
			break
		}
		if time.Since(died) > 10*time.Second {
			t.Fatal("the dead holder's slot was never recovered")
		}
		time.Sleep(min(d.Wait, 20*time.Millisecond))
	}
	if took := time.Since(died); took > 5*time.Second {
		t.Fatalf("the dead holder's slot came back after %v; its lease is %v", took, lim.Lease)
	}
}

// A rate far above what any daemon does keeps its meaning: spacing is
// kept in microseconds, so a million per second admits calls in a
// tight loop instead of one a millisecond.
func TestFastRateAdmitsAtOnce(t *testing.T) {
	srv := testredis.Start(t)
	l := flow.New(srv.Client, "t")
	k := key("fast")
	lim := flow.Limits{Requests: 1_000_000, Per: time.Second, Concurrency: 1000}
	refused := 0
	for i := range 200 {
		d := mustAcquire(t, l, k, lim, fmt.Sprint(i))
		if d.Permit == nil {
			refused++
			if d.Gated || d.Wait > time.Millisecond {
				t.Fatalf("call %d: %+v, want at most a microsecond's wait with the gate open", i, d)
			}
		}
	}
	// Two calls within one microsecond of Redis's clock are rare.
	if refused > 20 {
		t.Fatalf("%d of 200 calls refused under a rate of a million a second", refused)
	}
	if n, _ := srv.Client.Exists(context.Background(), k.Gate).Result(); n != 0 {
		t.Fatal("a fast rate shut the gate")
	}
}

// hammer runs workers goroutines on each limiter (each a daemon), each
// asking for calls to k under lim in a loop until stop. An admitted call
// runs call(daemon, i, permit) and is released after; a refused one is
// checked by refused and waits its Wait (at most maxWait).
func hammer(t *testing.T, limiters []*flow.Limiter, workers int, stop time.Time, k flow.Key, lim flow.Limits, maxWait time.Duration,
	call func(daemon, i int) error, refused func(flow.Decision)) {
	t.Helper()
	var wg sync.WaitGroup
	for d, l := range limiters {
		for w := range workers {
			wg.Go(func() {
				for i := 0; time.Now().Before(stop); i++ {
					dec, err := l.Acquire(context.Background(), k, lim, fmt.Sprintf("%d-%d-%d", d, w, i))
					if err != nil {
						t.Error(err)
						return
					}
					if dec.Permit == nil {
						refused(dec)
						time.Sleep(min(dec.Wait, maxWait))
						continue
					}
					err = call(d, i)
					if rerr := dec.Permit.Release(context.Background()); err == nil {
						err = rerr
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}

// Two limiters (two daemons) hammering one rate: no window of length Per
// sees more than Requests starts, and the rate is used.
func TestRateSharedAcrossLimiters(t *testing.T) {
	srv := testredis.Start(t)
	lim := flow.Limits{Requests: 5, Per: time.Second}
	var mu sync.Mutex
	var starts []time.Time
	var limiters []*flow.Limiter
	for range 2 {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { rdb.Close() })
		limiters = append(limiters, flow.New(rdb, "t"))
	}
	started := func(int, int) error {
		now, err := srv.Client.Time(context.Background()).Result()
		mu.Lock()
		starts = append(starts, now)
		mu.Unlock()
		return err
	}
	hammer(t, limiters, 3, time.Now().Add(2500*time.Millisecond), key("heap"), lim, 20*time.Millisecond, started, func(dec flow.Decision) {
		if dec.Reason != flow.ReasonRate {
			t.Errorf("reason %q, want rate_limit", dec.Reason)
		}
	})
	if len(starts) < 10 || len(starts) > 14 {
		t.Fatalf("%d calls started in 2.5s at 5/s", len(starts))
	}
	for i, s := range starts {
		n := 0
		for _, o := range starts[i:] {
			if !o.Before(s) && o.Sub(s) < 950*time.Millisecond {
				n++
			}
		}
		if n > 5 {
			t.Fatalf("%d calls started within one second from %v", n, s)
		}
	}
}

// On a Redis Cluster every key of a limit, the gate included, shares one
// slot, so the scripts run.
func TestCluster(t *testing.T) {
	c := testredis.StartCluster(t)
	l := flow.New(c.Client, "t")
	ctx := context.Background()
	for _, name := range []string{"crm", "heap", "mail"} {
		k := key(name)
		lim := flow.Limits{Concurrency: 1, Requests: 100, Per: time.Second}
		d := mustAcquire(t, l, k, lim, "a")
		if d.Permit == nil {
			t.Fatalf("%s: first call refused", name)
		}
		if d := mustAcquire(t, l, k, lim, "b"); d.Permit != nil {
			t.Fatalf("%s: second call admitted", name)
		}
		if err := d.Permit.Release(ctx); err != nil {
			t.Fatalf("%s: release: %v", name, err)
		}
	}
}

func TestNoLimitsTouchesNothing(t *testing.T) {
	srv := testredis.Start(t)
	l := flow.New(srv.Client, "t")
	d := mustAcquire(t, l, key("crm"), flow.Limits{}, "a")
	if d.Permit == nil {
		t.Fatal("refused without limits")
	}
	if err := d.Permit.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := srv.Client.DBSize(context.Background()).Result(); n != 0 {
		t.Fatalf("%d keys written without limits", n)
	}
}

// A release while the rate holds the next call back briefly leaves the
// gate open: asynq's processor sleeps about a second whenever it finds
// its queues paused, so a gate shut for milliseconds stalls the server.
// A rate slower than a call a second keeps it shut.
func TestReleaseGateFollowsRate(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	l := flow.New(srv.Client, "t")
	for _, tt := range []struct {
		name string
		lim  flow.Limits
		gate bool
	}{
		{"fast", flow.Limits{Concurrency: 2, Requests: 10, Per: time.Second}, false},
		{"slow", flow.Limits{Concurrency: 2, Requests: 1, Per: 3 * time.Second}, true},
	} {
		k := key(tt.name)
		d := mustAcquire(t, l, k, tt.lim, "a")
		if d.Permit == nil {
			t.Fatalf("%s: first call refused", tt.name)
		}
		// Someone shut the gate with an expiry (a full limit): the release
		// must decide whether it reopens.
		if err := srv.Client.Set(ctx, k.Gate, "flow", 500*time.Millisecond).Err(); err != nil {
			t.Fatal(err)
		}
		if err := d.Permit.Release(ctx); err != nil {
			t.Fatal(err)
		}
		// The short call's slot is kept for a next call; Flush gives it
		// back to Redis, as linger would.
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := srv.Client.Exists(ctx, k.Gate).Result(); (n == 1) != tt.gate {
			t.Fatalf("%s: gate shut after the release = %v, want %v", tt.name, n == 1, tt.gate)
		}
	}
}

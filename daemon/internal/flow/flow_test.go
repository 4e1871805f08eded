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

// A daemon killed mid-call never releases its slot: the lease expires and
// the slot is found again.
func TestLeaseOfDeadHolderRecovered(t *testing.T) {
	srv := testredis.Start(t)
	l := flow.New(srv.Client, "t")
	k := key("crm")
	lim := flow.Limits{Concurrency: 1, Lease: 400 * time.Millisecond}
	if d := mustAcquire(t, l, k, lim, "dead"); d.Permit == nil {
		t.Fatal("first call refused")
	}
	if d := mustAcquire(t, l, k, lim, "b"); d.Permit != nil {
		t.Fatal("a second call admitted over concurrency 1")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := mustAcquire(t, l, k, lim, "b")
		if d.Permit != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dead holder's slot was never recovered")
		}
		time.Sleep(d.Wait)
	}
}

// Two limiters (two daemons) hammering one rate: no window of length Per
// sees more than Requests starts, and the rate is used.
func TestRateSharedAcrossLimiters(t *testing.T) {
	srv := testredis.Start(t)
	lim := flow.Limits{Requests: 5, Per: time.Second}
	k := key("heap")
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	stop := time.Now().Add(2500 * time.Millisecond)
	for d := range 2 {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { rdb.Close() })
		l := flow.New(rdb, "t")
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; time.Now().Before(stop); i++ {
					dec, err := l.Acquire(context.Background(), k, lim, fmt.Sprintf("%d-%d-%d", d, w, i))
					if err != nil {
						t.Error(err)
						return
					}
					if dec.Permit == nil {
						if dec.Reason != flow.ReasonRate {
							t.Errorf("reason %q, want rate_limit", dec.Reason)
						}
						time.Sleep(min(dec.Wait, 20*time.Millisecond))
						continue
					}
					now, err := rdb.Time(context.Background()).Result()
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					starts = append(starts, now)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
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

package flow_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

// askInPipeline sends a's script, if it needs one, in a pipeline with a
// read of the caller's, as the engine sends it with a request's load, and
// returns the answer and how many commands the pipeline carried.
func askInPipeline(t *testing.T, rdb redis.UniversalClient, a *flow.Ask) (flow.Decision, int) {
	t.Helper()
	ctx := context.Background()
	pipe := rdb.Pipeline()
	pipe.Get(ctx, "some-request")
	a.Queue(ctx, pipe)
	n := pipe.Len()
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil && !redis.HasErrorPrefix(err, "NOSCRIPT") {
		t.Fatalf("pipeline: %v", err)
	}
	d, err := a.Decide(ctx)
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	return d, n
}

// TestAskInPipeline: an ask's script travels in the caller's pipeline and
// decides as Acquire does; a script Redis lost (a restart) is run again
// on its own rather than failing the call; a kept slot asks for the rate
// alone, and needs no script without a rate.
func TestAskInPipeline(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	l := flow.New(srv.Client, "t")
	k := key("crm")
	lim := flow.Limits{Concurrency: 1, Requests: 1_000_000, Per: time.Second, Lease: time.Minute}

	// Redis has never seen the script: the pipelined EVALSHA fails with
	// NOSCRIPT, and Decide runs it itself.
	if err := srv.Client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	first, n := askInPipeline(t, srv.Client, l.Prepare(k, lim, "job-1"))
	if n != 2 || first.Permit == nil {
		t.Fatalf("first ask: %d commands, %+v; want the script beside the read, and a permit", n, first)
	}
	if got, _ := l.InFlight(ctx, k); got != 1 {
		t.Fatalf("in flight after the first ask = %d, want 1", got)
	}
	// The one slot is held: the next ask, sent the same way, waits.
	second, _ := askInPipeline(t, srv.Client, l.Prepare(k, lim, "job-2"))
	if second.Permit != nil || second.Reason != flow.ReasonConcurrency {
		t.Fatalf("second ask with the slot held: %+v, want a wait for concurrency", second)
	}
	// A short call's slot is kept; the next call takes it and asks Redis
	// for the rate only, still in the caller's pipeline.
	if err := first.Permit.Release(ctx); err != nil {
		t.Fatal(err)
	}
	third, n := askInPipeline(t, srv.Client, l.Prepare(k, lim, "job-3"))
	if n != 2 || third.Permit == nil {
		t.Fatalf("ask on a kept slot: %d commands, %+v; want the rate's script beside the read, and a permit", n, third)
	}
	if got, _ := l.InFlight(ctx, k); got != 1 {
		t.Fatalf("in flight on the kept slot = %d, want still 1", got)
	}
	if err := third.Permit.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// Without a rate a kept slot needs no script at all.
	noRate := flow.Limits{Concurrency: 1, Lease: time.Minute}
	fourth, n := askInPipeline(t, srv.Client, l.Prepare(k, noRate, "job-4"))
	if n != 1 || fourth.Permit == nil {
		t.Fatalf("ask on a kept slot without a rate: %d commands, %+v; want the read alone, and a permit", n, fourth)
	}
	if err := fourth.Permit.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// Nothing to limit: a nil Ask queues nothing.
	var none *flow.Ask
	pipe := srv.Client.Pipeline()
	none.Queue(ctx, pipe)
	if pipe.Len() != 0 {
		t.Fatalf("a nil ask queued %d commands", pipe.Len())
	}
}

// TestAskNotQueued: an ask whose caller never sent its script runs it in
// Decide, so a caller that failed before its pipeline loses nothing.
func TestAskNotQueued(t *testing.T) {
	srv := testredis.Start(t)
	l := flow.New(srv.Client, "t")
	lim := flow.Limits{Requests: 1, Per: time.Hour}
	d, err := l.Prepare(key("crm"), lim, "job-1").Decide(context.Background())
	if err != nil || d.Permit == nil {
		t.Fatalf("first call under 1 an hour: %+v, %v; want a permit", d, err)
	}
	d, err = l.Prepare(key("crm"), lim, "job-2").Decide(context.Background())
	if err != nil || d.Permit != nil || d.Reason != flow.ReasonRate {
		t.Fatalf("second call under 1 an hour: %+v, %v; want a wait for the rate", d, err)
	}
}

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
	t.Run("single", func(t *testing.T) { askSteps(t, testredis.Start(t).Client) })
	// On a Cluster the read and the script go to different nodes, each
	// its part of the one pipeline.
	t.Run("cluster", func(t *testing.T) { askSteps(t, testredis.StartCluster(t).Client) })
}

func askSteps(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	l := flow.New(rdb, "t")
	k := key("crm")
	rated := flow.Limits{Concurrency: 1, Requests: 1_000_000, Per: time.Second, Lease: time.Minute}
	unrated := flow.Limits{Concurrency: 1, Lease: time.Minute}
	// Redis has never seen the script: the first pipelined EVALSHA fails
	// with NOSCRIPT, and Decide runs it itself.
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	var held *flow.Permit
	for _, step := range []struct {
		what     string
		lim      flow.Limits
		release  bool // release the permit held before asking
		commands int  // in the pipeline: the caller's read, and the script if any
		permit   bool
		inFlight int
	}{
		{"first ask, script unknown to Redis", rated, false, 2, true, 1},
		{"second ask, the one slot held", rated, false, 2, false, 1},
		{"ask on the slot kept from a short call: the rate only", rated, true, 2, true, 1},
		{"ask on a kept slot without a rate: no script", unrated, true, 1, true, 1},
	} {
		if step.release {
			if err := held.Release(ctx); err != nil {
				t.Fatal(err)
			}
		}
		d, n := askInPipeline(t, rdb, l.Prepare(k, step.lim, step.what))
		if n != step.commands || (d.Permit != nil) != step.permit {
			t.Fatalf("%s: %d commands sent, decision %+v; want %d commands, a permit %v", step.what, n, d, step.commands, step.permit)
		}
		if !step.permit && d.Reason != flow.ReasonConcurrency {
			t.Fatalf("%s: waits for %q, want concurrency", step.what, d.Reason)
		}
		if got, err := l.InFlight(ctx, k); err != nil || got != step.inFlight {
			t.Fatalf("%s: %d in flight (%v), want %d", step.what, got, err, step.inFlight)
		}
		if d.Permit != nil {
			held = d.Permit
		}
	}
	// Nothing to limit: a nil Ask queues nothing.
	var none *flow.Ask
	pipe := rdb.Pipeline()
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

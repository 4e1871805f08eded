package store

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// roundTrips counts what a client sends, pipelines and lone commands,
// but not a new connection's own set-up (HELLO, CLIENT SETINFO).
type roundTrips struct{ n atomic.Int64 }

func setup(cmd redis.Cmder) bool { return cmd.Name() == "hello" || cmd.Name() == "client" }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !setup(cmd) {
			r.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !setup(cmds[0]) {
			r.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// TestLoadWith: a caller's commands travel in the load's own round trip,
// and their failure is theirs: the request still loads.
func TestLoadWith(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	s := New(rdb, "t", testRing(t))
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"))
	if err := rdb.Set(ctx, "caller-key", "caller-value", 0).Err(); err != nil {
		t.Fatal(err)
	}
	trips := &roundTrips{}
	rdb.AddHook(trips)

	var got, failed *redis.StringCmd
	snap, err := s.LoadWith(ctx, id, func(p redis.Pipeliner) {
		got = p.Get(ctx, "caller-key")
		failed = p.HGet(ctx, "caller-key", "wrong-type") // WRONGTYPE
	})
	if err != nil {
		t.Fatalf("load with a failing command of the caller's: %v", err)
	}
	if got == nil || failed == nil {
		t.Fatal("the caller's commands were never queued")
	}
	if snap.Request.Subject.Email != "ada@example.com" {
		t.Fatalf("loaded %+v", snap.Request)
	}
	if v, err := got.Result(); err != nil || v != "caller-value" {
		t.Fatalf("caller's GET = %q, %v", v, err)
	}
	if failed.Err() == nil {
		t.Fatal("caller's failing command answered without error")
	}
	if n := trips.n.Load(); n != 1 {
		t.Fatalf("load with the caller's commands took %d round trips, want 1", n)
	}
}

package store

import (
	"context"
	"testing"

	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestLoadWith: a caller's commands travel in the load's own round trip,
// and their failure is theirs: the request still loads.
func TestLoadWith(t *testing.T) {
	rdb := testredis.Start(t).Client
	ctx := context.Background()
	s := New(rdb, "t", testRing(t))
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"))
	if err := rdb.Set(ctx, "caller-key", "caller-value", 0).Err(); err != nil {
		t.Fatal(err)
	}
	trips := &testredis.Trips{}
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
	if all := trips.All(); len(all) != 1 {
		t.Fatalf("load with the caller's commands took %d round trips, want 1: %v", len(all), all)
	}
}

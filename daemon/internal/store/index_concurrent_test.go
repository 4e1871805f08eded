package store

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"
)

// moveConcurrently moves the named Extracting integrations of every request
// to their new statuses, each move its own commit, all at once. Commits on
// different integrations of one request do not conflict, but they change
// the same status counters and the same status index entries.
func moveConcurrently(t *testing.T, s *Store, ids []string, to map[string]state.Status) {
	t.Helper()
	ctx := context.Background()
	snaps, err := s.LoadMany(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, snap := range snaps {
		for name, st := range to {
			it := snap.Integration(state.Extracting, name).Clone()
			it.Status = st
			wg.Go(func() {
				<-start
				tx := s.NewTx(ids[i])
				tx.PutIntegration(it)
				if _, err := s.Commit(ctx, tx); err != nil {
					t.Errorf("move %s to %s: %v", name, st, err)
				}
			})
		}
	}
	close(start)
	wg.Wait()
}

// listAll pages through List with f, returning the ids in page order.
func listAll(t *testing.T, s *Store, f Filter) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for {
		page, next, err := s.List(context.Background(), f, cursor, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			ids = append(ids, p.Request.ID)
		}
		if next == "" {
			return ids
		}
		cursor = next
	}
}

// TestStatusIndexConcurrentMoves: while commits on different integrations
// of one request race, one taking a status counter to 0 and the other
// back to 1, the request stays in that status's index; and once every
// integration has left a status, the index holds none of the requests.
func TestStatusIndexConcurrentMoves(t *testing.T) {
	const n = 300
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			rdb := be.start(t)
			s := New(rdb, "t", testRing(t))
			ctx := context.Background()
			ids := make([]string, n)
			for i := range ids {
				ids[i] = ulid.Make().String()
				create(t, s, newRequest(ids[i], sdk.RequestAccess, "ada@example.com"),
					&Integration{Name: "a", Workflow: state.Extracting, Status: state.Error},
					&Integration{Name: "b", Workflow: state.Extracting, Status: state.Pending})
			}
			newestFirst := slices.Clone(ids)
			slices.Reverse(newestFirst)
			check := func(step string, want map[state.Status][]string) {
				t.Helper()
				for _, st := range []state.Status{state.Pending, state.Error, state.Complete} {
					got := listAll(t, s, Filter{Status: st})
					if !slices.Equal(got, want[st]) {
						t.Errorf("%s: List(status %s) returned %d of %d requests", step, st, len(got), len(want[st]))
					}
					// Exactly: no entry is left behind by a commit that
					// neither crashed nor failed.
					if size := rdb.ZCard(ctx, s.indexStatus(st)).Val(); size != int64(len(want[st])) {
						t.Errorf("%s: %s index holds %d entries, want %d", step, st, size, len(want[st]))
					}
				}
			}

			moveConcurrently(t, s, ids, map[string]state.Status{"a": state.Pending, "b": state.Error})
			check("swapped", map[state.Status][]string{state.Pending: newestFirst, state.Error: newestFirst})

			moveConcurrently(t, s, ids, map[string]state.Status{"a": state.Complete, "b": state.Complete})
			check("completed", map[state.Status][]string{state.Complete: newestFirst})
			if be.name == "cluster" {
				for _, st := range []state.Status{state.Pending, state.Error} {
					if rdb.Exists(ctx, s.statusCountsKey(st)).Val() != 0 {
						t.Errorf("%s index counts remain after every request left it", st)
					}
				}
			}
		})
	}
}

// TestClusterStatusIndexUpkeep covers what a Cluster's status index does
// when its upkeep around the commit goes wrong.
func TestClusterStatusIndexUpkeep(t *testing.T) {
	rdb := testredis.StartCluster(t).Client
	ctx := context.Background()
	setup := func(t *testing.T, prefix string) (*Store, string, *Integration) {
		t.Helper()
		s := New(rdb, prefix, testRing(t))
		id := ulid.Make().String()
		create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"),
			&Integration{Name: "a", Workflow: state.Extracting, Status: state.Error})
		snap, err := s.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s, id, snap.Integration(state.Extracting, "a").Clone()
	}

	t.Run("failed cleanup keeps the commit", func(t *testing.T) {
		s, id, it := setup(t, "fail")
		// The Error index can no longer be changed: removing from it after
		// the commit fails.
		if err := rdb.Set(ctx, s.indexStatus(state.Error), "not a sorted set", 0).Err(); err != nil {
			t.Fatal(err)
		}
		version := it.Version
		it.Status = state.Pending
		tx := s.NewTx(id)
		tx.PutIntegration(it)
		tx.Append(Event{Time: t0, Kind: "integration.state", Actor: "system"})
		got, err := s.Commit(ctx, tx)
		if err != nil || len(got) != 1 {
			t.Fatalf("commit = %v, %v; want its history entry and no error: it landed", got, err)
		}
		if it.Version != version+1 {
			t.Errorf("version %d after the commit, want %d", it.Version, version+1)
		}
		it.Status = state.Complete
		tx = s.NewTx(id)
		tx.PutIntegration(it)
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Errorf("next commit of the same object: %v", err)
		}
	})

	t.Run("nodes that lost the scripts", func(t *testing.T) {
		s, id, it := setup(t, "t") // the prefix inStatusIndex reads
		err := rdb.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return c.ScriptFlush(ctx).Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		it.Status = state.Pending
		tx := s.NewTx(id)
		tx.PutIntegration(it)
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if got := inStatusIndex(t, rdb, id); !slices.Equal(got, []state.Status{state.Pending}) {
			t.Errorf("in status indexes %v, want [Pending]", got)
		}
	})

	t.Run("entry without a count is kept", func(t *testing.T) {
		// As an entry written before the counts were kept, or by a
		// single-node store: how many integrations it stands for is
		// unknown, so it stays, and reads check it against the request.
		s, id, it := setup(t, "legacy")
		if err := rdb.HDel(ctx, s.statusCountsKey(state.Error), id).Err(); err != nil {
			t.Fatal(err)
		}
		it.Status = state.Pending
		tx := s.NewTx(id)
		tx.PutIntegration(it)
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if err := rdb.ZScore(ctx, s.indexStatus(state.Error), id).Err(); err != nil {
			t.Errorf("Error index entry without a count: %v, want kept", err)
		}
		if got := listAll(t, s, Filter{Status: state.Error}); len(got) != 0 {
			t.Errorf("List(status Error) = %v, want none", got)
		}
		if got := listAll(t, s, Filter{Status: state.Pending}); !slices.Equal(got, []string{id}) {
			t.Errorf("List(status Pending) = %v, want the request", got)
		}
	})
}

// TestStatusCountsKey: a status index's counts share its Cluster slot,
// whether or not the prefix holds a hash tag.
func TestStatusCountsKey(t *testing.T) {
	rdb := testredis.StartCluster(t).Client
	ctx := context.Background()
	for _, prefix := range []string{"t", "dsr:prod", "{dsr}", "a{b}c"} {
		s := New(rdb, prefix, testRing(t))
		index, counts := s.indexStatus(state.Error), s.statusCountsKey(state.Error)
		if index == counts {
			t.Fatalf("prefix %q: counts key is the index", prefix)
		}
		a, errA := rdb.ClusterKeySlot(ctx, index).Result()
		b, errB := rdb.ClusterKeySlot(ctx, counts).Result()
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if a != b {
			t.Errorf("prefix %q: index %q in slot %d, counts %q in slot %d", prefix, index, a, counts, b)
		}
	}
}

package store

import (
	"context"
	"slices"
	"testing"

	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// backends are the two ways indexes are kept: by the commit script on a
// single node, around it on a Cluster.
func backends() []struct {
	name  string
	start func(t *testing.T) redis.UniversalClient
} {
	return []struct {
		name  string
		start func(t *testing.T) redis.UniversalClient
	}{
		{"single", func(t *testing.T) redis.UniversalClient { return testredis.Start(t).Client }},
		{"cluster", func(t *testing.T) redis.UniversalClient { return testredis.StartCluster(t).Client }},
	}
}

// inStatusIndex lists the statuses whose index holds request id.
func inStatusIndex(t *testing.T, rdb redis.UniversalClient, id string) []state.Status {
	t.Helper()
	var out []state.Status
	for _, st := range state.Statuses() {
		err := rdb.ZScore(context.Background(), "t:idx:istatus:"+st.Code(), id).Err()
		switch err {
		case nil:
			out = append(out, st)
		case redis.Nil:
		default:
			t.Fatal(err)
		}
	}
	return out
}

// TestStatusIndex: a request is in a status's index while any of its
// integrations is in that status, and leaves it when the last one does.
func TestStatusIndex(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			rdb := be.start(t)
			s := New(rdb, "t", testRing(t))
			ctx := context.Background()
			id := ulid.Make().String()
			create(t, s, newRequest(id, sdk.RequestDeletion, "ada@example.com"),
				&Integration{Name: "crm", Workflow: state.Extracting, Status: state.NotStarted},
				&Integration{Name: "crm", Workflow: state.PendingDelete, Status: state.NotStarted},
				&Integration{Name: "heap", Workflow: state.PendingDelete, Status: state.NotStarted})

			set := func(w state.Workflow, name string, st state.Status) {
				t.Helper()
				snap, err := s.Load(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				it := snap.Integration(w, name).Clone()
				it.Status = st
				tx := s.NewTx(id)
				tx.PutIntegration(it)
				if _, err := s.Commit(ctx, tx); err != nil {
					t.Fatal(err)
				}
			}
			steps := []struct {
				name string
				do   func()
				want []state.Status
			}{
				{"created", func() {}, []state.Status{state.NotStarted}},
				{"one pending", func() { set(state.Extracting, "crm", state.Pending) }, []state.Status{state.NotStarted, state.Pending}},
				{"same status again", func() { set(state.Extracting, "crm", state.Pending) }, []state.Status{state.NotStarted, state.Pending}},
				{"one complete", func() { set(state.Extracting, "crm", state.Complete) }, []state.Status{state.NotStarted, state.Complete}},
				{"one error", func() { set(state.PendingDelete, "crm", state.Error) }, []state.Status{state.NotStarted, state.Error, state.Complete}},
				{"unselected deleted", func() {
					snap, _ := s.Load(ctx, id)
					tx := s.NewTx(id)
					tx.DeleteIntegration(snap.Integration(state.PendingDelete, "heap"))
					if _, err := s.Commit(ctx, tx); err != nil {
						t.Fatal(err)
					}
				}, []state.Status{state.Error, state.Complete}},
				{"all complete", func() { set(state.PendingDelete, "crm", state.Complete) }, []state.Status{state.Complete}},
			}
			for _, st := range steps {
				st.do()
				if got := inStatusIndex(t, rdb, id); !slices.Equal(got, st.want) {
					t.Errorf("%s: in status indexes %v, want %v", st.name, got, st.want)
				}
			}
			// A conflicting commit moves no counter.
			snap, _ := s.Load(ctx, id)
			stale := snap.Integration(state.Extracting, "crm").Clone()
			stale.Version--
			stale.Status = state.Error
			tx := s.NewTx(id)
			tx.PutIntegration(stale)
			if _, err := s.Commit(ctx, tx); err == nil {
				t.Fatal("stale commit succeeded")
			}
			set(state.Extracting, "crm", state.Pending)
			// On a Cluster the entry added before the conflicting commit
			// is taken back with it.
			got, want := inStatusIndex(t, rdb, id), []state.Status{state.Pending, state.Complete}
			if !slices.Equal(got, want) {
				t.Errorf("after a conflict: in status indexes %v, want %v", got, want)
			}
			page, _, err := s.List(ctx, Filter{Status: state.Pending, Integration: "crm"}, "", 10)
			if err != nil || len(page) != 1 {
				t.Errorf("list pending crm = %d requests, %v", len(page), err)
			}
		})
	}
}

// TestLookupSameSubject: every request of a subject is found by email,
// across a key rotation, and no other subject's.
func TestLookupSameSubject(t *testing.T) {
	rdb := testredis.Start(t).Client
	ctx := context.Background()
	oldKey, newKey := testKey(t), testKey(t)
	oldRing, err := seal.NewKeyRing(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := seal.NewKeyRing(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	before, after := New(rdb, "t", oldRing), New(rdb, "t", rotated)
	var ada []string
	for i, st := range []*Store{before, after, before, after} {
		id := ulid.Make().String()
		email := "ada@example.com"
		if i == 2 {
			email = "grace@example.com"
		} else {
			ada = append(ada, id)
		}
		create(t, st, newRequest(id, sdk.RequestAccess, email))
	}
	slices.Reverse(ada) // newest first
	for _, limit := range []int{1, 2, 10} {
		var got []string
		cursor := ""
		for range 10 {
			page, next, err := after.List(ctx, Filter{Email: "ada@example.com"}, cursor, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				got = append(got, p.Request.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(got, ada) {
			t.Errorf("limit %d: by email %v, want %v", limit, got, ada)
		}
	}
	if n := rdb.ZCard(ctx, "t:lookup:email").Val(); n != 4 {
		t.Errorf("lookup index holds %d entries, want one per request", n)
	}
}

func TestStatusDeltas(t *testing.T) {
	read := func(name string, st state.Status) *Integration {
		return &Integration{Name: name, Workflow: state.Extracting, Status: st, Version: 3, indexedStatus: st}
	}
	moved := func(i *Integration, st state.Status) *Integration {
		c := i.Clone()
		c.Status = st
		return c
	}
	crm := read("crm", state.Pending)
	tests := []struct {
		name  string
		build func(tx *Tx)
		want  []statusDelta
	}{
		{"create", func(tx *Tx) {
			tx.PutIntegration(&Integration{Name: "a", Workflow: state.Extracting, Status: state.NotStarted})
			tx.PutIntegration(&Integration{Name: "a", Workflow: state.PendingDelete, Status: state.NotStarted})
		}, []statusDelta{{state.NotStarted, 2}}},
		{"same status", func(tx *Tx) { tx.PutIntegration(moved(crm, state.Pending)) }, nil},
		{"move", func(tx *Tx) { tx.PutIntegration(moved(crm, state.Complete)) },
			[]statusDelta{{state.Pending, -1}, {state.Complete, 1}}},
		{"written twice moves once", func(tx *Tx) {
			tx.PutIntegration(moved(crm, state.Processing))
			tx.PutIntegration(moved(crm, state.Complete))
		}, []statusDelta{{state.Pending, -1}, {state.Complete, 1}}},
		{"written back", func(tx *Tx) {
			tx.PutIntegration(moved(crm, state.Processing))
			tx.PutIntegration(moved(crm, state.Pending))
		}, nil},
		{"delete", func(tx *Tx) { tx.DeleteIntegration(crm) }, []statusDelta{{state.Pending, -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx := (&Store{}).NewTx("r")
			tt.build(tx)
			if got := statusDeltas(tx); !slices.Equal(got, tt.want) {
				t.Errorf("deltas = %v, want %v", got, tt.want)
			}
		})
	}
}

//go:build unix

package store

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// benchRequest files a deletion request as the engine does: three
// integrations in each of its two workflow states, and a history entry for
// the request and each state.
func benchRequest(b *testing.B, s *Store, i int) string {
	b.Helper()
	now := time.Now()
	id := ulid.Make().String()
	r := &Request{
		ID: id, Type: sdk.RequestDeletion, Subject: sdk.Subject{Email: "subject-" + strconv.Itoa(i) + "@example.com"},
		Source: "manual", CreatedAt: now, DueAt: now.Add(45 * 24 * time.Hour), Stage: state.StageReview,
	}
	tx := s.NewTx(id)
	tx.AddLookup("email", r.Subject.Email)
	tx.Append(Event{Time: now, Kind: "request.created", Actor: "bench", Message: "Request created",
		Attributes: map[string]string{"type": "deletion", "source": "manual", "due_at": r.DueAt.Format(time.RFC3339)}})
	for _, w := range []state.Workflow{state.Extracting, state.PendingDelete} {
		for order, name := range []string{"crm", "analytics", "eraser"} {
			it := &Integration{Name: name, Type: sdk.IntegrationType(order + 1), Workflow: w, Order: order,
				Status: state.NotStarted, UpdatedAt: now}
			tx.PutIntegration(it)
			tx.Append(Event{Time: now, Kind: "integration.state", Actor: "system", Integration: name,
				Workflow: w.Code(), Message: "Not Started", Attributes: map[string]string{"status": "not_started", "attempt": "0"}})
		}
	}
	tx.PutRequest(r)
	if _, err := s.Commit(context.Background(), tx); err != nil {
		b.Fatal(err)
	}
	return id
}

// cpuTime is this process's user and system CPU time: the store's own
// cost, without the Redis server's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU runs the benchmark loop and reports the process's CPU time
// per operation beside the wall time, which includes Redis round trips.
func measureCPU(b *testing.B, op func(i int)) {
	b.ReportAllocs()
	start := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		op(i)
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkCreate files requests (one commit each).
func BenchmarkCreate(b *testing.B) {
	s := New(testredis.Start(b).Client, "b", testRing(b))
	measureCPU(b, func(i int) { benchRequest(b, s, i) })
}

// BenchmarkLoad reads a filed request: its hash and its personal data.
func BenchmarkLoad(b *testing.B) {
	s := New(testredis.Start(b).Client, "b", testRing(b))
	id := benchRequest(b, s, 0)
	ctx := context.Background()
	measureCPU(b, func(int) {
		if _, err := s.Load(ctx, id); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkListPage reads a page of 50 requests, as ListRequests does.
func BenchmarkListPage(b *testing.B) {
	s := New(testredis.Start(b).Client, "b", testRing(b))
	for i := range 50 {
		benchRequest(b, s, i)
	}
	ctx := context.Background()
	measureCPU(b, func(int) {
		page, _, err := s.List(ctx, Filter{}, "", 50)
		if err != nil || len(page) != 50 {
			b.Fatalf("page of %d: %v", len(page), err)
		}
	})
}

// BenchmarkCommitState moves one integration state back and forth with a
// history entry, as a job's progress does: a read, then a commit.
func BenchmarkCommitState(b *testing.B) {
	s := New(testredis.Start(b).Client, "b", testRing(b))
	id := benchRequest(b, s, 0)
	ctx := context.Background()
	measureCPU(b, func(i int) {
		snap, err := s.Load(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		it := snap.Integration(state.Extracting, "crm").Clone()
		it.Status, it.Attempt, it.Phase, it.UpdatedAt = state.Pending, i+1, PhaseCall, time.Now()
		if i%2 == 1 {
			it.Status, it.Phase = state.Complete, PhaseNone
		}
		tx := s.NewTx(id)
		tx.PutIntegration(it)
		tx.Append(Event{Time: it.UpdatedAt, Kind: "integration.state", Actor: "system", Integration: it.Name,
			Workflow: it.Workflow.Code(), Message: it.Status.String(), Attributes: map[string]string{"status": it.Status.Code()}})
		if _, err := s.Commit(ctx, tx); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkHistory reads a filed request's whole history.
func BenchmarkHistory(b *testing.B) {
	s := New(testredis.Start(b).Client, "b", testRing(b))
	id := benchRequest(b, s, 0)
	ctx := context.Background()
	measureCPU(b, func(int) {
		evs, err := s.History(ctx, id, "", 0)
		if err != nil || len(evs) != 7 {
			b.Fatalf("%d entries: %v", len(evs), err)
		}
	})
}

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

// BenchmarkCommitJob commits what a synchronous job's end commits, each
// on its own request among many: the integration from Pending to
// Complete with its result, the request on to Reply, four history
// entries, the attention entries dropped. It reports the Redis server's
// time per commit (INFO commandstats), the part of a job's cost the
// commit script is.
func BenchmarkCommitJob(b *testing.B) {
	rs := testredis.Start(b)
	s := New(rs.Client, "b", testRing(b))
	ctx := context.Background()
	type job struct {
		snap *Snapshot
		it   *Integration
	}
	prepare := func(n int) []job {
		jobs := make([]job, n)
		for i := range jobs {
			now := time.Now()
			id := ulid.Make().String()
			r := &Request{ID: id, Type: sdk.RequestAccess, Subject: sdk.Subject{Email: "s" + strconv.Itoa(i) + "@example.com"},
				Source: "manual", CreatedAt: now, DueAt: now.Add(45 * 24 * time.Hour), Stage: state.StageProcess}
			it := &Integration{Name: "crm", Type: sdk.SynchronousAPI, Workflow: state.Extracting, Status: state.Pending, UpdatedAt: now}
			tx := s.NewTx(id)
			tx.PutRequest(r)
			tx.PutIntegration(it)
			tx.Attend(state.Extracting, "crm", now.Add(time.Hour))
			tx.Append(Event{Time: now, Kind: "request.created", Actor: "bench", Message: "Request created"})
			if _, err := s.Commit(ctx, tx); err != nil {
				b.Fatal(err)
			}
			snap, err := s.Load(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			jobs[i] = job{snap, snap.Integration(state.Extracting, "crm")}
		}
		return jobs
	}
	jobs := prepare(b.N)
	if err := rs.Client.ConfigResetStat(ctx).Err(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		j := jobs[i]
		now := time.Now()
		it := j.it.Clone()
		it.Status, it.Attempt, it.UpdatedAt = state.Complete, 1, now
		r := *j.snap.Request
		r.Stage = state.StageReply
		tx := s.NewTx(r.ID)
		tx.PutIntegration(it)
		tx.PutResult(state.Extracting, "crm", &Result{}, 0)
		tx.PutRequest(&r)
		tx.Unattend(state.Extracting, "crm")
		tx.UnattendRequest()
		for _, m := range []string{"Attempt 1", "Processing Request submitted", "Complete No records found", "Reply"} {
			tx.Append(Event{Time: now, Kind: "integration.state", Actor: "system", Integration: "crm", Message: m,
				Attributes: map[string]string{"status": "complete", "attempt": "1"}})
		}
		if _, err := s.Commit(ctx, tx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(testredis.CommandStat(b, rs.Client, "evalsha", "usec")/float64(b.N), "redis-us/op")
}

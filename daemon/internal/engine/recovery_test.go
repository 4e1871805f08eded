package engine

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// queued lists the task ids waiting in the harness's queue (scheduled,
// pending or retry).
func queued(t *testing.T, h *harness) []string {
	t.Helper()
	var ids []string
	for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		h.e().insp.ListScheduledTasks, h.e().insp.ListPendingTasks, h.e().insp.ListRetryTasks,
	} {
		for q := range h.e().queues() {
			tasks, err := list(q)
			if err != nil && !strings.Contains(err.Error(), "queue not found") {
				t.Fatal(err)
			}
			for _, ti := range tasks {
				ids = append(ids, ti.ID)
			}
		}
	}
	return ids
}

func TestManualRetryReplacesTheScheduledOne(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	var fail atomic.Bool
	fail.Store(true)
	crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		if fail.Load() {
			return nil, sdk.Errorf(sdk.ErrorPermission, "missing scope").WithStatus(403)
		}
		return records(1), nil
	}}
	cfg := Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) {
		s.MaxAttempts, s.RetryInterval = 5, time.Hour
	})}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": crm}, 1).start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	h.waitLabel(id, state.Extracting, "crm", "Error")
	it := integration(h.get(id), state.Extracting, "crm")
	if want := h.clock.Now().Add(time.Hour); !it.NextAttemptAt.Equal(want) {
		t.Errorf("next attempt at %v, want %v", it.NextAttemptAt, want)
	}
	waitFor(t, "the automatic retry to be scheduled in Redis", func() (bool, string) {
		q := queued(t, h)
		return len(q) == 1 && strings.HasPrefix(q[0], taskRun+":"+id) && strings.Contains(q[0], ":2:"), strings.Join(q, ",")
	})
	list, _, err := h.e().List(ctx, Filter{IntegrationStatus: state.Error, Integration: "crm"}, "", 10)
	if err != nil || len(list) != 1 {
		t.Errorf("listing requests with crm in Error: %d, %v", len(list), err)
	}

	fail.Store(false)
	if _, err := h.e().Retry(ctx, id, "crm", "ops"); err != nil {
		t.Fatal(err)
	}
	h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
	if it := integration(h.get(id), state.Extracting, "crm"); it.Attempts != 2 {
		t.Errorf("attempts = %d, want 2: the manual retry took the scheduled one's place", it.Attempts)
	}
	if q := queued(t, h); len(q) != 0 {
		t.Errorf("tasks left in the queue: %v", q)
	}
}

func TestStopRemovesScheduledPolls(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	slow := &fake{access: pendingAccess, pollAccess: stillPendingAccess}
	cfg := Config{Integrations: []IntegrationSpec{spec("slow", sdk.AsynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.PollInterval = time.Hour })}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"slow": slow}, 1).start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	waitFor(t, "a poll an hour ahead", func() (bool, string) {
		q := queued(t, h)
		return len(q) == 1 && strings.HasPrefix(q[0], taskPoll), strings.Join(q, ",")
	})
	if _, err := h.e().Stop(ctx, id, "slow", "ops"); err != nil {
		t.Fatal(err)
	}
	if q := queued(t, h); len(q) != 0 {
		t.Errorf("scheduled work left after stop: %v", q)
	}
	h.waitStage(id, state.StageReply)
}

// TestRedeliveryAfterWorkerStops: an engine stops while a call is in
// flight; its task goes back to the queue and another engine runs the
// attempt again. The first call's answer, arriving last, is rejected.
func TestRedeliveryAfterWorkerStops(t *testing.T) {
	rs := testredis.Start(t)
	b := newBlocking()
	var calls atomic.Int64
	crm := &fake{access: func(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		if calls.Add(1) == 1 {
			return b.fake().access(ctx, req)
		}
		return records(2), nil
	}}
	h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
		map[string]sdk.Remote{"crm": crm}, 2, func(o *Options) { o.ShutdownTimeout = 100 * time.Millisecond })
	first, second := h.engines[0], h.engines[1]
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	<-b.started
	// The call's start is committed once the grace period ends.
	h.waitLabel(id, state.Extracting, "crm", "Processing Request submitted")
	first.Shutdown() // the call is still running in it
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	h.waitLabel(id, state.Extracting, "crm", "Complete 2 records found")
	b.ch(1) <- records(7)
	waitFor(t, "the first call's answer to be rejected", func() (bool, string) {
		evs := h.history(id)
		return count(evs, func(e Event) bool { return e.Kind == EventResultRejected }) == 1, kinds(evs)
	})
	evs := h.history(id)
	if count(evs, func(e Event) bool { return e.Kind == EventAttempt && e.Attributes["redelivered"] == "true" }) != 1 {
		t.Errorf("redelivery not in history: %s", kinds(evs))
	}
	if n := count(evs, func(e Event) bool { return e.Kind == EventIntegrationState && e.Attributes["status"] == "complete" }); n != 1 {
		t.Errorf("%d terminal transitions, want 1", n)
	}
	if l := h.label(id, state.Extracting, "crm"); l != "Complete 2 records found" {
		t.Errorf("label = %q", l)
	}
}

// TestReconcileRecoversLostWork: state says a job is waiting but asynq
// lost it (a crash between the commit and the enqueue); the reconciler
// enqueues it again.
func TestReconcileRecoversLostWork(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	h := crmHarness(t, rs.Client)
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	if n, err := h.dropPending(); err != nil || n != 1 {
		t.Fatalf("dropped %d tasks: %v", n, err)
	}
	h.start()
	if l := h.label(id, state.Extracting, "crm"); l != "Pending" {
		t.Fatalf("label = %q", l)
	}
	if err := h.e().Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitStage(id, state.StageReply)
	// Reconciling again changes nothing: duplicates are refused by TaskID
	// or end quietly.
	if err := h.e().Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(h.history(id), func(e Event) bool { return e.Kind == EventAttempt }); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// TestRestartingPluginIsNotCalled: while an integration's plugin is being
// restarted its jobs wait, without a call and without counting an attempt,
// and run once it is back; a plugin in a crash loop fails the attempt with
// a remediation naming it.
func TestRestartingPluginIsNotCalled(t *testing.T) {
	rs := testredis.Start(t)
	var calls atomic.Int64
	crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		calls.Add(1)
		return records(1), nil
	}}
	cfg := Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.MaxAttempts = 3 })}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": crm}, 1)
	var up atomic.Bool
	var asked atomic.Int64
	h.setReady(func(string) (bool, time.Time, error) {
		asked.Add(1)
		return up.Load(), time.Now().Add(50 * time.Millisecond), nil
	})
	h.start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	waitFor(t, "jobs to ask for the plugin a few times", func() (bool, string) { return asked.Load() >= 3, "" })
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d calls to a restarting plugin", n)
	}
	if l := h.label(id, state.Extracting, "crm"); l != "Pending" {
		t.Errorf("label while the plugin restarts = %q, want Pending", l)
	}
	up.Store(true)
	h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
	if it := integration(h.get(id), state.Extracting, "crm"); it.Attempts != 1 || calls.Load() != 1 {
		t.Errorf("%d attempts, %d calls; want 1 and 1", it.Attempts, calls.Load())
	}

	loop := sdk.Errorf(sdk.ErrorPluginCrashed, "plugin %q keeps exiting", "crm-plugin").WithRemediation(`Read plugin "crm-plugin"'s log lines.`)
	h.setReady(func(string) (bool, time.Time, error) { return false, time.Now().Add(time.Minute), loop })
	id2 := h.create(sdk.RequestAccess, "bob@example.com")
	h.approve(id2)
	h.waitLabel(id2, state.Extracting, "crm", "Error")
	it := integration(h.get(id2), state.Extracting, "crm")
	if it.Error == nil || !strings.Contains(it.Error.Remediation, "crm-plugin") || it.NextAttemptAt.IsZero() {
		t.Errorf("crash loop error = %+v, next attempt %v; want a remediation naming the plugin and a retry scheduled", it.Error, it.NextAttemptAt)
	}
	if calls.Load() != 1 {
		t.Errorf("a plugin in a crash loop was called")
	}
}

// TestTransientWaitCutShortByRetry: an integration waiting out a long
// Retry-After is Pending with its next try on record; an operator's retry
// runs a new attempt at once and removes the waiting task.
func TestTransientWaitCutShortByRetry(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	var limited atomic.Bool
	limited.Store(true)
	crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		if limited.Load() {
			return nil, sdk.Errorf(sdk.ErrorRateLimited, "slow down").WithStatus(429).WithRetryAfter(time.Hour)
		}
		return records(2), nil
	}}
	cfg := Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.MaxAttempts = 3 })}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": crm}, 1).start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	waitFor(t, "the 429 to be waited out", func() (bool, string) {
		it := integration(h.get(id), state.Extracting, "crm")
		return it.Status == state.Pending && !it.NextAttemptAt.IsZero(), it.Label
	})
	it := integration(h.get(id), state.Extracting, "crm")
	if want := h.clock.Now().Add(time.Hour); !it.NextAttemptAt.Equal(want) || it.Label != "Pending" || it.Attempts != 1 {
		t.Errorf("waiting: %q attempt %d next try %v, want Pending attempt 1 at %v", it.Label, it.Attempts, it.NextAttemptAt, want)
	}
	if it.Error == nil || it.Error.StatusCode != 429 {
		t.Errorf("the error waited out is not shown: %+v", it.Error)
	}
	waitFor(t, "the next try to be scheduled", func() (bool, string) {
		q := queued(t, h)
		return len(q) == 1 && strings.Contains(q[0], "~1"), strings.Join(q, ",")
	})
	limited.Store(false)
	if _, err := h.e().Retry(ctx, id, "crm", "ops"); err != nil {
		t.Fatal(err)
	}
	h.waitLabel(id, state.Extracting, "crm", "Complete 2 records found")
	if it := integration(h.get(id), state.Extracting, "crm"); it.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", it.Attempts)
	}
	if q := queued(t, h); len(q) != 0 {
		t.Errorf("the waiting task was left in the queue: %v", q)
	}
}

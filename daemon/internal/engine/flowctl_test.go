package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// inflight counts calls in progress and the most seen at once.
type inflight struct {
	now, peak atomic.Int64
}

func (f *inflight) enter() {
	n := f.now.Add(1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (f *inflight) leave() { f.now.Add(-1) }

func withFlow(prefix string, rs *testredis.Server) func(*Options) {
	return func(o *Options) { o.Flow = flow.New(rs.Client, prefix) }
}

func autoAccess(integrations ...IntegrationSpec) Config {
	return Config{
		Integrations: integrations,
		RequestTypes: map[sdk.RequestType]RequestTypeSpec{sdk.RequestAccess: {Deadline: 30 * day, AutoApprove: true}},
	}
}

// Two engines share one concurrency limit; jobs waiting for a slot count
// no attempt and all complete.
func TestFlowConcurrencyAcrossEngines(t *testing.T) {
	rs := testredis.Start(t)
	var calls inflight
	crm := &fake{access: func(ctx context.Context, _ *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		calls.enter()
		defer calls.leave()
		time.Sleep(150 * time.Millisecond)
		return records(1), nil
	}}
	cfg := autoAccess(spec("crm", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.Flow.Concurrency = 2 }))
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": crm}, 2, withFlow("fc", rs))
	h.start()
	ids := h.createAccess(10)
	for _, id := range ids {
		h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
		if it := integration(h.get(id), state.Extracting, "crm"); it.Attempts != 1 {
			t.Errorf("request %s: %d attempts, want 1 (waiting for a slot is no attempt)", id, it.Attempts)
		}
	}
	if p := calls.peak.Load(); p != 2 {
		t.Fatalf("peak calls in flight = %d, want the limit, 2", p)
	}
	// Slots are freed in the background as each call ends.
	waitFor(t, "every slot to be released", func() (bool, string) {
		n, err := h.e().opts.Flow.InFlight(context.Background(), h.e().flowKey("crm"))
		return err == nil && n == 0, fmt.Sprintf("%d slots held, %v", n, err)
	})
}

// A hanging third party holds only its own slots: with two workers and
// concurrency 1 for the hanging one, the other integration's jobs all run
// while it hangs, because a job waiting for a slot holds no worker.
func TestFlowWaitingJobsHoldNoWorker(t *testing.T) {
	rs := testredis.Start(t)
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	slow := &fake{access: func(ctx context.Context, _ *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return records(1), nil
	}}
	quick := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(2), nil }}
	cfg := autoAccess(
		spec("slow", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.Flow.Concurrency = 1 }),
		spec("quick", sdk.SynchronousAPI, accessOnly),
	)
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"slow": slow, "quick": quick}, 1,
		withFlow("fw", rs), func(o *Options) { o.Concurrency = 2 })
	h.start()
	ids := h.createAccess(6)
	h.waitLabels(ids, "quick", "Complete 2 records found")
	if c := slow.calls.Load(); c != 1 {
		t.Fatalf("%d calls reached the hanging integration, want its concurrency, 1", c)
	}
	once.Do(func() { close(release) })
	h.waitLabels(ids, "slow", "Complete 1 records found")
}

// Per-integration call_timeout bounds a call instead of the engine's.
func TestFlowCallTimeoutPerIntegration(t *testing.T) {
	rs := testredis.Start(t)
	budgets := make(chan time.Duration, 10)
	hang := &fake{access: func(ctx context.Context, _ *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		start := time.Now()
		<-ctx.Done()
		budgets <- time.Since(start)
		return nil, sdk.Errorf(sdk.ErrorTimeout, "call timed out")
	}}
	cfg := autoAccess(spec("crm", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.Flow.CallTimeout = 300 * time.Millisecond }))
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": hang}, 1) // the engine's CallTimeout is 20s
	h.start()
	h.create(sdk.RequestAccess, "ada@example.com")
	select {
	case d := <-budgets:
		if d > 5*time.Second {
			t.Fatalf("call cut after %s; call_timeout is 300ms, the engine's 20s", d)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the hanging call was not cut by call_timeout")
	}
}

// dropPending deletes the pending tasks of every queue the harness's
// engines serve (each integration has its own), as a crash between a
// commit and its enqueue would lose them.
func (h *harness) dropPending() (int, error) {
	n := 0
	for q := range h.e().queues() {
		d, err := h.e().insp.DeleteAllPendingTasks(q)
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) && !strings.Contains(err.Error(), "does not exist") {
			return n, err
		}
		n += d
	}
	return n, nil
}

// An integration added on reload has its own queue, which the running
// engine starts serving.
func TestFlowReloadServesNewQueue(t *testing.T) {
	rs := testredis.Start(t)
	ok := func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }
	remotes := map[string]sdk.Remote{"crm": &fake{access: ok}, "mail": &fake{access: ok}}
	h := newHarness(t, rs.Client, autoAccess(spec("crm", sdk.SynchronousAPI, accessOnly)), remotes, 1)
	h.start()
	if err := h.e().SetConfig(autoAccess(spec("crm", sdk.SynchronousAPI, accessOnly), spec("mail", sdk.SynchronousAPI, accessOnly))); err != nil {
		t.Fatal(err)
	}
	if _, served := h.e().served[h.e().queueOf("mail")]; !served {
		t.Fatalf("queues served after reload: %v", h.e().served)
	}
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.waitLabel(id, state.Extracting, "mail", "Complete 1 records found")
	h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
}

// Fairness: a backlog of queued jobs for one integration does not delay
// a new request's job for another by more than seconds, because each
// integration has its own queue, served with equal weight. The backlog
// here is the acceptance's 100,000 jobs: no-op run jobs of
// an old attempt, each read and ended, so the workers are busy with it
// throughout.
func TestFlowBacklogDoesNotDelayAnotherIntegration(t *testing.T) {
	const backlog = 100_000
	rs := testredis.Start(t)
	ok := func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }
	cfg := autoAccess(spec("bulk", sdk.SynchronousAPI, accessOnly), spec("fresh", sdk.SynchronousAPI, accessOnly))
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"bulk": &fake{access: ok}, "fresh": &fake{access: ok}}, 1,
		withFlow("fb", rs), func(o *Options) { o.IdleInterval = time.Second; o.SchedulerInterval = 5 * time.Second })
	e := h.e()
	old := h.create(sdk.RequestAccess, "old@example.com")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < backlog; i += 8 {
				j := jobRef{Request: old, Workflow: state.Extracting.Code(), Integration: "bulk", Attempt: 1000 + i}
				if err := e.enqueue(ctx, taskRun, j, 0); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	h.start()
	time.Sleep(time.Second) // the workers are busy with the backlog
	start := time.Now()
	id := h.create(sdk.RequestAccess, "new@example.com")
	h.waitLabel(id, state.Extracting, "fresh", "Complete 1 records found")
	took := time.Since(start)
	info, err := e.insp.GetQueueInfo(e.queueOf("bulk"))
	if err != nil {
		t.Fatal(err)
	}
	left := info.Pending + info.Scheduled + info.Retry
	t.Logf("the new request's integration completed in %v, %d backlog jobs still queued", took.Round(time.Millisecond), left)
	if left < backlog/2 {
		t.Fatalf("only %d of %d backlog jobs still queued: the test did not run against a backlog", left, backlog)
	}
	if took > 10*time.Second {
		t.Fatalf("the new request's integration took %v behind a backlog for another; want seconds", took)
	}
}

// The job server serves a queue other than a configured integration's
// only while it holds unfinished tasks: asynq tries each queue it serves
// for every task it fetches. A task left in the base queue (as a daemon
// from before per-integration queues enqueued it) is served, and the
// reconcile pass starts or stops serving such a queue as it fills or
// drains.
func TestEmptyQueuesAreNotServed(t *testing.T) {
	rs := testredis.Start(t)
	ok := func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }
	h := newHarness(t, rs.Client, autoAccess(spec("crm", sdk.SynchronousAPI, accessOnly)),
		map[string]sdk.Remote{"crm": &fake{access: ok}}, 1,
		func(o *Options) { o.ReconcileInterval = 50 * time.Millisecond })
	e, base := h.e(), h.e().opts.Queue
	served := func() bool {
		e.runMu.Lock()
		defer e.runMu.Unlock()
		_, ok := e.served[base]
		return ok
	}
	waitServed := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for served() != want {
			if time.Now().After(deadline) {
				t.Fatalf("base queue served = %v after 10s, want %v", !want, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	first := h.create(sdk.RequestAccess, "ada@example.com") // queued, not run: not started
	moveToBase(t, e, "crm")
	h.start()
	if !served() {
		t.Fatalf("base queue holding a task not served: %v", e.served)
	}
	h.waitLabel(first, state.Extracting, "crm", "Complete 1 records found")
	waitServed(false) // drained: the reconcile pass stops serving it

	if err := e.insp.PauseQueue(e.queueOf("crm")); err != nil {
		t.Fatal(err)
	}
	second := h.create(sdk.RequestAccess, "grace@example.com")
	moveToBase(t, e, "crm")
	if err := e.insp.UnpauseQueue(e.queueOf("crm")); err != nil {
		t.Fatal(err)
	}
	waitServed(true)
	h.waitLabel(second, state.Extracting, "crm", "Complete 1 records found")
}

// moveToBase moves the pending tasks of integration's queue to the
// engine's base queue, keeping their ids.
func moveToBase(t *testing.T, e *Engine, integration string) {
	t.Helper()
	tasks, err := e.insp.ListPendingTasks(e.queueOf(integration))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("pending tasks of %s: %d, %v", integration, len(tasks), err)
	}
	for _, ti := range tasks {
		if err := e.insp.DeleteTask(ti.Queue, ti.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.Enqueue(asynq.NewTask(ti.Type, ti.Payload), asynq.Queue(e.opts.Queue), asynq.TaskID(ti.ID)); err != nil {
			t.Fatal(err)
		}
	}
}

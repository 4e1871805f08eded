package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/flow"
)

// FlowSpec is an integration's flow control. Zero fields mean no limit;
// a zero CallTimeout means the engine's Options.CallTimeout.
type FlowSpec struct {
	// Concurrency bounds the calls in flight across every engine sharing
	// Redis.
	Concurrency int
	// CallTimeout bounds one call: Access, Delete or a poll.
	CallTimeout time.Duration
	// RateRequests calls may start in any window of RatePer.
	RateRequests int
	RatePer      time.Duration
}

// callTimeout bounds one call to the integration.
func (e *Engine) callTimeout(name string) time.Duration {
	if s, ok := e.spec(name); ok && s.Flow.CallTimeout > 0 {
		return s.Flow.CallTimeout
	}
	return e.opts.CallTimeout
}

// queueOf is the asynq queue of an integration's tasks. Each integration
// has its own, and the engine serves them with equal weights, so a backlog
// for one third party does not hold back another's jobs.
func (e *Engine) queueOf(integration string) string {
	return e.opts.Queue + ":" + integration
}

// flowKey names an integration's limits in Redis. The gate is its queue's
// pause key in asynq v0.26 (base.PausedKey): shut while no call may
// start, so asynq leaves the queue's tasks waiting in Redis instead of
// handing them to workers only to be refused. The tag puts the limiter's
// keys in the queue's Cluster slot.
func (e *Engine) flowKey(integration string) flow.Key {
	q := e.queueOf(integration)
	return flow.Key{Name: integration, Tag: q, Gate: "asynq:{" + q + "}:paused"}
}

// errFlowWait is a job that must wait for its integration's limits: asynq
// runs it again after the wait, counting no retry and holding no worker.
type errFlowWait struct {
	integration, reason string
	wait                time.Duration
}

func (e errFlowWait) Error() string {
	return fmt.Sprintf("integration %s waits %s for %s", e.integration, e.wait, e.reason)
}

// admit asks the limiter for a call to j's integration. A nil permit and
// nil error mean no limit applies; errFlowWait means not now.
func (e *Engine) admit(ctx context.Context, j jobRef, kind string) (*flow.Permit, error) {
	return e.admitted(ctx, j, kind, e.ask(j, kind))
}

// ask prepares admit's question, for a caller that sends its script along
// with a read of its own (flow.Ask); nil when no limit applies.
func (e *Engine) ask(j jobRef, kind string) *flow.Ask {
	spec, ok := e.spec(j.Integration)
	if e.opts.Flow == nil || !ok {
		return nil
	}
	lim := flow.Limits{
		Concurrency: spec.Flow.Concurrency,
		Requests:    spec.Flow.RateRequests,
		Per:         spec.Flow.RatePer,
		// Lease: the limiter's default. The permit renews it while the
		// call runs, so a killed engine's slots come back in seconds,
		// whatever the call timeout.
	}
	return e.opts.Flow.Prepare(e.flowKey(j.Integration), lim, j.taskID(kind))
}

// admitted is ask's answer (see admit).
func (e *Engine) admitted(ctx context.Context, j jobRef, kind string, ask *flow.Ask) (*flow.Permit, error) {
	if ask == nil {
		return nil, nil
	}
	d, err := ask.Decide(ctx)
	if err != nil {
		return nil, err
	}
	if d.Permit == nil {
		// Behind a shut gate the job can go straight back among the
		// queued ones; otherwise it comes back after the (short) wait.
		// Jitter spreads jobs refused together, so they do not all come
		// back at the same instant to be refused again.
		after := d.Wait + rand.N(2*d.Wait+time.Millisecond)
		if d.Gated {
			after = 0
		}
		e.wake(e.queueOf(j.Integration), j.taskID(kind), after)
		return nil, errFlowWait{integration: j.Integration, reason: d.Reason, wait: d.Wait}
	}
	return d.Permit, nil
}

// wake moves a job sent back for flow control from asynq's retry set to
// its queue after a wait, instead of leaving it for asynq's scheduler
// (which looks every SchedulerInterval). asynq moves it only once the
// handler has returned, so a job still active is tried again shortly. If
// this engine dies first, the scheduler moves it all the same.
func (e *Engine) wake(queue, id string, after time.Duration) {
	var try func(n int)
	try = func(n int) {
		err := e.insp.RunTask(queue, id)
		if err == nil || n >= 6 || errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
			return
		}
		time.AfterFunc(time.Duration(10<<n)*time.Millisecond, func() { try(n + 1) })
	}
	time.AfterFunc(after+5*time.Millisecond, func() { try(0) })
}

// release frees a permit's slot when the call ends, in the background:
// the worker goes on to commit the call's outcome while Redis frees the
// slot, instead of waiting a round trip for it. A failure, or an engine
// stopped first, leaves the slot to expire with its lease.
func (e *Engine) release(p *flow.Permit) {
	if !p.Held() {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Release(ctx); err != nil {
			e.log.Warn("could not release a flow-control slot; it expires with its lease", "error", err)
		}
	}()
}

// retryDelay spaces asynq's retries: a job waiting for flow control comes
// back when its limit allows; other retries are infrastructure failures.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if w, ok := errors.AsType[errFlowWait](err); ok {
		return w.wait
	}
	return infraRetryDelay(n, err, t)
}

// expectedRetry reports an error that is a planned return to the queue,
// not a failure: not logged, not counted against the task's retries.
func expectedRetry(err error) bool {
	_, wait := errors.AsType[errFlowWait](err)
	return wait || errors.Is(err, errNotYetDue)
}

// minIdleInterval bounds how often a job server with a fast rate limit
// looks for work when it finds none.
const minIdleInterval = 20 * time.Millisecond

// idleInterval is how long the job server sleeps when it finds every
// queue empty or paused (asynq's TaskCheckInterval): Options.IdleInterval,
// shortened to the spacing of the fastest rate limit configured. Jobs
// waiting for a rate wait outside the queue, so with few of them the
// queue is often empty; a server asleep for a second when the rate lets
// a call start every 20 ms would run a handful of calls a second.
func (e *Engine) idleInterval() time.Duration {
	d := e.opts.IdleInterval
	for _, s := range e.config().integrations {
		if s.Flow.RateRequests > 0 && s.Flow.RatePer > 0 {
			d = min(d, max(s.Flow.RatePer/time.Duration(s.Flow.RateRequests), minIdleInterval))
		}
	}
	return d
}

// queues is the set the job server serves: each configured integration's
// queue, and any other of the engine's queues in Redis that still holds
// unfinished tasks (an integration removed from the configuration still
// has jobs to end; the base queue has those enqueued before each
// integration had its own). An empty queue is not served: asynq tries
// the queues it serves in turn for every task it fetches, so each empty
// one costs a Redis call per task.
func (e *Engine) queues() map[string]int {
	qs := map[string]int{}
	for _, s := range e.config().integrations {
		qs[e.queueOf(s.Name)] = 1
	}
	known, err := e.insp.Queues()
	if err != nil {
		e.log.Warn("could not list job queues; serving the configured ones", "error", err)
	}
	for _, q := range known {
		if _, ok := qs[q]; ok || (q != e.opts.Queue && !strings.HasPrefix(q, e.opts.Queue+":")) {
			continue
		}
		if e.unfinished(q) {
			qs[q] = 1
		}
	}
	if len(qs) == 0 {
		qs[e.opts.Queue] = 1 // asynq needs a queue to serve
	}
	return qs
}

// unfinished reports whether queue q holds a task not yet done: pending,
// running, scheduled or waiting to be retried. When Redis cannot say, it
// counts as unfinished, so its tasks are not left unserved.
func (e *Engine) unfinished(q string) bool {
	info, err := e.insp.GetQueueInfo(q)
	if err != nil {
		return !errors.Is(err, asynq.ErrQueueNotFound)
	}
	return info.Pending+info.Active+info.Scheduled+info.Retry+info.Aggregating > 0
}

// serveQueues restarts the job server when the configuration brought new
// queues: asynq fixes a server's queues at start. The new server starts
// before the old one stops, so work goes on; the old one's jobs in flight
// get ShutdownTimeout to end before asynq hands them back to the queue.
func (e *Engine) serveQueues() {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	if e.srv == nil {
		return
	}
	want := e.queues()
	if maps.Equal(want, e.served) && e.idle == e.idleInterval() {
		return
	}
	old := e.srv
	srv, err := e.startServer(want)
	if err != nil {
		e.log.Error("could not restart the job server for new integrations; their jobs wait until the next start",
			"queues", slices.Sorted(maps.Keys(want)), "error", err)
		return
	}
	e.srv, e.served, e.idle = srv, want, e.idleInterval()
	e.stopped.Add(1)
	go func() {
		defer e.stopped.Done()
		old.Shutdown()
	}()
}

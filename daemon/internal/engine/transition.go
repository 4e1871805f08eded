package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// transition drives the state machine for one integration (w, name) of
// request id: it loads the request (or decides first on fresh, a snapshot
// the caller has read), lets decide choose on the event mk makes of it,
// commits the decision with the move it allows (a completion that lets
// the request go on moves it in the same commit), and then runs the
// decision's effects. A conflicting commit decides again on a fresh read.
//
// It returns the decision and the request as it was decided on.
func (e *Engine) transition(ctx context.Context, id string, w state.Workflow, name string, fresh *store.Snapshot,
	mk func(snap *store.Snapshot) event) (decision, *store.Snapshot, error) {
	var d decision
	var st step
	var old *store.Integration
	moved := false
	pol := e.policy(name)
	snap, err := e.updateFrom(ctx, id, fresh, func(snap *store.Snapshot, tx *store.Tx) error {
		st, moved = step{}, false
		ev := mk(snap)
		old = snap.Integration(w, name)
		d = decide(old, ev, pol)
		if d.err != nil {
			return d.err
		}
		if d.next == nil && len(d.events) == 0 {
			return errNoChange
		}
		for _, x := range d.events {
			tx.Append(x)
		}
		if d.next == nil {
			return nil
		}
		tx.PutIntegration(d.next)
		if d.result != nil {
			tx.PutResult(w, name, d.result, 0)
		}
		if d.completed {
			st, moved = e.advance(withIntegration(snap, d.next), tx, ev.now)
		}
		return nil
	})
	if err != nil {
		return d, snap, err
	}
	if d.cancel && old != nil {
		e.cancelJobs(ref(id, old.Workflow, old.Name, old.Attempt), old.PollSeq, old.Try)
	}
	for _, f := range d.effects {
		f.ref.Request = id
		e.enqueueLogged(ctx, f.kind, f.ref, f.delay)
	}
	e.enqueueStarted(ctx, st)
	if d.completed && (!moved || st.more()) {
		// No move was decided, or there may be another: decide again on a
		// fresh read. Deciding "no move" on the snapshot alone is not
		// enough: another integration may have completed, or a manual task
		// been done, since it was read, and that commit's own progress may
		// have read the request before this one landed.
		err = e.progress(ctx, id)
	}
	return d, snap, err
}

// policy is what the state machine needs of an integration's
// configuration and the engine's options.
func (e *Engine) policy(name string) policy {
	return policy{spec: e.specOrDefault(name), transient: e.opts.Transient, minPoll: e.opts.MinPollInterval, jitter: jitter}
}

// jitter spreads a backoff over [0.8d, 1.2d], so integrations failing
// together do not come back together.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// reschedule hands a job told "not now" (a transient wait not over, a
// plugin restarting, no flow-control slot) to a new task that runs after
// delay (real time, as asynq schedules), without changing the
// integration's state or counting an attempt: the running task's id is
// taken, so the new one is numbered one more (Try). It suits run and poll
// tasks, whose acceptance does not depend on Try.
func (e *Engine) reschedule(ctx context.Context, kind string, j jobRef, delay time.Duration) error {
	j.Try++
	if err := e.enqueue(ctx, kind, j, max(delay, 0)); err != nil {
		return fmt.Errorf("reschedule %s: %w", j.Integration, err)
	}
	return nil
}

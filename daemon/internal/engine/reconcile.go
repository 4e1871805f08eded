package engine

import (
	"context"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// Reconcile re-checks every request in Process: it enqueues again the job
// each waiting integration needs (a crash between a state change and its
// enqueue would otherwise strand it; TaskID de-duplication makes this
// harmless when the job is there), applies Direct Contact due dates that
// have passed by the engine's clock, and moves requests on whose
// integrations are all done. Start runs it every FullReconcileInterval;
// ReconcileDue, every ReconcileInterval, covers what commits since have
// left waiting.
//
// Requests are read reconcileBatchSize at a time, in one round trip each
// batch: the pass touches every request in Process, so its cost is
// mostly round trips.
func (e *Engine) Reconcile(ctx context.Context) error {
	batch := make([]string, 0, reconcileBatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		e.reconcileBatch(ctx, batch)
		batch = batch[:0]
		return ctx.Err()
	}
	err := e.store.Scan(ctx, state.StageProcess, func(id string) error {
		batch = append(batch, id)
		if len(batch) < reconcileBatchSize {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	return err
}

// reconcileBatchSize is how many requests Reconcile reads at once.
const reconcileBatchSize = 100

// reconcileBatch reconciles ids, read together; should that read fail,
// each is read on its own, so one request that cannot be read does not
// hold up the others. It returns the requests as read before they were
// reconciled and the ids that could not be read or reconciled.
func (e *Engine) reconcileBatch(ctx context.Context, ids []string) (map[string]*store.Snapshot, map[string]bool) {
	byID, failed := map[string]*store.Snapshot{}, map[string]bool{}
	snaps, err := e.store.LoadMany(ctx, ids)
	for i, id := range ids {
		if ctx.Err() != nil {
			failed[id] = true
			continue
		}
		var snap *store.Snapshot
		switch {
		case err == nil:
			snap = snaps[i]
		default:
			one, lerr := e.store.LoadMany(ctx, []string{id})
			if lerr != nil {
				e.log.Warn("reconcile could not read a request", "request", id, "error", lerr)
				failed[id] = true
				continue
			}
			snap = one[0]
		}
		if snap == nil {
			continue // deleted since it was listed
		}
		byID[id] = snap
		if err := e.reconcileRequest(ctx, id, snap); err != nil {
			e.log.Warn("reconcile failed", "request", id, "error", err)
			failed[id] = true
		}
	}
	return byID, failed
}

// reconcileRequest reconciles one request from snap, read a moment ago.
func (e *Engine) reconcileRequest(ctx context.Context, id string, snap *store.Snapshot) error {
	var err error
	if snap.Request.Stage != state.StageProcess {
		return nil
	}
	now := e.now()
	// changed: a due date was applied, so snap is no longer the request.
	changed := false
	for _, it := range snap.Integrations {
		r := ref(id, it.Workflow, it.Name, it.Attempt)
		r.Try = it.Try
		switch {
		case it.Status == state.Pending:
			// A transient wait's task runs when the wait is over.
			err = e.enqueue(ctx, taskRun, r, until(now, it.NextAttemptAt))
		case it.Status == state.Processing && it.Phase == store.PhaseCall:
			err = e.enqueue(ctx, taskRun, r, 0)
		case it.Status == state.Processing && it.Phase == store.PhasePoll:
			r.PollSeq, r.Try = it.PollSeq, 0
			err = e.enqueue(ctx, taskPoll, r, until(now, it.NextPollAt))
		case it.Status == state.Processing && it.Phase == store.PhaseAwait:
			if now.Before(it.DueAt) {
				err = e.enqueue(ctx, taskDue, r, until(now, it.DueAt))
			} else {
				_, err = e.applyDue(ctx, id, it.Workflow, it.Name, it.Attempt)
				changed = true
			}
		case it.Status == state.Error && !it.NextAttemptAt.IsZero():
			r.Attempt, r.Try = r.Attempt+1, 0
			err = e.enqueue(ctx, taskRun, r, until(now, it.NextAttemptAt))
		}
		if err != nil {
			return err
		}
	}
	if changed {
		return e.progress(ctx, id)
	}
	// Enqueueing changed nothing in the request: decide on what was read.
	return e.progressFrom(ctx, id, snap)
}

func until(now, t time.Time) time.Duration {
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}

// reconcileLoop runs ReconcileDue every ReconcileInterval, from Start on,
// and Reconcile every FullReconcileInterval; after each it brings the
// set of queues served up to date.
func (e *Engine) reconcileLoop(stop <-chan struct{}) {
	defer e.stopped.Done()
	due := time.NewTicker(e.opts.ReconcileInterval)
	defer due.Stop()
	full := time.NewTicker(e.opts.FullReconcileInterval)
	defer full.Stop()
	ctx, cancel := untilStopped(stop)
	defer cancel()
	pass, name := e.ReconcileDue, "attention"
	for {
		if err := pass(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("reconcile pass failed", "pass", name, "error", err)
		}
		// A queue the job server skipped while empty may have tasks now
		// (enqueued by a daemon of an older version), and one it serves
		// for a removed integration may have none left.
		e.serveQueues()
		select {
		case <-stop:
			return
		case <-due.C:
			pass, name = e.ReconcileDue, "attention"
		case <-full.C:
			pass, name = e.Reconcile, "full"
		}
	}
}

// untilStopped returns a context that ends when stop closes (the engine
// shuts down) or when cancel is called, whichever comes first.
func untilStopped(stop <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

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
// integrations are all done. Start runs it every ReconcileInterval.
func (e *Engine) Reconcile(ctx context.Context) error {
	return e.store.Scan(ctx, state.StageProcess, func(id string) error {
		if err := e.reconcileRequest(ctx, id); err != nil {
			e.log.Warn("reconcile failed", "request", id, "error", err)
		}
		return ctx.Err()
	})
}

func (e *Engine) reconcileRequest(ctx context.Context, id string) error {
	snap, err := e.store.Load(ctx, id)
	if err != nil {
		return err
	}
	if snap.Request.Stage != state.StageProcess {
		return nil
	}
	now := e.now()
	for _, it := range snap.Integrations {
		r := ref(id, it.Workflow, it.Name, it.Attempt)
		switch {
		case it.Status == state.Pending:
			err = e.enqueue(ctx, taskRun, r, 0)
		case it.Status == state.Processing && it.Phase == store.PhaseCall:
			err = e.enqueue(ctx, taskRun, r, 0)
		case it.Status == state.Processing && it.Phase == store.PhasePoll:
			r.PollSeq = it.PollSeq
			err = e.enqueue(ctx, taskPoll, r, until(now, it.NextPollAt))
		case it.Status == state.Processing && it.Phase == store.PhaseAwait:
			if now.Before(it.DueAt) {
				err = e.enqueue(ctx, taskDue, r, until(now, it.DueAt))
			} else {
				_, err = e.applyDue(ctx, id, it.Workflow, it.Name, it.Attempt)
			}
		case it.Status == state.Error && !it.NextAttemptAt.IsZero():
			r.Attempt++
			err = e.enqueue(ctx, taskRun, r, until(now, it.NextAttemptAt))
		}
		if err != nil {
			return err
		}
	}
	return e.progress(ctx, id)
}

func until(now, t time.Time) time.Duration {
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}

func (e *Engine) reconcileLoop(stop <-chan struct{}) {
	defer e.stopped.Done()
	t := time.NewTicker(e.opts.ReconcileInterval)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel()
	}()
	for {
		if err := e.Reconcile(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("reconcile pass failed", "error", err)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

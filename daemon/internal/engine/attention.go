package engine

import (
	"context"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// Attention: every commit that leaves an integration waiting for a job
// (Pending, Processing, Error with a retry to come) or for the request to
// move on (Complete) records, in the same commit, the time by which the
// next commit on it is expected. The reconciler visits only entries whose
// time has passed: work stranded by a crash between a commit and its
// enqueue, or a request that did not move on. Requests waiting for hours
// on polls or on people cost it nothing, so its cost follows the rate of
// change, not the number of open requests.

// expectAt is the time by which an integration in it's state should have
// been committed again if its job ran, and whether it waits for one at
// all. Each bound adds attentionGrace, so that a job running a little
// late is not visited needlessly.
func (e *Engine) expectAt(it *store.Integration, now time.Time) (time.Time, bool) {
	grace := e.attentionGrace()
	switch {
	case it.Status == state.Pending:
		// Enqueued, or waiting out a transient error until NextAttemptAt.
		return later(now, it.NextAttemptAt).Add(grace), true
	case it.Status == state.Processing && it.Phase == store.PhaseCall:
		return now.Add(e.callTimeout(it.Name) + grace), true
	case it.Status == state.Processing && it.Phase == store.PhasePoll:
		return later(now, it.NextPollAt).Add(e.callTimeout(it.Name) + grace), true
	case it.Status == state.Processing && it.Phase == store.PhaseAwait && !it.OverdueNoted:
		return later(now, it.DueAt).Add(grace), true
	case it.Status == state.Error && !it.NextAttemptAt.IsZero():
		return later(now, it.NextAttemptAt).Add(grace), true
	case it.Status == state.Complete:
		// The request should move on, or another integration's commit
		// will move it: one visit checks.
		return now.Add(grace), true
	}
	// Not Started, Error with no attempt left, or a Direct Contact past
	// its due date that blocks the request: people act next, not jobs.
	return time.Time{}, false
}

// attentionGrace is how late a commit may be before the reconciler looks.
func (e *Engine) attentionGrace() time.Duration {
	return max(e.opts.ReconcileInterval, time.Minute)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// attend adds to tx the attention entries its writes call for: each
// integration written gets the time its next commit is expected, or none;
// the request gets its own entry while a change awaits a progress step
// (attendRequest), which is what starts Not Started integrations; a
// request leaving Process, or leaving a workflow state, drops the entries
// of the integrations it no longer waits for. snap is the request as fn
// decided on it (nil for a new request).
func (e *Engine) attend(snap *store.Snapshot, tx *store.Tx) {
	now := e.now()
	moved := tx.WrittenRequest()
	r := moved
	if r == nil && snap != nil {
		r = snap.Request
	}
	want := func(it *store.Integration) (time.Time, bool) {
		switch {
		case r == nil:
			return e.expectAt(it, now)
		case r.Stage != state.StageProcess:
			return time.Time{}, false
		case it.Status == state.Complete && it.Workflow != r.Workflow:
			return time.Time{}, false
		}
		return e.expectAt(it, now)
	}
	set := func(it *store.Integration) {
		if at, ok := want(it); ok {
			tx.Attend(it.Workflow, it.Name, at)
		} else if snap != nil { // a new request has no entries to drop
			tx.Unattend(it.Workflow, it.Name)
		}
	}
	written := map[string]bool{}
	stepped := false // integrations started: a progress step
	for _, it := range tx.WrittenIntegrations() {
		written[it.Workflow.Code()+"/"+it.Name] = true
		set(it)
		if snap != nil && it.Status != state.NotStarted {
			if old := snap.Integration(it.Workflow, it.Name); old != nil && old.Status == state.NotStarted {
				stepped = true
			}
		}
	}
	e.attendRequest(snap, tx, r, moved != nil, stepped, now)
	if moved == nil || snap == nil {
		return
	}
	// Integrations not written here are touched only where the request's
	// move decides for them: snap may be older than their own last commit.
	for _, it := range snap.Integrations {
		switch {
		case written[it.Workflow.Code()+"/"+it.Name]:
		case r.Stage != state.StageProcess, it.Status == state.Complete && it.Workflow != r.Workflow:
			tx.Unattend(it.Workflow, it.Name)
		}
	}
}

// attendRequest keeps the request's own entry: set while a change to the
// request or to a manual task awaits the progress step that follows it
// (which a crash or a failing Redis may prevent), dropped once a step
// starts integrations (they have entries of their own) or the request
// leaves Process.
func (e *Engine) attendRequest(snap *store.Snapshot, tx *store.Tx, r *store.Request, moved, stepped bool, now time.Time) {
	switch {
	case r == nil:
	case r.Stage != state.StageProcess:
		if snap != nil && moved {
			tx.UnattendRequest()
		}
	case stepped:
		tx.UnattendRequest()
	case moved || tx.WritesManual():
		tx.AttendRequest(now.Add(e.attentionGrace()))
	}
}

// ReconcileDue visits the attention entries whose time has passed by the
// engine's clock: it reconciles their requests as Reconcile does (enqueue
// again what should be queued, apply passed due dates, move requests on)
// and settles each entry: dropped when nothing more is awaited, else set to
// the next time a commit is expected. An entry a commit changed meanwhile
// is left as that commit set it.
func (e *Engine) ReconcileDue(ctx context.Context) error {
	for range 10_000 { // a bound, in case entries keep falling due
		now := e.now()
		due, err := e.store.DueAttention(ctx, now, reconcileBatchSize)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		var ids []string
		seen := map[string]bool{"": true} // "": an entry not ours to read
		for _, a := range due {
			if !seen[a.RequestID] {
				seen[a.RequestID] = true
				ids = append(ids, a.RequestID)
			}
		}
		byID, failed := e.reconcileBatch(ctx, ids)
		settle := make([]store.Settle, 0, len(due))
		for _, a := range due {
			next := e.nextLook(byID[a.RequestID], a, now)
			if failed[a.RequestID] {
				// Look again later, without holding up the entries behind.
				next = now.Add(e.attentionGrace())
			}
			settle = append(settle, store.Settle{Entry: a, Next: next})
		}
		if err := e.store.SettleAttention(ctx, settle); err != nil {
			return err
		}
		if len(due) < reconcileBatchSize || ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// nextLook is when a visited entry is due again, as its request read
// before the visit shows it: zero drops it. A Complete integration's entry
// is dropped, the visit having run progress; one still waiting for a job
// gets at least a grace period, the job having been enqueued again.
func (e *Engine) nextLook(snap *store.Snapshot, a store.Attention, now time.Time) time.Time {
	if snap == nil || snap.Request.Stage != state.StageProcess || a.Name == "" {
		// Gone, out of Process, or the request's own entry, whose
		// progress step the visit has just run.
		return time.Time{}
	}
	it := snap.Integration(a.Workflow, a.Name)
	if it == nil || it.Status == state.Complete {
		return time.Time{}
	}
	at, ok := e.expectAt(it, now)
	if !ok {
		return time.Time{}
	}
	return later(at, now.Add(e.attentionGrace()))
}

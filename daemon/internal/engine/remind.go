package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// scheduleRemind schedules the next poll of a Direct Contact connector
// waiting on its processor, when the connector asked to be polled before
// the due date: its polls send the reminders (the processor's answer comes
// through the daemon, never through a poll). The wait is bounded by
// poll_interval, as every poll is.
func (e *Engine) scheduleRemind(id string, next *store.Integration, p *sdk.Pending, spec IntegrationSpec, now time.Time, after *[]func()) {
	if p == nil || p.PollAfter <= 0 || !now.Add(p.PollAfter).Before(next.DueAt) {
		return
	}
	d := max(min(p.PollAfter, spec.PollInterval), e.opts.MinPollInterval)
	next.PollSeq++
	r := ref(id, next.Workflow, next.Name, next.Attempt)
	r.PollSeq = next.PollSeq
	*after = append(*after, func() { e.enqueueLogged(context.Background(), taskRemind, r, d) })
}

// handleRemind polls a Direct Contact connector still waiting on its
// processor and keeps the handle it answers with. Anything but a pending
// answer is ignored: only the processor completes the integration.
func (e *Engine) handleRemind(ctx context.Context, t *asynq.Task) error {
	j, w, err := decodeJob(t)
	if err != nil {
		return err
	}
	snap, err := e.load(ctx, j.Request)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	if !awaiting(snap, w, j) {
		return nil
	}
	permit, err := e.admit(ctx, j, taskRemind)
	if err != nil {
		return err
	}
	out := e.poll(ctx, snap, snap.Integration(w, j.Integration))
	e.release(permit)
	p := out.pending()
	if out.err != nil || p == nil {
		if out.err != nil {
			e.log.Warn("direct contact reminder poll failed; trying again later", "request", j.Request,
				"integration", j.Integration, "error", sdk.AsError(out.err).Type)
		}
		// Keep reminding on the same handle.
		p = &sdk.Pending{Handle: snap.Integration(w, j.Integration).Handle, PollAfter: e.specOrDefault(j.Integration).PollInterval}
	}
	var after []func()
	_, err = e.update(ctx, j.Request, func(snap *store.Snapshot, tx *store.Tx) error {
		after = nil
		if !awaiting(snap, w, j) {
			return errNoChange
		}
		next := snap.Integration(w, j.Integration).Clone()
		next.Handle = p.Handle
		e.scheduleRemind(j.Request, next, p, e.specOrDefault(j.Integration), e.now(), &after)
		tx.PutIntegration(next)
		return nil
	})
	if err != nil {
		return fmt.Errorf("remind %s: %w", j.Integration, err)
	}
	for _, f := range after {
		f()
	}
	return nil
}

// awaiting reports whether the reminder job j is still the current one of
// a Direct Contact integration waiting on its processor.
func awaiting(snap *store.Snapshot, w state.Workflow, j jobRef) bool {
	cur := snap.Integration(w, j.Integration)
	return snap.Request.Stage == state.StageProcess && cur != nil && cur.Type == sdk.DirectContact &&
		cur.Status == state.Processing && cur.Phase == store.PhaseAwait && cur.Attempt == j.Attempt && cur.PollSeq == j.PollSeq
}

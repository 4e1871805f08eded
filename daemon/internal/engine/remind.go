package engine

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

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
	var d decision
	_, err = e.update(ctx, j.Request, func(snap *store.Snapshot, tx *store.Tx) error {
		d = decision{}
		if !awaiting(snap, w, j) {
			return errNoChange
		}
		next := snap.Integration(w, j.Integration).Clone()
		next.Handle = p.Handle
		scheduleRemind(&d, next, p, e.policy(j.Integration), e.now())
		tx.PutIntegration(next)
		return nil
	})
	if err != nil {
		return fmt.Errorf("remind %s: %w", j.Integration, err)
	}
	for _, f := range d.effects {
		f.ref.Request = j.Request
		e.enqueueLogged(ctx, f.kind, f.ref, f.delay)
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

package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// target finds the integration an operator means: its state in the
// request's current workflow state, else its only other one.
func target(snap *store.Snapshot, name string) (*store.Integration, error) {
	if it := snap.Integration(snap.Request.Workflow, name); it != nil {
		return it, nil
	}
	for _, it := range snap.Integrations {
		if it.Name == name {
			return it, nil
		}
	}
	return nil, fmt.Errorf("integration %q on request %s: %w", name, snap.Request.ID, ErrNotFound)
}

// loadTarget reads request id and finds the integration an operator means.
func (e *Engine) loadTarget(ctx context.Context, id, integration string) (*store.Snapshot, *store.Integration, error) {
	snap, err := e.load(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	cur, err := target(snap, integration)
	return snap, cur, err
}

// Retry runs an integration in Error, still Processing, or Pending in a
// transient wait again at once, as a new attempt: the scheduled automatic
// retry is removed, and a late result of the old attempt is rejected. A
// Complete integration cannot be retried (ErrFailedPrecondition).
func (e *Engine) Retry(ctx context.Context, id, integration, actor string) (*IntegrationState, error) {
	snap, cur, err := e.loadTarget(ctx, id, integration)
	if err != nil {
		return nil, err
	}
	// The automatic retry is the task of the next attempt: remove it so
	// that the manual one, reusing that attempt number, runs now.
	if snap.Request.Stage == state.StageProcess && cur.Status == state.Error {
		err := e.deleteTask(taskRun, ref(id, cur.Workflow, cur.Name, cur.Attempt+1))
		if errors.Is(err, errTaskActive) {
			// The automatic retry is running right now: that is the retry.
			v := e.integrationView(cur)
			return &v, nil
		}
		if err != nil {
			return nil, fmt.Errorf("retry %s: %w", integration, err)
		}
	}
	d, _, err := e.transition(ctx, id, cur.Workflow, cur.Name, snap, func(s *store.Snapshot) event {
		return event{kind: trRetry, now: e.now(), stage: s.Request.Stage, actor: actorOr(actor)}
	})
	if err != nil {
		return nil, fmt.Errorf("retry %s: %w", integration, err)
	}
	v := e.integrationView(d.next)
	return &v, nil
}

// Stop ends an integration as "Complete Stopped processing".
func (e *Engine) Stop(ctx context.Context, id, integration, actor string) (*IntegrationState, error) {
	return e.end(ctx, id, integration, actor, state.DetailStopped, EventStop)
}

// Skip ends an integration as "Complete Access skipped" or "Complete
// Deletion skipped".
func (e *Engine) Skip(ctx context.Context, id, integration, actor string) (*IntegrationState, error) {
	return e.end(ctx, id, integration, actor, state.DetailSkipped, EventSkip)
}

// end completes an integration as an operator chose; the move that allows
// goes in the same commit.
func (e *Engine) end(ctx context.Context, id, integration, actor string, detail state.Detail, kind string) (*IntegrationState, error) {
	snap, cur, err := e.loadTarget(ctx, id, integration)
	if err != nil {
		return nil, err
	}
	d, _, err := e.transition(ctx, id, cur.Workflow, cur.Name, snap, func(s *store.Snapshot) event {
		return event{kind: trEnd, now: e.now(), stage: s.Request.Stage, actor: actorOr(actor), detail: detail, histKind: kind}
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, integration, err)
	}
	v := e.integrationView(d.next)
	return &v, nil
}

// CompleteManualTask marks a manual data source's checklist item done,
// with the operator's note (sealed in history and on the item).
func (e *Engine) CompleteManualTask(ctx context.Context, id, name, actor, note string) (*ManualTask, error) {
	var done *store.ManualTask
	_, err := e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		m := snap.ManualTask(name)
		if m == nil {
			return fmt.Errorf("manual task %q on request %s: %w", name, id, ErrNotFound)
		}
		if snap.Request.Stage != state.StageProcess {
			return fmt.Errorf("request %s is in %s, not Process: %w", id, snap.Request.Stage, ErrFailedPrecondition)
		}
		if m.Done {
			return fmt.Errorf("manual task %q is already done: %w", name, ErrFailedPrecondition)
		}
		now := e.now()
		next := *m
		next.Done, next.Note, next.DoneBy, next.DoneAt = true, note, actorOr(actor), now
		ev := store.Event{Time: now, Kind: EventManualCompleted, Actor: actorOr(actor), Integration: name, Message: "Manual task done"}
		if note != "" {
			ev.Sealed = map[string]string{"note": note}
		}
		tx.Append(ev)
		tx.PutManual(&next)
		done = &next
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("complete manual task: %w", err)
	}
	if err := e.progress(ctx, id); err != nil {
		return nil, err
	}
	v := manualView(done)
	return &v, nil
}

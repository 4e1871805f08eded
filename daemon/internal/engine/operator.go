package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

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

// Retry runs an integration in Error (or one still Processing) again at
// once, as a new attempt: the scheduled automatic retry is removed, and a
// late result of the old attempt is rejected. A Complete integration
// cannot be retried (ErrFailedPrecondition).
func (e *Engine) Retry(ctx context.Context, id, integration, actor string) (*IntegrationState, error) {
	var done *store.Integration
	var old store.Integration
	for range 10 {
		snap, err := e.load(ctx, id)
		if err != nil {
			return nil, err
		}
		cur, err := target(snap, integration)
		if err != nil {
			return nil, err
		}
		if snap.Request.Stage != state.StageProcess || (cur.Status != state.Error && cur.Status != state.Processing) {
			return nil, fmt.Errorf("integration %q is %s; only one in Error or Processing can be retried: %w",
				integration, cur.State().Label(e.now()), ErrFailedPrecondition)
		}
		// The automatic retry is the task of the next attempt: remove it
		// so that the manual one, reusing that attempt number, runs now.
		if cur.Status == state.Error {
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
		now := e.now()
		next := cur.Clone()
		next.Attempt++
		next.Status, next.Detail, next.Count = state.Pending, state.DetailNone, 0
		next.Phase, next.Handle, next.PollSeq, next.Error = store.PhaseNone, "", 0, nil
		next.NextAttemptAt, next.NextPollAt, next.UpdatedAt = time.Time{}, time.Time{}, now
		tx := e.store.NewTx(id)
		tx.CheckRequest(snap.Request)
		tx.PutIntegration(next)
		tx.Append(integrationEvent(EventRetry, next, now, actor, "Retry requested",
			map[string]string{"attempt": strconv.Itoa(next.Attempt)}))
		tx.Append(stateEvent(next, now, actor))
		e.attend(snap, tx)
		_, err = e.store.Commit(ctx, tx)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("retry %s: %w", integration, err)
		}
		done, old = next, *cur
		break
	}
	if done == nil {
		return nil, fmt.Errorf("retry %s: request kept changing: %w", integration, ErrFailedPrecondition)
	}
	if old.Status == state.Processing {
		e.cancelJobs(ref(id, old.Workflow, old.Name, old.Attempt), old.PollSeq)
	}
	if err := e.enqueue(ctx, taskRun, ref(id, done.Workflow, done.Name, done.Attempt), 0); err != nil {
		e.log.Warn("enqueue of a manual retry failed; the reconciler will retry", "request", id, "integration", integration, "error", err)
	}
	v := e.integrationView(done)
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

func (e *Engine) end(ctx context.Context, id, integration, actor string, detail state.Detail, kind string) (*IntegrationState, error) {
	var done *store.Integration
	var old store.Integration
	_, err := e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		cur, err := target(snap, integration)
		if err != nil {
			return err
		}
		if snap.Request.Stage != state.StageProcess {
			return fmt.Errorf("request %s is %s: %w", id, snap.Request.Stage, ErrFailedPrecondition)
		}
		if cur.Status == state.Complete {
			return fmt.Errorf("integration %q is already %s: %w", integration, cur.State().Label(e.now()), ErrFailedPrecondition)
		}
		now := e.now()
		next := cur.Clone()
		next.Status, next.Detail, next.Count = state.Complete, detail, 0
		next.Phase, next.Handle, next.Error = store.PhaseNone, "", nil
		next.NextAttemptAt, next.NextPollAt, next.UpdatedAt = time.Time{}, time.Time{}, now
		tx.Append(integrationEvent(kind, next, now, actor, next.State().Label(now), nil))
		tx.Append(stateEvent(next, now, actor))
		tx.PutIntegration(next)
		done, old = next, *cur
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, integration, err)
	}
	e.cancelJobs(ref(id, old.Workflow, old.Name, old.Attempt), old.PollSeq)
	if err := e.progress(ctx, id); err != nil {
		return nil, err
	}
	v := e.integrationView(done)
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

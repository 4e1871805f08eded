package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// progress moves a request in Process as far as it can go now: it starts
// the integrations of the current workflow state whose dependencies are
// complete, completes "No records deleted" where extracting found nothing,
// advances from Extracting Personal Data to Pending Delete, and from
// Process to Reply once every integration and manual task is done.
//
// It only reads and compares-and-sets, so it is safe to call any number of
// times from anywhere: after each state change, and from the reconciler.
func (e *Engine) progress(ctx context.Context, id string) error {
	return e.progressFrom(ctx, id, nil)
}

// progressFrom is progress deciding first on fresh (nil reads it), a
// snapshot the caller has just read and not changed since. A decision to
// move is compared and set like any other; a decision that there is
// nothing to do is safe on it too, because whoever changes the request
// after fresh was read runs progress after its own commit. It suits
// callers that are not the trigger of a change, such as the reconciler.
func (e *Engine) progressFrom(ctx context.Context, id string, fresh *store.Snapshot) error {
	for range 20 {
		var st step
		moved := false
		_, err := e.updateFrom(ctx, id, fresh, func(snap *store.Snapshot, tx *store.Tx) error {
			st, moved = e.advance(snap, tx, e.now())
			if !moved {
				return errNoChange
			}
			return nil
		})
		fresh = nil
		if err != nil {
			return fmt.Errorf("progress request %s: %w", id, err)
		}
		e.enqueueStarted(ctx, st)
		if !moved || !st.more() {
			return nil
		}
	}
	return nil
}

// step is what one move of advance did.
type step struct {
	// started are the integrations it made Pending: their jobs are
	// enqueued once the move is committed.
	started []jobRef
	// replied: the request went to Reply, which never returns to Process.
	replied bool
}

// more reports whether, after the step is committed, the request may be
// able to move again (a new workflow state, or integrations completed
// without a call), so progress should read it again.
func (st step) more() bool { return !st.replied }

func (e *Engine) enqueueStarted(ctx context.Context, st step) {
	for _, j := range st.started {
		e.enqueueLogged(ctx, taskRun, j, 0)
	}
}

// advance adds to tx the one move the request can make now, as snap
// shows it, and reports whether there was one: start the integrations of
// the current workflow state whose dependencies are complete, or advance
// the workflow state, or move the request to Reply. Moves are written on
// top of whatever tx already holds, so a job that completes an
// integration commits the move it allows in the same commit.
func (e *Engine) advance(snap *store.Snapshot, tx *store.Tx, now time.Time) (step, bool) {
	var st step
	r := snap.Request
	if r.Stage != state.StageProcess {
		return st, false
	}
	its := snap.InWorkflow(r.Workflow)
	if r.Workflow != state.WorkflowNone && !(r.Workflow == state.PendingDelete && r.AwaitingDeletionApproval) {
		touched := false
		for _, it := range its {
			if it.Status != state.NotStarted || !depsComplete(snap, it) {
				continue
			}
			next := it.Clone()
			next.UpdatedAt = now
			if nothingToDelete(snap, it) {
				// Extracting found nothing: no call to the system.
				next.Status, next.Detail = state.Complete, state.DetailNoRecordsDeleted
			} else {
				next.Status, next.Detail = state.Pending, state.DetailNone
				next.Attempt++
				st.started = append(st.started, ref(r.ID, it.Workflow, it.Name, next.Attempt))
			}
			tx.PutIntegration(next)
			tx.Append(stateEvent(next, now, ActorSystem))
			touched = true
		}
		if touched {
			tx.CheckRequest(r)
			return st, true
		}
	}
	for _, it := range its {
		if it.Status != state.Complete {
			return st, false
		}
	}
	next := r.Clone()
	if r.Workflow == state.Extracting && r.Type == sdk.RequestDeletion {
		next.Workflow = state.PendingDelete
		cfg := e.config()
		next.AwaitingDeletionApproval = cfg.types[r.Type].RequireDeletionApproval && len(snap.InWorkflow(state.PendingDelete)) > 0
		tx.Append(workflowEvent(r.Workflow, next.Workflow, now))
		if next.AwaitingDeletionApproval {
			tx.Append(store.Event{Time: now, Kind: EventWorkflowChanged, Actor: ActorSystem,
				Message: "Waiting for deletion approval", Attributes: map[string]string{"awaiting_deletion_approval": "true"}})
		}
		tx.PutRequest(next)
		return st, true
	}
	for _, m := range snap.Manual {
		if !m.Done {
			return st, false
		}
	}
	next.Stage, next.Workflow = state.StageReply, state.WorkflowNone
	tx.Append(stageEvent(r.Stage, next.Stage, now, ActorSystem))
	tx.PutRequest(next)
	st.replied = true
	return st, true
}

// depsComplete reports whether every integration it depends on (in the
// same workflow state, and still on the request) is Complete.
func depsComplete(snap *store.Snapshot, it *store.Integration) bool {
	for _, d := range it.DependsOn {
		if dep := snap.Integration(it.Workflow, d); dep != nil && dep.Status != state.Complete {
			return false
		}
	}
	return true
}

// nothingToDelete: an API integration whose extraction on this request
// found no records completes Pending Delete without calling its system.
func nothingToDelete(snap *store.Snapshot, it *store.Integration) bool {
	if it.Workflow != state.PendingDelete || (it.Type != sdk.SynchronousAPI && it.Type != sdk.AsynchronousAPI) {
		return false
	}
	ex := snap.Integration(state.Extracting, it.Name)
	return ex != nil && ex.Status == state.Complete && ex.Detail == state.DetailNoRecordsFound
}

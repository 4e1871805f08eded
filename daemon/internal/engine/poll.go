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

// handlePoll asks the connector about an asynchronous job. The task is
// accepted only for the integration's current attempt and poll number;
// past max_wait the attempt fails without asking.
func (e *Engine) handlePoll(ctx context.Context, t *asynq.Task) error {
	j, w, err := decodeJob(t)
	if err != nil {
		return err
	}
	snap, err := e.load(ctx, j.Request)
	if err != nil {
		return fmt.Errorf("poll: %w", err)
	}
	cur := snap.Integration(w, j.Integration)
	if snap.Request.Stage != state.StageProcess || cur == nil || cur.Status != state.Processing ||
		cur.Phase != store.PhasePoll || cur.Attempt != j.Attempt || cur.PollSeq != j.PollSeq {
		return nil
	}
	spec := e.specOrDefault(j.Integration)
	up, at, loop := e.ready(j.Integration)
	var out outcome
	switch {
	case !e.now().Before(cur.SubmittedAt.Add(spec.MaxWait)):
		out = outcome{err: maxWaitError(spec), final: true}
	case loop != nil:
		out = outcome{err: loop, final: true}
	case !up:
		// The plugin is restarting: ask again once it is back.
		return e.reschedule(ctx, taskPoll, j, time.Until(at))
	default:
		permit, err := e.admit(ctx, j, taskPoll)
		if err != nil {
			return err
		}
		out = e.poll(ctx, snap, cur)
		e.release(permit)
	}
	return e.finishInterruptible(ctx, j, w, store.PhasePoll, snap, out)
}

func (e *Engine) poll(ctx context.Context, snap *store.Snapshot, it *store.Integration) (out outcome) {
	remote, ok := e.conns.Connector(it.Name)
	if !ok || remote == nil {
		return outcome{err: sdk.Errorf(sdk.ErrorUnavailable, "no connector is running for integration %q", it.Name)}
	}
	job, err := e.job(ctx, snap, it)
	if err != nil {
		return outcome{err: err}
	}
	cctx, cancel := context.WithTimeout(ctx, e.callTimeout(it.Name))
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("connector poll panicked", "integration", it.Name)
			out = outcome{err: sdk.Errorf(sdk.ErrorInternal, "the connector poll failed unexpectedly")}
		}
	}()
	req := &sdk.PollRequest{Job: job, Handle: it.Handle}
	if it.Workflow == state.Extracting {
		resp, err := remote.PollAccess(cctx, req)
		return checked(outcome{access: resp, err: err})
	}
	resp, err := remote.PollDelete(cctx, req)
	return checked(outcome{del: resp, err: err})
}

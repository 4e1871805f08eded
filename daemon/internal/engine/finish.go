package engine

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// finishInterruptible commits an outcome reached while the job's context
// may have ended (shutdown, or a stop cancelling the call). A failure
// caused by the interruption is not the third party's: nothing is
// committed and the task goes back to asynq to run again (a stop has
// already ended the attempt, so it then ends quietly). A real answer that
// arrived anyway is committed, or rejected as late.
func (e *Engine) finishInterruptible(ctx context.Context, j jobRef, w state.Workflow, phase store.Phase, read *store.Snapshot, out outcome) error {
	if ctx.Err() == nil {
		return e.finish(ctx, j, w, phase, read, out)
	}
	if out.err != nil {
		return fmt.Errorf("%s of attempt %d interrupted: %w", j.Integration, j.Attempt, ctx.Err())
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return e.finish(cctx, j, w, phase, read, out)
}

// finish commits what a call or poll came to, if the attempt is still the
// integration's current one in the same phase; otherwise the result is
// late (the integration was stopped, skipped, retried or answered since)
// and is only noted in history.
//
// read is the request as the job last read or wrote it, before the call;
// the first decision is made on it without reading again. The decision
// depends only on the integration, which the commit compares and sets, so
// any change since (a stop, a retry, an answer) makes the commit conflict
// and the outcome is decided again on a fresh read.
func (e *Engine) finish(ctx context.Context, j jobRef, w state.Workflow, phase store.Phase, read *store.Snapshot, out outcome) error {
	spec := e.specOrDefault(j.Integration)
	var after []func()
	var st step
	completed, moved := false, false
	_, err := e.updateFrom(ctx, j.Request, read, func(snap *store.Snapshot, tx *store.Tx) error {
		after, completed, moved, st = nil, false, false, step{}
		now := e.now()
		cur := snap.Integration(w, j.Integration)
		if cur == nil {
			return errNoChange
		}
		if cur.Status != state.Processing || cur.Attempt != j.Attempt || cur.Phase != phase ||
			(phase == store.PhasePoll && cur.PollSeq != j.PollSeq) {
			tx.Append(integrationEvent(EventResultRejected, cur, now, ActorSystem, "Late result rejected", map[string]string{
				"attempt": strconv.Itoa(j.Attempt), "current_attempt": strconv.Itoa(cur.Attempt), "status": cur.Status.Code(),
			}))
			return nil
		}
		next := cur.Clone()
		next.UpdatedAt = now
		p := out.pending()
		switch {
		case out.err != nil && phase == store.PhasePoll && !out.final && sdk.AsError(out.err).Retryable &&
			now.Before(cur.SubmittedAt.Add(spec.MaxWait)):
			// A poll that failed for a passing reason: poll again, the
			// third party still has the job.
			e.schedulePoll(j.Request, next, nil, spec, now, &after)
			ei := state.ErrorFrom(out.err)
			tx.Append(integrationEvent(EventPollFailed, next, now, ActorSystem, ei.Message, errorAttrs(ei, next.Attempt, time.Time{})))
		case out.err != nil:
			e.fail(next, out.err, spec, now, tx, &after)
		case p != nil && w == state.PendingDelete && spec.DeletionBehavior == CompleteOnSubmit && next.Type != sdk.DirectContact:
			next.Status, next.Phase, next.Handle = state.Complete, store.PhaseNone, ""
			next.Detail, next.Count = state.DeletionDetail(next.Type, int64(out.records), false)
			tx.Append(stateEvent(next, now, ActorSystem))
			completed = true
		case p != nil && next.Type == sdk.DirectContact:
			next.Phase, next.Handle = store.PhaseAwait, p.Handle
			ref := ref(j.Request, w, j.Integration, next.Attempt)
			due := next.DueAt.Sub(now)
			after = append(after, func() { e.enqueueLogged(ctx, taskDue, ref, due) })
			e.scheduleRemind(j.Request, next, p, spec, now, &after)
		case p != nil && !now.Before(cur.SubmittedAt.Add(spec.MaxWait)):
			e.fail(next, maxWaitError(spec), spec, now, tx, &after)
		case p != nil:
			next.Handle = p.Handle
			e.schedulePoll(j.Request, next, p, spec, now, &after)
		default:
			if err := complete(next, out); err != nil {
				e.fail(next, err, spec, now, tx, &after)
				break
			}
			if r := resultOf(out); r != nil {
				tx.PutResult(w, j.Integration, r, 0)
			}
			tx.Append(stateEvent(next, now, ActorSystem))
			completed = true
		}
		tx.PutIntegration(next)
		if completed {
			// The move the completion allows goes in the same commit.
			st, moved = e.advance(withIntegration(snap, next), tx, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit outcome of %s: %w", j.Integration, err)
	}
	for _, f := range after {
		f()
	}
	e.enqueueStarted(ctx, st)
	switch {
	case !completed:
		return nil
	case moved && !st.more():
		return nil
	default:
		// No move was decided, or there may be another: decide again on a
		// fresh read. Deciding "no move" on the snapshot alone is not
		// enough: another integration may have completed, or a manual task
		// been done, since it was read, and that commit's own progress may
		// have read the request before this one landed.
		return e.progress(ctx, j.Request)
	}
}

// fail puts the integration in Error and, while attempts remain, schedules
// the next one retry_interval from now (or later, when a rate limit said
// so) as an asynq task: nothing waits in memory.
func (e *Engine) fail(next *store.Integration, err error, spec IntegrationSpec, now time.Time, tx *store.Tx, after *[]func()) {
	ei := state.ErrorFrom(err)
	next.Status, next.Detail, next.Count = state.Error, state.DetailNone, 0
	next.Phase, next.Handle, next.Error = store.PhaseNone, "", ei
	next.NextAttemptAt = time.Time{}
	if next.Attempt < spec.MaxAttempts {
		delay := spec.RetryInterval
		if se := sdk.AsError(err); se.RetryAfter > delay {
			delay = se.RetryAfter
		}
		next.NextAttemptAt = now.Add(delay)
		r := ref(tx.ID(), next.Workflow, next.Name, next.Attempt+1)
		*after = append(*after, func() { e.enqueueLogged(context.Background(), taskRun, r, delay) })
	}
	tx.Append(integrationEvent(EventError, next, now, ActorSystem, ei.Message, errorAttrs(ei, next.Attempt, next.NextAttemptAt)))
	tx.Append(stateEvent(next, now, ActorSystem))
}

// schedulePoll sets the next poll at the connector's suggested interval,
// bounded by poll_interval, never sooner than MinPollInterval, and no
// later than max_wait.
func (e *Engine) schedulePoll(id string, next *store.Integration, p *sdk.Pending, spec IntegrationSpec, now time.Time, after *[]func()) {
	d := spec.PollInterval
	if p != nil && p.PollAfter > 0 && p.PollAfter < d {
		d = p.PollAfter
	}
	if left := next.SubmittedAt.Add(spec.MaxWait).Sub(now); left < d {
		d = left
	}
	d = max(d, e.opts.MinPollInterval)
	next.Phase = store.PhasePoll
	next.PollSeq++
	next.NextPollAt = now.Add(d)
	r := ref(id, next.Workflow, next.Name, next.Attempt)
	r.PollSeq = next.PollSeq
	*after = append(*after, func() { e.enqueueLogged(context.Background(), taskPoll, r, d) })
}

func maxWaitError(spec IntegrationSpec) error {
	return sdk.Errorf(sdk.ErrorTimeout, "the third party did not finish within max_wait (%s)", spec.MaxWait).
		WithRemediation("Check the job in the third party's console, then retry the integration or raise max_wait.")
}

// complete sets the Complete state an answer calls for.
func complete(next *store.Integration, out outcome) error {
	next.Status, next.Phase, next.Handle = state.Complete, store.PhaseNone, ""
	next.NextPollAt = time.Time{}
	switch {
	case out.access != nil:
		next.Detail, next.Count = foundDetail(next.Type, len(out.access.Records), len(out.access.Files))
	case out.del != nil:
		n := out.del.RecordsDeleted
		if n < 0 {
			return sdk.Errorf(sdk.ErrorInternal, "the connector reported a negative number of records deleted")
		}
		next.Detail, next.Count = state.DeletionDetail(next.Type, n, out.del.WholeRecord)
	}
	return nil
}

// foundDetail is "# records found" / "No records found" for APIs and
// "# of files uploaded" / "No files uploaded" for Direct Contact.
func foundDetail(t sdk.IntegrationType, records, files int) (state.Detail, int64) {
	if t == sdk.DirectContact {
		if files > 0 {
			return state.DetailFilesUploaded, int64(files)
		}
		return state.DetailNoFilesUploaded, 0
	}
	if records > 0 {
		return state.DetailRecordsFound, int64(records)
	}
	return state.DetailNoRecordsFound, 0
}

func resultOf(out outcome) *store.Result {
	if out.access == nil {
		return nil
	}
	a := out.access
	if len(a.Records) == 0 && len(a.Files) == 0 && len(a.Identifiers) == 0 {
		return nil
	}
	return &store.Result{Records: a.Records, Files: a.Files, Identifiers: a.Identifiers}
}

package engine

import (
	"context"
	"fmt"
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
	return e.interruptible(ctx, j, out, func(cctx context.Context) error {
		return e.finish(cctx, j, w, phase, read, out)
	})
}

// interruptible runs commit, the commit of out, unless out is a failure
// caused by ctx ending; commit gets a context that a stop's cancellation
// does not cut short.
func (e *Engine) interruptible(ctx context.Context, j jobRef, out outcome, commit func(context.Context) error) error {
	if ctx.Err() != nil && out.err != nil {
		return fmt.Errorf("%s of attempt %d interrupted: %w", j.Integration, j.Attempt, ctx.Err())
	}
	// The commit itself is never cut short: a stop that cancels the job's
	// context while its answer is being committed must find that answer
	// rejected as late, not lost with the task run again.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return commit(cctx)
}

// finish commits what a call or poll came to through the state machine
// (decideOutcome): if the job is still the integration's current one, the
// outcome is committed with the move it allows; otherwise the result is
// late (the integration was stopped, skipped, retried or answered since)
// and is only noted in history.
//
// read is the request as the job last read or wrote it, before the call;
// the first decision is made on it without reading again. The decision
// depends only on the integration, which the commit compares and sets, so
// any change since (a stop, a retry, an answer) makes the commit conflict
// and the outcome is decided again on a fresh read.
func (e *Engine) finish(ctx context.Context, j jobRef, w state.Workflow, phase store.Phase, read *store.Snapshot, out outcome) error {
	_, _, err := e.transition(ctx, j.Request, w, j.Integration, read, func(s *store.Snapshot) event {
		return event{kind: trOutcome, now: e.now(), stage: s.Request.Stage, job: j, phase: phase, out: out}
	})
	if err != nil {
		return fmt.Errorf("commit outcome of %s: %w", j.Integration, err)
	}
	return nil
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

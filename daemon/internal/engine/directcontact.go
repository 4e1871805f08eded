package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// Answer is a Direct Contact processor's answer.
type Answer int

// The answers, as the seed's Pending Delete table quotes them.
const (
	AnswerUnknown Answer = iota
	// AnswerFilesUploaded: access; files attached (none attached counts
	// as AnswerNoFiles).
	AnswerFilesUploaded
	// AnswerNoFiles: access; "No records were found."
	AnswerNoFiles
	// AnswerDeleted: "Yes, we have deleted any applicable data belonging
	// to the data subject."
	AnswerDeleted
	// AnswerNothingToDelete: "No, we do not hold personal data about the
	// data subject."
	AnswerNothingToDelete
	// AnswerNotDeleted: "No, we could not delete data for the data subject."
	AnswerNotDeleted
)

// Answers lists the answers valid in a workflow state.
func Answers(w state.Workflow) []Answer {
	if w == state.PendingDelete {
		return []Answer{AnswerDeleted, AnswerNothingToDelete, AnswerNotDeleted}
	}
	return []Answer{AnswerFilesUploaded, AnswerNoFiles}
}

// AnswerInput is what a processor submitted through its link.
type AnswerInput struct {
	RequestID   string
	Integration string
	// Workflow is the workflow state the link was made for.
	Workflow state.Workflow
	// Attempt is the attempt the link was made for; 0 accepts the current
	// one. A link from an older attempt is refused.
	Attempt int
	Answer  Answer
	Files   []sdk.File
	// Note is free text from the processor, sealed in history.
	Note string
}

// Answer records a processor's answer, completing the integration:
// "# of files uploaded" / "No files uploaded" while extracting, "Deletion
// done" / "Nothing to delete" / "Data found, not deleted" in Pending
// Delete. An integration no longer waiting (answered, stopped, skipped)
// refuses it with ErrFailedPrecondition: links are single use.
func (e *Engine) Answer(ctx context.Context, in AnswerInput) (*IntegrationState, error) {
	var detail state.Detail
	var count int64
	switch {
	case in.Workflow == state.Extracting && in.Answer == AnswerFilesUploaded && len(in.Files) > 0:
		detail, count = state.DetailFilesUploaded, int64(len(in.Files))
	case in.Workflow == state.Extracting && (in.Answer == AnswerFilesUploaded || in.Answer == AnswerNoFiles):
		detail = state.DetailNoFilesUploaded
	case in.Workflow == state.PendingDelete && in.Answer == AnswerDeleted:
		detail = state.DetailDeletionDone
	case in.Workflow == state.PendingDelete && in.Answer == AnswerNothingToDelete:
		detail = state.DetailNothingToDelete
	case in.Workflow == state.PendingDelete && in.Answer == AnswerNotDeleted:
		detail = state.DetailDataFoundNotDeleted
	default:
		return nil, fmt.Errorf("answer %d is not valid in %s: %w", in.Answer, in.Workflow, ErrInvalidArgument)
	}
	var done *store.Integration
	_, err := e.update(ctx, in.RequestID, func(snap *store.Snapshot, tx *store.Tx) error {
		cur := snap.Integration(in.Workflow, in.Integration)
		if cur == nil || cur.Type != sdk.DirectContact {
			return fmt.Errorf("no Direct Contact integration %q in %s: %w", in.Integration, in.Workflow, ErrNotFound)
		}
		if snap.Request.Stage != state.StageProcess || cur.Status != state.Processing ||
			(cur.Phase != store.PhaseAwait && cur.Phase != store.PhaseCall) ||
			(in.Attempt != 0 && in.Attempt != cur.Attempt) {
			return fmt.Errorf("integration %q is not waiting for an answer: %w", in.Integration, ErrFailedPrecondition)
		}
		now := e.now()
		next := cur.Clone()
		next.Status, next.Detail, next.Count = state.Complete, detail, count
		next.Phase, next.Handle, next.UpdatedAt = store.PhaseNone, "", now
		ev := integrationEvent(EventAnswer, next, now, ActorDirectContact, "Processor answered",
			map[string]string{"answer": answerCode(in.Answer), "files": strconv.Itoa(len(in.Files))})
		if in.Note != "" {
			ev.Sealed = map[string]string{"note": in.Note}
		}
		tx.Append(ev)
		tx.Append(stateEvent(next, now, ActorDirectContact))
		if len(in.Files) > 0 {
			tx.PutResult(in.Workflow, in.Integration, &store.Result{Files: in.Files}, 0)
		}
		tx.PutIntegration(next)
		done = next
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("answer for %s on request %s: %w", in.Integration, in.RequestID, err)
	}
	e.cancelJobs(ref(in.RequestID, in.Workflow, in.Integration, done.Attempt), done.PollSeq)
	if err := e.progress(ctx, in.RequestID); err != nil {
		return nil, err
	}
	v := e.integrationView(done)
	return &v, nil
}

func answerCode(a Answer) string {
	switch a {
	case AnswerFilesUploaded:
		return "files_uploaded"
	case AnswerNoFiles:
		return "no_files"
	case AnswerDeleted:
		return "deleted"
	case AnswerNothingToDelete:
		return "nothing_to_delete"
	case AnswerNotDeleted:
		return "not_deleted"
	}
	return "unknown"
}

// errNotYetDue sends a due-date task back to asynq to come again: the
// engine's clock has not reached the due date yet.
var errNotYetDue = errors.New("due date not reached yet")

// handleDue applies on_no_response once a processor's due date passes.
func (e *Engine) handleDue(ctx context.Context, t *asynq.Task) error {
	j, w, err := decodeJob(t)
	if err != nil {
		return err
	}
	pending, err := e.applyDue(ctx, j.Request, w, j.Integration, j.Attempt)
	if err != nil {
		return err
	}
	if pending {
		return errNotYetDue
	}
	return nil
}

// applyDue completes an unanswered Direct Contact integration as skipped
// (no response), or notes it overdue where it blocks. It reports whether
// the due date is still ahead.
func (e *Engine) applyDue(ctx context.Context, id string, w state.Workflow, name string, attempt int) (notYet bool, err error) {
	skipped := false
	_, err = e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		notYet, skipped = false, false
		cur := snap.Integration(w, name)
		if snap.Request.Stage != state.StageProcess || cur == nil || cur.Type != sdk.DirectContact ||
			cur.Status != state.Processing || cur.Phase != store.PhaseAwait || cur.Attempt != attempt {
			return errNoChange
		}
		now := e.now()
		if now.Before(cur.DueAt) {
			notYet = true
			return errNoChange
		}
		spec := e.specOrDefault(name)
		next := cur.Clone()
		next.UpdatedAt = now
		if spec.DirectContact.OnNoResponse == Skip {
			next.Status, next.Detail, next.Phase, next.Handle = state.Complete, state.DetailSkippedNoResponse, store.PhaseNone, ""
			tx.Append(stateEvent(next, now, ActorSystem))
			skipped = true
		} else {
			if cur.OverdueNoted {
				return errNoChange
			}
			next.OverdueNoted = true
			tx.Append(integrationEvent(EventOverdue, next, now, ActorSystem, "No response by the due date; the request is blocked",
				map[string]string{"label": next.State().Label(now)}))
		}
		tx.PutIntegration(next)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("due date of %s: %w", name, err)
	}
	if skipped {
		return false, e.progress(ctx, id)
	}
	return notYet, nil
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	// Upload holds files staged as they arrived (NewUpload), stored with
	// the answer in its commit; Files and Upload may both carry files.
	Upload *store.Upload
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
	case in.Workflow == state.Extracting && in.Answer == AnswerFilesUploaded && len(in.Files)+in.Upload.Len() > 0:
		detail, count = state.DetailFilesUploaded, int64(len(in.Files)+in.Upload.Len())
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
	job := jobRef{Request: in.RequestID, Workflow: in.Workflow.Code(), Integration: in.Integration, Attempt: in.Attempt}
	d, _, err := e.transition(ctx, in.RequestID, in.Workflow, in.Integration, nil, func(s *store.Snapshot) event {
		return event{kind: trAnswer, now: e.now(), stage: s.Request.Stage, job: job,
			detail: detail, count: count, answer: in.Answer, files: in.Files, upload: in.Upload, note: in.Note}
	})
	if err != nil {
		return nil, fmt.Errorf("answer for %s on request %s: %w", in.Integration, in.RequestID, err)
	}
	v := e.integrationView(d.next)
	return &v, nil
}

// NewUpload starts staging a processor's files for request id, sealed in
// chunks as they arrive, to pass to Answer as AnswerInput.Upload. What is
// staged expires ttl after the last write unless an answer keeps it; the
// caller discards it when no answer will.
func (e *Engine) NewUpload(id string, ttl time.Duration) (*store.Upload, error) {
	return e.store.NewUpload(id, ttl)
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
	job := jobRef{Request: id, Workflow: w.Code(), Integration: name, Attempt: attempt}
	d, _, err := e.transition(ctx, id, w, name, nil, func(s *store.Snapshot) event {
		return event{kind: trDue, now: e.now(), stage: s.Request.Stage, job: job}
	})
	if err != nil {
		return false, fmt.Errorf("due date of %s: %w", name, err)
	}
	return d.notYet, nil
}

package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/telemetry"
)

// Task types. Payloads carry ids only: state lives in the store.
const (
	taskRun  = "dsrhost:run"  // call Access or Delete for one attempt
	taskPoll = "dsrhost:poll" // poll an asynchronous job
	taskDue  = "dsrhost:due"  // a Direct Contact due date has come
	// taskRemind polls a Direct Contact connector while its processor has
	// not answered, so it can send the reminders it schedules.
	taskRemind = "dsrhost:remind"
)

type jobRef struct {
	Request     string `json:"r"`
	Workflow    string `json:"w"`
	Integration string `json:"n"`
	Attempt     int    `json:"a"`
	PollSeq     int    `json:"p,omitempty"`
	// Try numbers the run tasks of one attempt: a job told "not now" (a
	// transient wait, a plugin restarting, flow control) is handed to a
	// new task numbered one more, as the running task's id is taken.
	Try int `json:"t,omitempty"`
}

func (j jobRef) workflow() (state.Workflow, error) { return state.ParseWorkflow(j.Workflow) }

// taskID names a task so that enqueueing the same job twice is refused by
// asynq (TaskID de-duplication): one task per attempt, per poll, per due
// date. The integration's name comes last as it may hold any character.
func (j jobRef) taskID(kind string) string {
	id := kind + ":" + j.Request + ":" + j.Workflow + ":" + strconv.Itoa(j.Attempt)
	if kind == taskPoll || kind == taskRemind {
		id += "." + strconv.Itoa(j.PollSeq)
	}
	if j.Try > 0 {
		id += "~" + strconv.Itoa(j.Try)
	}
	return id + ":" + j.Integration
}

func decodeJob(t *asynq.Task) (jobRef, state.Workflow, error) {
	var j jobRef
	if err := json.Unmarshal(t.Payload(), &j); err != nil {
		return j, 0, fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	w, err := j.workflow()
	if err != nil || w == state.WorkflowNone || j.Request == "" || j.Integration == "" {
		return j, 0, fmt.Errorf("malformed %s payload: %w", t.Type(), asynq.SkipRetry)
	}
	return j, w, nil
}

// enqueue schedules a task of the given kind after delay. A task with the
// same id already queued, scheduled or running is the same job: that is
// not an error.
func (e *Engine) enqueue(ctx context.Context, kind string, j jobRef, delay time.Duration) error {
	payload, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("encode job: %w", err)
	}
	opts := []asynq.Option{
		asynq.Queue(e.queueOf(j.Integration)),
		asynq.TaskID(j.taskID(kind)),
		asynq.MaxRetry(25),
		asynq.Timeout(e.callTimeout(j.Integration) + time.Minute),
	}
	if delay > 0 {
		opts = append(opts, asynq.ProcessIn(delay))
	}
	// The headers carry the caller's trace to the job (see telemetry).
	task := asynq.NewTaskWithHeaders(kind, payload, telemetry.TaskHeaders(ctx))
	_, err = e.client.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s for %s on request %s: %w", kind, j.Integration, j.Request, err)
	}
	return nil
}

// enqueueLogged enqueues after a commit. A failure leaves the state
// waiting for a job that is not queued; the reconciler enqueues it on its
// next pass, so it is logged, not returned.
func (e *Engine) enqueueLogged(ctx context.Context, kind string, j jobRef, delay time.Duration) {
	if err := e.enqueue(ctx, kind, j, delay); err != nil {
		e.log.Warn("enqueue failed; the reconciler will retry", "request", j.Request, "integration", j.Integration, "task", kind, "error", err)
	}
}

// errTaskActive: the task is running now and cannot be deleted.
var errTaskActive = errors.New("task is running")

// deleteTask removes a scheduled or queued task; a task that is not there
// is fine. A running one cannot be deleted: errTaskActive.
func (e *Engine) deleteTask(kind string, j jobRef) error {
	q := e.queueOf(j.Integration)
	err := e.insp.DeleteTask(q, j.taskID(kind))
	switch {
	case err == nil, errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		return nil
	}
	info, ierr := e.insp.GetTaskInfo(q, j.taskID(kind))
	if ierr == nil && info.State == asynq.TaskStateActive {
		return errTaskActive
	}
	return fmt.Errorf("delete task %s: %w", kind, err)
}

// cancelJobs removes whatever is scheduled for an integration's attempt
// and asks a running call to stop. Best effort: a job that still runs
// finds its attempt over when it commits, and its result is rejected.
func (e *Engine) cancelJobs(j jobRef, pollSeq, try int) {
	next := j
	next.Attempt++
	poll := j
	poll.PollSeq = pollSeq
	waiting := j
	waiting.Try = try
	for _, t := range []struct {
		kind string
		ref  jobRef
	}{{taskRun, next}, {taskRun, waiting}, {taskPoll, poll}, {taskRemind, poll}, {taskDue, j}} {
		if err := e.deleteTask(t.kind, t.ref); err != nil && !errors.Is(err, errTaskActive) {
			e.log.Debug("could not remove scheduled job", "task", t.kind, "request", j.Request, "error", err)
		}
	}
	if err := e.insp.CancelProcessing(waiting.taskID(taskRun)); err != nil {
		e.log.Debug("could not signal running job", "request", j.Request, "error", err)
	}
}

func ref(id string, w state.Workflow, name string, attempt int) jobRef {
	return jobRef{Request: id, Workflow: w.Code(), Integration: name, Attempt: attempt}
}

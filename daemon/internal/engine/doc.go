// Package engine runs privacy requests through Review, Process, Reply and
// Closed: it plans which integrations and manual data sources take part,
// runs the integrations' jobs through asynq on Redis, polls asynchronous
// ones, waits on Direct Contact processors, retries failures, and records
// every step in the request's history.
//
// State lives in Redis through package store (compare-and-set on every
// change); jobs are asynq tasks that carry only ids, with a TaskID per
// (request, workflow state, integration, attempt, try) so enqueueing twice
// is harmless. Every change to an integration is decided by one pure
// function, decide (machine.go): the engine loads the request, decides,
// commits the decision with the move it allows, then runs its effects
// (transition.go). Transient errors are waited out in Pending on the same
// attempt; a job told "not now" (a wait not over, a plugin restarting) is
// handed to a later task by reschedule, counting nothing. Scheduled work (polls for months, Direct Contact due dates,
// 24-hour retries) is asynq's scheduled set, never an in-memory timer, and
// a job whose worker died is picked up again when its lease expires.
// Several engines may share one Redis: asynq hands each task to one worker
// at a time, and a job's result is committed only if its attempt is still
// the current one.
//
// The engine does not know the configuration file or the plugin host: the
// daemon passes plain specs ([Config]) and a [Connectors] lookup.
package engine

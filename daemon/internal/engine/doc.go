// Package engine runs privacy requests through Review, Process, Reply and
// Closed: it plans which integrations and manual data sources take part,
// runs the integrations' jobs through asynq on Redis, polls asynchronous
// ones, waits on Direct Contact processors, retries failures, and records
// every step in the request's history.
//
// State lives in Redis through package store (compare-and-set on every
// change); jobs are asynq tasks that carry only ids, with a TaskID per
// (request, workflow state, integration, attempt) so enqueueing twice is
// harmless. Scheduled work (polls for months, Direct Contact due dates,
// 24-hour retries) is asynq's scheduled set, never an in-memory timer, and
// a job whose worker died is picked up again when its lease expires.
// Several engines may share one Redis: asynq hands each task to one worker
// at a time, and a job's result is committed only if its attempt is still
// the current one.
//
// The engine does not know the configuration file or the plugin host: the
// daemon passes plain specs ([Config]) and a [Connectors] lookup.
package engine

package engine

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// The integration state machine. decide is one pure function: an
// integration's current state and an event in; its next state, the history
// entries and the effects (tasks to enqueue, scheduled work to cancel) out.
// It reads no clock, no Redis and no configuration beyond what the event
// and the policy carry, so its transitions are table-tested without Redis
// (machine_test.go). The engine loads the request, decides, commits the
// decision (compare-and-set) and only then runs the effects; see step.
//
// The states are the seed's tables (package state). The rules the machine
// adds to them:
//   - A job is accepted only for the integration's current attempt and
//     run task (Attempt, Try) or poll (PollSeq): anything else is over.
//   - A transient error (plugin_crashed, unavailable, timeout,
//     rate_limited) on a call puts the integration back in Pending for the
//     same attempt, to try again after an exponential backoff or exactly
//     the third party's Retry-After; only a run of more than
//     TransientRetries of them counts as a failed attempt.
//   - Any other error, or a run too long, is Error with the next attempt
//     retry_interval ahead (or later, when the third party asked for more).
//   - A transient error on a poll polls again after the same backoff (or
//     Retry-After), the third party still holding the job, until max_wait.

// trigger says what happened to an integration.
type trigger int

const (
	// trStart: a run task was handed the job.
	trStart trigger = iota + 1
	// trOutcome: a call or poll came back.
	trOutcome
	// trCall: a run task's call came back before its start was committed
	// (within the engine's CommitGrace): the start and the outcome are
	// decided, and committed, together.
	trCall
	// trRetry: an operator asked for a new attempt now.
	trRetry
	// trEnd: an operator stopped or skipped the integration.
	trEnd
	// trAnswer: a Direct Contact processor answered.
	trAnswer
	// trDue: a Direct Contact due date came.
	trDue
)

// event is one thing that happened to an integration, with what decide
// needs to know about it.
type event struct {
	kind trigger
	now  time.Time
	// stage is the request's stage: integrations change only in Process.
	stage state.Stage
	// job is the task that ran (trStart, trOutcome) or the link's attempt
	// (trAnswer, 0 for any; trDue).
	job   jobRef
	phase store.Phase // trOutcome: the phase the job ran in
	out   outcome     // trOutcome, trCall
	// started is when a trCall's run task made its call: the time of its
	// start, as now is the time of its outcome.
	started time.Time
	actor   string // operator actions
	// detail and count are the Complete state an operator or processor
	// chose (trEnd, trAnswer); histKind names the history entry.
	detail   state.Detail
	count    int64
	histKind string
	answer   Answer
	files    []sdk.File
	// upload is a staged upload whose files the answer stores (trAnswer).
	upload *store.Upload
	note   string
}

// policy is what decide needs of the configuration.
type policy struct {
	spec      IntegrationSpec
	transient TransientPolicy
	minPoll   time.Duration
	// jitter spreads a backoff delay; identity in tests.
	jitter func(time.Duration) time.Duration
}

// TransientPolicy shapes the waits after transient errors.
type TransientPolicy struct {
	// Initial is the first backoff (default 2s); each further transient
	// error in a row doubles it, up to Max (default 15m). A Retry-After
	// from the third party replaces the backoff, exactly.
	Initial, Max time.Duration
	// Retries bounds a run of transient errors on one attempt (default
	// 8): one more is a failed attempt on the retry_interval schedule.
	Retries int
}

// backoff is the wait before try n (1 or more) of a run of transient
// errors, before jitter.
func (p TransientPolicy) backoff(n int) time.Duration {
	d := p.Initial
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// effect is work to do once the decision is committed.
type effect struct {
	kind  string // task kind
	ref   jobRef
	delay time.Duration
}

// decision is what decide came to.
type decision struct {
	// next is the integration's new state; nil leaves it as it is.
	next   *store.Integration
	events []store.Event
	// effects are tasks to enqueue after the commit.
	effects []effect
	// cancel: remove the scheduled work of the state the integration left,
	// and ask a call still running for it to stop.
	cancel bool
	// result is stored with the new state (records, files, identifiers).
	result *store.Result
	// completed: the integration became Complete, so the request may move
	// on in the same commit.
	completed bool
	// accepted: trStart handed the call to the job.
	accepted bool
	// notBefore: trStart came before the integration's transient wait was
	// over; the job is handed on to a task at that time.
	notBefore time.Time
	// notYet: trDue came before the due date.
	notYet bool
	// err refuses an operator's or processor's action.
	err error
}

func (d *decision) enqueue(kind string, r jobRef, delay time.Duration) {
	d.effects = append(d.effects, effect{kind: kind, ref: r, delay: max(delay, 0)})
}

// decide is the state machine. cur is the integration's state in the
// event's workflow state; nil when the request has no such integration.
func decide(cur *store.Integration, ev event, pol policy) decision {
	if cur == nil && (ev.kind == trRetry || ev.kind == trEnd) {
		return decision{err: fmt.Errorf("integration %q: %w", ev.job.Integration, ErrNotFound)}
	}
	switch ev.kind {
	case trStart:
		return decideStart(cur, ev, pol)
	case trOutcome:
		return decideOutcome(cur, ev, pol)
	case trCall:
		return decideCall(cur, ev, pol)
	case trRetry:
		return decideRetry(cur, ev)
	case trEnd:
		return decideEnd(cur, ev)
	case trAnswer:
		return decideAnswer(cur, ev)
	case trDue:
		return decideDue(cur, ev, pol)
	}
	return decision{err: fmt.Errorf("unknown event %d: %w", ev.kind, ErrInvalidArgument)}
}

// decideStart accepts a run task when the integration is Pending for its
// attempt (and its transient wait is over), in Error on the previous
// attempt (an automatic retry coming due), or Processing this very task's
// call (delivered again after its worker died: at least once).
func decideStart(cur *store.Integration, ev event, pol policy) decision {
	var d decision
	j := ev.job
	if ev.stage != state.StageProcess || cur == nil {
		return d
	}
	if cur.Status == state.Processing && cur.Phase == store.PhaseCall && cur.Attempt == j.Attempt && cur.Try == j.Try {
		d.accepted = true
		d.next = cur.Clone()
		d.next.UpdatedAt = ev.now
		d.events = append(d.events, integrationEvent(EventAttempt, d.next, ev.now, ActorSystem,
			fmt.Sprintf("Attempt %d delivered again", cur.Attempt),
			map[string]string{"attempt": strconv.Itoa(cur.Attempt), "redelivered": "true"}))
		return d
	}
	pending := cur.Status == state.Pending && cur.Attempt == j.Attempt
	retry := cur.Status == state.Error && cur.Attempt == j.Attempt-1 && j.Attempt > 1
	if !pending && !retry {
		return d
	}
	// The task the wait scheduled (its Try) was timed by asynq; any
	// other (a reconciler's, a duplicate) waits for the wait's end.
	if pending && j.Try != cur.Try && ev.now.Before(cur.NextAttemptAt) {
		d.notBefore = cur.NextAttemptAt
		return d
	}
	next := cur.Clone()
	if retry {
		next.Transient = 0
	}
	next.Attempt, next.Try = j.Attempt, j.Try
	next.Status, next.Phase, next.UpdatedAt = state.Processing, store.PhaseCall, ev.now
	next.Error, next.NextAttemptAt, next.NextPollAt = nil, time.Time{}, time.Time{}
	next.PollSeq, next.Handle, next.SubmittedAt = 0, "", ev.now
	next.Detail = state.DetailRequestSubmitted
	if next.Type == sdk.DirectContact {
		next.Detail, next.DueAt, next.OverdueNoted = state.DetailDue, ev.now.Add(pol.spec.DirectContact.DueIn), false
	}
	msg := fmt.Sprintf("Attempt %d", next.Attempt)
	attrs := map[string]string{"attempt": strconv.Itoa(next.Attempt)}
	if next.Transient > 0 {
		msg = fmt.Sprintf("Attempt %d, try %d", next.Attempt, next.Transient+1)
		attrs["try"] = strconv.Itoa(next.Transient + 1)
	}
	d.accepted, d.next = true, next
	d.events = append(d.events, integrationEvent(EventAttempt, next, ev.now, ActorSystem, msg, attrs),
		stateEvent(next, ev.now, ActorSystem))
	return d
}

// decideCall decides a run task's start and its call's outcome as one
// transition, each with its own time: the task's start (ev.started) as
// decideStart would, then the outcome (ev.now) on the state the start
// left. Both sets of history entries are kept, so the history reads as if
// they had been committed one after the other. A start no longer accepted
// (a stop, a skip or a retry came while the call ran) makes the answer
// late: it is noted as rejected, never committed.
func decideCall(cur *store.Integration, ev event, pol policy) decision {
	start := ev
	start.kind, start.now = trStart, ev.started
	s := decideStart(cur, start, pol)
	done := ev
	done.kind, done.phase = trOutcome, store.PhaseCall
	if !s.accepted {
		return decideOutcome(cur, done, pol)
	}
	d := decideOutcome(s.next, done, pol)
	d.accepted = true
	d.events = append(s.events, d.events...)
	return d
}

// transient reports whether an error is one to wait out: the third party
// or the plugin is expected back soon.
// A plugin_crashed error marked not retryable (the plugin was stopped,
// not restarted) is not.
func transient(err error) bool {
	se := sdk.AsError(err)
	switch se.Type {
	case sdk.ErrorPluginCrashed:
		return se.Retryable
	case sdk.ErrorUnavailable, sdk.ErrorTimeout, sdk.ErrorRateLimited:
		return true
	}
	return false
}

// decideOutcome commits what a call or poll came to, if the job is still
// the integration's current one; otherwise the result is late and only
// noted.
func decideOutcome(cur *store.Integration, ev event, pol policy) decision {
	var d decision
	j, now, out, spec := ev.job, ev.now, ev.out, pol.spec
	if cur == nil {
		return d
	}
	if ev.stage != state.StageProcess || cur.Status != state.Processing || cur.Attempt != j.Attempt || cur.Phase != ev.phase ||
		(ev.phase == store.PhasePoll && cur.PollSeq != j.PollSeq) || (ev.phase == store.PhaseCall && cur.Try != j.Try) {
		d.events = append(d.events, integrationEvent(EventResultRejected, cur, now, ActorSystem, "Late result rejected", map[string]string{
			"attempt": strconv.Itoa(j.Attempt), "current_attempt": strconv.Itoa(cur.Attempt), "status": cur.Status.Code(),
		}))
		return d
	}
	next := cur.Clone()
	next.UpdatedAt = now
	d.next = next
	p := out.pending()
	deadline := cur.SubmittedAt.Add(spec.MaxWait)
	switch {
	case out.err != nil && ev.phase == store.PhasePoll && !out.final && now.Before(deadline) &&
		(transient(out.err) || sdk.AsError(out.err).Retryable):
		// The third party still has the job: poll again.
		next.Transient++
		delay := pol.transientDelay(out.err, next.Transient)
		delay = min(delay, deadline.Sub(now))
		if sdk.AsError(out.err).RetryAfter <= 0 {
			delay = min(delay, spec.PollInterval)
		}
		schedulePoll(&d, next, now, delay)
		ei := state.ErrorFrom(out.err)
		d.events = append(d.events, integrationEvent(EventPollFailed, next, now, ActorSystem, ei.Message,
			transientAttrs(ei, next, next.NextPollAt)))
	case out.err != nil && ev.phase == store.PhaseCall && !out.final && transient(out.err) && cur.Transient < pol.transient.Retries:
		wait(&d, next, out.err, pol, now)
	case out.err != nil:
		fail(&d, next, out.err, spec, now)
	case p != nil && j.Workflow == state.PendingDelete.Code() && spec.DeletionBehavior == CompleteOnSubmit && next.Type != sdk.DirectContact:
		next.Status, next.Phase, next.Handle, next.Transient = state.Complete, store.PhaseNone, "", 0
		next.Detail, next.Count = state.DeletionDetail(next.Type, int64(out.records), false)
		d.events = append(d.events, stateEvent(next, now, ActorSystem))
		d.completed = true
	case p != nil && next.Type == sdk.DirectContact:
		next.Phase, next.Handle, next.Transient = store.PhaseAwait, p.Handle, 0
		d.enqueue(taskDue, ref(j.Request, next.Workflow, next.Name, next.Attempt), next.DueAt.Sub(now))
		scheduleRemind(&d, next, p, pol, now)
	case p != nil && !now.Before(deadline):
		fail(&d, next, maxWaitError(spec), spec, now)
	case p != nil:
		next.Handle, next.Transient = p.Handle, 0
		delay := spec.PollInterval
		if p.PollAfter > 0 && p.PollAfter < delay {
			delay = p.PollAfter
		}
		schedulePoll(&d, next, now, max(min(delay, deadline.Sub(now)), pol.minPoll))
	default:
		if err := complete(next, out); err != nil {
			fail(&d, next, err, spec, now)
			break
		}
		next.Transient, next.Error = 0, nil
		d.result = resultOf(out)
		d.events = append(d.events, stateEvent(next, now, ActorSystem))
		d.completed = true
	}
	return d
}

// transientDelay is the wait before the next try after transient error n
// of a run: exactly the third party's Retry-After when it gave one, else
// the policy's backoff with jitter.
func (pol policy) transientDelay(err error, n int) time.Duration {
	if ra := sdk.AsError(err).RetryAfter; ra > 0 {
		return ra
	}
	d := pol.transient.backoff(n)
	if pol.jitter != nil {
		d = pol.jitter(d)
	}
	return d
}

// wait puts an integration whose call failed for a passing reason back in
// Pending for the same attempt, to be tried again by a new run task.
func wait(d *decision, next *store.Integration, err error, pol policy, now time.Time) {
	next.Transient++
	delay := pol.transientDelay(err, next.Transient)
	ei := state.ErrorFrom(err)
	next.Status, next.Detail, next.Count = state.Pending, state.DetailNone, 0
	next.Phase, next.Handle, next.Error = store.PhaseNone, "", ei
	next.Try++
	next.NextAttemptAt = now.Add(delay)
	r := ref("", next.Workflow, next.Name, next.Attempt)
	r.Try = next.Try
	d.enqueue(taskRun, r, delay)
	d.events = append(d.events,
		integrationEvent(EventTransient, next, now, ActorSystem, ei.Message, transientAttrs(ei, next, next.NextAttemptAt)),
		stateEvent(next, now, ActorSystem))
}

// fail puts the integration in Error and, while attempts remain, schedules
// the next one retry_interval from now (or later, when a rate limit said
// so).
func fail(d *decision, next *store.Integration, err error, spec IntegrationSpec, now time.Time) {
	ei := state.ErrorFrom(err)
	next.Status, next.Detail, next.Count = state.Error, state.DetailNone, 0
	next.Phase, next.Handle, next.Error = store.PhaseNone, "", ei
	next.NextAttemptAt, next.NextPollAt = time.Time{}, time.Time{}
	if next.Attempt < spec.MaxAttempts {
		delay := spec.RetryInterval
		if se := sdk.AsError(err); se.RetryAfter > delay {
			delay = se.RetryAfter
		}
		next.NextAttemptAt = now.Add(delay)
		d.enqueue(taskRun, ref("", next.Workflow, next.Name, next.Attempt+1), delay)
	}
	d.events = append(d.events,
		integrationEvent(EventError, next, now, ActorSystem, ei.Message, errorAttrs(ei, next.Attempt, next.NextAttemptAt)),
		stateEvent(next, now, ActorSystem))
}

// schedulePoll numbers the next poll and schedules it after delay.
func schedulePoll(d *decision, next *store.Integration, now time.Time, delay time.Duration) {
	next.Phase = store.PhasePoll
	next.PollSeq++
	next.NextPollAt = now.Add(delay)
	r := ref("", next.Workflow, next.Name, next.Attempt)
	r.PollSeq = next.PollSeq
	d.enqueue(taskPoll, r, delay)
}

// scheduleRemind schedules the next poll of a Direct Contact connector
// waiting on its processor, when the connector asked to be polled before
// the due date: its polls send the reminders (the processor's answer comes
// through the daemon, never through a poll). The wait is bounded by
// poll_interval, as every poll is.
func scheduleRemind(d *decision, next *store.Integration, p *sdk.Pending, pol policy, now time.Time) {
	if p == nil || p.PollAfter <= 0 || !now.Add(p.PollAfter).Before(next.DueAt) {
		return
	}
	delay := max(min(p.PollAfter, pol.spec.PollInterval), pol.minPoll)
	next.PollSeq++
	r := ref("", next.Workflow, next.Name, next.Attempt)
	r.PollSeq = next.PollSeq
	d.enqueue(taskRemind, r, delay)
}

// decideRetry starts a new attempt at once, for an integration in Error,
// Processing, or Pending in a transient wait. A Complete integration
// cannot be retried.
func decideRetry(cur *store.Integration, ev event) decision {
	var d decision
	if ev.stage != state.StageProcess || !retryable(cur.Status, cur.NextAttemptAt) {
		d.err = fmt.Errorf("integration %q is %s; only one in Error, Processing or waiting to try again can be retried: %w",
			cur.Name, cur.State().Label(ev.now), ErrFailedPrecondition)
		return d
	}
	next := cur.Clone()
	next.Attempt++
	next.Status, next.Detail, next.Count = state.Pending, state.DetailNone, 0
	next.Phase, next.Handle, next.PollSeq, next.Error = store.PhaseNone, "", 0, nil
	next.NextAttemptAt, next.NextPollAt, next.UpdatedAt = time.Time{}, time.Time{}, ev.now
	next.Transient, next.Try = 0, 0
	d.next, d.cancel = next, cur.Status != state.Error
	d.enqueue(taskRun, ref("", next.Workflow, next.Name, next.Attempt), 0)
	d.events = append(d.events,
		integrationEvent(EventRetry, next, ev.now, ev.actor, "Retry requested", map[string]string{"attempt": strconv.Itoa(next.Attempt)}),
		stateEvent(next, ev.now, ev.actor))
	return d
}

// retryable reports whether an operator may retry an integration: in
// Error, Processing, or Pending while it waits out a transient error.
func retryable(st state.Status, nextAttemptAt time.Time) bool {
	return st == state.Error || st == state.Processing || (st == state.Pending && !nextAttemptAt.IsZero())
}

// decideEnd completes an integration as an operator chose: "Stopped
// processing", "Access skipped" or "Deletion skipped".
func decideEnd(cur *store.Integration, ev event) decision {
	var d decision
	switch {
	case ev.stage != state.StageProcess:
		d.err = fmt.Errorf("the request is %s, not Process: %w", ev.stage, ErrFailedPrecondition)
		return d
	case cur.Status == state.Complete:
		d.err = fmt.Errorf("integration %q is already %s: %w", cur.Name, cur.State().Label(ev.now), ErrFailedPrecondition)
		return d
	}
	next := cur.Clone()
	next.Status, next.Detail, next.Count = state.Complete, ev.detail, 0
	next.Phase, next.Handle, next.Error = store.PhaseNone, "", nil
	next.NextAttemptAt, next.NextPollAt, next.UpdatedAt = time.Time{}, time.Time{}, ev.now
	d.next, d.cancel, d.completed = next, true, true
	d.events = append(d.events,
		integrationEvent(ev.histKind, next, ev.now, ev.actor, next.State().Label(ev.now), nil),
		stateEvent(next, ev.now, ev.actor))
	return d
}

// decideAnswer completes a Direct Contact integration waiting on its
// processor with the processor's answer; links are single use.
func decideAnswer(cur *store.Integration, ev event) decision {
	var d decision
	if cur == nil || cur.Type != sdk.DirectContact {
		d.err = fmt.Errorf("no Direct Contact integration %q in %s: %w", ev.job.Integration, ev.job.Workflow, ErrNotFound)
		return d
	}
	if ev.stage != state.StageProcess || cur.Status != state.Processing ||
		(cur.Phase != store.PhaseAwait && cur.Phase != store.PhaseCall) ||
		(ev.job.Attempt != 0 && ev.job.Attempt != cur.Attempt) {
		d.err = fmt.Errorf("integration %q is not waiting for an answer: %w", cur.Name, ErrFailedPrecondition)
		return d
	}
	next := cur.Clone()
	next.Status, next.Detail, next.Count = state.Complete, ev.detail, ev.count
	next.Phase, next.Handle, next.UpdatedAt = store.PhaseNone, "", ev.now
	answered := integrationEvent(EventAnswer, next, ev.now, ActorDirectContact, "Processor answered",
		map[string]string{"answer": answerCode(ev.answer), "files": strconv.Itoa(len(ev.files) + ev.upload.Len())})
	if ev.note != "" {
		answered.Sealed = map[string]string{"note": ev.note}
	}
	d.events = append(d.events, answered, stateEvent(next, ev.now, ActorDirectContact))
	if len(ev.files)+ev.upload.Len() > 0 {
		d.result = &store.Result{Files: ev.files, Upload: ev.upload}
	}
	d.next, d.cancel, d.completed = next, true, true
	return d
}

// decideDue applies on_no_response once a processor's due date passes:
// "skipped (no response)", or a note that the integration now blocks the
// request.
func decideDue(cur *store.Integration, ev event, pol policy) decision {
	var d decision
	if ev.stage != state.StageProcess || cur == nil || cur.Type != sdk.DirectContact ||
		cur.Status != state.Processing || cur.Phase != store.PhaseAwait || cur.Attempt != ev.job.Attempt {
		return d
	}
	if ev.now.Before(cur.DueAt) {
		d.notYet = true
		return d
	}
	next := cur.Clone()
	next.UpdatedAt = ev.now
	if pol.spec.DirectContact.OnNoResponse == Skip {
		next.Status, next.Detail, next.Phase, next.Handle = state.Complete, state.DetailSkippedNoResponse, store.PhaseNone, ""
		d.events = append(d.events, stateEvent(next, ev.now, ActorSystem))
		d.next, d.completed = next, true
		return d
	}
	if cur.OverdueNoted {
		return d
	}
	next.OverdueNoted = true
	d.next = next
	d.events = append(d.events, integrationEvent(EventOverdue, next, ev.now, ActorSystem,
		"No response by the due date; the request is blocked", map[string]string{"label": next.State().Label(ev.now)}))
	return d
}

// transientAttrs describe a transient error in history: its type, the
// third party's status code, and when the next try comes.
func transientAttrs(ei *state.ErrorInfo, it *store.Integration, nextTry time.Time) map[string]string {
	a := errorAttrs(ei, it.Attempt, time.Time{})
	a["transient"] = strconv.Itoa(it.Transient)
	a["next_try_at"] = nextTry.Format(time.RFC3339Nano)
	return a
}

package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// The state machine's transitions, without Redis: each case is an
// integration's state and an event in, and the state, history and
// effects that must come out. Every state it produces must be a row of
// the seed's table for the integration's type.

var machineNow = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

func machinePolicy() policy {
	spec := IntegrationSpec{Name: "crm", Type: sdk.SynchronousAPI, RetryInterval: 24 * time.Hour, MaxAttempts: 3,
		PollInterval: time.Hour, MaxWait: 48 * time.Hour, DeletionBehavior: WaitForCompletion,
		DirectContact: DirectContactSpec{DueIn: 14 * 24 * time.Hour, OnNoResponse: Skip}}
	return policy{spec: spec, transient: TransientPolicy{Initial: 2 * time.Second, Max: 15 * time.Minute, Retries: 3},
		minPoll: time.Second, jitter: func(d time.Duration) time.Duration { return d }}
}

func itState(status state.Status, attempt int, f ...func(*store.Integration)) *store.Integration {
	it := &store.Integration{Name: "crm", Type: sdk.SynchronousAPI, Workflow: state.Extracting, Status: status, Attempt: attempt}
	if status == state.Processing {
		it.Phase, it.Detail, it.SubmittedAt = store.PhaseCall, state.DetailRequestSubmitted, machineNow.Add(-time.Minute)
	}
	for _, fn := range f {
		fn(it)
	}
	return it
}

func job(attempt, try int) jobRef {
	return jobRef{Request: "r", Workflow: state.Extracting.Code(), Integration: "crm", Attempt: attempt, Try: try}
}

func outcomeEvent(j jobRef, phase store.Phase, out outcome) event {
	return event{kind: trOutcome, now: machineNow, stage: state.StageProcess, job: j, phase: phase, out: out}
}

// callEvent is a run task's call that came back within the commit grace
// period: started a second before it answered.
func callEvent(j jobRef, out outcome) event {
	return event{kind: trCall, started: machineNow.Add(-time.Second), now: machineNow, stage: state.StageProcess, job: j, out: out}
}

func rateLimited(after time.Duration) error {
	return sdk.Errorf(sdk.ErrorRateLimited, "slow down").WithStatus(429).WithRetryAfter(after)
}

// want is what a case checks; zero fields are not checked unless noted.
type want struct {
	label     string // "" : no new state
	attempt   int
	transient int
	nextAt    time.Time // NextAttemptAt, checked when label is set
	// effect is the one task enqueued ("" none), with its delay and try.
	effect      string
	effectDelay time.Duration
	effectRef   jobRef
	events      []string // history kinds, in order
	accepted    bool
	completed   bool
	notBefore   time.Time
	err         error
}

func TestStateMachine(t *testing.T) {
	pol := machinePolicy()
	waiting := func(it *store.Integration) {
		it.NextAttemptAt = machineNow.Add(time.Minute)
		it.Transient = 1
		it.Try = 1
	}
	tests := []struct {
		name string
		cur  *store.Integration
		ev   event
		want want
	}{
		{"a run task starts a Pending attempt", itState(state.Pending, 1),
			event{kind: trStart, now: machineNow, stage: state.StageProcess, job: job(1, 0)},
			want{label: "Processing Request submitted", attempt: 1, accepted: true, events: []string{EventAttempt, EventIntegrationState}}},
		{"another run task before the transient wait is over is handed on", itState(state.Pending, 1, waiting),
			event{kind: trStart, now: machineNow, stage: state.StageProcess, job: job(1, 0)},
			want{notBefore: machineNow.Add(time.Minute)}},
		{"the task of a transient wait starts the same attempt once due", itState(state.Pending, 1, waiting),
			event{kind: trStart, now: machineNow.Add(time.Minute), stage: state.StageProcess, job: job(1, 1)},
			want{label: "Processing Request submitted", attempt: 1, transient: 1, accepted: true, events: []string{EventAttempt, EventIntegrationState}}},
		{"the automatic retry of an Error starts the next attempt afresh", itState(state.Error, 1, func(it *store.Integration) { it.Transient = 3 }),
			event{kind: trStart, now: machineNow, stage: state.StageProcess, job: job(2, 0)},
			want{label: "Processing Request submitted", attempt: 2, accepted: true, events: []string{EventAttempt, EventIntegrationState}}},
		{"a task delivered again resumes its call", itState(state.Processing, 1),
			event{kind: trStart, now: machineNow, stage: state.StageProcess, job: job(1, 0)},
			want{label: "Processing Request submitted", attempt: 1, accepted: true, events: []string{EventAttempt}}},
		{"another task of a call in flight ends quietly", itState(state.Processing, 1),
			event{kind: trStart, now: machineNow, stage: state.StageProcess, job: job(1, 2)},
			want{}},
		{"a task of a finished attempt ends quietly", itState(state.Complete, 1, func(it *store.Integration) { it.Detail = state.DetailRecordsFound }),
			event{kind: trStart, now: machineNow, stage: state.StageProcess, job: job(1, 0)},
			want{}},
		{"nothing starts outside Process", itState(state.Pending, 1),
			event{kind: trStart, now: machineNow, stage: state.StageReply, job: job(1, 0)},
			want{}},

		{"429 with Retry-After waits exactly that long in Pending", itState(state.Processing, 1),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{err: rateLimited(4 * time.Second)}),
			want{label: "Pending", attempt: 1, transient: 1, nextAt: machineNow.Add(4 * time.Second),
				effect: taskRun, effectDelay: 4 * time.Second, effectRef: job(1, 1),
				events: []string{EventTransient, EventIntegrationState}}},
		{"a Retry-After beyond the backoff cap is honoured", itState(state.Processing, 1),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{err: rateLimited(time.Hour)}),
			want{label: "Pending", attempt: 1, transient: 1, nextAt: machineNow.Add(time.Hour),
				effect: taskRun, effectDelay: time.Hour, effectRef: job(1, 1), events: []string{EventTransient, EventIntegrationState}}},
		{"an outage backs off exponentially", itState(state.Processing, 1, func(it *store.Integration) { it.Transient, it.Try = 2, 2 }),
			outcomeEvent(job(1, 2), store.PhaseCall, outcome{err: sdk.Errorf(sdk.ErrorUnavailable, "down").WithStatus(503)}),
			want{label: "Pending", attempt: 1, transient: 3, nextAt: machineNow.Add(8 * time.Second),
				effect: taskRun, effectDelay: 8 * time.Second, effectRef: job(1, 3), events: []string{EventTransient, EventIntegrationState}}},
		{"a crashed plugin's call waits too", itState(state.Processing, 1),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{err: sdk.Errorf(sdk.ErrorPluginCrashed, "exited")}),
			want{label: "Pending", attempt: 1, transient: 1, nextAt: machineNow.Add(2 * time.Second),
				effect: taskRun, effectDelay: 2 * time.Second, effectRef: job(1, 1), events: []string{EventTransient, EventIntegrationState}}},
		{"a run of transient errors too long is a failed attempt", itState(state.Processing, 1, func(it *store.Integration) { it.Transient = 3 }),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{err: sdk.Errorf(sdk.ErrorTimeout, "slow")}),
			want{label: "Error", attempt: 1, transient: 3, nextAt: machineNow.Add(24 * time.Hour),
				effect: taskRun, effectDelay: 24 * time.Hour, effectRef: job(2, 0), events: []string{EventError, EventIntegrationState}}},
		{"auth goes to Error at once", itState(state.Processing, 1),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{err: sdk.Errorf(sdk.ErrorAuth, "no").WithStatus(401)}),
			want{label: "Error", attempt: 1, nextAt: machineNow.Add(24 * time.Hour),
				effect: taskRun, effectDelay: 24 * time.Hour, effectRef: job(2, 0), events: []string{EventError, EventIntegrationState}}},
		{"a plugin in a crash loop fails the attempt", itState(state.Processing, 1),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{err: sdk.Errorf(sdk.ErrorPluginCrashed, "loop"), final: true}),
			want{label: "Error", attempt: 1, nextAt: machineNow.Add(24 * time.Hour),
				effect: taskRun, effectDelay: 24 * time.Hour, effectRef: job(2, 0), events: []string{EventError, EventIntegrationState}}},
		{"the last attempt schedules nothing", itState(state.Processing, 3),
			outcomeEvent(job(3, 0), store.PhaseCall, outcome{err: sdk.Errorf(sdk.ErrorPermission, "no")}),
			want{label: "Error", attempt: 3, events: []string{EventError, EventIntegrationState}}},
		{"records found complete the integration", itState(state.Processing, 1, func(it *store.Integration) { it.Transient = 2 }),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{access: records(3)}),
			want{label: "Complete 3 records found", attempt: 1, completed: true, events: []string{EventIntegrationState}}},
		{"a result for another try is late", itState(state.Processing, 1, func(it *store.Integration) { it.Try = 1 }),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{access: records(3)}),
			want{events: []string{EventResultRejected}}},
		{"a result for an old attempt is late", itState(state.Processing, 2),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{access: records(3)}),
			want{events: []string{EventResultRejected}}},
		{"a pending answer is polled", itState(state.Processing, 1),
			outcomeEvent(job(1, 0), store.PhaseCall, outcome{access: &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "h", PollAfter: 5 * time.Second}}}),
			want{label: "Processing Request submitted", attempt: 1, effect: taskPoll, effectDelay: 5 * time.Second,
				effectRef: jobRef{Request: "r", Workflow: "extracting", Integration: "crm", Attempt: 1, PollSeq: 1}}},
		{"a poll answered 429 polls again after exactly its Retry-After", itState(state.Processing, 1, func(it *store.Integration) { it.Phase, it.PollSeq = store.PhasePoll, 4 }),
			outcomeEvent(jobRef{Request: "r", Workflow: "extracting", Integration: "crm", Attempt: 1, PollSeq: 4}, store.PhasePoll, outcome{err: rateLimited(7 * time.Second)}),
			want{label: "Processing Request submitted", attempt: 1, transient: 1, effect: taskPoll, effectDelay: 7 * time.Second,
				effectRef: jobRef{Request: "r", Workflow: "extracting", Integration: "crm", Attempt: 1, PollSeq: 5}, events: []string{EventPollFailed}}},
		{"a failed poll without Retry-After backs off from seconds", itState(state.Processing, 1, func(it *store.Integration) { it.Phase, it.PollSeq = store.PhasePoll, 1 }),
			outcomeEvent(jobRef{Request: "r", Workflow: "extracting", Integration: "crm", Attempt: 1, PollSeq: 1}, store.PhasePoll, outcome{err: sdk.Errorf(sdk.ErrorUnavailable, "down")}),
			want{label: "Processing Request submitted", attempt: 1, transient: 1, effect: taskPoll, effectDelay: 2 * time.Second,
				effectRef: jobRef{Request: "r", Workflow: "extracting", Integration: "crm", Attempt: 1, PollSeq: 2}, events: []string{EventPollFailed}}},

		{"a call answered within the grace period starts and completes in one decision", itState(state.Pending, 1),
			callEvent(job(1, 0), outcome{access: records(2)}),
			want{label: "Complete 2 records found", attempt: 1, accepted: true, completed: true,
				events: []string{EventAttempt, EventIntegrationState, EventIntegrationState}}},
		{"a transient error within the grace period starts and waits in one decision", itState(state.Pending, 1),
			callEvent(job(1, 0), outcome{err: rateLimited(4 * time.Second)}),
			want{label: "Pending", attempt: 1, transient: 1, nextAt: machineNow.Add(4 * time.Second), accepted: true,
				effect: taskRun, effectDelay: 4 * time.Second, effectRef: job(1, 1),
				events: []string{EventAttempt, EventIntegrationState, EventTransient, EventIntegrationState}}},
		{"an automatic retry answered at once fails in one decision", itState(state.Error, 1),
			callEvent(job(2, 0), outcome{err: sdk.Errorf(sdk.ErrorAuth, "no").WithStatus(401)}),
			want{label: "Error", attempt: 2, nextAt: machineNow.Add(24 * time.Hour), accepted: true,
				effect: taskRun, effectDelay: 24 * time.Hour, effectRef: job(3, 0),
				events: []string{EventAttempt, EventIntegrationState, EventError, EventIntegrationState}}},
		{"an answer after a stop in the grace period is late", itState(state.Complete, 1, func(it *store.Integration) { it.Detail = state.DetailStopped }),
			callEvent(job(1, 0), outcome{access: records(2)}),
			want{events: []string{EventResultRejected}}},
		{"an answer after a retry in the grace period is late", itState(state.Pending, 2),
			callEvent(job(1, 0), outcome{access: records(2)}),
			want{events: []string{EventResultRejected}}},

		{"retry of an Error starts a new attempt now", itState(state.Error, 1),
			event{kind: trRetry, now: machineNow, stage: state.StageProcess, actor: "ops"},
			want{label: "Pending", attempt: 2, effect: taskRun, effectRef: job(2, 0), events: []string{EventRetry, EventIntegrationState}}},
		{"retry of a transient wait starts a new attempt now", itState(state.Pending, 1, waiting),
			event{kind: trRetry, now: machineNow, stage: state.StageProcess, actor: "ops"},
			want{label: "Pending", attempt: 2, effect: taskRun, effectRef: job(2, 0), events: []string{EventRetry, EventIntegrationState}}},
		{"retry of a Complete integration is refused", itState(state.Complete, 1, func(it *store.Integration) { it.Detail = state.DetailNoRecordsFound }),
			event{kind: trRetry, now: machineNow, stage: state.StageProcess, actor: "ops"},
			want{err: ErrFailedPrecondition}},
		{"stop ends it", itState(state.Processing, 1),
			event{kind: trEnd, now: machineNow, stage: state.StageProcess, actor: "ops", detail: state.DetailStopped, histKind: EventStop},
			want{label: "Complete Stopped processing", attempt: 1, completed: true, events: []string{EventStop, EventIntegrationState}}},
		{"skip of a Complete integration is refused", itState(state.Complete, 1, func(it *store.Integration) { it.Detail = state.DetailStopped }),
			event{kind: trEnd, now: machineNow, stage: state.StageProcess, actor: "ops", detail: state.DetailSkipped, histKind: EventSkip},
			want{err: ErrFailedPrecondition}},
		{"skip outside Process is refused", itState(state.Error, 1),
			event{kind: trEnd, now: machineNow, stage: state.StageReply, actor: "ops", detail: state.DetailSkipped, histKind: EventSkip},
			want{err: ErrFailedPrecondition}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := *tt.cur
			d := decide(tt.cur, tt.ev, pol)
			checkDecision(t, d, tt.want)
			if tt.cur.Status != before.Status || tt.cur.Attempt != before.Attempt || tt.cur.Transient != before.Transient {
				t.Errorf("decide changed its input: %+v", tt.cur)
			}
		})
	}
}

func checkDecision(t *testing.T, d decision, w want) {
	t.Helper()
	if w.err != nil || d.err != nil {
		if !errors.Is(d.err, w.err) {
			t.Fatalf("err = %v, want %v", d.err, w.err)
		}
		return
	}
	if d.accepted != w.accepted || d.completed != w.completed || !d.notBefore.Equal(w.notBefore) {
		t.Errorf("accepted, completed, notBefore = %v, %v, %v; want %v, %v, %v", d.accepted, d.completed, d.notBefore, w.accepted, w.completed, w.notBefore)
	}
	switch {
	case w.label == "" && d.next != nil:
		t.Errorf("new state %q, want none", d.next.State().Label(machineNow))
	case w.label != "" && d.next == nil:
		t.Errorf("no new state, want %q", w.label)
	case w.label != "":
		n := d.next
		if got := n.State().Label(machineNow); got != w.label {
			t.Errorf("label = %q, want %q", got, w.label)
		}
		if err := n.State().Validate(n.Type); err != nil {
			t.Errorf("state outside the seed's table: %v", err)
		}
		if n.Attempt != w.attempt || n.Transient != w.transient || !n.NextAttemptAt.Equal(w.nextAt) {
			t.Errorf("attempt, transient, next attempt = %d, %d, %v; want %d, %d, %v", n.Attempt, n.Transient, n.NextAttemptAt, w.attempt, w.transient, w.nextAt)
		}
	}
	var kinds []string
	for _, e := range d.events {
		kinds = append(kinds, e.Kind)
	}
	if w.events != nil && !equalStrings(kinds, w.events) {
		t.Errorf("history %v, want %v", kinds, w.events)
	}
	switch {
	case w.effect == "" && len(d.effects) > 0:
		t.Errorf("effects %+v, want none", d.effects)
	case w.effect != "":
		if len(d.effects) != 1 {
			t.Fatalf("effects %+v, want one %s", d.effects, w.effect)
		}
		f := d.effects[0]
		f.ref.Request = "r"
		if f.kind != w.effect || f.delay != w.effectDelay || f.ref != w.effectRef {
			t.Errorf("effect %s %+v in %v, want %s %+v in %v", f.kind, f.ref, f.delay, w.effect, w.effectRef, w.effectDelay)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTransientHistoryNamesTypeStatusAndNextTry: each transient error is in
// history with its type, status code and the time of the next try.
// TestCallKeepsEachEntrysTime: a start and an outcome decided together
// keep their own times, the start's before the outcome's, and the
// attempt's submission is its start.
func TestCallKeepsEachEntrysTime(t *testing.T) {
	ev := callEvent(job(1, 0), outcome{access: records(1)})
	d := decide(itState(state.Pending, 1), ev, machinePolicy())
	if len(d.events) != 3 {
		t.Fatalf("history %+v", d.events)
	}
	for i, want := range []time.Time{ev.started, ev.started, ev.now} {
		if !d.events[i].Time.Equal(want) {
			t.Errorf("entry %d (%s %q) at %v, want %v", i, d.events[i].Kind, d.events[i].Message, d.events[i].Time, want)
		}
	}
	if !d.next.SubmittedAt.Equal(ev.started) || !d.next.UpdatedAt.Equal(ev.now) {
		t.Errorf("submitted %v, updated %v; want %v, %v", d.next.SubmittedAt, d.next.UpdatedAt, ev.started, ev.now)
	}
}

func TestTransientHistoryNamesTypeStatusAndNextTry(t *testing.T) {
	d := decide(itState(state.Processing, 1), outcomeEvent(job(1, 0), store.PhaseCall, outcome{err: rateLimited(5 * time.Second)}), machinePolicy())
	if len(d.events) == 0 || d.events[0].Kind != EventTransient {
		t.Fatalf("history %+v", d.events)
	}
	a := d.events[0].Attributes
	if a["type"] != "rate_limited" || a["status_code"] != "429" || a["next_try_at"] != machineNow.Add(5*time.Second).Format(time.RFC3339Nano) {
		t.Errorf("attributes %v", a)
	}
}

// TestDirectContactTransitions: the due date and the processor's answer.
func TestDirectContactTransitions(t *testing.T) {
	pol := machinePolicy()
	dc := func(f ...func(*store.Integration)) *store.Integration {
		it := &store.Integration{Name: "crm", Type: sdk.DirectContact, Workflow: state.PendingDelete, Status: state.Processing,
			Phase: store.PhaseAwait, Detail: state.DetailDue, Attempt: 1, DueAt: machineNow}
		for _, fn := range f {
			fn(it)
		}
		return it
	}
	due := event{kind: trDue, stage: state.StageProcess, job: jobRef{Attempt: 1}}
	early, late := due, due
	early.now, late.now = machineNow.Add(-time.Hour), machineNow.Add(time.Hour)
	if d := decide(dc(), early, pol); !d.notYet || d.next != nil {
		t.Errorf("before the due date: %+v", d)
	}
	d := decide(dc(), late, pol)
	checkDecision(t, d, want{label: "Complete Deletion skipped (no response)", attempt: 1, completed: true, events: []string{EventIntegrationState}})
	pol.spec.DirectContact.OnNoResponse = Block
	d = decide(dc(), late, pol)
	checkDecision(t, d, want{label: "Processing Due 0 days ago", attempt: 1, events: []string{EventOverdue}})
	if d := decide(dc(func(it *store.Integration) { it.OverdueNoted = true }), late, pol); d.next != nil || len(d.events) > 0 {
		t.Errorf("overdue noted twice: %+v", d)
	}
	answer := event{kind: trAnswer, now: machineNow, stage: state.StageProcess, detail: state.DetailDeletionDone, answer: AnswerDeleted}
	checkDecision(t, decide(dc(), answer, pol), want{label: "Complete Deletion done", attempt: 1, completed: true,
		events: []string{EventAnswer, EventIntegrationState}})
	answer.job.Attempt = 2 // a link of another attempt
	checkDecision(t, decide(dc(), answer, pol), want{err: ErrFailedPrecondition})
	start := event{kind: trStart, now: machineNow, stage: state.StageProcess, job: jobRef{Attempt: 1}}
	d = decide(dc(func(it *store.Integration) {
		it.Status, it.Phase, it.Detail = state.Pending, store.PhaseNone, state.DetailNone
	}), start, pol)
	checkDecision(t, d, want{label: "Processing Due in 14 days", attempt: 1, accepted: true, events: []string{EventAttempt, EventIntegrationState}})
}

func TestTransientBackoffIsCapped(t *testing.T) {
	p := TransientPolicy{Initial: 2 * time.Second, Max: 15 * time.Minute}
	for n, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 5: 32 * time.Second, 9: 512 * time.Second, 10: 15 * time.Minute, 40: 15 * time.Minute} {
		if got := p.backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
	for range 100 {
		if d := jitter(10 * time.Second); d < 8*time.Second || d > 12*time.Second {
			t.Fatalf("jitter(10s) = %v", d)
		}
	}
}

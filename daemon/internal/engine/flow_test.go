package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

func kinds(evs []Event) string {
	var k []string
	for _, e := range evs {
		k = append(k, e.Kind)
	}
	return strings.Join(k, ",")
}

func count(evs []Event, pred func(Event) bool) int {
	n := 0
	for _, e := range evs {
		if pred(e) {
			n++
		}
	}
	return n
}

func TestLifecycleAccess(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	cfg := Config{
		Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)},
		Manual:       []ManualSpec{{Name: "paper", Category: "Physical records", Instructions: "Check the cabinet.", RequestTypes: []sdk.RequestType{sdk.RequestAccess}}},
		RequestTypes: map[sdk.RequestType]RequestTypeSpec{sdk.RequestAccess: {Deadline: 30 * day}},
	}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		return records(2), nil
	}}}, 1).start()
	e := h.e()

	r, err := e.Create(ctx, CreateInput{Type: sdk.RequestAccess, Subject: sdk.Subject{Email: "ada@example.com"}, Source: "privacy_center", Actor: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Stage != state.StageReview || !r.DueAt.Equal(r.CreatedAt.Add(30*day)) || r.Overdue {
		t.Fatalf("new request: stage %s, due %v (created %v), overdue %v", r.Stage, r.DueAt, r.CreatedAt, r.Overdue)
	}
	if len(r.ManualTasks) != 1 || r.ManualTasks[0].Instructions != "Check the cabinet." {
		t.Fatalf("manual tasks = %+v", r.ManualTasks)
	}
	if _, err := e.Close(ctx, r.ID, "ops", Reply{}); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("close in Review: %v, want ErrFailedPrecondition", err)
	}
	h.approve(r.ID)
	h.waitLabel(r.ID, state.Extracting, "crm", "Complete 2 records found")
	// The manual task holds the request in Process.
	if got := h.get(r.ID); got.Stage != state.StageProcess || got.Workflow != state.Extracting {
		t.Fatalf("stage %s / %s, want Process while the manual task is open", got.Stage, got.Workflow)
	}
	if _, err := e.CompleteManualTask(ctx, r.ID, "paper", "ops", "nothing on paper"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CompleteManualTask(ctx, r.ID, "paper", "ops", "again"); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("second completion: %v", err)
	}
	h.waitStage(r.ID, state.StageReply)
	res, err := e.Results(ctx, r.ID)
	if err != nil || len(res) != 1 || len(res[0].Records) != 2 {
		t.Fatalf("results = %+v, %v", res, err)
	}
	closed, err := e.Close(ctx, r.ID, "ops", Reply{Subject: "Your data", Body: "Dear ada@example.com, attached."})
	if err != nil {
		t.Fatal(err)
	}
	if closed.Stage != state.StageClosed || closed.Outcome != state.OutcomeCompleted || closed.ClosedAt.IsZero() {
		t.Errorf("closed request: %+v", closed)
	}
	evs := h.history(r.ID)
	want := "request.created,integration.state,operator.approve,stage.changed,workflow.changed,integration.state," +
		"integration.attempt,integration.state,integration.state,manual.completed,stage.changed,reply.sent,results.purge_scheduled,stage.changed"
	if got := kinds(evs); got != want {
		t.Errorf("history\n got %s\nwant %s", got, want)
	}
	for _, ev := range evs {
		if ev.Kind == EventReplySent && ev.Attributes["body"] != "Dear ada@example.com, attached." {
			t.Errorf("reply in history = %q", ev.Attributes["body"])
		}
		if ev.Kind == EventManualCompleted && (ev.Actor != "ops" || ev.Attributes["note"] != "nothing on paper") {
			t.Errorf("manual completion event = %+v", ev)
		}
	}
	// Overdue shows once the deadline passes, and not once closed.
	r2 := h.create(sdk.RequestAccess, "bob@example.com")
	h.clock.Advance(31 * day)
	if !h.get(r2).Overdue || h.get(r.ID).Overdue {
		t.Error("overdue not derived from the due date and stage")
	}
	list, _, err := e.List(ctx, Filter{DueBefore: h.clock.Now()}, "", 10)
	if err != nil || len(list) != 2 {
		t.Errorf("due-before listing: %d, %v", len(list), err)
	}
}

func TestRejectAndSelection(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	cfg := Config{Integrations: []IntegrationSpec{
		spec("crm", sdk.SynchronousAPI, both),
		spec("billing", sdk.SynchronousAPI, both, dependsOn("crm")),
		spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly),
	}, Manual: []ManualSpec{{Name: "paper", RequestTypes: []sdk.RequestType{sdk.RequestDeletion}}}}
	f := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil },
		delete: func(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
			return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records)), WholeRecord: len(req.Records) == 0}, nil
		}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": f, "billing": f, "heap": f}, 1).start()
	e := h.e()

	if got := e.Sources(sdk.RequestDeletion); len(got) != 4 {
		t.Errorf("Sources(deletion) = %+v", got)
	}
	id := h.create(sdk.RequestDeletion, "ada@example.com")
	if _, err := e.Approve(ctx, id, "ops", []string{"nope"}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("approve with an unknown source: %v", err)
	}
	// Run only billing and heap: billing no longer waits on crm.
	h.approve(id, "billing", "heap")
	h.waitStage(id, state.StageReply)
	r := h.get(id)
	var labels []string
	for _, it := range r.Integrations {
		labels = append(labels, it.Workflow.Code()+"/"+it.Name+"="+it.Label)
	}
	want := "extracting/billing=Complete 1 records found,pending_delete/billing=Complete 1 records deleted,pending_delete/heap=Complete Deletion done"
	if strings.Join(labels, ",") != want {
		t.Errorf("integrations\n got %s\nwant %s", strings.Join(labels, ","), want)
	}
	if len(r.ManualTasks) != 0 || strings.Join(r.SelectedSources, ",") != "billing,heap" {
		t.Errorf("manual %v, selected %v", r.ManualTasks, r.SelectedSources)
	}

	id2 := h.create(sdk.RequestDeletion, "bob@example.com")
	rej, err := e.Reject(ctx, id2, "ops", "not verified", Reply{Subject: "Sorry", Body: "We could not verify you."})
	if err != nil {
		t.Fatal(err)
	}
	if rej.Stage != state.StageClosed || rej.Outcome != state.OutcomeRejected || len(rej.Integrations) != 0 {
		t.Errorf("rejected: %+v", rej)
	}
	if _, err := e.Approve(ctx, id2, "ops", nil); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("approve after reject: %v", err)
	}
	if _, err := e.Get(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get unknown: %v", err)
	}
	if _, err := e.Get(ctx, "not-a-ulid"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("get malformed: %v", err)
	}
	if _, err := e.Create(ctx, CreateInput{Type: sdk.RequestAccess}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("create without email: %v", err)
	}
	if _, err := e.Create(ctx, CreateInput{Type: "bogus", Subject: sdk.Subject{Email: "a@b.example"}}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("create with a bad type: %v", err)
	}
}

func TestAutoApproveDeletionApprovalAndManualOnly(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	deleted := atomic.Int64{}
	cfg := Config{
		Integrations: []IntegrationSpec{spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly)},
		Manual:       []ManualSpec{{Name: "mailing-list", RequestTypes: []sdk.RequestType{sdk.RequestDoNotMail}}},
		RequestTypes: map[sdk.RequestType]RequestTypeSpec{
			sdk.RequestDeletion:  {AutoApprove: true, RequireDeletionApproval: true},
			sdk.RequestDoNotMail: {AutoApprove: true},
			sdk.RequestDoNotSell: {AutoApprove: true},
		},
	}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"heap": &fake{delete: func(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
		deleted.Add(1)
		return &sdk.DeleteResponse{WholeRecord: true}, nil
	}}}, 1).start()
	e := h.e()

	id := h.create(sdk.RequestDeletion, "ada@example.com")
	r := h.get(id)
	if r.Stage != state.StageProcess || r.Workflow != state.PendingDelete || !r.AwaitingDeletionApproval {
		t.Fatalf("auto-approved deletion: stage %s, workflow %s, awaiting %v", r.Stage, r.Workflow, r.AwaitingDeletionApproval)
	}
	if l := h.label(id, state.PendingDelete, "heap"); l != "Not Started" || deleted.Load() != 0 {
		t.Fatalf("before approval: %q, %d deletes", l, deleted.Load())
	}
	if _, err := e.ApproveDeletion(ctx, id, "ops"); err != nil {
		t.Fatal(err)
	}
	h.waitStage(id, state.StageReply)
	if _, err := e.ApproveDeletion(ctx, id, "ops"); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("second deletion approval: %v", err)
	}

	dnm := h.create(sdk.RequestDoNotMail, "bob@example.com")
	r = h.get(dnm)
	if r.Stage != state.StageProcess || len(r.Integrations) != 0 || len(r.ManualTasks) != 1 {
		t.Fatalf("do_not_mail: %+v", r)
	}
	if _, err := e.CompleteManualTask(ctx, dnm, "mailing-list", "ops", "removed"); err != nil {
		t.Fatal(err)
	}
	h.waitStage(dnm, state.StageReply)
	// A type with no data source at all goes straight to Reply.
	dns := h.create(sdk.RequestDoNotSell, "carol@example.com")
	h.waitStage(dns, state.StageReply)
}

func TestAsyncPollingAndMaxWait(t *testing.T) {
	rs := testredis.Start(t)
	var polls atomic.Int64
	warehouse := &fake{
		access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
			return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "job-1", PollAfter: 5 * time.Millisecond}}, nil
		},
		pollAccess: func(_ context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
			if req.Handle != "job-1" {
				t.Errorf("poll handle %q", req.Handle)
			}
			switch polls.Add(1) {
			case 1:
				return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "job-1"}}, nil
			case 2:
				return nil, sdk.Errorf(sdk.ErrorUnavailable, "try later")
			}
			return records(2), nil
		},
	}
	never := &fake{access: pendingAccess, pollAccess: stillPendingAccess}
	heap := &fake{delete: func(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
		return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "del-1"}}, nil
	}}
	cfg := Config{Integrations: []IntegrationSpec{
		spec("warehouse", sdk.AsynchronousAPI, accessOnly),
		spec("never", sdk.AsynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.MaxWait = 300 * time.Millisecond }),
		spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly, func(s *IntegrationSpec) { s.DeletionBehavior = CompleteOnSubmit }),
	}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"warehouse": warehouse, "never": never, "heap": heap}, 1).start()
	// The engine clock follows real time here, as max_wait is measured on it.
	h.clock.Follow(t)

	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	h.waitLabel(id, state.Extracting, "warehouse", "Complete 2 records found")
	if n := polls.Load(); n != 3 {
		t.Errorf("%d polls, want 3 (pending, a passing failure, done)", n)
	}
	h.waitLabel(id, state.Extracting, "never", "Error")
	it := integration(h.get(id), state.Extracting, "never")
	if it.Error.Type != sdk.ErrorTimeout || !strings.Contains(it.Error.Message, "max_wait") {
		t.Errorf("max_wait error = %+v", it.Error)
	}
	evs := h.history(id)
	if count(evs, func(e Event) bool { return e.Kind == EventPollFailed && e.Integration == "warehouse" }) != 1 {
		t.Errorf("poll failure not in history: %s", kinds(evs))
	}

	del := h.create(sdk.RequestDeletion, "bob@example.com")
	h.approve(del, "heap")
	h.waitLabel(del, state.PendingDelete, "heap", "Complete Deletion done")
	if heap.calls.Load() != 1 {
		t.Errorf("complete_on_submit made %d calls, want 1 (no polls)", heap.calls.Load())
	}
}

func TestRetries(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	var flakyCalls atomic.Int64
	var fixed atomic.Bool
	var keys sync.Map
	flaky := &fake{access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		keys.Store(req.Job.IdempotencyKey, true)
		if flakyCalls.Add(1) == 1 {
			return nil, sdk.Errorf(sdk.ErrorPluginCrashed, "plugin exited")
		}
		return records(1), nil
	}}
	var brokenKeys sync.Map
	broken := &fake{access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		brokenKeys.Store(req.Job.IdempotencyKey, true)
		if fixed.Load() {
			return records(4), nil
		}
		return nil, sdk.Errorf(sdk.ErrorPermission, "missing scope").WithStatus(403).WithRemediation("Grant read scope.")
	}}
	cfg := Config{Integrations: []IntegrationSpec{
		spec("flaky", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.MaxAttempts = 3; s.RetryInterval = 200 * time.Millisecond }),
		spec("broken", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.MaxAttempts = 2; s.RetryInterval = 100 * time.Millisecond }),
	}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"flaky": flaky, "broken": broken}, 1).start()
	e := h.e()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)

	// plugin_crashed is transient: waited out in Pending on the same
	// attempt, tried again under the same idempotency key.
	h.waitLabel(id, state.Extracting, "flaky", "Complete 1 records found")
	if it := integration(h.get(id), state.Extracting, "flaky"); it.Attempts != 1 {
		t.Errorf("flaky took %d attempts, want 1", it.Attempts)
	}
	n := 0
	keys.Range(func(k, _ any) bool {
		n++
		if k != id+"/extracting/flaky" {
			t.Errorf("idempotency key %q not as documented", k)
		}
		return true
	})
	if n != 1 || flakyCalls.Load() != 2 {
		t.Errorf("%d keys over %d calls, want 1 over 2", n, flakyCalls.Load())
	}
	if c := count(h.history(id), func(e Event) bool {
		return e.Kind == EventTransient && e.Integration == "flaky" && e.Attributes["type"] == "plugin_crashed" && e.Attributes["next_try_at"] != ""
	}); c != 1 {
		t.Errorf("%d transient errors of flaky in history, want 1", c)
	}

	// Automatic retries stop at max_attempts, leaving it in Error.
	waitFor(t, "broken to exhaust its attempts", func() (bool, string) {
		it := integration(h.get(id), state.Extracting, "broken")
		return it.Status == state.Error && it.Attempts == 2 && it.NextAttemptAt.IsZero(), it.Label
	})
	if _, err := e.Retry(ctx, id, "flaky", "ops"); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("retry of a Complete integration: %v, want ErrFailedPrecondition", err)
	}
	if _, err := e.Retry(ctx, id, "nope", "ops"); !errors.Is(err, ErrNotFound) {
		t.Errorf("retry of an unknown integration: %v, want ErrNotFound", err)
	}
	// A manual retry after the fix runs at once as attempt 3.
	fixed.Store(true)
	st, err := e.Retry(ctx, id, "broken", "ops")
	if err != nil {
		t.Fatal(err)
	}
	if st.Attempts != 3 || st.Status != state.Pending {
		t.Errorf("after retry: %+v", st)
	}
	h.waitLabel(id, state.Extracting, "broken", "Complete 4 records found")
	// The idempotency key names the work, not the attempt: three attempts
	// (two automatic, one manual) carried one key.
	brokenKeys.Range(func(k, _ any) bool {
		if k != id+"/extracting/broken" {
			t.Errorf("broken's idempotency key %q changed across attempts", k)
		}
		return true
	})
	h.waitStage(id, state.StageReply)
	evs := h.history(id)
	errs := count(evs, func(e Event) bool { return e.Kind == EventError && e.Integration == "broken" })
	if errs != 2 {
		t.Errorf("%d errors of broken in history, want 2", errs)
	}
	for _, ev := range evs {
		if ev.Kind == EventError && ev.Integration == "broken" &&
			(ev.Attributes["type"] != "permission" || ev.Attributes["status_code"] != "403" || ev.Attributes["remediation"] == "") {
			t.Errorf("error event lacks details: %+v", ev)
		}
		if ev.Kind == EventRetry && ev.Actor != "ops" {
			t.Errorf("retry actor = %q", ev.Actor)
		}
	}
}

// blocking is a connector whose calls wait until released, to interleave
// operator actions with a call in flight.
type blocking struct {
	calls   atomic.Int64 // the nth call is taken for attempt n
	mu      sync.Mutex
	started chan int
	release map[int]chan *sdk.AccessResponse
}

func newBlocking() *blocking {
	return &blocking{started: make(chan int, 10), release: map[int]chan *sdk.AccessResponse{}}
}

func (b *blocking) ch(attempt int) chan *sdk.AccessResponse {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.release[attempt] == nil {
		b.release[attempt] = make(chan *sdk.AccessResponse, 1)
	}
	return b.release[attempt]
}

func (b *blocking) fake() *fake {
	return &fake{access: func(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		a := int(b.calls.Add(1))
		b.started <- a
		// A late connector ignores cancellation and answers anyway.
		return <-b.ch(a), nil
	}}
}

func TestLateResultsRejected(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()

	t.Run("after stop", func(t *testing.T) {
		b := newBlocking()
		h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
			map[string]sdk.Remote{"crm": b.fake()}, 1).start()
		id := h.create(sdk.RequestAccess, "ada@example.com")
		h.approve(id)
		<-b.started
		if _, err := h.e().Stop(ctx, id, "crm", "ops"); err != nil {
			t.Fatal(err)
		}
		b.ch(1) <- records(5)
		waitFor(t, "the late result to be rejected", func() (bool, string) {
			evs := h.history(id)
			return count(evs, func(e Event) bool { return e.Kind == EventResultRejected }) == 1, kinds(evs)
		})
		if l := h.label(id, state.Extracting, "crm"); l != "Complete Stopped processing" {
			t.Errorf("label = %q", l)
		}
		if res, _ := h.e().Results(ctx, id); len(res) != 0 {
			t.Errorf("a rejected result was stored: %+v", res)
		}
		if _, err := h.e().Stop(ctx, id, "crm", "ops"); !errors.Is(err, ErrFailedPrecondition) {
			t.Errorf("stop twice: %v", err)
		}
		if _, err := h.e().Skip(ctx, id, "crm", "ops"); !errors.Is(err, ErrFailedPrecondition) {
			t.Errorf("skip after stop: %v", err)
		}
	})

	t.Run("older attempt", func(t *testing.T) {
		b := newBlocking()
		h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
			map[string]sdk.Remote{"crm": b.fake()}, 1).start()
		id := h.create(sdk.RequestAccess, "ada@example.com")
		h.approve(id)
		<-b.started
		// Once the grace period is over the call in flight shows as
		// Processing; retrying it then starts attempt 2.
		h.waitLabel(id, state.Extracting, "crm", "Processing Request submitted")
		if _, err := h.e().Retry(ctx, id, "crm", "ops"); err != nil {
			t.Fatal(err)
		}
		if a := <-b.started; a != 2 {
			t.Fatalf("second call is attempt %d", a)
		}
		b.ch(2) <- records(1)
		h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
		b.ch(1) <- records(5)
		waitFor(t, "attempt 1's result to be rejected", func() (bool, string) {
			evs := h.history(id)
			return count(evs, func(e Event) bool { return e.Kind == EventResultRejected && e.Attributes["attempt"] == "1" }) == 1, kinds(evs)
		})
		if l := h.label(id, state.Extracting, "crm"); l != "Complete 1 records found" {
			t.Errorf("label = %q after the late result", l)
		}
		res, _ := h.e().Results(ctx, id)
		if len(res) != 1 || len(res[0].Records) != 1 {
			t.Errorf("results = %+v", res)
		}
	})
}

func TestDependsOnPassesIdentifiers(t *testing.T) {
	rs := testredis.Start(t)
	got := make(chan map[string]string, 1)
	crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		r := records(1)
		r.Identifiers = map[string]string{"user_id": "u-42"}
		return r, nil
	}}
	billing := &fake{access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		got <- req.Job.Subject.Identifiers
		return records(0), nil
	}}
	cfg := Config{Integrations: []IntegrationSpec{
		spec("billing", sdk.SynchronousAPI, accessOnly, dependsOn("crm")),
		spec("crm", sdk.SynchronousAPI, accessOnly),
	}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": crm, "billing": billing}, 1).start()
	r, err := h.e().Create(context.Background(), CreateInput{Type: sdk.RequestAccess,
		Subject: sdk.Subject{Email: "ada@example.com", Identifiers: map[string]string{"crm_id": "c-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if l := h.label(r.ID, state.Extracting, "billing"); l != "Not Started Will process in a workflow" {
		t.Errorf("billing before approval = %q", l)
	}
	h.approve(r.ID)
	ids := <-got
	if ids["user_id"] != "u-42" || ids["crm_id"] != "c-1" {
		t.Errorf("billing received identifiers %v", ids)
	}
	h.waitStage(r.ID, state.StageReply)
	if _, err := New(rs.Client, Config{Integrations: []IntegrationSpec{
		spec("a", sdk.SynchronousAPI, accessOnly, dependsOn("b")), spec("b", sdk.SynchronousAPI, accessOnly, dependsOn("a")),
	}}, nil, Options{Keys: h.keys}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a depends_on cycle: %v", err)
	}
}

func TestWatch(t *testing.T) {
	rs := testredis.Start(t)
	h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
		map[string]sdk.Remote{"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}}, 1).start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := h.e().Watch(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	h.approve(id)
	var seen []string
	for ev := range ch {
		seen = append(seen, ev.Kind+":"+ev.Message)
		if ev.Kind == EventStageChanged && ev.Attributes["to"] == "reply" {
			cancel()
		}
	}
	got := strings.Join(seen, ",")
	if !strings.HasPrefix(got, "operator.approve:") || !strings.Contains(got, "integration.state:Complete 1 records found") {
		t.Errorf("watched %s", got)
	}
}

func TestResultsPurgedAfterRetention(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
		map[string]sdk.Remote{"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}}, 1,
		func(o *Options) { o.ResultsRetention = 100 * time.Millisecond }).start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	h.waitStage(id, state.StageReply)
	if res, _ := h.e().Results(ctx, id); len(res) != 1 {
		t.Fatalf("results before close: %d", len(res))
	}
	if _, err := h.e().Close(ctx, id, "ops", Reply{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "results to be purged", func() (bool, string) {
		res, err := h.e().Results(ctx, id)
		return err == nil && len(res) == 0, "still there"
	})
	// History stays for audit.
	if len(h.history(id)) == 0 {
		t.Error("history gone with the results")
	}
}

package engine

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// attentionEntries reads the attention index: member → due time.
func (h *harness) attentionEntries() map[string]time.Time {
	h.t.Helper()
	zs, err := h.rdb.ZRangeWithScores(context.Background(), h.prefix+":idx:attention", 0, -1).Result()
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, z := range zs {
		out[z.Member.(string)] = time.UnixMilli(int64(z.Score)).UTC()
	}
	return out
}

// TestReconcileDueRecoversOverdueWorkOnly: a job lost between its commit
// and its enqueue is enqueued again by ReconcileDue once its entry falls
// due, not before; a request that reached Reply leaves no entry behind.
func TestReconcileDueRecoversOverdueWorkOnly(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	h := crmHarness(t, rs.Client)
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	entries := h.attentionEntries()
	due, ok := entries[id+"|x:crm"]
	if len(entries) != 1 || !ok {
		t.Fatalf("attention entries after approval = %v", entries)
	}
	if want := h.clock.Now().Add(time.Minute); !due.Equal(want.Truncate(time.Millisecond)) {
		t.Errorf("Pending integration due at %v, want %v", due, want)
	}
	if n, err := h.dropPending(); err != nil || n != 1 {
		t.Fatalf("dropped %d tasks: %v", n, err)
	}
	h.start()
	if err := h.e().ReconcileDue(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // time for a job, had one been enqueued
	if l := h.label(id, state.Extracting, "crm"); l != "Pending" {
		t.Fatalf("before its entry fell due: label = %q", l)
	}
	h.clock.Advance(2 * time.Minute)
	if err := h.e().ReconcileDue(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitStage(id, state.StageReply)
	if entries := h.attentionEntries(); len(entries) != 0 {
		t.Errorf("entries left after Reply: %v", entries)
	}
	if n := count(h.history(id), func(e Event) bool { return e.Kind == EventAttempt }); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// TestReconcileDueSkipsLongWaits: an integration polling a third party
// every hour is not visited meanwhile; a Complete sibling's entry is
// visited once, after which only the poller's remains.
func TestReconcileDueSkipsLongWaits(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	hourly := func(s *IntegrationSpec) { s.PollInterval = time.Hour; s.MaxWait = 24 * time.Hour }
	h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{
		spec("crm", sdk.SynchronousAPI, accessOnly),
		spec("warehouse", sdk.AsynchronousAPI, accessOnly, hourly),
	}}, map[string]sdk.Remote{
		"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }},
		"warehouse": &fake{
			access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
				return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "job-1"}}, nil
			},
			pollAccess: stillPendingAccess,
		},
	}, 1)
	h.start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
	h.waitLabel(id, state.Extracting, "warehouse", "Processing Request submitted")
	entries := h.attentionEntries()
	poll, ok := entries[id+"|x:warehouse"]
	if !ok || poll.Before(h.clock.Now().Add(time.Hour)) {
		t.Fatalf("poller's entry = %v (%v), want after %v", poll, ok, h.clock.Now().Add(time.Hour))
	}
	if _, ok := entries[id+"|x:crm"]; !ok || len(entries) != 2 {
		t.Fatalf("entries = %v, want the poller's and the completed crm's", entries)
	}
	h.clock.Advance(2 * time.Minute)
	if err := h.e().ReconcileDue(ctx); err != nil {
		t.Fatal(err)
	}
	entries = h.attentionEntries()
	if len(entries) != 1 || !entries[id+"|x:warehouse"].Equal(poll) {
		t.Errorf("after a pass: entries = %v, want only the poller's at %v", entries, poll)
	}
	h.clock.Advance(30 * time.Minute)
	due, err := h.e().store.DueAttention(ctx, h.clock.Now(), 10)
	if err != nil || len(due) != 0 {
		t.Errorf("due half an hour into an hourly poll: %v, %v", due, err)
	}
	if n, err := h.rdb.ZCard(ctx, h.prefix+":idx:attention").Result(); err != nil && err != redis.Nil || n != 1 {
		t.Errorf("attention index holds %d entries: %v", n, err)
	}
}

// TestReconcileDueMovesRequestAfterManualTask: a manual task done whose
// progress step never ran (a crash right after the commit) leaves the
// request's own entry, and the pass moves the request on once it falls
// due.
func TestReconcileDueMovesRequestAfterManualTask(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	h := newHarness(t, rs.Client, Config{
		Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)},
		Manual:       []ManualSpec{{Name: "paper", RequestTypes: []sdk.RequestType{sdk.RequestAccess}}},
	}, map[string]sdk.Remote{"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}}, 1)
	h.start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
	// The manual task is done the way CompleteManualTask commits it, but
	// the progress step that would follow is not run.
	if _, err := h.e().update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		m := *snap.Manual[0]
		m.Done, m.DoneBy = true, "ops"
		tx.PutManual(&m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.attentionEntries()[id+"|r"]; !ok {
		t.Fatalf("no entry for the request after its manual task: %v", h.attentionEntries())
	}
	h.clock.Advance(2 * time.Minute)
	if err := h.e().ReconcileDue(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitStage(id, state.StageReply)
	if entries := h.attentionEntries(); len(entries) != 0 {
		t.Errorf("entries left after Reply: %v", entries)
	}
}

// TestReconcileDueSurvivesUnreadableRequest: a request that cannot be
// read (its sealed personal data is gone) is looked at again later and
// does not stop the pass from recovering the others.
func TestReconcileDueSurvivesUnreadableRequest(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	h := crmHarness(t, rs.Client)
	broken, healthy := h.create(sdk.RequestAccess, "ada@example.com"), h.create(sdk.RequestAccess, "bob@example.com")
	h.approve(broken)
	h.approve(healthy)
	if n, err := h.dropPending(); err != nil || n != 2 {
		t.Fatalf("dropped %d tasks: %v", n, err)
	}
	if err := rs.Client.Del(ctx, h.prefix+":{"+broken+"}:pd").Err(); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.clock.Advance(2 * time.Minute)
	if err := h.e().ReconcileDue(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitStage(healthy, state.StageReply)
	due, ok := h.attentionEntries()[broken+"|x:crm"]
	if !ok || !due.After(h.clock.Now()) {
		t.Errorf("unreadable request's entry = %v (%v), want it pushed past %v", due, ok, h.clock.Now())
	}
}

// TestExpectAt: what each state waits for.
func TestExpectAt(t *testing.T) {
	cfg, err := compile(Config{Integrations: []IntegrationSpec{
		spec("quick", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.Flow.CallTimeout = 30 * time.Second }),
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{opts: Options{CallTimeout: 10 * time.Minute, ReconcileInterval: time.Minute}, cfg: cfg}
	now := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		it   store.Integration
		want time.Time // zero: no entry
	}{
		{"not started", store.Integration{Status: state.NotStarted}, time.Time{}},
		{"pending", store.Integration{Status: state.Pending}, now.Add(time.Minute)},
		{"calling", store.Integration{Status: state.Processing, Phase: store.PhaseCall}, now.Add(11 * time.Minute)},
		{"polling", store.Integration{Status: state.Processing, Phase: store.PhasePoll, NextPollAt: now.Add(time.Hour)}, now.Add(71 * time.Minute)},
		// An integration's own call_timeout bounds its calls and polls.
		{"calling, own call_timeout", store.Integration{Name: "quick", Status: state.Processing, Phase: store.PhaseCall}, now.Add(90 * time.Second)},
		{"polling, own call_timeout", store.Integration{Name: "quick", Status: state.Processing, Phase: store.PhasePoll, NextPollAt: now.Add(time.Hour)}, now.Add(61*time.Minute + 30*time.Second)},
		{"awaiting", store.Integration{Status: state.Processing, Phase: store.PhaseAwait, DueAt: now.Add(24 * time.Hour)}, now.Add(24*time.Hour + time.Minute)},
		{"overdue and blocking", store.Integration{Status: state.Processing, Phase: store.PhaseAwait, DueAt: now.Add(-time.Hour), OverdueNoted: true}, time.Time{}},
		{"retry to come", store.Integration{Status: state.Error, NextAttemptAt: now.Add(time.Hour)}, now.Add(61 * time.Minute)},
		{"error, no attempt left", store.Integration{Status: state.Error}, time.Time{}},
		{"complete", store.Integration{Status: state.Complete}, now.Add(time.Minute)},
	} {
		got, ok := e.expectAt(&tc.it, now)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("%s: expectAt = %v, %v; want %v", tc.name, got, ok, tc.want)
		}
	}
}

// crmHarness is an engine, not started, with one synchronous integration
// "crm" whose access finds one record.
func crmHarness(t *testing.T, rdb redis.UniversalClient) *harness {
	t.Helper()
	return newHarness(t, rdb, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
		map[string]sdk.Remote{"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}}, 1)
}

// TestReconcileDueStartsApprovedRequest: a request moved into Process
// whose progress step never ran (nothing started yet) has its own entry;
// the pass starts its integrations once the entry falls due.
func TestReconcileDueStartsApprovedRequest(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	h := crmHarness(t, rs.Client)
	h.start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	// Approved the way Approve commits it, without the progress step.
	if _, err := h.e().update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		next := snap.Request.Clone()
		next.Stage, next.Workflow = state.StageProcess, state.Extracting
		tx.PutRequest(next)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if entries := h.attentionEntries(); len(entries) != 1 || entries[id+"|r"].IsZero() {
		t.Fatalf("entries after the move = %v, want the request's own", entries)
	}
	h.clock.Advance(2 * time.Minute)
	if err := h.e().ReconcileDue(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitStage(id, state.StageReply)
	if l := h.label(id, state.Extracting, "crm"); l != "Complete 1 records found" {
		t.Errorf("label = %q", l)
	}
}

// A call in flight is expected to end within its integration's own
// call_timeout, not the engine-wide one: a hanging call is visited a
// grace after call_timeout.
func TestAttentionUsesIntegrationCallTimeout(t *testing.T) {
	rs := testredis.Start(t)
	started := make(chan struct{}, 1)
	hang := &fake{access: func(ctx context.Context, _ *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	cfg := Config{Integrations: []IntegrationSpec{
		spec("crm", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) { s.Flow.CallTimeout = 7 * time.Second }),
	}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": hang}, 1) // the engine's CallTimeout is 20s
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.start()
	h.approve(id)
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the call never started")
	}
	waitFor(t, "the integration to be Processing", func() (bool, string) {
		l := h.label(id, state.Extracting, "crm")
		return l == "Processing Request submitted", l
	})
	due, ok := h.attentionEntries()[id+"|x:crm"]
	want := h.clock.Now().Add(7*time.Second + h.e().attentionGrace()).Truncate(time.Millisecond)
	if !ok || !due.Equal(want) {
		t.Fatalf("Processing integration due at %v (entry %v), want %v: call_timeout 7s plus the grace", due, ok, want)
	}
}

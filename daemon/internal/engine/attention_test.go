package engine

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
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
	h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
		map[string]sdk.Remote{"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}}, 1)
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
	if n, err := h.e().insp.DeleteAllPendingTasks(h.prefix); err != nil || n != 1 {
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

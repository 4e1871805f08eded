package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

func appendEvents(t *testing.T, s *Store, id string, kinds ...string) []string {
	t.Helper()
	tx := s.NewTx(id)
	for _, k := range kinds {
		tx.Append(Event{Time: t0, Kind: k, Actor: "system", Workflow: "pending_delete", Attributes: map[string]string{"k": k}})
	}
	ids, err := s.Commit(context.Background(), tx)
	if err != nil {
		t.Fatalf("append %v: %v", kinds, err)
	}
	return ids
}

func eventIDs(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestHistoryCursor(t *testing.T) {
	rs := testredis.Start(t).Client
	s := New(rs, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()

	if last, err := s.LastHistoryID(ctx, id); err != nil || last != "0" {
		t.Fatalf("LastHistoryID of no history = %q, %v; want \"0\"", last, err)
	}
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com")) // entry 1
	if got := appendEvents(t, s, id, "a", "b"); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("Commit returned ids %v, want [2 3]", got)
	}
	if got := appendEvents(t, s, id, "c", "d", "e"); !slices.Equal(got, []string{"4", "5", "6"}) {
		t.Errorf("Commit returned ids %v, want [4 5 6]", got)
	}
	if last, err := s.LastHistoryID(ctx, id); err != nil || last != "6" {
		t.Errorf("LastHistoryID = %q, %v; want \"6\"", last, err)
	}

	tests := []struct {
		after string
		count int64
		want  []string
	}{
		{"", 0, []string{"1", "2", "3", "4", "5", "6"}},
		{"0", 2, []string{"1", "2"}},
		{"2", 2, []string{"3", "4"}},
		{"4", 0, []string{"5", "6"}},
		{"5", 10, []string{"6"}},
		{"6", 0, nil},
		{"60", 5, nil},
	}
	for _, tt := range tests {
		evs, err := s.History(ctx, id, tt.after, tt.count)
		if err != nil {
			t.Fatalf("History(after %q, %d): %v", tt.after, tt.count, err)
		}
		if got := eventIDs(evs); !slices.Equal(got, tt.want) {
			t.Errorf("History(after %q, %d) = %v, want %v", tt.after, tt.count, got, tt.want)
		}
	}
	// Entries come back as written, the workflow state's code too.
	evs, _ := s.History(ctx, id, "3", 1)
	if e := evs[0]; e.Kind != "c" || e.Actor != "system" || e.Workflow != "pending_delete" || e.Attributes["k"] != "c" || !e.Time.Equal(t0) {
		t.Errorf("entry 4 = %+v", e)
	}
	for _, bad := range []string{"x", "-1", "1-0"} {
		if _, err := s.History(ctx, id, bad, 0); err == nil {
			t.Errorf("History after %q: no error", bad)
		}
	}
}

func TestWaitHistory(t *testing.T) {
	rs := testredis.Start(t).Client
	s := New(rs, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"))

	// Entries already there after the cursor come back at once.
	evs, err := s.WaitHistory(ctx, id, "", time.Minute)
	if err != nil || !slices.Equal(eventIDs(evs), []string{"1"}) {
		t.Fatalf("WaitHistory from the start = %v, %v", eventIDs(evs), err)
	}
	// Nothing new: the wait runs out empty.
	evs, err = s.WaitHistory(ctx, id, "1", 10*time.Millisecond)
	if err != nil || len(evs) != 0 {
		t.Fatalf("WaitHistory with nothing new = %v, %v", eventIDs(evs), err)
	}

	// "$" waits for new entries only.
	evs, err = s.WaitHistory(ctx, id, "$", 10*time.Millisecond)
	if err != nil || len(evs) != 0 {
		t.Fatalf("WaitHistory for new entries = %v, %v", eventIDs(evs), err)
	}

	// A waiter from the newest entry gets what another client appends
	// meanwhile.
	got := make(chan []Event, 1)
	errs := make(chan error, 1)
	go func() {
		evs, err := s.WaitHistory(ctx, id, "1", time.Minute)
		errs <- err
		got <- evs
	}()
	other := New(rs, "t", s.ring)
	if ids := appendEvents(t, other, id, "x", "y"); !slices.Equal(ids, []string{"2", "3"}) {
		t.Fatalf("appended %v, want [2 3]", ids)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if evs := <-got; !slices.Equal(eventIDs(evs), []string{"2", "3"}) || evs[0].Kind != "x" {
		t.Errorf("waiter got %v, want [2 3]", eventIDs(evs))
	}

	// A cancelled wait ends with the context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.WaitHistory(cctx, id, "$", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled WaitHistory error = %v", err)
	}
}

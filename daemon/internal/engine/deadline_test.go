package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestDeadlinesCountAsTheLawsDo(t *testing.T) {
	rs := testredis.Start(t)
	cfg := Config{RequestTypes: map[sdk.RequestType]RequestTypeSpec{
		sdk.RequestAccess:   {DeadlineMonths: 1, ExtensionMonths: 2, ClockStartsAtVerification: true},
		sdk.RequestDeletion: {Deadline: 45 * 24 * time.Hour, Extension: 45 * 24 * time.Hour, AcknowledgeWithin: 10 * 24 * time.Hour},
	}}
	h := newHarness(t, rs.Client, cfg, nil, 1)
	ctx := context.Background()
	// 31 January plus one calendar month is the end of February, not 2 March.
	h.clock.Set(time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC))
	received := h.clock.Now().Add(-48 * time.Hour)
	tests := []struct {
		name string
		in   CreateInput
		want time.Time
	}{
		{"calendar month from verification", CreateInput{Type: sdk.RequestAccess, ReceivedAt: received, VerifiedAt: h.clock.Now()},
			time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)},
		{"days from receipt", CreateInput{Type: sdk.RequestDeletion, ReceivedAt: received, VerifiedAt: h.clock.Now()},
			received.Add(45 * 24 * time.Hour)},
		{"no receipt time: from now", CreateInput{Type: sdk.RequestDeletion}, h.clock.Now().Add(45 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Subject = sdk.Subject{Email: "ada@example.com"}
			r, err := h.e().Create(ctx, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !r.DueAt.Equal(tt.want) {
				t.Errorf("due %v, want %v", r.DueAt, tt.want)
			}
		})
	}
	r, _ := h.e().Create(ctx, CreateInput{Type: sdk.RequestDeletion, Subject: sdk.Subject{Email: "a@example.com"}, ReceivedAt: received, AcknowledgedAt: received})
	evs, _ := h.e().History(ctx, r.ID)
	if a := evs[0].Attributes; a["acknowledge_by"] != received.Add(240*time.Hour).Format(time.RFC3339) || a["acknowledged_at"] != received.Format(time.RFC3339) {
		t.Errorf("created attributes %v", a)
	}
}

func TestExtendOnceBeforeTheFirstPeriodEnds(t *testing.T) {
	rs := testredis.Start(t)
	cfg := Config{RequestTypes: map[sdk.RequestType]RequestTypeSpec{
		sdk.RequestAccess:   {DeadlineMonths: 1, ExtensionMonths: 2},
		sdk.RequestDeletion: {Deadline: 45 * 24 * time.Hour},
	}}
	h := newHarness(t, rs.Client, cfg, nil, 1)
	ctx := context.Background()
	h.clock.Set(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	id := h.create(sdk.RequestAccess, "ada@example.com")

	if _, err := h.e().Extend(ctx, id, "ops", "  ", Reply{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("no reason: %v", err)
	}
	// Two operators at once: exactly one extension lands.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.e().Extend(ctx, id, "ops", "Many systems to search", Reply{Subject: "More time", Body: "We need until June."})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent extensions: %v / %v, want exactly one to succeed", errs[0], errs[1])
	}
	r, _ := h.e().Get(ctx, id)
	if want := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC); !r.DueAt.Equal(want) {
		t.Errorf("due %v, want %v (one month plus two)", r.DueAt, want)
	}
	evs, _ := h.e().History(ctx, id)
	last := evs[len(evs)-1]
	if last.Kind != EventExtend || last.Actor != "ops" || last.Attributes["reason"] != "Many systems to search" || last.Attributes["notice_body"] != "We need until June." {
		t.Errorf("history %+v", last)
	}
	if _, err := h.e().Extend(ctx, id, "ops", "again", Reply{}); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("second extension: %v", err)
	}

	late := h.create(sdk.RequestAccess, "bob@example.com")
	h.clock.Advance(32 * 24 * time.Hour)
	if _, err := h.e().Extend(ctx, late, "ops", "late", Reply{}); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("after the first period: %v", err)
	}
	none := h.create(sdk.RequestDeletion, "c@example.com")
	if _, err := h.e().Extend(ctx, none, "ops", "why not", Reply{}); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("type without extension: %v", err)
	}
}

func TestAddCalendarMonths(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }
	tests := []struct {
		from   time.Time
		months int
		want   time.Time
	}{
		{at(2026, 3, 15), 1, at(2026, 4, 15)},
		{at(2026, 1, 31), 1, at(2026, 2, 28)},
		{at(2028, 1, 31), 1, at(2028, 2, 29)},
		{at(2026, 12, 31), 2, at(2027, 2, 28)},
		{at(2026, 8, 31), 1, at(2026, 9, 30)},
		{at(2026, 5, 31), 3, at(2026, 8, 31)},
	}
	for _, tt := range tests {
		if got := addPeriod(tt.from, tt.months, 0); !got.Equal(tt.want) {
			t.Errorf("%s + %d months = %s, want %s", tt.from.Format(time.DateOnly), tt.months, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
	}
}

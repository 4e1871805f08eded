package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// EventExtend is an operator's extension of a request's deadline.
const EventExtend = "operator.extend"

// maxExtendReason bounds the reason given with an extension.
const maxExtendReason = 2000

// addPeriod adds months calendar months, or else d, to t. Months count as
// EU Regulation 1182/71 counts them for GDPR: the same day of the month,
// or the month's last day when it has no such day (31 January plus one
// month is 28 February), unlike time.AddDate, which overflows into March.
func addPeriod(t time.Time, months int, d time.Duration) time.Time {
	if months <= 0 {
		return t.Add(d)
	}
	y, m, day := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(day, last)-1)
}

// due is the due date of a request of this type whose clock started at
// start.
func (rt RequestTypeSpec) due(start time.Time) time.Time {
	return addPeriod(start, rt.DeadlineMonths, rt.Deadline)
}

// clockStart is when the deadline of in starts counting: at receipt (the
// form's arrival when known, else now) or, when the type says so, at the
// subject's identity confirmation.
func (rt RequestTypeSpec) clockStart(in CreateInput, now time.Time) time.Time {
	if rt.ClockStartsAtVerification && !in.VerifiedAt.IsZero() {
		return in.VerifiedAt.UTC()
	}
	if !in.ReceivedAt.IsZero() && in.ReceivedAt.Before(now) {
		return in.ReceivedAt.UTC()
	}
	return now
}

// createdAttributes are what the request.created event says about the
// clock: when it started and, under an acknowledgement deadline, by when
// receipt had to be acknowledged and when it was.
func (rt RequestTypeSpec) createdAttributes(in CreateInput, start time.Time, attrs map[string]string) {
	attrs["clock_start"] = start.Format(time.RFC3339)
	if rt.AcknowledgeWithin > 0 {
		received := start
		if !in.ReceivedAt.IsZero() {
			received = in.ReceivedAt.UTC()
		}
		attrs["acknowledge_by"] = received.Add(rt.AcknowledgeWithin).Format(time.RFC3339)
	}
	if !in.AcknowledgedAt.IsZero() {
		attrs["acknowledged_at"] = in.AcknowledgedAt.UTC().Format(time.RFC3339)
	}
}

// ExtendedDue is the due date r would have once extended, or an error
// saying why it cannot be: no extension for its type, closed, already
// extended, or past its first period.
func (e *Engine) ExtendedDue(ctx context.Context, id string) (time.Time, error) {
	r, err := e.Get(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	evs, err := e.History(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	return e.extendable(r.Type, r.Stage, r.DueAt, evs)
}

func (e *Engine) extendable(rt sdk.RequestType, stage state.Stage, due time.Time, evs []Event) (time.Time, error) {
	spec := e.config().types[rt]
	switch {
	case spec.Extension <= 0 && spec.ExtensionMonths <= 0:
		return time.Time{}, fmt.Errorf("request type %s has no extension configured: %w", rt, ErrFailedPrecondition)
	case stage == state.StageClosed:
		return time.Time{}, fmt.Errorf("the request is closed: %w", ErrFailedPrecondition)
	case !e.now().Before(due):
		return time.Time{}, fmt.Errorf("the first period ended on %s; an extension must be applied before: %w", due.Format(time.DateOnly), ErrFailedPrecondition)
	}
	for _, ev := range evs {
		if ev.Kind == EventExtend {
			return time.Time{}, fmt.Errorf("the deadline was extended already (once is allowed): %w", ErrFailedPrecondition)
		}
	}
	return addPeriod(due, spec.ExtensionMonths, spec.Extension), nil
}

// Extend moves a request's due date by its type's extension, once, before
// the first period ends, recording the operator's reason and the notice
// sent to the subject (both sealed) in the history.
func (e *Engine) Extend(ctx context.Context, id, actor, reason string, notice Reply) (*Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxExtendReason {
		return nil, fmt.Errorf("reason is required (at most %d bytes): %w", maxExtendReason, ErrInvalidArgument)
	}
	// The due date is read before the history: an extension landing after
	// the history was read shows as a moved due date.
	before, err := e.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("extend request %s: %w", id, err)
	}
	evs, err := e.History(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("extend request %s: %w", id, err)
	}
	_, err = e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		r := snap.Request
		if !r.DueAt.Equal(before.DueAt) {
			return fmt.Errorf("the deadline was extended already (once is allowed): %w", ErrFailedPrecondition)
		}
		next, err := e.extendable(r.Type, r.Stage, r.DueAt, evs)
		if err != nil {
			return err
		}
		n := r.Clone()
		n.DueAt = next
		tx.Append(store.Event{
			Time: e.now(), Kind: EventExtend, Actor: actorOr(actor), Message: "Deadline extended",
			Attributes: map[string]string{"due_at_before": r.DueAt.Format(time.RFC3339), "due_at": next.Format(time.RFC3339)},
			Sealed:     map[string]string{"reason": reason, "notice_subject": notice.Subject, "notice_body": notice.Body},
		})
		tx.PutRequest(n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("extend request %s: %w", id, err)
	}
	return e.Get(ctx, id)
}

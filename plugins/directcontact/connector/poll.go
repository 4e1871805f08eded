package connector

import (
	"context"
	"fmt"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// reminderRetry is how soon to poll again after a reminder failed to send. A
// failed reminder does not fail the job: the processor can still answer
// through the first email's link.
const reminderRetry = 15 * time.Minute

// PollAccess sends a reminder when one is due and answers Pending: the
// processor answers through the daemon, never through the connector.
func (c *Connector) PollAccess(ctx context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
	p, err := c.poll(ctx, kindAccess, req)
	if err != nil {
		return nil, err
	}
	return &sdk.AccessResponse{Pending: p}, nil
}

// PollDelete sends a reminder when one is due and answers Pending.
func (c *Connector) PollDelete(ctx context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	p, err := c.poll(ctx, kindDeletion, req)
	if err != nil {
		return nil, err
	}
	return &sdk.DeleteResponse{Pending: p}, nil
}

// poll sends the latest reminder that has come due and not been sent, once:
// the handle records it, and the once map catches a poll delivered again with
// the previous handle.
func (c *Connector) poll(ctx context.Context, kind string, req *sdk.PollRequest) (*sdk.Pending, error) {
	h, err := decodeHandle(req.Handle)
	if err != nil {
		return nil, sdk.Errorf(sdk.ErrorInternal, "%v", err)
	}
	if h.Kind != kind {
		return nil, sdk.Errorf(sdk.ErrorInternal, "the handle belongs to a %s job, not %s", h.Kind, kind)
	}
	cfg, err := c.configFor(req.Job.Integration)
	if err != nil {
		return nil, err
	}
	now := c.now()
	due := req.Job.RespondBy
	if due.IsZero() {
		due = fromUnix(h.Due)
	}
	slot, ok := reminderDue(cfg.reminders, h, due, now)
	if !ok {
		return &sdk.Pending{Handle: h.encode(), PollAfter: pollAfter(cfg, h, due, now)}, nil
	}
	key := fmt.Sprintf("%s#r%d", h.ID, slot.Unix())
	value, _, err := c.sent.do(ctx, key, func() (string, error) {
		next := h
		next.Reminders++
		next.LastReminder = slot.Unix()
		if err := c.deliver(ctx, cfg, &req.Job, next, true, due, now); err != nil {
			return "", err
		}
		return next.encode(), nil
	})
	if err != nil {
		c.log.Warn("direct contact reminder not sent; will try again", "integration", req.Job.Integration,
			"request_id", req.Job.RequestID, "kind", kind, "error_type", sdk.AsError(err).Type)
		return &sdk.Pending{Handle: h.encode(), PollAfter: min(reminderRetry, max(due.Sub(now), time.Second))}, nil
	}
	next, err := decodeHandle(value)
	if err != nil {
		return nil, sdk.Errorf(sdk.ErrorInternal, "%v", err)
	}
	return &sdk.Pending{Handle: value, PollAfter: pollAfter(cfg, next, due, now)}, nil
}

// reminderDue returns the latest scheduled reminder that has been reached and
// not sent. Reminders scheduled before the first email (a short due date) and
// after the due date are never sent; when several were missed (polls came
// late), only the latest goes out.
func reminderDue(reminders []time.Duration, h handle, due, now time.Time) (time.Time, bool) {
	var slot time.Time
	found := false
	if !now.Before(due) {
		return slot, false
	}
	for _, d := range reminders {
		s := due.Add(-d)
		if s.After(now) || !pending(h, s) {
			continue
		}
		if !found || s.After(slot) {
			slot, found = s, true
		}
	}
	return slot, found
}

// pending reports whether a reminder scheduled at s is still to be sent.
func pending(h handle, s time.Time) bool {
	return s.Unix() > h.Sent && s.Unix() > h.LastReminder
}

// pollAfter is the time until the next reminder, or until the due date when
// no reminder is left. Past the due date it is zero: what happens then is the
// daemon's decision (on_no_response), at its own poll_interval.
func pollAfter(cfg *config, h handle, due, now time.Time) time.Duration {
	if !now.Before(due) {
		return 0
	}
	next := due
	for _, d := range cfg.reminders {
		s := due.Add(-d)
		if s.After(now) && pending(h, s) && s.Before(next) {
			next = s
		}
	}
	return max(next.Sub(now), time.Second)
}

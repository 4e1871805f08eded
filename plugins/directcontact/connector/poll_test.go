package connector

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/plugins/directcontact/internal/smtptest"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestReminderSentOnceWhenDue(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))
	job := testJob("job-remind", sdk.RequestAccess)
	first := h.access(t, job)

	// A day later nothing is due: no email, come back at the reminder.
	h.clock.Set(t0.Add(day))
	p := h.pollAccess(t, job, first.Handle)
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("poll before the reminder sent an email (%d in all)", n)
	}
	if p.PollAfter != 10*day {
		t.Errorf("PollAfter = %v, want 10 days (until 3 days before due)", p.PollAfter)
	}

	// Three days before due, plus a minute: the reminder goes out.
	h.clock.Set(t0.Add(11*day + time.Minute))
	reminded := h.pollAccess(t, job, p.Handle)
	msgs := sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails after the reminder time, want 2", len(msgs))
	}
	orig, rem := smtptest.Parse(t, msgs[0]), smtptest.Parse(t, msgs[1])
	if !strings.HasPrefix(rem.Subject, "Reminder: Data access request") {
		t.Errorf("reminder subject = %q", rem.Subject)
	}
	if got := rem.Header.Get("In-Reply-To"); got == "" || got != orig.Header.Get("Message-ID") {
		t.Errorf("reminder In-Reply-To = %q, want the first email's Message-ID %q", got, orig.Header.Get("Message-ID"))
	}
	for _, want := range []string{"This is a reminder", "due in 3 days", responseURL, subjectEmail} {
		if !strings.Contains(rem.Body, want) {
			t.Errorf("reminder body lacks %q:\n%s", want, rem.Body)
		}
	}
	if reminded.PollAfter != 3*day-time.Minute {
		t.Errorf("PollAfter after the reminder = %v, want until due", reminded.PollAfter)
	}

	// Polling again, with the new handle or redelivered with the old one,
	// sends nothing more.
	h.clock.Set(t0.Add(12 * day))
	again := h.pollAccess(t, job, reminded.Handle)
	redelivered := h.pollAccess(t, job, p.Handle)
	if n := len(sink.Messages()); n != 2 {
		t.Fatalf("%d emails after polling again, want 2", n)
	}
	if redelivered.Handle != reminded.Handle {
		t.Errorf("a redelivered poll got handle %q, want the reminder's %q", redelivered.Handle, reminded.Handle)
	}

	// Past the due date: still Pending, no email; the daemon decides.
	h.clock.Set(t0.Add(15 * day))
	late := h.pollAccess(t, job, again.Handle)
	if n := len(sink.Messages()); n != 2 {
		t.Fatalf("%d emails after the due date, want 2", n)
	}
	if late.PollAfter != 0 {
		t.Errorf("PollAfter past due = %v, want 0 (the daemon's poll_interval)", late.PollAfter)
	}
}

func TestPollDeleteRemindsWithTheDeletionTemplate(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))
	job := testJob("job-remind-del", sdk.RequestDeletion)
	resp, err := h.c.Delete(context.Background(), &sdk.DeleteRequest{Job: job})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	h.clock.Set(t0.Add(12 * day))
	poll, err := h.c.PollDelete(context.Background(), &sdk.PollRequest{Job: job, Handle: resp.Pending.Handle})
	if err != nil || poll.Pending == nil {
		t.Fatalf("PollDelete = %+v, %v; want Pending", poll, err)
	}
	msgs := sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	if s := smtptest.Parse(t, msgs[1]).Subject; !strings.HasPrefix(s, "Reminder: Data deletion request") {
		t.Errorf("reminder subject = %q", s)
	}

	// An access handle is refused by PollDelete and the other way round.
	if _, err := h.c.PollAccess(context.Background(), &sdk.PollRequest{Job: job, Handle: resp.Pending.Handle}); err == nil {
		t.Errorf("PollAccess accepted a deletion handle")
	}
}

func TestReminderFailureKeepsWaiting(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))
	job := testJob("job-remind-fail", sdk.RequestAccess)
	first := h.access(t, job)

	cfg, _ := h.c.configFor("acme-support")
	broken := *cfg
	broken.smtp.port = smtptest.ClosedPort(t)
	h.c.configs["acme-support"] = &broken
	h.clock.Set(t0.Add(12 * day))
	p := h.pollAccess(t, job, first.Handle)
	if p.Handle != first.Handle || p.PollAfter != reminderRetry {
		t.Errorf("failed reminder answered %+v, want the same handle and a retry in %v", p, reminderRetry)
	}

	h.c.configs["acme-support"] = cfg
	h.pollAccess(t, job, p.Handle)
	if n := len(sink.Messages()); n != 2 {
		t.Fatalf("%d emails once the server is back, want 2", n)
	}
}

func TestReminderSchedule(t *testing.T) {
	due := t0.Add(14 * day)
	sent := handle{ID: "x", Kind: kindAccess, Sent: t0.Unix(), Due: due.Unix()}
	after := func(slot time.Time) handle {
		h := sent
		h.Reminders++
		h.LastReminder = slot.Unix()
		return h
	}
	tests := []struct {
		name      string
		reminders []time.Duration
		h         handle
		now       time.Time
		wantSlot  time.Time // zero: no reminder due
		wantAfter time.Duration
	}{
		{"nothing yet", []time.Duration{3 * day}, sent, t0.Add(time.Hour), time.Time{}, 11*day - time.Hour},
		{"reached", []time.Duration{3 * day}, sent, due.Add(-3 * day), due.Add(-3 * day), 3 * day},
		{"already sent", []time.Duration{3 * day}, after(due.Add(-3 * day)), due.Add(-2 * day), time.Time{}, 2 * day},
		{"late poll sends only the latest", []time.Duration{7 * day, 3 * day, day}, sent, due.Add(-2 * day), due.Add(-3 * day), day},
		{"next after one sent", []time.Duration{7 * day, 3 * day}, after(due.Add(-7 * day)), due.Add(-5 * day), time.Time{}, 2 * day},
		{"scheduled before the first email", []time.Duration{20 * day}, sent, t0.Add(time.Hour), time.Time{}, 14*day - time.Hour},
		{"no reminders", nil, sent, t0, time.Time{}, 14 * day},
		{"past due", []time.Duration{3 * day}, sent, due.Add(time.Hour), time.Time{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slot, ok := reminderDue(tt.reminders, tt.h, due, tt.now)
			if ok != !tt.wantSlot.IsZero() || !slot.Equal(tt.wantSlot) {
				t.Errorf("reminderDue = %v, %v; want %v", slot, ok, tt.wantSlot)
			}
			next := tt.h
			if ok {
				next.LastReminder = slot.Unix()
			}
			if got := pollAfter(&config{reminders: tt.reminders}, next, due, tt.now); got != tt.wantAfter {
				t.Errorf("pollAfter = %v, want %v", got, tt.wantAfter)
			}
		})
	}
}

func TestHandles(t *testing.T) {
	h := handle{ID: "abc", Kind: kindDeletion, Sent: 10, Due: 20, Reminders: 1, LastReminder: 15}
	got, err := decodeHandle(h.encode())
	if err != nil || got != h {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, h)
	}
	for _, bad := range []string{"", "dc1.", "dc1.!!!", "dc2.e30", "dc1.e30", "dc1." + "bm90IGpzb24", "opaque"} {
		if _, err := decodeHandle(bad); err == nil {
			t.Errorf("decodeHandle(%q) accepted a bad handle", bad)
		}
	}
	h2 := newHarness()
	sink := smtptest.Start(t, smtptest.Options{})
	h2.mustConfigure(t, baseSettings(sink, nil))
	_, err = h2.c.PollAccess(context.Background(), &sdk.PollRequest{Job: testJob("k", sdk.RequestAccess), Handle: "garbage"})
	var e *sdk.Error
	if !errors.As(err, &e) || e.Type != sdk.ErrorInternal {
		t.Errorf("PollAccess with a bad handle = %v, want an internal *sdk.Error", err)
	}
}

func TestOnceMap(t *testing.T) {
	m := newOnceMap(2)
	ctx := context.Background()
	calls := 0
	run := func(key, value string, fail bool) (string, bool, error) {
		return m.do(ctx, key, func() (string, error) {
			calls++
			if fail {
				return "", errors.New("boom")
			}
			return value, nil
		})
	}
	if _, fresh, err := run("a", "1", true); err == nil || !fresh {
		t.Fatalf("failing fn: fresh=%v err=%v", fresh, err)
	}
	if v, fresh, err := run("a", "2", false); err != nil || !fresh || v != "2" {
		t.Fatalf("after a failure the key runs again: %q %v %v", v, fresh, err)
	}
	if v, fresh, _ := run("a", "3", false); fresh || v != "2" {
		t.Fatalf("second success ran again: %q %v", v, fresh)
	}
	run("b", "b", false)
	run("c", "c", false) // evicts "a", the oldest
	if _, fresh, _ := run("a", "4", false); !fresh {
		t.Errorf("the oldest key was not evicted past the bound")
	}
	if len(m.entries) > 2 || len(m.order) > 2 {
		t.Errorf("map holds %d entries, order %d; want at most 2", len(m.entries), len(m.order))
	}
	if calls != 5 {
		t.Errorf("fn ran %d times, want 5", calls)
	}
}

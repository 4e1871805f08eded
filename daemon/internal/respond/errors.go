package respond

import (
	"errors"
	"fmt"
	"time"
)

// Reason is why a link was refused.
type Reason int

// The reasons, each with its own plain explanation (Refusal.Message).
const (
	// RefusedInvalid: the token is malformed or its signature does not
	// match (forged, altered, cut short).
	RefusedInvalid Reason = iota + 1
	// RefusedExpired: past the due date plus the grace period.
	RefusedExpired
	// RefusedUsed: an answer was already recorded through this link (or
	// another link of the same email thread).
	RefusedUsed
	// RefusedClosed: the integration no longer waits for this answer: it
	// was stopped, skipped or retried (a newer email replaced this one), or
	// the request moved on.
	RefusedClosed
	// RefusedBusy: another answer through this link is being recorded at
	// this moment.
	RefusedBusy
)

// Refusal is a link the responder will not act on. Its message is written
// for the processor and holds no personal data.
type Refusal struct {
	Reason Reason
	// ExpiredAt is when an expired link stopped working.
	ExpiredAt time.Time
	// cause is for logs only.
	cause error
}

func (r *Refusal) Error() string { return r.Title() + " " + r.Message() }

// Unwrap returns the underlying cause, for errors.Is.
func (r *Refusal) Unwrap() error { return r.cause }

// Title is a short heading for the refusal.
func (r *Refusal) Title() string {
	switch r.Reason {
	case RefusedExpired:
		return "This link has expired."
	case RefusedUsed:
		return "This link has already been used."
	case RefusedClosed:
		return "This request no longer needs your answer."
	case RefusedBusy:
		return "An answer is being recorded."
	}
	return "This link is not valid."
}

// Message explains the refusal and what to do next.
func (r *Refusal) Message() string {
	switch r.Reason {
	case RefusedExpired:
		return fmt.Sprintf("It stopped working on %s, some days after the answer was due, and can no longer be used. To answer now, reply to the email that sent you this link.",
			formatTime(r.ExpiredAt))
	case RefusedUsed:
		return "An answer was already recorded through it, and each link works for one answer only. If that answer was wrong, reply to the email that sent you this link."
	case RefusedClosed:
		return "The integration is no longer waiting for an answer through this link: it was answered, stopped or skipped, or a newer email replaced the one that sent you this link. If you think this is a mistake, reply to that email."
	case RefusedBusy:
		return "Another answer through this link is being recorded at this moment. Wait a minute and open the link again to see whether it was recorded."
	}
	return "It may have been copied incompletely or changed. Open the link exactly as it appears in the email; if it still does not work, reply to that email."
}

// InputError is a submission the responder cannot accept as it is: the
// field at fault and what to change. Nothing was recorded and the link
// still works.
type InputError struct {
	// Field is the field at fault: "answer", "files" or "note"; in a
	// SubmitResponseStream also "start" or "chunk".
	Field string
	// Message says what is wrong, for the processor. It may name a file
	// they uploaded, never the subject's data.
	Message string
	// TooLarge: a size or count limit was exceeded.
	TooLarge bool
}

func (e *InputError) Error() string { return e.Field + ": " + e.Message }

// errInternal hides a failure's detail from the processor; the log has it.
var errInternal = errors.New("the answer could not be recorded because of a problem on our side; nothing was saved, and the link still works. Please try again later")

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "its expiry date"
	}
	return t.UTC().Format("Monday 2 January 2006, 15:04 MST")
}

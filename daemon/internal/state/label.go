package state

import (
	"strconv"
	"strings"
	"time"
)

// State is one integration's state in one workflow state of one request.
type State struct {
	Workflow Workflow
	Status   Status
	Detail   Detail
	// Count is the number of records found or deleted, or files uploaded,
	// for the details that count.
	Count int64
	// DueAt is when a Direct Contact processor must answer by (DetailDue).
	DueAt time.Time
}

// Terminal reports whether the state is Complete: nothing changes it any more.
func (s State) Terminal() bool { return s.Status == Complete }

// DetailText returns the detail's words with the count or the days filled
// in, e.g. "3 records found" or "Due in 5 days"; "" where the seed shows
// none. now is needed only for due dates.
func (s State) DetailText(now time.Time) string {
	if s.Detail == DetailDue {
		return dueText(s.DueAt, now)
	}
	t := s.Detail.template(s.Workflow)
	if s.Detail.Counted() {
		// The seed's words, word for word, with "#" as the count.
		t = strings.Replace(t, "#", strconv.FormatInt(s.Count, 10), 1)
	}
	return t
}

// Label returns the status and detail as the seed's tables write them, e.g.
// "Complete 3 records found", "Processing Due 2 days ago", "Pending".
func (s State) Label(now time.Time) string {
	d := s.DetailText(now)
	if d == "" {
		return s.Status.String()
	}
	return s.Status.String() + " " + d
}

// dueText renders "Due in # days" while the due date is ahead and "Due #
// days ago" once it has passed. Any part of a day counts as a whole one, so
// a processor is never shown less time than it really has left, and an
// overdue one is shown overdue from its first minute.
func dueText(due, now time.Time) string {
	left := due.Sub(now)
	if left > 0 {
		return "Due in " + strconv.FormatInt(ceilDays(left), 10) + " days"
	}
	return "Due " + strconv.FormatInt(ceilDays(-left), 10) + " days ago"
}

func ceilDays(d time.Duration) int64 {
	const day = 24 * time.Hour
	n := int64(d / day)
	if d%day != 0 {
		n++
	}
	return n
}

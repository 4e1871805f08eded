package state

import "fmt"

// Status is the first word of an integration's state.
type Status int

// The statuses, in the order an integration normally passes through them.
const (
	StatusUnknown Status = iota
	// NotStarted: the integration has not yet begun processing.
	NotStarted
	// Pending: enqueued; processing starts once the queue reaches it.
	Pending
	// Processing: submitted to the system, or waiting on a processor.
	Processing
	// Error: failed in a way that could not be resolved automatically.
	Error
	// Complete: finished, one way or another; terminal.
	Complete
)

var statusNames = map[Status][2]string{
	NotStarted: {"Not Started", "not_started"},
	Pending:    {"Pending", "pending"},
	Processing: {"Processing", "processing"},
	Error:      {"Error", "error"},
	Complete:   {"Complete", "complete"},
}

// String returns the status as the seed writes it ("Not Started").
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n[0]
	}
	return "Unknown"
}

// Code returns the stable name used in storage and indexes.
func (s Status) Code() string {
	if n, ok := statusNames[s]; ok {
		return n[1]
	}
	return "unknown"
}

// ParseStatus reads a status's Code.
func ParseStatus(code string) (Status, error) {
	for s, n := range statusNames {
		if n[1] == code {
			return s, nil
		}
	}
	return StatusUnknown, fmt.Errorf("unknown integration status %q", code)
}

// Statuses lists every status, in order.
func Statuses() []Status {
	return []Status{NotStarted, Pending, Processing, Error, Complete}
}

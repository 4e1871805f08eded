// Package throttle keeps a repeating log line from flooding the log: during
// a Redis outage every call and every loop fails the same way, several times
// a second, and one line every few seconds says as much.
package throttle

import (
	"sync"
	"time"
)

// Throttle lets one event per key through per interval and counts the rest.
// The zero value is not usable; use New.
type Throttle struct {
	every time.Duration
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*entry
}

type entry struct {
	last       time.Time
	suppressed int
}

// New lets one event per key through every interval.
func New(every time.Duration) *Throttle {
	return &Throttle{every: every, now: time.Now, keys: map[string]*entry{}}
}

// Allow reports whether an event of key should be logged now, and how many
// were held back since the last one that was (to log with it).
func (t *Throttle) Allow(key string) (ok bool, suppressed int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	e := t.keys[key]
	if e == nil {
		if len(t.keys) > 1024 { // keys are a few fixed strings; never grow without bound
			clear(t.keys)
		}
		t.keys[key] = &entry{last: now}
		return true, 0
	}
	if now.Sub(e.last) < t.every {
		e.suppressed++
		return false, 0
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	return true, n
}

// Package testclock holds the clock tests hand to the engine, connectors
// and web surfaces in place of the wall clock, so a test can move time
// (a due date, a session's expiry, a link's lifetime) without waiting.
package testclock

import (
	"sync"
	"testing"
	"time"
)

// Clock is a time that only the test moves. It is safe for concurrent
// use: servers under test read it from their own goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock standing at t.
func New(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time; pass the method itself where code takes a
// func() time.Time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Follow makes the clock track real time, in UTC, until the test ends:
// for tests whose history entries must carry their own, distinct times.
func (c *Clock) Follow(t testing.TB) {
	c.Set(time.Now().UTC())
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				c.Set(time.Now().UTC())
			}
		}
	}()
}

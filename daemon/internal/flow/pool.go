package flow

import (
	"context"
	"sync"
	"time"
)

// A Limiter keeps the concurrency slots it holds in Redis for a moment
// after their calls end, and hands them to its next calls of the same
// integration without asking Redis: a busy daemon then pays two scripts
// (take and give back) per burst of calls instead of per call, while
// Redis still counts every slot it holds, so the limit across daemons is
// kept. Only slots of short calls are kept, only while the limit's rate
// (if any) is fast, and never for long:
//
//   - linger: a kept slot no call takes within it goes back to Redis, so
//     another daemon waits at most that long for a slot this one no
//     longer needs;
//   - reuseFor: a slot is handed on only this long after Redis granted
//     it. Redis records when a slot's call started (to tell calls stuck on
//     a hanging third party); a slot handed on keeps its first start, so
//     this bounds how old its calls may look. It also bounds how long one
//     daemon keeps a slot others are asking for: then the slot goes back
//     and every daemon's calls compete for it again (a busy daemon still
//     pays two scripts per slot per reuseFor, not per call).
const (
	linger   = 25 * time.Millisecond
	reuseFor = 100 * time.Millisecond
)

// slot is a concurrency slot held in Redis: a member of the slots set.
type slot struct {
	l       *Limiter
	key     Key
	lim     Limits
	holder  string
	granted time.Time // when Redis granted it; its lease runs from then
	idle    bool
	timer   *time.Timer // gives an idle slot back after linger
}

// slotPool holds the idle slots of one Limiter, by limit.
type slotPool struct {
	mu   sync.Mutex
	idle map[string][]*slot // by Key.Tag
}

// take returns an idle slot of key still young enough to hand on, or nil.
func (sp *slotPool) take(key Key) *slot {
	for {
		s, young := sp.pop(key)
		if s == nil || young {
			return s
		}
		// Too old to hand on: it goes back to Redis before this call asks
		// Redis for a slot, so that it competes for one on equal terms
		// with the other daemons' calls.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.giveBack(ctx) // on failure the lease ends it
		cancel()
	}
}

// pop takes the slot of key kept last out of the pool, reporting whether
// it is still young enough to hand on; nil when none is kept.
func (sp *slotPool) pop(key Key) (*slot, bool) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	list := sp.idle[key.Tag]
	if len(list) == 0 {
		delete(sp.idle, key.Tag)
		return nil, false
	}
	s := list[len(list)-1]
	sp.idle[key.Tag] = list[:len(list)-1]
	s.idle = false
	s.timer.Stop()
	return s, time.Since(s.granted) < reuseFor
}

// put keeps s idle for the next call of its limit; it goes back to Redis
// after linger unless a call takes it.
func (sp *slotPool) put(s *slot) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.idle == nil {
		sp.idle = map[string][]*slot{}
	}
	s.idle = true
	sp.idle[s.key.Tag] = append(sp.idle[s.key.Tag], s)
	if s.timer == nil {
		s.timer = time.AfterFunc(linger, func() { sp.expire(s) })
	} else {
		s.timer.Reset(linger)
	}
}

// expire gives s back to Redis if it is still idle.
func (sp *slotPool) expire(s *slot) {
	if !sp.remove(s) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.giveBack(ctx) // on failure the lease ends it
}

// remove takes s out of the idle slots, reporting whether it was there.
func (sp *slotPool) remove(s *slot) bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if !s.idle {
		return false
	}
	s.idle = false
	s.timer.Stop()
	list := sp.idle[s.key.Tag]
	for i, o := range list {
		if o == s {
			sp.idle[s.key.Tag] = append(list[:i], list[i+1:]...)
			break
		}
	}
	return true
}

// drain takes every idle slot out of the pool.
func (sp *slotPool) drain() []*slot {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var out []*slot
	for _, list := range sp.idle {
		for _, s := range list {
			s.idle = false
			s.timer.Stop()
			out = append(out, s)
		}
	}
	sp.idle = nil
	return out
}

// Flush gives every slot kept between calls back to Redis now, as a
// daemon does when it stops, instead of letting them go one by one.
func (l *Limiter) Flush(ctx context.Context) error {
	var first error
	for _, s := range l.pool.drain() {
		if err := s.giveBack(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

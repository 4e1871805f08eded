package flow

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Ask is one call's request for room, in steps, so that the Redis script
// it needs can travel in a round trip the caller makes anyway: the
// engine sends it in the pipeline that reads the job's request, sparing a
// round trip per job under a rate limit. Prepare takes what it can
// without Redis (a kept slot, see slotPool); Queue adds the script, if
// one is needed, to a pipeline; Decide reads the answer once that
// pipeline has run, or runs the script itself if it was not queued or
// Redis had lost it. Call Decide exactly once: a Permit it grants is
// released like any other.
type Ask struct {
	l    *Limiter
	key  Key
	lim  Limits
	kept *slot  // a slot kept from an earlier call, asked for the rate only
	held string // the new slot's holder, when no slot was kept
	now  *Decision
	cmd  *redis.Cmd
}

// Prepare begins asking to start one call for key under lim; job names
// the work asking.
func (l *Limiter) Prepare(key Key, lim Limits, job string) *Ask {
	a := &Ask{l: l, key: key, lim: lim}
	if l.off || !lim.enabled() {
		a.now = &Decision{Permit: &Permit{}}
		return a
	}
	if a.lim.Lease <= 0 {
		a.lim.Lease = DefaultLease
	}
	if lim.Concurrency > 0 {
		if s := l.pool.take(key); s != nil {
			// Only the rate, if any, is asked of Redis for a kept slot.
			s.lim, a.kept = a.lim, s
			if a.lim.emission() == 0 {
				a.now = &Decision{Permit: l.hold(s)}
			}
			return a
		}
	}
	// A job may be run twice at once (asynq hands out again a task whose
	// daemon was lost while its call still ran): each call holds its own
	// slot.
	a.held = job + "#" + strconv.FormatUint(rand.Uint64(), 36)
	return a
}

// Queue adds the ask's script to pipe, if it needs one. A nil Ask (no
// limit to ask about) adds nothing.
func (a *Ask) Queue(ctx context.Context, pipe redis.Pipeliner) {
	if a != nil && a.now == nil && a.cmd == nil {
		a.cmd = acquireScript.EvalSha(ctx, pipe, a.l.keys(a.key), a.args()...)
	}
}

// args are acquireScript's: a kept slot asks for the rate alone (no
// concurrency limit), which leaves the slots set untouched.
func (a *Ask) args() []any {
	holder, concurrency := a.held, a.lim.Concurrency
	if a.kept != nil {
		holder, concurrency = a.kept.holder, 0
	}
	return []any{holder, a.lim.Lease.Microseconds(), concurrency, a.lim.emission(), maxGate.Microseconds(), stuckAfter.Microseconds()}
}

// Decide is the ask's answer. A kept slot the rate holds back stays kept.
func (a *Ask) Decide(ctx context.Context) (Decision, error) {
	if a.now != nil {
		return *a.now, nil
	}
	cmd := a.cmd
	if cmd == nil || redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		cmd = acquireScript.Run(ctx, a.l.rdb, a.l.keys(a.key), a.args()...)
	}
	d, err := a.l.decide(a.key, cmd)
	switch {
	case a.kept != nil && (err != nil || d.Permit == nil):
		a.l.pool.put(a.kept)
		return d, err
	case a.kept != nil:
		return Decision{Permit: a.l.hold(a.kept)}, nil
	case err != nil || d.Permit == nil:
		return d, err
	case a.lim.Concurrency > 0:
		d.Permit = a.l.hold(&slot{l: a.l, key: a.key, lim: a.lim, holder: a.held, granted: time.Now()})
	}
	return d, nil
}

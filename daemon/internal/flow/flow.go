package flow

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Reasons a call has to wait, as OnWait reports them.
const (
	ReasonConcurrency = "concurrency"
	ReasonRate        = "rate_limit"
)

// DefaultLease is how long a slot outlives its holder's last renewal.
// A holder renews every third of it while its call runs, so a daemon
// killed mid-call frees its slots within a lease, whatever the call
// timeout.
const DefaultLease = 6 * time.Second

// Limits are one integration's limits. Zero fields mean no limit.
type Limits struct {
	// Concurrency is how many calls may be in flight at once.
	Concurrency int
	// Requests calls may start in any window of length Per.
	Requests int
	Per      time.Duration
	// Lease bounds how long a slot stays held after its holder stopped
	// renewing it (a daemon killed mid-call). Default DefaultLease.
	Lease time.Duration
}

// enabled reports whether any limit applies.
func (l Limits) enabled() bool {
	return l.Concurrency > 0 || (l.Requests > 0 && l.Per > 0)
}

// emission is the spacing between two calls under the rate in
// microseconds, rounded up so the rate is never exceeded.
func (l Limits) emission() int64 {
	if l.Requests <= 0 || l.Per <= 0 {
		return 0
	}
	return int64(math.Ceil(float64(l.Per.Microseconds()) / float64(l.Requests)))
}

// Key names what one set of limits counts against.
type Key struct {
	// Name is the integration's name, as OnWait reports it.
	Name string
	// Tag is the Redis Cluster hash tag every key of this limit shares
	// (it must contain no brace); Gate must hash to the same slot.
	Tag string
	// Gate, when set, is a key that exists while no call may start: set
	// with an expiry when a limit fills, deleted when a slot frees.
	Gate string
}

// Limiter admits calls against limits kept in Redis.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
	// OnWait, when set, is told each time a call has to wait and why
	// (ReasonConcurrency or ReasonRate), for metrics. It must not block.
	OnWait func(integration, reason string)
	off    bool
	pool   slotPool
}

// New returns a Limiter whose keys start with prefix.
func New(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix}
}

// Off returns a Limiter that admits every call without asking Redis,
// for measuring what flow control costs.
func Off() *Limiter { return &Limiter{off: true} }

// Permit is an admitted call. While it is held its slot's lease is
// renewed in the background; Release it when the call ends.
type Permit struct {
	slot    *slot // nil without a concurrency limit
	started time.Time
	once    sync.Once
	renewal *time.Timer
	freed   atomic.Bool
}

// Held reports whether the permit holds a concurrency slot not yet
// released: releasing any other permit does nothing.
func (p *Permit) Held() bool {
	return p != nil && p.slot != nil && !p.freed.Load()
}

// Decision is Acquire's answer.
type Decision struct {
	// Permit is set when the call may start now.
	Permit *Permit
	// Wait is how long to wait before asking again; Reason says which
	// limit is full.
	Wait   time.Duration
	Reason string
	// Gated says the gate is shut for the wait: a job may be queued again
	// at once, the queue holding it until the gate opens.
	Gated bool
}

// maxGate bounds how long a full concurrency limit shuts the gate: the
// gate reopens at least this often so a slot whose holder died is found
// (its lease expired) without anyone releasing it.
const maxGate = time.Second

// stuckAfter is how long a wait must be to shut the gate: slots all held
// by calls this old, or a rate this slow. Shorter waits are short enough
// for the job to come back after them.
const stuckAfter = time.Second

// Acquire asks to start one call for key under lim; job names the work
// asking. It never blocks waiting for room. It is Prepare and Decide with
// the script, when one is needed, in a round trip of its own.
func (l *Limiter) Acquire(ctx context.Context, key Key, lim Limits, job string) (Decision, error) {
	return l.Prepare(key, lim, job).Decide(ctx)
}

// decide reads a script's answer: {1, 0, 0, 0} when admitted, else {0,
// wait µs, 1 if the rate is what is full, 1 if the gate was shut}.
func (l *Limiter) decide(key Key, cmd *redis.Cmd) (Decision, error) {
	res, err := cmd.Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("flow control for %q: %w", key.Name, err)
	}
	if len(res) != 4 {
		return Decision{}, fmt.Errorf("flow control for %q: unexpected answer %v", key.Name, res)
	}
	if res[0] == 1 {
		return Decision{Permit: &Permit{}}, nil
	}
	d := Decision{Wait: time.Duration(max(res[1], 1)) * time.Microsecond, Reason: ReasonConcurrency, Gated: res[3] == 1}
	if res[2] == 1 {
		d.Reason = ReasonRate
	}
	if l.OnWait != nil {
		l.OnWait(key.Name, d.Reason)
	}
	return d, nil
}

// hold makes a permit of slot s for a call starting now, renewing the
// slot's lease every third of a lease while the call runs.
func (l *Limiter) hold(s *slot) *Permit {
	p := &Permit{slot: s, started: time.Now()}
	every := s.lim.Lease / 3
	p.renewal = time.AfterFunc(every, func() { p.renew(every) })
	return p
}

// renew extends the slot's lease and comes again after every, until
// Release. A renewal that fails is tried again at the next tick; if none
// succeeds within a lease, the slot goes, as if this daemon had died.
func (p *Permit) renew(every time.Duration) {
	if p.freed.Load() {
		return
	}
	s := p.slot
	ctx, cancel := context.WithTimeout(context.Background(), every)
	_ = renewScript.Run(ctx, s.l.rdb, s.l.keys(s.key), s.holder, s.lim.Lease.Microseconds()).Err()
	cancel()
	if !p.freed.Load() {
		p.renewal.Reset(every)
	}
}

// Release frees the permit's slot when its call ends. The slot of a
// short call is kept a moment for this Limiter's next call (see
// slotPool); any other goes back to Redis, which reopens the gate if a
// call may start. Releasing twice, or a permit without a slot, does
// nothing.
func (p *Permit) Release(ctx context.Context) error {
	if p == nil || p.slot == nil {
		return nil
	}
	var err error
	p.once.Do(func() {
		p.freed.Store(true)
		p.renewal.Stop()
		s := p.slot
		if time.Since(p.started) < stuckAfter && time.Since(s.granted) < reuseFor && s.lim.emission() < stuckAfter.Microseconds() {
			s.l.pool.put(s)
			return
		}
		err = s.giveBack(ctx)
	})
	return err
}

// giveBack frees the slot in Redis and reopens the gate if a call may
// start.
func (s *slot) giveBack(ctx context.Context) error {
	err := releaseScript.Run(ctx, s.l.rdb, s.l.keys(s.key), s.holder, stuckAfter.Microseconds()).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("release flow slot of %q: %w", s.key.Name, err)
	}
	return nil
}

// InFlight counts the unexpired slots held for key.
func (l *Limiter) InFlight(ctx context.Context, key Key) (int, error) {
	keys := l.keys(key)
	now, err := l.rdb.Time(ctx).Result()
	if err != nil {
		return 0, fmt.Errorf("read redis time: %w", err)
	}
	n, err := l.rdb.ZCount(ctx, keys[0], fmt.Sprint(now.UnixMicro()+1), "+inf").Result()
	return int(n), err
}

// keys are the slots and their calls' starts (sorted sets), the rate's
// theoretical arrival time and the gate, all in one hash slot.
func (l *Limiter) keys(key Key) []string {
	base := l.prefix + ":flow:{" + key.Tag + "}:"
	gate := key.Gate
	if gate == "" {
		gate = base + "gate"
	}
	return []string{base + "slots", base + "starts", base + "tat", gate}
}

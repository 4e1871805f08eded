package linktoken

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors of Reserve, tested with errors.Is.
var (
	// ErrUsed: an answer was already accepted through a link of this wait.
	ErrUsed = errors.New("link token has already been used")
	// ErrBusy: another answer through a link of this wait is being
	// recorded right now; if it fails, the link works again.
	ErrBusy = errors.New("another answer through this link is being recorded")
)

// DefaultHold bounds a reservation: how long an answer may take to record
// before another may try. It only matters when a daemon dies mid-answer.
const DefaultHold = 5 * time.Minute

// minMarkTTL keeps a mark a while even when its token's expiry has passed
// by the ledger's clock, so clocks that disagree cannot reopen a link.
const minMarkTTL = time.Hour

// Values of a mark: "pending:<nonce>" while an answer is recorded, then
// "used".
const (
	markPending = "pending:"
	markUsed    = "used"
)

// release deletes a reservation only if it is still ours, so a slow answer
// whose hold ran out cannot free somebody else's.
var release = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`)

// Ledger records in Redis which waits have been answered, making links
// single use. Several daemons sharing Redis share it.
type Ledger struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
	hold   time.Duration
}

// LedgerOptions tune a Ledger.
type LedgerOptions struct {
	// Prefix starts every key (default "dsrhost", the engine's).
	Prefix string
	// Clock turns expiry times into TTLs (default time.Now).
	Clock func() time.Time
	// Hold bounds a reservation (default DefaultHold).
	Hold time.Duration
}

// NewLedger returns a ledger on rdb: a single node, failover or cluster
// client.
func NewLedger(rdb redis.UniversalClient, opts LedgerOptions) *Ledger {
	l := &Ledger{rdb: rdb, prefix: opts.Prefix, now: opts.Clock, hold: opts.Hold}
	if l.prefix == "" {
		l.prefix = "dsrhost"
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.hold <= 0 {
		l.hold = DefaultHold
	}
	return l
}

// key is the mark of c's wait, in the request's Cluster slot.
func (l *Ledger) key(c Claims) string {
	return l.prefix + ":{" + c.RequestID + "}:respond:" + c.Workflow.Code() + "/" + c.Integration + "/" + fmt.Sprint(c.Attempt)
}

// Used reports whether an answer was accepted through a link of c's wait.
func (l *Ledger) Used(ctx context.Context, c Claims) (bool, error) {
	v, err := l.rdb.Get(ctx, l.key(c)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check link %s: %w", c.ID(), err)
	}
	return v == markUsed, nil
}

// Reservation holds c's wait while an answer is recorded. Exactly one of
// Commit and Release must follow.
type Reservation struct {
	l     *Ledger
	c     Claims
	value string
}

// Reserve claims c's wait for one answer (SET NX), failing with ErrUsed
// when an answer was accepted already and ErrBusy while another is being
// recorded.
func (l *Ledger) Reserve(ctx context.Context, c Claims) (*Reservation, error) {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand.Read never fails
	value := markPending + hex.EncodeToString(nonce[:])
	ok, err := l.rdb.SetNX(ctx, l.key(c), value, l.hold).Result()
	if err != nil {
		return nil, fmt.Errorf("reserve link %s: %w", c.ID(), err)
	}
	if ok {
		return &Reservation{l: l, c: c, value: value}, nil
	}
	cur, err := l.rdb.Get(ctx, l.key(c)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		// The other answer's reservation was released just now: the
		// caller may try again, which is what ErrBusy tells.
		return nil, fmt.Errorf("reserve link %s: %w", c.ID(), ErrBusy)
	case err != nil:
		return nil, fmt.Errorf("reserve link %s: %w", c.ID(), err)
	case strings.HasPrefix(cur, markPending):
		return nil, fmt.Errorf("reserve link %s: %w", c.ID(), ErrBusy)
	}
	return nil, fmt.Errorf("reserve link %s: %w", c.ID(), ErrUsed)
}

// Commit marks the wait answered until its links expire.
func (r *Reservation) Commit(ctx context.Context) error {
	ttl := max(r.c.ExpiresAt.Sub(r.l.now()), minMarkTTL)
	if err := r.l.rdb.Set(ctx, r.l.key(r.c), markUsed, ttl).Err(); err != nil {
		return fmt.Errorf("mark link %s used: %w", r.c.ID(), err)
	}
	return nil
}

// Release gives the wait back: the answer was not recorded, so the link
// still works.
func (r *Reservation) Release(ctx context.Context) error {
	if err := release.Run(ctx, r.l.rdb, []string{r.l.key(r.c)}, r.value).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("release link %s: %w", r.c.ID(), err)
	}
	return nil
}
